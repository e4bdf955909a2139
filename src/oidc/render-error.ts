// oidc-provider's `renderError`: the page a browser sees when a protocol request cannot go back to the relying party
// (an unknown client, an unregistered redirect URI, a malformed request, an expired sign-in). The same page model as
// our own routes (views/message.ts): a title and message in the member's language, the next step, the hotline.
//
// Which page, by what went wrong:
//   server_error (5xx)            → "something went wrong", with the request id; the error goes to the log
//   SessionNotFound               → "your sign-in session has expired" (an old /auth/{uid}, a lost cookie)
//   the logout form, gone stale   → "this page has expired" (Back, then the sign-out form sent again)
//   anything else                 → the relying party's mistake: said in plain words ("the app that sent you here
//                                   made a mistake"), with `error` and `error_description` only in a collapsed
//                                   block for its developer — never in the page's main text
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import { messagePage } from '../../views/message.js';
import type { MessageId } from '../core/i18n.js';
import { pageContext, resolveLocale, type PageContext } from '../core/locale.js';
import { appLink, type AppLink } from '../core/self-link.js';

type ErrorOut = { error: string; error_description?: string };

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The relying party's ui_locales: from the parsed parameters, else from the query as it came. */
function uiLocalesOf(ctx: KoaContextWithOIDC): string | undefined {
  const params = ctx.oidc?.params as { ui_locales?: unknown } | undefined;
  return text(params?.ui_locales) ?? text(ctx.query.ui_locales);
}

interface ErrorView {
  title: MessageId;
  message: string;
  /** Shown to the developer in the collapsed block: only for a relying party's mistake. */
  technical?: ErrorOut;
}

/** Which page, by what went wrong (the table at the top of this file). */
function describeError(
  ctx: KoaContextWithOIDC,
  page: PageContext,
  out: ErrorOut,
  error: Error,
  app?: AppLink,
): ErrorView {
  if (out.error === 'server_error' || ctx.status >= 500)
    return { title: 'error.title', message: page.t('error.generic') };
  if (error instanceof errors.SessionNotFound)
    return { title: 'error.session_expired.title', message: page.t('error.session_expired') };
  if (ctx.oidc?.route === 'end_session_confirm' && out.error === 'invalid_request')
    return { title: 'error.csrf.title', message: page.t('logout.expired') };
  return {
    title: 'rp_error.title',
    message: app ? page.t('rp_error.message_named', { client: app.name }) : page.t('rp_error.message'),
    technical: out,
  };
}

export async function renderProviderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: Error, logger: Logger) {
  const page = pageContext(ctx, resolveLocale(ctx, uiLocalesOf(ctx)));
  const client = ctx.oidc?.client;
  const params = ctx.oidc?.params as { redirect_uri?: unknown } | undefined;
  // The redirect URI counts only if registered (appLink checks); an unregistered one is never offered as a link.
  const app = client ? appLink(client, params?.redirect_uri) : undefined;
  const view = describeError(ctx, page, out, error, app);
  const requestId = (ctx.response.get('X-Request-Id') as string | undefined) || undefined;
  if (ctx.status >= 500) logger.error({ err: error, requestId }, 'provider error');
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = messagePage(page, {
    title: page.t(view.title),
    message: view.message,
    ...(ctx.status >= 500 && requestId ? { detail: page.t('error.request_id', { id: requestId }) } : {}),
    next: { app },
    ...(view.technical
      ? { technical: { error: view.technical.error, description: view.technical.error_description } }
      : {}),
  });
}
