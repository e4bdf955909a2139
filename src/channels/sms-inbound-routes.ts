// POST /channels/sms/inbound: the SMS aggregator delivers a message sent to the short code 8079.
//
//   { "sender": "0912345678", "recipient": "8079", "text": "BH MK 0123456789", "messageId": "abc-123" }
//   X-BHXH-Timestamp / X-BHXH-Signature (core/webhook-signature.ts)
//
// Answers JSON only: 200 { status: 'accepted' | 'duplicate' } whatever the message said (the reply, if any, goes out
// by SMS through the outbox); errors `{ error }` of the one family (src/core/json-errors.ts): 401 bad signature or
// stale timestamp, 400 malformed, 413 too large, 415 not JSON, 404 when the channel is switched off, 503 while the
// database cannot be reached, 500 (logged) otherwise.
import type { AccountRepository } from '../accounts/account-repository.js';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { ApiError, jsonErrors } from '../core/json-errors.js';
import type { Db } from '../db/database.js';
import type { Outbox } from '../notify/outbox.js';
import type { TemporaryPasswords } from '../methods/temporary-password/temporary-passwords.js';
import type { Throttle } from '../security/throttle.js';
import { handleInboundSms, type SmsInboundDeps } from './sms-inbound.js';
import type { ChannelRequests } from './channel-requests.js';
import { verifyWebhook } from '../core/webhook-signature.js';

export const SMS_INBOUND_PATH = '/channels/sms/inbound';

/** What the SMS keyword's routes use: their own narrow list, not the service bag. */
export type SmsInboundRouteDeps = {
  config: Config;
  db: Db;
  accounts: Pick<AccountRepository, 'phoneOnFile'>;
  clock: Clock;
  logger: Logger;
  outbox: Outbox;
  audit: AuditLog;
  temporaryPasswords: Pick<TemporaryPasswords, 'issueAndDeliver' | 'minutes'>;
  /** Keys the hashes kept for the hourly limits (server.ts: derive('sms-inbound')). */
  smsInboundKey: Buffer;
  /** Once per message id (src/channels/channel-requests.ts; built by the composition root). */
  channelRequests: ChannelRequests;
  /** The one throttle (src/security/throttle.ts). */
  throttle: Throttle;
};

const InboundSmsBody = z.object({
  sender: z.string().min(1).max(40),
  recipient: z.string().min(1).max(40),
  text: z.string().max(2000),
  // Printable ASCII without spaces: it becomes a database key and may appear in logs.
  messageId: z.string().regex(/^[\x21-\x7e]{1,128}$/),
});

/** Reads the JSON body (and the raw text the signature covers); parser failures become JSON answers, never a page. */
function readJson(): Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: '8kb', encoding: 'utf-8' }) as unknown as Middleware;
  return async (ctx: Context, next: Next) => {
    if (!ctx.is('application/json')) throw new ApiError('unsupported_media_type');
    try {
      await parse(ctx, async () => {});
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 413) throw new ApiError('payload_too_large');
      if (status === 415) throw new ApiError('unsupported_media_type'); // a charset other than UTF-8
      if (typeof status === 'number' && status >= 400 && status < 500) throw new ApiError('invalid_request');
      throw err;
    }
    await next();
  };
}

export function registerSmsInboundRoutes(router: Router, deps: SmsInboundRouteDeps) {
  const handlerDeps: SmsInboundDeps = {
    db: deps.db,
    accounts: deps.accounts,
    clock: deps.clock,
    channelRequests: deps.channelRequests,
    temporaryPasswords: deps.temporaryPasswords,
    outbox: deps.outbox,
    audit: deps.audit,
    limits: deps.config.smsInbound,
    key: deps.smsInboundKey,
    throttle: deps.throttle,
    phoneCoolingSeconds: deps.config.account.phoneCoolingSeconds,
  };

  const enabled: Middleware = async (_ctx, next) => {
    if (!deps.config.smsInbound.enabled) throw new ApiError('not_found');
    await next();
  };

  router.post(
    SMS_INBOUND_PATH,
    // Nothing is committed on a failure (one transaction): the aggregator's retry with the same message id starts
    // afresh.
    jsonErrors(deps.logger, 'inbound sms'),
    enabled,
    readJson(),
    verifyWebhook({ secret: () => deps.config.smsInbound.secret, clock: deps.clock }),
    async (ctx) => {
      const parsed = InboundSmsBody.safeParse(ctx.request.body);
      if (!parsed.success) throw new ApiError('invalid_request');
      const log = (ctx.state.log as Logger | undefined) ?? deps.logger;
      const result = await handleInboundSms(handlerDeps, parsed.data);
      // NOTE: neither the sender nor the number in the log line; the outcome is enough to follow the channel.
      log.info({ channel: 'sms', status: result.status, outcome: result.outcome }, 'inbound sms');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: result.status };
    },
  );
}
