// One-time codes for recovery (email and SMS) and for proving an address: 6 digits from crypto, stored as an HMAC,
// bound to a flow and an account, valid for a short time, a capped number of tries, and used up in one conditional
// update.
// NOTE: the per-address limit is the one throttle's (src/security/throttle.ts); the per-account limits are counted
// from the codes table itself under an advisory lock, since they also decide which earlier codes die. Both hold
// across nodes and under parallel requests, and follow the injected clock.
//
// A request the limits refuse (recovery only, where the caller names the requester: browser + channel + typed details):
//
//   this requester asked within the cooldown ──▶ `repeat`: nothing new; the flow continues that request's code
//                                                (the member is told so, with the wait that remains)
//   otherwise (the cooldown another requester began, ──▶ `silent`: the flow continues this requester's newest live
//   or the hourly cap)                                    code, or gets a stand-in that never verifies
//
// NOTE: what the member is told depends only on the requester's own rows, which only the requester's flows touch
// (tries, use) and which no other request kills within the cooldown (a code is only ever issued past the account's
// cooldown, and stand-ins are never killed). So a matching and a non-matching pair with the same history from one
// browser get the same pages, whatever other browsers do with the account; a different browser never continues a
// code it did not ask for.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { lockForTransaction } from '../../core/advisory-lock.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../core/clock.js';
import { keyedHash } from '../../core/keyed-hash.js';
import type { Limit, Throttle } from '../../security/throttle.js';

export interface CodeOptions {
  ttlSeconds: number;
  maxAttempts: number;
  cooldownSeconds: number;
  perAccountPerHour: number;
  perIpPerHour: number;
}

/** A refused request from the requester that asked within the cooldown: nothing new is sent or written. */
export interface RepeatedRequest {
  /** The code that earlier request issued (or its stand-in): the new flow continues it. */
  codeId: string;
  /** Whether it can still be used (not used, not expired, tries left). */
  live: boolean;
  /** The credential version it answers to (null: no match, or a stand-in). */
  credentialVersion: number | null;
  /** Seconds until this requester may ask again. */
  retryAfterSeconds: number;
}

export type IssueResult =
  | { issued: true; code: string }
  | {
      issued: false;
      reason: 'cooldown' | 'account_limit';
      /** Set when the requester itself asked within the cooldown (the member is told). */
      repeat?: RepeatedRequest;
      /** Otherwise, with a requester: the requester's live code the flow continues, or none (a stand-in was written). */
      continues?: { codeId: string; credentialVersion: number | null };
      /** Without a requester (a signed-in member, who may be told): seconds until the account may get a code again. */
      retryAfterSeconds?: number;
    };
export type VerifyResult = { ok: true; accountId: string } | { ok: false; reason: 'wrong' | 'dead' };

type Channel = 'email' | 'sms';

/** The columns `issue` reads of the rows under one rate key. */
interface CodeRow {
  id: string;
  created_at: Date | string;
  expires_at: Date | string;
  consumed_at: Date | string | null;
  attempts: number;
  max_attempts: number;
  requester: string | null;
  stand_in: boolean;
  credential_version: number | null;
}

/** What a code is for; each purpose has its own limits and live codes (`verification_codes.purpose`). */
export type CodePurpose = 'recovery' | 'address_verification';

/** What every code row is written for: the flow, the matched account (null for none) and where the request came from. */
interface CodeRequest {
  flowId: string;
  accountId: string | null;
  ip: string;
  channel: Channel;
  /** The matched account's credential version now, kept on the code. */
  credentialVersion?: number | null;
}

