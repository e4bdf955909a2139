// The relying party's ui_locales on /session/end carries through to the "signed out" page.
//
// oidc-provider keeps no request parameter past the confirmation: POST /session/end/confirm redirects to
// /session/end/success with nothing but, sometimes, the client_id. So the confirmation form (provider.ts,
// logoutSource) posts to `/session/end/confirm?ui_locales=<the page's language>` when the relying party asked for one,
// and this middleware copies that onto the redirect to the success page, which reads it as /auth reads ui_locales
// (after the member's own switch). Installed inside the upstream (VNeID) logout, whose return address then carries it.
import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Locale } from '../core/i18n.js';

const isLocale = (value: string): value is Locale => value === 'vi' || value === 'en';

export const LOGOUT_LOCALE_PARAM = 'ui_locales';

/** The confirmation form's action, carrying the language of a relying party that asked for one. */
export function confirmActionWithLocale(form: string, locale: string | undefined): string {
  if (!locale || !isLocale(locale)) return form;
  return form.replace(
    /(<form id="op\.logoutForm" method="post" action=")([^"?]+)(")/,
    `$1$2?${LOGOUT_LOCALE_PARAM}=${locale}$3`,
  );
}

export function carryLogoutLocale(): Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as unknown as KoaContextWithOIDC;
    if (oidc?.route !== 'end_session_confirm' || ctx.status !== 303) return;
    const locale = ctx.query[LOGOUT_LOCALE_PARAM];
    if (typeof locale !== 'string' || !isLocale(locale)) return;
    const location = ctx.response.get('Location');
    const success = oidc.urlFor('end_session_success');
    if (!location.startsWith(success)) return;
    const url = new URL(location);
    url.searchParams.set(LOGOUT_LOCALE_PARAM, locale);
    ctx.redirect(url.href);
    ctx.status = 303;
  };
}
