// Authentication of the carriers' webhooks (SMS aggregator, telephony platform): an HMAC-SHA256 with a shared secret
// over the timestamp and the raw body. Requests older (or newer) than the window are refused, so a captured request
// cannot be replayed later; within the window the message or call id makes a retry harmless (channel-requests.ts).
//
//   X-BHXH-Timestamp: 1795300000                      (unix seconds)
//   X-BHXH-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
import crypto from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Clock } from './clock.js';
import { ApiError } from './json-errors.js';

export const TIMESTAMP_HEADER = 'x-bhxh-timestamp';
export const SIGNATURE_HEADER = 'x-bhxh-signature';

/** Signs a body the way a carrier must (also used by the dev tools and tests). */
export function signWebhook(
  secret: string,
  body: string,
  timestamp: number,
): { [TIMESTAMP_HEADER]: string; [SIGNATURE_HEADER]: string } {
  const mac = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: `sha256=${mac}` };
}

/** Posts a JSON payload signed as a carrier would (the dev tools); resolves with the status and the parsed answer. */
export async function postSignedJson(
  url: string,
  secret: string,
  payload: unknown,
  timestamp: number,
): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhook(secret, body, timestamp) },
    body,
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: text }; // not JSON: as it came
  }
}

/**
 * Koa middleware: needs the raw body (`ctx.request.rawBody`, set by @koa/bodyparser). Throws ApiError
 * `invalid_signature` (401, core/json-errors.ts) for a missing or wrong signature or a timestamp outside the window;
 * never says which part was wrong.
 */
export function verifyWebhook(options: { secret: () => string | undefined; clock: Clock; windowSeconds?: number }) {
  const window = options.windowSeconds ?? 300;
  return async (ctx: Context, next: Next) => {
    const secret = options.secret();
    const raw = (ctx.request as { rawBody?: string }).rawBody ?? '';
    const timestamp = Number(ctx.get(TIMESTAMP_HEADER));
    const given = ctx.get(SIGNATURE_HEADER);
    const fresh = Number.isInteger(timestamp) && Math.abs(options.clock.now().getTime() / 1000 - timestamp) <= window;
    const expected = secret ? signWebhook(secret, raw, timestamp)[SIGNATURE_HEADER] : '';
    const ok =
      Boolean(secret) &&
      fresh &&
      given.length === expected.length &&
      crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!ok) throw new ApiError('invalid_signature');
    await next();
  };
}
