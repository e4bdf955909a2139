// One-time codes for recovery (email and SMS) and for proving an address: 6 digits from crypto, stored as an HMAC,
// bound to a flow and an account, valid for a short time, a capped number of tries, and used up in one conditional
// update.
// NOTE: the per-address limit is the one throttle's (src/security/throttle.ts); the per-account limits are counted
// from the codes table itself under an advisory lock, since they also decide which earlier codes die. Both hold
// across nodes and under parallel requests, and follow the injected clock.
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

export type IssueResult = { issued: true; code: string } | { issued: false; reason: 'cooldown' | 'account_limit' };
export type VerifyResult = { ok: true; accountId: string } | { ok: false; reason: 'wrong' | 'dead' };

type Channel = 'email' | 'sms';

/** What a code is for; each purpose has its own limits and live codes (`verification_codes.purpose`). */
export type CodePurpose = 'recovery' | 'address_verification';

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

  return {
    options,

    /** Takes one request from this address's hourly budget (IPv6: its /64); every request counts, matched or not. */
    async ipAllowed(trx: Knex.Transaction, ip: string): Promise<boolean> {
      return (await throttle.take(trx, perAddress, { address: ip })).allowed;
    },

    /**
     * Issues a code for a flow. With `accountId` null (no matching account) a row is still written that can never
     * verify, so both paths do the same work and the flow behaves the same afterwards.
     */
    async issue(
      trx: Knex.Transaction,
      input: {
        flowId: string;
        accountId: string | null;
        ip: string;
        channel: Channel /** what the member typed, for requests that match no account */;
        typed: string;
      },
    ): Promise<IssueResult> {
      const now = clock.now();
      // NOTE: limits count on the account, or on what was typed when nothing matched: the same statements and the
      // same answers either way (cooldown, hourly cap, one live code), so the code step reveals nothing.
      const rateKey = keyed(input.accountId ? `account:${input.accountId}` : `typed:${input.typed}`);
      await lockForTransaction(trx, `codes:rate:${rateKey}`);
      const recent = await trx('verification_codes')
        .where({ rate_key: rateKey, purpose })
        .andWhere('created_at', '>', since(3600))
        .select('created_at');
      if (recent.some((r) => new Date(r.created_at).getTime() > now.getTime() - options.cooldownSeconds * 1000))
        return { issued: false, reason: 'cooldown' };
      if (recent.length >= options.perAccountPerHour) return { issued: false, reason: 'account_limit' };
      // A new code kills every earlier one for the same account (or the same typed details).
      await trx('verification_codes')
        .where({ rate_key: rateKey, purpose })
        .whereNull('consumed_at')
        .update({ consumed_at: now });
      await trx('verification_codes')
        .where({ flow_id: input.flowId })
        .whereNull('consumed_at')
        .update({ consumed_at: now });
      const id = crypto.randomBytes(12).toString('base64url');
      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      await trx('verification_codes').insert({
        id,
        flow_id: input.flowId,
        account_id: input.accountId,
        rate_key: rateKey,
        purpose,
        channel: input.channel,
        ip: input.ip,
        // Without an account the stored MAC is of a code nobody knows.
        code_hash: mac(id, input.accountId ? code : crypto.randomBytes(16).toString('hex')),
        attempts: 0,
        max_attempts: options.maxAttempts,
        created_at: now,
        expires_at: new Date(now.getTime() + options.ttlSeconds * 1000),
      });
      return { issued: true, code };
    },

    /** Checks a typed code against the flow's live code; each try is counted before the comparison. */
    async verify(flowId: string, typed: string): Promise<VerifyResult> {
      const now = clock.now();
      const [row] = await db('verification_codes')
        .where(
          'id',
          db('verification_codes')
            .select('id')
            .where({ flow_id: flowId, purpose })
            .whereNull('consumed_at')
            .andWhere('expires_at', '>', now)
            .orderBy('created_at', 'desc')
            .limit(1),
        )
        .andWhere('attempts', '<', db.ref('max_attempts'))
        .whereNull('consumed_at')
        .increment('attempts', 1)
        .returning(['id', 'account_id', 'code_hash']);
      if (!row) return { ok: false, reason: 'dead' };
      const expected = Buffer.from(row.code_hash as string);
      const given = Buffer.from(mac(row.id as string, /^\d{6}$/.test(typed) ? typed : 'x'));
      if (!row.account_id || expected.length !== given.length || !crypto.timingSafeEqual(expected, given))
        return { ok: false, reason: 'wrong' };
      const used = await db('verification_codes')
        .where({ id: row.id })
        .whereNull('consumed_at')
        .update({ consumed_at: now });
      return used === 1 ? { ok: true, accountId: row.account_id as string } : { ok: false, reason: 'dead' };
    },

    /** Kills the flow's live codes (flow finished or abandoned). */
    async killFlow(flowId: string): Promise<void> {
      await db('verification_codes')
        .where({ flow_id: flowId, purpose })
        .whereNull('consumed_at')
        .update({ consumed_at: clock.now() });
    },
  };
}

export type CodeStore = ReturnType<typeof createCodeStore>;
