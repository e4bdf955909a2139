// The one JSON error family, beside the HTML one (src/http/errors.ts: FlowError → a page). What our JSON endpoints —
// the admin key API, the carrier webhooks, /metrics — answer when they refuse or fail: a listed code in the OAuth
// shape `{ "error": code, "error_description"?: text }` (RFC 6749 §5.2, RFC 6750 §3), with `Cache-Control: no-store`.
// A route throws `new ApiError(code, description?)`; `jsonErrors()` at the head of its stack writes the answer, and
// turns anything unexpected into 500 `server_error` without detail (logged with the stack), or 503
// `temporarily_unavailable` with Retry-After while the database cannot be reached.
//
// In core/ rather than http/ because the modules that throw it sit below the route table (channels/, admin/, and
// core/webhook-signature.ts itself), and http/ still holds the route table that imports them.
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from './database-unavailable.js';

/** Every code a JSON endpoint answers, with its status. */
export const API_ERRORS = {
  invalid_request: 400,
  /** RFC 6750: no, or no usable, bearer token. */
  invalid_token: 401,
  /** A carrier webhook whose signature or timestamp does not check (core/webhook-signature.ts). */
  invalid_signature: 401,
  /** RFC 6750: the token lacks the scope the operation needs. */
  insufficient_scope: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  server_error: 500,
  temporarily_unavailable: 503,
} as const satisfies Record<string, number>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    /** Safe to show the caller; it goes out as `error_description`. */
    readonly description?: string,
    /** `headers`: sent with the answer (WWW-Authenticate, Retry-After); `cause`: for the logs only. */
    readonly options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(description ? `${code}: ${description}` : code, { cause: options.cause });
    this.name = 'ApiError';
    this.status = API_ERRORS[code];
  }
}

/** The 503 of an unreachable database, as every JSON answer gives it (src/http/unavailable.ts too). */
export function temporarilyUnavailable(): ApiError {
  return new ApiError('temporarily_unavailable', 'the service is temporarily unavailable; try again shortly', {
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}

/** Writes an ApiError as the answer: its status, its headers, `{ error, error_description? }` as JSON. */
export function respondJsonError(ctx: Context, err: ApiError): void {
  ctx.status = err.status;
  for (const [name, value] of Object.entries(err.options.headers ?? {})) ctx.set(name, value);
  ctx.set('Cache-Control', 'no-store');
  ctx.body =
    err.description === undefined ? { error: err.code } : { error: err.code, error_description: err.description };
}

/**
 * First in the stack of a JSON route: an ApiError becomes its answer; a client error of a library (Koa's
 * `expose`d 4xx) becomes `invalid_request`; anything else is logged as `<what> failed` and answered without detail.
 */
export function jsonErrors(logger: Logger, what: string): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const log = (ctx.state.log as Logger | undefined) ?? logger;
      if (err instanceof ApiError) {
        if (err.status >= 500) log.error({ err }, `${what} failed`);
        return respondJsonError(ctx, err);
      }
      const { expose, status } = err as { expose?: unknown; status?: unknown };
      if (expose === true && typeof status === 'number' && status >= 400 && status < 500)
        return respondJsonError(ctx, new ApiError('invalid_request'));
      if (isDatabaseUnavailable(err)) {
        log.warn({ err: String((err as Error).message) }, 'database unavailable');
        return respondJsonError(ctx, temporarilyUnavailable());
      }
      log.error({ err }, `${what} failed`);
      respondJsonError(ctx, new ApiError('server_error'));
    }
  };
}
