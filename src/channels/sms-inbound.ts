// The inbound SMS keyword channel: a member texts `BH MK <mã số BHXH>` to the short code 8079 from the phone
// registered on the account and gets a temporary password back by SMS (methods/temporary-password).
//
//   message ──(message id seen before)──────────────────────────────▶ duplicate: nothing done, nothing sent
//      │
//      ├─(sender not a Vietnamese number)──────────────────────────▶ no reply
//      ├─(sender or number over its hourly limit)──────────────────▶ no reply  (an abusive sender costs us nothing)
//      ├─(not the keyword)──────────────────────────────────────────▶ help reply
//      ├─(keyword; sender ≠ verified phone on an active account)──▶ mismatch reply (unknown numbers alike; a phone
//      │                                                               changed online within the cooling-off alike)
//      └─(keyword; sender = that phone)────────────────────────────▶ temporary password reply
//
// Replies go only to the sender. The member's own password is untouched: the temporary one lives beside it.
// NOTE: everything runs inside the transaction of `channelRequests.once` and uses only that transaction (PGlite has
// a single connection: a query on the global db inside it would wait for ever).
import { parseBhxhNumber, parsePhoneNumber } from '../accounts/identifiers.js';
import { provePhoneOwnership } from '../security/phone-ownership.js';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { AuditLog, AuditType } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { TemporaryPasswords } from '../methods/temporary-password/temporary-passwords.js';
import type { Outbox } from '../notify/outbox.js';
import type { Clock } from '../core/clock.js';
import { keyedHash } from '../core/keyed-hash.js';
import type { Limit, Throttle } from '../security/throttle.js';
import type { ChannelRequests } from './channel-requests.js';

const TABLE = 'sms_inbound_messages';
const HOUR = 3600;

const AUDIT_TYPE: AuditType = 'sms_inbound';

/** What happened to one message (kept in the audit trail and as the idempotent result; never a secret). */
export type SmsInboundOutcome = 'issued' | 'mismatch' | 'help' | 'throttled' | 'invalid_sender';

export interface InboundSms {
  /** The sender as the aggregator writes it (any Vietnamese form: 0912…, 84912…, +84912…). */
  sender: string;
  /** The short code the message was sent to. */
  recipient: string;
  text: string;
  /** The aggregator's message id: a retry with the same id changes nothing and sends nothing. */
  messageId: string;
}

export interface SmsInboundDeps {
  db: Db;
  accounts: Pick<AccountRepository, 'phoneOnFile'>;
  clock: Clock;
  /** Once per message id (built by the composition root). */
  channelRequests: ChannelRequests;
  temporaryPasswords: Pick<TemporaryPasswords, 'issueAndDeliver' | 'minutes'>;
  outbox: Outbox;
  audit: Pick<AuditLog, 'record'>;
  limits: { perSenderPerHour: number; perNumberPerHour: number };
  /** Keys the hashes of senders and numbers kept for the limits (a secret of the deployment, shared by all nodes). */
  key: Buffer;
  /** The one throttle (src/security/throttle.ts). */
  throttle: Throttle;
  /** A phone changed online this recently proves nothing (`config.account.phoneCoolingSeconds`; SIM-swap cooling-off). */
  phoneCoolingSeconds: number;
}

export interface SmsInboundResult {
  status: 'accepted' | 'duplicate';
  outcome: SmsInboundOutcome;
}

// The replies live with every other message text (src/notify/templates.ts).
export { SHORT_CODE, smsHelpReply, smsMismatchReply, temporaryPasswordSms } from '../notify/templates.js';

// ---------------------------------------------------------------------------------------------------------------

/**
 * The BHXH number in a `BH MK <number>` message, or null for any other text. Case and spacing do not matter
 * (`bh mk 0123456789`, `BHMK0123456789`, `  Bh  Mk  0123 456 789 `); the number may carry dots or dashes.
 */
export function parseSmsKeyword(text: string): string | null {
  if (text.length > 200) return null;
  const compact = text
    .normalize('NFKC')
    .replace(/[\s.-]/g, '')
    .toUpperCase();
  const match = /^BHMK([0-9]{10})$/.exec(compact);
  return match ? parseBhxhNumber(match[1]) : null;
}

/** The sender in E.164 when it is a Vietnamese number we may reply to; null otherwise (no reply at all). */
export function parseSmsSender(sender: string): string | null {
  const e164 = parsePhoneNumber(sender);
  // NOTE: replies only to Vietnamese numbers: a short code's subscribers are, and an international reply is the
  // expensive kind that SMS pumping is after.
  return e164?.startsWith('+84') ? e164 : null;
}

/**
 * Handles one inbound message once per message id: throttles, answers (into the outbox) and audits, all in one
 * transaction. Returns `duplicate` for a message id already handled (nothing is done again).
 */
