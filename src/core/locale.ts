// Which language a page speaks: the on-page switch (?lang=, remembered in a cookie), then the relying party's
// ui_locales, then Vietnamese.
import type { Context } from 'koa';
import { pickLocale, translator, type Locale, type Translate } from './i18n.js';
import { selfLink } from './self-link.js';

/** What a view needs of the request: translator, locale, the language switch link. */
export interface PageContext {
  t: Translate;
  locale: Locale;
  /** The current URL with `lang` switched to the other locale. */
  switchLanguageHref: string;
  requestId?: string;
}

const LANG_COOKIE = 'lang';

/** Remembers the language in this browser (the switch, and the preference saved on the account page). */
export function rememberLocale(ctx: Context, locale: Locale): void {
  ctx.cookies.set(LANG_COOKIE, locale, {
    httpOnly: true,
    sameSite: 'lax',
    maxAge: 365 * 24 * 3600 * 1000,
    signed: false,
    secure: ctx.secure,
  });
}

/**
 * `uiLocales`: what the page knows of the member's wish beyond this browser (the app's ui_locales, or the preference
 * saved on the account page); the switch and the cookie come first.
 */
export function resolveLocale(ctx: Context, uiLocales?: string): Locale {
  const fromQuery = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
  if (fromQuery === 'vi' || fromQuery === 'en') {
    rememberLocale(ctx, fromQuery);
    return fromQuery;
  }
  const fromCookie = ctx.cookies.get(LANG_COOKIE, { signed: false });
  if (fromCookie === 'vi' || fromCookie === 'en') return fromCookie;
  return pickLocale(uiLocales);
}

/** The page context views need: translator, locale, the language switch link. */
export function pageContext(ctx: Context, locale: Locale): PageContext {
  // NOTE: the request line is whatever the client sent (`//[x` is no URL at all): a path that does not parse gives
  // the home page's switch, never an error on the way to rendering a page.
  let url: URL;
  try {
    url = new URL(ctx.originalUrl, 'http://placeholder');
  } catch {
    url = new URL('/', 'http://placeholder');
  }
  url.searchParams.set('lang', locale === 'vi' ? 'en' : 'vi');
  // A POST answered with a page links the switch to the form's GET page.
  const path =
    ctx.method === 'GET'
      ? url.pathname
      : url.pathname.replace(/\/(login|password|confirm|address|code|resend|method)$/, '');
  return {
    t: translator(locale),
    locale,
    switchLanguageHref: selfLink(path, url.search),
    requestId: ctx.state.requestId as string | undefined,
  };
}
