// Throttling of password sign-ins, shared by all nodes through PostgreSQL (rate-limiter-flexible's Postgres store).
// NOTE: a point is taken *before* the password is checked, in one atomic upsert, so parallel requests can never
// exceed the limit; a successful sign-in gives the account's points back.
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../db/database.js';
import { knexQueryClient } from '../../db/knex-query-client.js';

export interface LoginThrottleOptions {
  accountMaxFailuresPerHour: number;
  ipMaxFailuresPerHour: number;
  /** Failures that cost no delay: an attempt waits once the failures before it exceed this number. */
  freeFailures: number;
  delayBaseMs: number;
  delayMaxMs: number;
}

export type ThrottleDecision = { allowed: true; delayMs: number } | { allowed: false; retryAfterSeconds: number };

export function createLoginThrottle(db: Db, options: LoginThrottleOptions) {
  const common = { storeClient: knexQueryClient(db), storeType: 'client', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false, duration: 3600 };
  const perAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'login_acct', points: options.accountMaxFailuresPerHour });
  const perIp = new RateLimiterPostgres({ ...common, keyPrefix: 'login_ip', points: options.ipMaxFailuresPerHour });

  const delayFor = (failures: number) => {
    const over = failures - options.freeFailures;
    if (over <= 0 || options.delayBaseMs === 0) return 0;
    return Math.min(options.delayBaseMs * 2 ** (over - 1), options.delayMaxMs);
  };

  const refusal = (err: unknown): ThrottleDecision => {
    if (err instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    throw err;
  };

  return {
    /**
     * Takes one attempt for this number (whether or not an account has it) and this address. Refuses once either
     * limit is reached; otherwise says how long to wait before answering (progressive delay).
     */
    async begin(bhxhNumber: string, ip: string): Promise<ThrottleDecision> {
      let account: RateLimiterRes;
      try {
        await perIp.consume(ip);
        account = await perAccount.consume(bhxhNumber);
      } catch (err) {
        return refusal(err);
      }
      // consumedPoints counts this attempt too: the failures so far are one fewer.
      return { allowed: true, delayMs: delayFor(account.consumedPoints - 1) };
    },

    /** After a successful sign-in: the account's counter starts over, the address gets its point back. */
    async succeeded(bhxhNumber: string, ip: string): Promise<void> {
      await Promise.all([perAccount.delete(bhxhNumber), perIp.reward(ip, 1)]);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