/** `throttle`: the one throttle (src/security/throttle.ts), built by the composition root. */
export function createCodeStore(
  db: Db,
  clock: Clock,
  secret: Buffer,
  options: CodeOptions,
  { purpose = 'recovery', throttle }: { purpose?: CodePurpose; throttle: Throttle },
) {
  const mac = (id: string, code: string) =>
    crypto.createHmac('sha256', secret).update(`${id}:${code}`).digest('base64url');
  const since = (seconds: number) => new Date(clock.now().getTime() - seconds * 1000);
  const keyed = (value: string) => keyedHash(secret, 'rate', value);
  const perAddress: Limit = { name: 'codes_address', max: options.perIpPerHour, windowSeconds: 3600 };

  /** Writes a code row; `code` null writes a MAC of a code nobody knows (no match, or a stand-in). */
  const insertCode = async (
    trx: Knex.Transaction,
    input: CodeRequest,
    row: { rateKey: string; requester: string | null; standIn: boolean; code: string | null; now: Date },
  ) => {
    const id = crypto.randomBytes(12).toString('base64url');
    await trx('verification_codes').insert({
      id,
      flow_id: input.flowId,
      account_id: row.standIn ? null : input.accountId,
      rate_key: row.rateKey,
      purpose,
      channel: input.channel,
      ip: input.ip,
      code_hash: mac(id, row.code ?? crypto.randomBytes(16).toString('hex')),
      attempts: 0,
      max_attempts: options.maxAttempts,
      created_at: row.now,
      expires_at: new Date(row.now.getTime() + options.ttlSeconds * 1000),
      requester: row.requester,
      stand_in: row.standIn,
      credential_version: row.standIn || !input.accountId ? null : (input.credentialVersion ?? null),
    });
  };

  return {
    options,

    /** Takes one request from this address's hourly budget (IPv6: its /64); every request counts, matched or not. */
    async ipAllowed(trx: Knex.Transaction, ip: string): Promise<boolean> {
      return (await throttle.take(trx, perAddress, { address: ip })).allowed;
    },

    /**
     * Issues a code for a flow. With `accountId` null (no matching account) a row is still written that can never
     * verify, so both paths do the same work and the flow behaves the same afterwards. With `requester` (recovery), a
     * refused request continues a code of the same requester or writes a stand-in (see the top of this file).
     */
    async issue(
      trx: Knex.Transaction,
      input: CodeRequest & {
        /** What the member typed (normalised), for requests that match no account and for the requester. */
        typed: string;
        /** Who asks: a value tied to the browser (never shown, never from the form). */
        requester?: string;
      },
    ): Promise<IssueResult> {
      const now = clock.now();
      const age = (row: CodeRow) => now.getTime() - new Date(row.created_at).getTime();
      const cooling = (row: CodeRow) => age(row) < options.cooldownSeconds * 1000;
      const live = (row: CodeRow) =>
        !row.consumed_at && new Date(row.expires_at) > now && Number(row.attempts) < Number(row.max_attempts);
      // NOTE: limits count on the account, or on what was typed when nothing matched: the same statements and the
      // same answers either way (cooldown, hourly cap, one live code), so the code step reveals nothing.
      const rateKey = keyed(input.accountId ? `account:${input.accountId}` : `typed:${input.typed}`);
      const requester =
        input.requester === undefined
          ? null
          : keyedHash(secret, 'requester', `${input.requester}|${input.channel}|${input.typed}`);
      await lockForTransaction(trx, `codes:rate:${rateKey}`);
      const rows: CodeRow[] = await trx('verification_codes')
        .where({ rate_key: rateKey, purpose })
        .andWhere('created_at', '>', since(Math.max(3600, options.ttlSeconds)))
        .orderBy('created_at', 'desc')
        .select(
          'id',
          'created_at',
          'expires_at',
          'consumed_at',
          'attempts',
          'max_attempts',
          'requester',
          'stand_in',
          'credential_version',
        );
      const own = requester ? rows.filter((r) => r.requester === requester) : [];
      const version = (row: CodeRow) => (row.credential_version === null ? null : Number(row.credential_version));

      const repeated = own.find(cooling);
      if (repeated) {
        const retryAfterSeconds = Math.ceil((options.cooldownSeconds * 1000 - age(repeated)) / 1000);
        return {
          issued: false,
          reason: 'cooldown',
          repeat: {
            codeId: repeated.id,
            live: live(repeated),
            credentialVersion: version(repeated),
            retryAfterSeconds,
          },
        };
      }
      // Stand-ins were never sent: they count toward no limit.
      const sent = rows.filter((r) => !r.stand_in);
      const refused = sent.some(cooling)
        ? 'cooldown'
        : sent.filter((r) => age(r) < 3600 * 1000).length >= options.perAccountPerHour
          ? 'account_limit'
          : null;
      if (refused) {
        if (!requester) {
          // The cooldown ends with the newest code's; the hourly cap when the oldest code of the hour leaves it.
          const hour = sent.filter((r) => age(r) < 3600 * 1000);
          const wait =
            refused === 'cooldown' ? options.cooldownSeconds * 1000 - age(sent[0]!) : 3600 * 1000 - age(hour.at(-1)!);
          return { issued: false, reason: refused, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
        }
        const continued = own.find(live);
        if (continued) {
          return {
            issued: false,
            reason: refused,
            continues: { codeId: continued.id, credentialVersion: version(continued) },
          };
        }
        await insertCode(trx, input, { rateKey, requester, standIn: true, code: null, now });
        return { issued: false, reason: refused };
      }
      // A new code kills every earlier one for the same account (or the same typed details), and the flow's own.
      // Stand-ins are left alone: they never verify, and what their requesters are told must not depend on others.
      await trx('verification_codes')
        .where({ rate_key: rateKey, purpose, stand_in: false })
        .whereNull('consumed_at')
        .update({ consumed_at: now });
      await trx('verification_codes')
        .where({ flow_id: input.flowId })
        .whereNull('consumed_at')
        .update({ consumed_at: now });
      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      await insertCode(trx, input, { rateKey, requester, standIn: false, code: input.accountId ? code : null, now });
      return { issued: true, code };
    },

    /**
     * Checks a typed code against the flow's live code (its own, or `continuedId`, the earlier code of the same
     * requester it continues: the newer of the two); each try is counted before the comparison.
     */
    async verify(
      flowId: string,
      typed: string,
      continuedId?: string,
      /** The caller's transaction (the account page checks a code under the account's row lock). */
      trx: Knex.Transaction | Db = db,
    ): Promise<VerifyResult> {
      const now = clock.now();
      const [row] = await trx('verification_codes')
        .where(
          'id',
          trx('verification_codes')
            .select('id')
            .where((q) => {
              q.where({ flow_id: flowId });
              if (continuedId) q.orWhere({ id: continuedId });
            })
            .andWhere({ purpose })
            .whereNull('consumed_at')
            .andWhere('expires_at', '>', now)
            .orderBy('created_at', 'desc')
            .limit(1),
        )
        .andWhere('attempts', '<', trx.ref('max_attempts'))
        .whereNull('consumed_at')
        .increment('attempts', 1)
        .returning(['id', 'account_id', 'code_hash']);
      if (!row) return { ok: false, reason: 'dead' };
      const expected = Buffer.from(row.code_hash as string);
      const given = Buffer.from(mac(row.id as string, /^\d{6}$/.test(typed) ? typed : 'x'));
      if (!row.account_id || expected.length !== given.length || !crypto.timingSafeEqual(expected, given))
        return { ok: false, reason: 'wrong' };
      const used = await trx('verification_codes')
        .where({ id: row.id })
        .whereNull('consumed_at')
        .update({ consumed_at: now });
      return used === 1 ? { ok: true, accountId: row.account_id as string } : { ok: false, reason: 'dead' };
    },

    /** Kills the flow's live codes, and the earlier code it continues (flow finished, or its credentials changed). */
    async killFlow(flowId: string, continuedId?: string): Promise<void> {
      await db('verification_codes')
        .where((q) => {
          q.where({ flow_id: flowId });
          if (continuedId) q.orWhere({ id: continuedId });
        })
        .andWhere({ purpose })
        .whereNull('consumed_at')
        .update({ consumed_at: clock.now() });
    },
  };
}

export type CodeStore = ReturnType<typeof createCodeStore>;

/**
 * Deletes codes that expired more than `olderThanSeconds` ago (a day by default). Nothing reads them by then: a code
 * is checked only while it lives, and the limits count the last hour (or the code's life, when longer) of a
 * requester's codes. What happened stays in the audit log. Batched like the throttle's sweep, so a sweep after a
 * flood of requests never holds long locks.
 */
export async function sweepExpiredCodes(
  db: Knex,
  clock: Clock,
  { olderThanSeconds = 24 * 3600, batch = 5000, maxBatches = 200 } = {},
): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - olderThanSeconds * 1000);
  let total = 0;
  for (let i = 0; i < maxBatches; i += 1) {
    const gone = await db('verification_codes')
      .whereIn('id', db('verification_codes').select('id').where('expires_at', '<', cutoff).limit(batch))
      .delete()
      .returning('id');
    total += gone.length;
    if (gone.length < batch) break;
  }
  return total;
}
