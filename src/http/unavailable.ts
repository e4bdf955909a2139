// "The database is unavailable" is not a bug: while PostgreSQL is down or restarting, every request that needs it
// answers 503 with Retry-After at once (instead of a 500, or a wait for a pool connection), and the same requests
// succeed again by themselves once the database is back (the pool makes new connections; src/db/database.ts).
//
// Two places use it: our error boundary (src/http/app.ts) for our own pages, and the provider middleware below for
// oidc-provider's routes, which render their errors themselves (500 server_error): the provider's `server_error`
// event (emitted with (ctx, err)) marks the request, and the middleware turns a marked 500 into a 503.
import type { Context, Middleware } from 'koa';
import { messagePage } from '../../views/message.js';
import { pageContext, resolveLocale } from '../core/locale.js';

/** What a 503 tells clients: try again in a few seconds. */
export const RETRY_AFTER_SECONDS = 5;

/** Socket-level errors of a connection to the database server (refused, reset, unreachable, DNS). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs that mean "the server cannot serve you now", not "your statement is wrong":
 * class 08 (connection exception), 53300 too_many_connections, 57P01 admin_shutdown (a fast shutdown or restart),
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, in recovery).
 */
const PG_CODES = new Set(['08000', '08001', '08003', '08004', '08006', '53300', '57P01', '57P02', '57P03']);

/** What pg, knex and tarn say when there is no usable connection (they carry no code). */
const MESSAGES = [
  /Connection terminated/i, // pg: "… unexpectedly", "… due to connection timeout"
  /timeout expired/i, // pg: connectionTimeoutMillis on older paths
  /Client has encountered a connection error and is not queryable/i, // pg: a client whose socket failed
  /Connection ended unexpectedly/i,
  /Timeout acquiring a connection/i, // knex: acquireConnectionTimeout
  /Unable to acquire a connection/i, // knex: the pool is being destroyed (shutdown)
];

function causes(err: unknown, depth = 0): unknown[] {
  if (depth > 5 || err === null || typeof err !== 'object') return [];
  const e = err as { cause?: unknown; errors?: unknown };
  const nested = [...(e.cause !== undefined ? [e.cause] : []), ...(Array.isArray(e.errors) ? e.errors : [])];
  return [err, ...nested.flatMap((n) => causes(n, depth + 1))];
}

/**
 * True when `err` (or its cause, or one of an AggregateError's errors) says the database cannot be reached now:
 * a refused or broken connection, a server shutting down or starting up, a pool that found no connection in time.
 * False for everything else, including SQL errors (constraint violations, syntax): those are bugs or conflicts.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  // An error meant for the client (a 4xx: an aborted upload has code ECONNABORTED) is not about the database.
  if ((err as { expose?: unknown } | null)?.expose === true) return false;
  return causes(err).some((e) => {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_CODES.has(code))) return true;
    if (name === 'KnexTimeoutError') return true;
    return typeof message === 'string' && MESSAGES.some((m) => m.test(message));
  });
}

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
    ctx.body = {
      error: 'temporarily_unavailable',
      error_description: 'the service is temporarily unavailable; try again shortly',
    };
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
