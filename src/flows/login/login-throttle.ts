// Throttling of password sign-ins: the sign-in's policy over the one throttle (src/security/throttle.ts).
//   per address: a refusal (429) once the hour's failures are spent;
//   per number:  a progressive delay after the free failures, and past the hour's limit a solved captcha is needed.
// NOTE: the per-number limit never refuses the right credentials: anyone can type a member's number, so a refusal
// would let anyone lock her out. Past the limit each try costs the attacker a proof of work, and a successful sign-in
// or password reset clears the number's failures. A hit is taken *before* the password is checked, under a lock, so
// parallel requests can never exceed a limit; a successful sign-in gives the address its hit back.
import type { Db } from '../../db/database.js';
import type { Limit, Throttle } from '../../security/throttle.js';

export interface LoginThrottleOptions {
  /** Failures per number per hour after which a solved captcha is needed (never a refusal). */
  accountMaxFailuresPerHour: number;
  ipMaxFailuresPerHour: number;
  /** Failures that cost no delay: an attempt waits once the failures before it exceed this number. */
  freeFailures: number;
  delayBaseMs: number;
  delayMaxMs: number;
}

export type ThrottleDecision =
  | {
      allowed: true;
      delayMs: number /** The number is past its limit (a captcha was solved for this attempt). */;
      captchaRequired?: boolean;
      /** Answers for this number are slowed: should this attempt fail, the next one waits (the page says so). */
      slowed?: boolean;
    }
  | {
      allowed: false;
      retryAfterSeconds: number /** True: only a solved captcha is missing (not an address refusal). */;
      captchaRequired?: boolean;
    };

export function createLoginThrottle(db: Db, options: LoginThrottleOptions, throttle: Throttle) {
  const perNumber: Limit = { name: 'login_number', max: options.accountMaxFailuresPerHour, windowSeconds: 3600 };
  const perAddress: Limit = { name: 'login_address', max: options.ipMaxFailuresPerHour, windowSeconds: 3600 };

  const delayFor = (failures: number) => {
    const over = failures - options.freeFailures;
    if (over <= 0 || options.delayBaseMs === 0) return 0;
    return Math.min(options.delayBaseMs * 2 ** (over - 1), options.delayMaxMs);
  };

  return {
    /**
     * Takes one attempt for this address and this number (whether or not an account has it). Refuses once the
     * address is over its limit. Past the number's limit, the attempt goes on only when `solveCaptcha` (asked only
     * then) says a captcha was solved; otherwise it is refused with `captchaRequired` and costs the number nothing.
     */
    async begin(bhxhNumber: string, ip: string, solveCaptcha?: () => Promise<boolean>): Promise<ThrottleDecision> {
      const first = await db.transaction(
        async (trx): Promise<ThrottleDecision | { hot: true; retryAfterSeconds: number }> => {
          const address = await throttle.take(trx, perAddress, { address: ip });
          if (!address.allowed)
            return { allowed: false, retryAfterSeconds: address.retryAfterSeconds, captchaRequired: false };
          const number = await throttle.take(trx, perNumber, { id: bhxhNumber });
          if (number.allowed)
            return {
              allowed: true,
              delayMs: delayFor(number.hitsBefore),
              captchaRequired: false,
              slowed: delayFor(number.hitsBefore + 1) > 0,
            };
          return { hot: true, retryAfterSeconds: number.retryAfterSeconds };
        },
      );
      if (!('hot' in first)) return first;
      // The captcha is checked outside the transaction (it has queries of its own; PGlite has one connection).
      if (!solveCaptcha || !(await solveCaptcha()))
        return { allowed: false, retryAfterSeconds: first.retryAfterSeconds, captchaRequired: true };
      const failures = await db.transaction(async (trx) => {
        const counted = await throttle.count(trx, perNumber, { id: bhxhNumber });
        await throttle.hit(trx, perNumber, { id: bhxhNumber });
        return counted.hits;
      });
      return { allowed: true, delayMs: delayFor(failures), captchaRequired: true, slowed: delayFor(failures + 1) > 0 };
    },

    /** Whether sign-in for this number needs a solved captcha now (for the page after a failure). */
    async captchaRequired(bhxhNumber: string): Promise<boolean> {
      return db.transaction(async (trx) => (await throttle.count(trx, perNumber, { id: bhxhNumber })).over);
    },

    /** After a successful sign-in: the number's failures are forgotten, the address gets its hit back. */
    async succeeded(bhxhNumber: string, ip: string): Promise<void> {
      await throttle.clear(db, perNumber, { id: bhxhNumber });
      await throttle.giveBack(db, perAddress, { address: ip });
    },

    /** After a successful password reset: the number's failures are forgotten (someone else may have caused them). */
    async clearFailures(bhxhNumber: string): Promise<void> {
      await throttle.clear(db, perNumber, { id: bhxhNumber });
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
