// Invariant: every per-address and per-identifier limit is counted here, one way: sign-in per number and per address
// (flows/login/login-throttle.ts), recovery codes per address (methods/codes), the captcha's no-JavaScript budget per
// address (methods/captcha), inbound SMS per sender and per number, the hotline per caller and per number (channels/).
// Addresses are keyed through client-address.ts (IPv6 per /64); every subject is stored only as a keyed hash.
//
// NOTE: the form is "count the hits of the window under an advisory lock, inside the caller's transaction", not
// rate-limiter-flexible's store: the SMS and hotline steps do all their work in one transaction and PGlite has a
// single connection, so a limiter querying on a connection of its own would wait for ever there. Counting rows also
// follows the injected clock (every node and every test counts the same), gives an exact sliding window, and lets a
// caller look before it takes (the hotline counts only checks it finished). Parallel requests on one subject queue on
// the lock, so no limit can be overspent.
import type { Knex } from 'knex';
import { lockForTransaction } from '../core/advisory-lock.js';
import type { Clock } from '../core/clock.js';
import { addressBucket } from './client-address.js';
import { keyedHash } from '../core/keyed-hash.js';

const TABLE = 'throttle_hits';

/** A budget: at most `max` hits per `windowSeconds` (a sliding window). `name` keeps budgets apart. */
export interface Limit {
  name: string;
  max: number;
  windowSeconds: number;
}

/** What is counted: a client address (bucketed: IPv6 by /64) or an identifier (a number, a phone, what was typed). */
export type Subject = { address: string } | { id: string };

export interface Count {
  /** Hits in the window before this request. */
  hits: number;
  /** The budget is spent. */
  over: boolean;
  /** When `over`: seconds until one hit leaves the window (at least 1). */
  retryAfterSeconds: number;
}

export type Take = { allowed: true; hitsBefore: number } | { allowed: false; retryAfterSeconds: number };

export interface ThrottleOptions {
  /** Keys the stored hashes of subjects (a secret of the deployment, shared by all nodes). */
  key: Buffer;
  clock: Clock;
}

export function createThrottle({ key, clock }: ThrottleOptions) {
  const keyOf = (limit: Limit, subject: Subject) =>
    keyedHash(
      key,
      `throttle:${limit.name}`,
      'address' in subject ? `address:${addressBucket(subject.address)}` : `id:${subject.id}`,
    );
  const windowStart = (limit: Limit) => new Date(clock.now().getTime() - limit.windowSeconds * 1000);

  /** Locks the subject's budget for the rest of `trx` and counts its hits in the window. */
  async function count(trx: Knex.Transaction, limit: Limit, subject: Subject): Promise<Count> {
    const k = keyOf(limit, subject);
    await lockForTransaction(trx, `throttle:${k}`);
    const since = windowStart(limit);
    const rows = await trx(TABLE).where({ key: k }).andWhere('at', '>', since).count({ n: '*' });
    const hits = Number((rows[0] as { n?: unknown } | undefined)?.n ?? 0);
    if (hits < limit.max) return { hits, over: false, retryAfterSeconds: 0 };
    // The budget comes back when the hit that made it full leaves the window.
    const freeing = await trx(TABLE)
      .where({ key: k })
      .andWhere('at', '>', since)
      .orderBy('at', 'asc')
      .offset(hits - limit.max)
      .first('at');
    const until = new Date(freeing?.at ?? clock.now()).getTime() + limit.windowSeconds * 1000;
    return { hits, over: true, retryAfterSeconds: Math.max(1, Math.ceil((until - clock.now().getTime()) / 1000)) };
  }

  /** Records one hit (call `count` first in the same transaction: the lock is what makes parallel hits exact). */
  async function hit(trx: Knex.Transaction, limit: Limit, subject: Subject): Promise<void> {
    await trx(TABLE).insert({ key: keyOf(limit, subject), at: clock.now() });
  }

  return {
    count,
    hit,

    /** Takes one hit when the budget allows it; a refusal takes nothing. */
    async take(trx: Knex.Transaction, limit: Limit, subject: Subject): Promise<Take> {
      const counted = await count(trx, limit, subject);
      if (counted.over) return { allowed: false, retryAfterSeconds: counted.retryAfterSeconds };
      await hit(trx, limit, subject);
      return { allowed: true, hitsBefore: counted.hits };
    },

    /** Forgets every hit of the subject (a successful sign-in, a password reset). */
    async clear(db: Knex, limit: Limit, subject: Subject): Promise<void> {
      await db(TABLE)
        .where({ key: keyOf(limit, subject) })
        .delete();
    },

    /** Gives the subject's latest hit back (a success should not cost an address its budget). */
    async giveBack(db: Knex, limit: Limit, subject: Subject): Promise<void> {
      const k = keyOf(limit, subject);
      await db(TABLE)
        .whereIn('id', db(TABLE).select('id').where({ key: k }).orderBy('at', 'desc').limit(1))
        .delete();
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;

/** Deletes hits older than any window (limits are hourly; a day is kept for operators). Returns how many went. */
export async function sweepThrottleHits(
  db: Knex,
  clock: Clock,
  { olderThanSeconds = 24 * 3600, batch = 5000, maxBatches = 200 } = {},
): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - olderThanSeconds * 1000);
  // NOTE: one row per hit: a flood writes far more than one batch between two sweeps, so batches go on until one comes
  // back short (bounded, so a sweep never holds a node for long; short batches keep each delete's locks brief).
  let total = 0;
  for (let i = 0; i < maxBatches; i += 1) {
    const gone = await db(TABLE)
      .whereIn('id', db(TABLE).select('id').where('at', '<', cutoff).limit(batch))
      .delete()
      .returning('id');
    total += gone.length;
    if (gone.length < batch) break;
  }
  return total;
}
