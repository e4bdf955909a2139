// "The database is unavailable" is not a bug: while PostgreSQL is down or restarting, every request that needs it
// answers 503 with Retry-After at once (instead of a 500, or a wait for a pool connection), and the same requests
// succeed again by themselves once the database is back (the pool makes new connections; src/db/database.ts).
//
// Three places use it (what counts as unavailable is src/core/database-unavailable.ts): our error boundary
// (src/http/app.ts) for our own pages, the JSON error family (src/core/json-errors.ts) for our JSON endpoints, and the
// provider middleware below for oidc-provider's routes, which render their errors themselves (500 server_error): the
// provider's `server_error` event (emitted with (ctx, err)) marks the request, and the middleware turns a marked 500
// into a 503.
import type { Context, Middleware } from 'koa';
import { messagePage } from '../../views/message.js';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../core/database-unavailable.js';
import { respondJsonError, temporarilyUnavailable } from '../core/json-errors.js';
import { pageContext, resolveLocale } from '../core/locale.js';
import type { AppLink } from '../core/self-link.js';

export { isDatabaseUnavailable, RETRY_AFTER_SECONDS };

const MARK = 'databaseUnavailable';

/** For the provider's `server_error` event: remembers on the request that its 500 came from an unreachable database. */
export function markIfUnavailable(ctx: { state?: Record<string, unknown> }, err: unknown): void {
  if (ctx.state && isDatabaseUnavailable(err)) ctx.state[MARK] = true;
}

/** Writes the 503: JSON `{error: 'temporarily_unavailable'}` for API clients, our error page for browsers. */
export function respondUnavailable(ctx: Context, json: boolean): void {
  ctx.status = 503;
  ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  ctx.set('Cache-Control', 'no-store');
  if (json) {
    respondJsonError(ctx, temporarilyUnavailable());
    return;
  }
  const requestId = (ctx.state.requestId as string | undefined) ?? (ctx.response.get('X-Request-Id') || undefined);
  if (requestId) ctx.state.requestId = requestId;
  const page = pageContext(ctx, resolveLocale(ctx));
  ctx.type = 'html';
  ctx.body = messagePage(page, {
    title: page.t('error.title'),
    message: page.t('error.generic'),
    ...(requestId ? { detail: page.t('error.request_id', { id: requestId }) } : {}),
    next: { app: ctx.state.app as AppLink | undefined },
  });
}

/**
 * Installed on each provider instance (`provider.use`, outermost): a 500 marked by `markIfUnavailable`, or an
 * unavailable-database error that escaped the provider's own handlers (a session save), becomes a 503 with
 * Retry-After. The body keeps the kind the provider chose: JSON endpoints (token, userinfo, …) get JSON.
 */
export function providerUnavailable(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      return respondUnavailable(ctx, ctx.accepts('json', 'html') === 'json');
    }
    if (ctx.state[MARK] && ctx.status === 500) respondUnavailable(ctx, !ctx.response.is('html'));
  };
}
