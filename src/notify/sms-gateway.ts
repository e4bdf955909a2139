// The default outbound SMS adapter: one signed JSON POST to the SMS gateway (SMS_GATEWAY_URL) per message, with a
// deadline. It is used by the outbox worker, which owns retries; this module only makes one attempt and says, with a
// short code, why it failed.
//
//   POST <SMS_GATEWAY_URL>
//   Content-Type: application/json
//   X-BHXH-Timestamp: 1795300000                      (unix seconds)
//   X-BHXH-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>    (as core/webhook-signature.ts)
//
//   {"to":"+84912345678","text":"BHXH: ...","id":"<64 hex digits>"}
//
// Any 2xx means the gateway has accepted the message. Anything else (another status, a redirect, a network error,
// the deadline) rejects with an Error whose `code` is a short token such as HTTP_503, ETIMEDOUT or ECONNREFUSED.
// NOTE: never the phone number, the text or the gateway's reply in the error: outbox.ts stores and logs `code` only,
// and the message is the code too, in case something else logs the whole error.
//
// Idempotency: `id` is stable across retries of the same message, so a gateway that accepted a request whose reply
// never arrived (timeout, reset) can drop the retry. It is an HMAC under the shared secret of the caller's key (the
// outbox row, when the caller gives one), the number and the text: it reveals neither to anyone without the secret.
import crypto from 'node:crypto';
import { signWebhook } from '../core/webhook-signature.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { SmsSender } from './email-senders.js';
import type { SmsMessage } from './messages.js';

const E164 = /^\+[1-9][0-9]{6,14}$/;
/** Codes we pass on from the network layer as they are; anything else becomes ENETWORK. */
const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,39}$/;
/** undici's own timeouts, reported like the overall deadline. */
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export interface HttpSmsGatewayOptions {
  /** The gateway's endpoint, http(s). */
  url: string;
  /** The shared HMAC secret (SMS_GATEWAY_SECRET). */
  secret: string;
  /** The deadline of one attempt, from connecting to the response headers. @default 5000 */
  timeoutMs?: number;
  /** The source of X-BHXH-Timestamp. @default systemClock */
  clock?: Clock;
}

export type HttpSmsGateway = SmsSender;

/** A failure with a short, safe code (also its message). */
export class SmsGatewayError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'SmsGatewayError';
  }
}

/** The request id the gateway dedupes on: HMAC-SHA256(secret, "bhxh-sms-id/v1\0<key>\0<to>\0<text>"), hex. */
export function smsRequestId(secret: string, message: SmsMessage, idempotencyKey = ''): string {
  return crypto
    .createHmac('sha256', secret)
    .update(['bhxh-sms-id/v1', idempotencyKey, message.to, message.text].join('\0'))
    .digest('hex');
}

/** The short code for a failed fetch: ETIMEDOUT for any deadline, the errno (ECONNREFUSED…) when known, else ENETWORK. */
function failureCode(err: unknown): string {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; cause?: unknown };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'ETIMEDOUT';
  const cause = (e.cause ?? {}) as { code?: unknown; name?: unknown };
  for (const code of [cause.code, e.code]) {
    if (typeof code !== 'string' || !SAFE_CODE.test(code)) continue;
    return TIMEOUT_CODES.has(code) ? 'ETIMEDOUT' : code;
  }
  if (cause.name === 'TimeoutError') return 'ETIMEDOUT';
  return 'ENETWORK';
}

/** The HTTP gateway adapter: see the top of this file. */
export function createHttpSmsGateway(options: HttpSmsGatewayOptions): HttpSmsGateway {
  const url = new URL(options.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error('sms gateway: the URL must start with https:// or http://');
  if (!options.secret) throw new Error('sms gateway: a secret is required');
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new Error('sms gateway: timeoutMs must be a positive whole number');
  const clock = options.clock ?? systemClock;
  const endpoint = url.href;

  return {
    async send(message, sendOptions) {
      if (!E164.test(message.to)) throw new SmsGatewayError('INVALID_RECIPIENT');
      const body = JSON.stringify({
        to: message.to,
        text: message.text,
        id: smsRequestId(options.secret, message, sendOptions?.idempotencyKey),
      });
      const timestamp = Math.floor(clock.now().getTime() / 1000);
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signWebhook(options.secret, body, timestamp) },
          body,
          // NOTE: a redirect is a failure, never followed: the signed message goes to the configured endpoint only.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new SmsGatewayError(failureCode(err));
      }
      // The reply's content is not needed (and is not read, so a slow or large one cannot hold the worker).
      await response.body?.cancel().catch(() => {});
      if (response.status < 200 || response.status > 299) throw new SmsGatewayError(`HTTP_${response.status}`);
    },
  };
}