export async function handleInboundSms(deps: SmsInboundDeps, message: InboundSms): Promise<SmsInboundResult> {
  const { channelRequests } = deps;
  const keyed = (value: string) => keyedHash(deps.key, 'sms-inbound', value);
  const { throttle } = deps;
  const perSender: Limit = { name: 'sms_sender', max: deps.limits.perSenderPerHour, windowSeconds: HOUR };

  const { result, replayed } = await channelRequests.once(
    'sms',
    message.messageId,
    async (trx): Promise<{ outcome: SmsInboundOutcome }> => {
      const now = deps.clock.now();
      const sender = parseSmsSender(message.sender);
      if (!sender) {
        await deps.audit.record({ type: AUDIT_TYPE, outcome: 'failure', detail: { outcome: 'invalid_sender' } }, trx);
        return { outcome: 'invalid_sender' };
      }
      const bhxhNumber = parseSmsKeyword(message.text);

      // Who the number belongs to, and whether the sender is that member's verified phone (the rule of every channel).
      const ownership = await provePhoneOwnership(deps.accounts, trx, bhxhNumber, sender, {
        now,
        seconds: deps.phoneCoolingSeconds,
      });
      const { matched, account } = ownership;

      // Limits (src/security/throttle.ts), inside this transaction. Every message counts (throttled ones too: a sender
      // who keeps sending stays silent). Always the sender's budget before the number's: no two messages wait on each
      // other in a cycle.
      const senderKey = keyed(`sender:${sender}`);
      const numberKey = bhxhNumber ? keyed(`number:${bhxhNumber}`) : null;
      // NOTE: per number, the owner's phone and everybody else have separate budgets: strangers naming a number use up
      // only the mismatch replies for it, never the replies its owner may ask for.
      const perNumber: Limit = {
        name: matched ? 'sms_number_owner' : 'sms_number_other',
        max: deps.limits.perNumberPerHour,
        windowSeconds: HOUR,
      };
      const bySender = await throttle.count(trx, perSender, { id: sender });
      const byNumber = bhxhNumber ? await throttle.count(trx, perNumber, { id: bhxhNumber }) : null;
      await throttle.hit(trx, perSender, { id: sender });
      if (bhxhNumber) await throttle.hit(trx, perNumber, { id: bhxhNumber });
      const throttled = bySender.over || Boolean(byNumber?.over);

      let outcome: SmsInboundOutcome;
      if (throttled) {
        outcome = 'throttled';
      } else if (!bhxhNumber) {
        outcome = 'help';
        await deps.outbox.send({ purpose: 'sms_inbound_help', channel: 'sms', to: sender }, trx);
      } else if (ownership.matched) {
        outcome = 'issued';
        await deps.temporaryPasswords.issueAndDeliver(ownership.account.id, { channel: 'sms', to: sender }, trx);
      } else {
        outcome = 'mismatch';
        await deps.outbox.send({ purpose: 'sms_inbound_mismatch', channel: 'sms', to: sender }, trx);
      }

      await trx(TABLE).insert({ sender_key: senderKey, number_key: numberKey, matched, outcome, created_at: now });
      await deps.audit.record(
        {
          type: AUDIT_TYPE,
          outcome: outcome === 'issued' || outcome === 'help' ? 'success' : 'failure',
          // The account named, matched or not (a stranger asking for it is worth seeing); never the number or phone.
          accountId: account?.id ?? null,
          detail: { outcome, ...(outcome === 'mismatch' && !ownership.matched ? { reason: ownership.reason } : {}) },
        },
        trx,
      );
      return { outcome };
    },
  );

  return { status: replayed ? 'duplicate' : 'accepted', outcome: result.outcome };
}

/**
 * Deletes what the channel no longer needs: limit rows past the hour they count for (kept a day for operators), and
 * SMS idempotency records past any aggregator retry. Returns how many rows went.
 */
export async function sweepSmsInbound(
  db: Db,
  clock: Clock,
  { messagesOlderThanSeconds = 24 * HOUR, requestsOlderThanSeconds = 7 * 24 * HOUR, batch = 1000 } = {},
): Promise<number> {
  const now = clock.now().getTime();
  const messages = await db(TABLE)
    .whereIn(
      'id',
      db(TABLE)
        .select('id')
        .where('created_at', '<', new Date(now - messagesOlderThanSeconds * 1000))
        .limit(batch),
    )
    .delete()
    .returning('id');
  const requests = await db('channel_requests')
    .where({ channel: 'sms' })
    .whereIn(
      'request_id',
      db('channel_requests')
        .select('request_id')
        .where({ channel: 'sms' })
        .andWhere('created_at', '<', new Date(now - requestsOlderThanSeconds * 1000))
        .limit(batch),
    )
    .delete()
    .returning('request_id');
  return messages.length + requests.length;
}
