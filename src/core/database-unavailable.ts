// "The database is unavailable now" as opposed to "this statement is wrong": the one classification every error
// answer uses (the HTML error boundary and the provider middleware in src/http/unavailable.ts, the JSON error family
// in src/core/json-errors.ts). In core/ because both families need it and it depends on nothing: it reads codes,
// names and messages of pg, knex and tarn errors without importing them.

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
