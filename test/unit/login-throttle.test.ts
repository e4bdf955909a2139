// Sign-in throttling through the database (the one throttle, src/security/throttle.ts), on PGlite or
// PostgreSQL. Limits are per hour, so nothing here races the wall clock; delays are returned, never slept.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/database.js';
import {
  createLoginThrottle,
  type LoginThrottleOptions,
  type ThrottleDecision,
} from '../../src/flows/login/login-throttle.js';
import { createThrottle, sweepThrottleHits } from '../../src/security/throttle.js';
import { systemClock } from '../../src/core/clock.js';
import { createTestDatabase, randomBhxhNumber, usingPostgres } from '../helpers/server.js';

/** The one throttle every node shares (same key, same database). */
const sharedThrottle = createThrottle({ key: crypto.randomBytes(32), clock: systemClock });

const ip = () => `198.51.100.${crypto.randomInt(1, 255)}-${crypto.randomBytes(4).toString('hex')}`;

const options = (overrides: Partial<LoginThrottleOptions> = {}): LoginThrottleOptions => ({
  accountMaxFailuresPerHour: 5,
  ipMaxFailuresPerHour: 1000,
  freeFailures: 2,
  delayBaseMs: 100,
  delayMaxMs: 1000,
  ...overrides,
});

function assertAllowed(
  decision: ThrottleDecision,
  message?: string,
): asserts decision is { allowed: true; delayMs: number; slowed?: boolean } {
  assert.equal(decision.allowed, true, message);
}

function assertRefused(
  decision: ThrottleDecision,
  message?: string,
): asserts decision is { allowed: false; retryAfterSeconds: number } {
  assert.equal(decision.allowed, false, message);
}

describe(`login throttle (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Db;
  let drop: () => Promise<void>;

  before(async () => {
    ({ db, drop } = await createTestDatabase());
  });
  after(() => drop());

  it('allows attempts up to the account limit, then refuses with a Retry-After', async () => {
    const throttle = createLoginThrottle(db, options(), sharedThrottle);
    const number = randomBhxhNumber();
    const from = ip();
    for (let i = 1; i <= 5; i++) assertAllowed(await throttle.begin(number, from), `attempt ${i}`);
    for (let i = 6; i <= 8; i++) {
      const refused = await throttle.begin(number, from);
      assertRefused(refused, `attempt ${i}`);
      assert.ok(Number.isInteger(refused.retryAfterSeconds));
      assert.ok(refused.retryAfterSeconds > 0, 'says when to come back');
      assert.ok(refused.retryAfterSeconds <= 3600, 'within the hour window');
    }
  });

  it('counts per account: another number from the same address is not affected', async () => {
    const throttle = createLoginThrottle(db, options(), sharedThrottle);
    const from = ip();
    const blocked = randomBhxhNumber();
    for (let i = 0; i < 5; i++) await throttle.begin(blocked, from);
    assertRefused(await throttle.begin(blocked, from));
    assertAllowed(await throttle.begin(randomBhxhNumber(), from));
    assertRefused(await throttle.begin(blocked, ip()), 'the account limit holds from any address');
  });

  it('counts per address: many numbers from one address hit the address limit', async () => {
    const throttle = createLoginThrottle(db, options({ ipMaxFailuresPerHour: 3 }), sharedThrottle);
    const from = ip();
    for (let i = 0; i < 3; i++) assertAllowed(await throttle.begin(randomBhxhNumber(), from));
    const refused = await throttle.begin(randomBhxhNumber(), from);
    assertRefused(refused);
    assert.ok(refused.retryAfterSeconds > 0);
    assertAllowed(await throttle.begin(randomBhxhNumber(), ip()), 'another address is fine');
  });

  it('20 parallel attempts with a limit of 5 allow exactly 5', async () => {
    const throttle = createLoginThrottle(db, options(), sharedThrottle);
    const number = randomBhxhNumber();
    const from = ip();
    const decisions = await Promise.all(Array.from({ length: 20 }, () => throttle.begin(number, from)));
    assert.equal(decisions.filter((d) => d.allowed).length, 5);
    assert.equal(decisions.filter((d) => !d.allowed).length, 15);
    for (const d of decisions) if (!d.allowed) assert.ok(d.retryAfterSeconds > 0);
  });

  it('20 parallel attempts on two nodes (two throttles, one database) still allow exactly 5', async () => {
    const nodeA = createLoginThrottle(db, options(), sharedThrottle);
    const nodeB = createLoginThrottle(db, options(), sharedThrottle);
    const number = randomBhxhNumber();
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? nodeA : nodeB).begin(number, ip())),
    );
    assert.equal(decisions.filter((d) => d.allowed).length, 5);
  });

  it('20 parallel attempts on different numbers from one address respect the address limit', async () => {
    const throttle = createLoginThrottle(db, options({ ipMaxFailuresPerHour: 5 }), sharedThrottle);
    const from = ip();
    const decisions = await Promise.all(Array.from({ length: 20 }, () => throttle.begin(randomBhxhNumber(), from)));
    assert.equal(decisions.filter((d) => d.allowed).length, 5);
  });

  it('adds no delay for the free failures, then doubles it up to the maximum', async () => {
    const throttle = createLoginThrottle(
      db,
      options({ accountMaxFailuresPerHour: 10, freeFailures: 2, delayBaseMs: 100, delayMaxMs: 1000 }),
      sharedThrottle,
    );
    const number = randomBhxhNumber();
    const from = ip();
    const delays: number[] = [];
    const slowed: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const decision = await throttle.begin(number, from);
      assertAllowed(decision);
      delays.push(decision.delayMs);
      slowed.push(decision.slowed === true);
    }
    // Attempt n follows n-1 failures: 0, 1 and 2 failures are free; then 100, 200, 400, 800, capped at 1000.
    assert.deepEqual(delays, [0, 0, 0, 100, 200, 400, 800, 1000, 1000, 1000]);
    // `slowed` says whether the next attempt waits should this one fail: from the third attempt on, before any wait.
    assert.deepEqual(slowed, [false, false, true, true, true, true, true, true, true, true]);
    for (let i = 1; i < delays.length; i++) assert.ok(delays[i]! >= delays[i - 1]!, 'never shrinks');
  });

  it('adds no delay at all when delayBaseMs is 0', async () => {
    const throttle = createLoginThrottle(db, options({ freeFailures: 0, delayBaseMs: 0 }), sharedThrottle);
    const number = randomBhxhNumber();
    for (let i = 0; i < 5; i++) {
      const decision = await throttle.begin(number, ip());
      assertAllowed(decision);
      assert.equal(decision.delayMs, 0);
      assert.equal(decision.slowed, false, 'nothing is slowed, so the page never says so');
    }
  });

  it('succeeded() starts the account counter over: no delay and the whole allowance again', async () => {
    const throttle = createLoginThrottle(
      db,
      options({ accountMaxFailuresPerHour: 5, freeFailures: 1 }),
      sharedThrottle,
    );
    const number = randomBhxhNumber();
    const from = ip();
    const before = [];
    for (let i = 0; i < 4; i++) before.push(((await throttle.begin(number, from)) as { delayMs: number }).delayMs);
    assert.deepEqual(before, [0, 0, 100, 200]);

    await throttle.succeeded(number, from);

    const after = [];
    for (let i = 0; i < 5; i++) {
      const decision = await throttle.begin(number, from);
      assertAllowed(decision, `attempt ${i + 1} after success`);
      after.push(decision.delayMs);
    }
    assert.deepEqual(after, [0, 0, 100, 200, 400]);
    assertRefused(await throttle.begin(number, from));
  });

  it('succeeded() lifts a refusal for the account', async () => {
    const throttle = createLoginThrottle(db, options(), sharedThrottle);
    const number = randomBhxhNumber();
    const from = ip();
    for (let i = 0; i < 5; i++) await throttle.begin(number, from);
    assertRefused(await throttle.begin(number, from));
    await throttle.succeeded(number, from);
    assertAllowed(await throttle.begin(number, from));
  });

  it("succeeded() gives the address its point back, and does not touch other accounts' counters", async () => {
    const throttle = createLoginThrottle(db, options({ ipMaxFailuresPerHour: 2 }), sharedThrottle);
    const from = ip();
    const member = randomBhxhNumber();
    const other = randomBhxhNumber();
    for (let i = 0; i < 3; i++) await throttle.begin(other, ip());
    assertAllowed(await throttle.begin(member, from));
    await throttle.succeeded(member, from);
    assertAllowed(await throttle.begin(randomBhxhNumber(), from));
    assertAllowed(await throttle.begin(randomBhxhNumber(), from), 'the successful sign-in did not use up the address');
    assertRefused(await throttle.begin(randomBhxhNumber(), from));

    // The other account still has 3 attempts counted: 2 more then refused.
    assertAllowed(await throttle.begin(other, ip()));
    assertAllowed(await throttle.begin(other, ip()));
    assertRefused(await throttle.begin(other, ip()));
  });

  it('keeps its counters in the database (not in process memory), with no number or address in clear', async () => {
    const number = randomBhxhNumber();
    const from = ip();
    const key = crypto.randomBytes(32);
    const before = Number((await db('throttle_hits').count({ n: '*' }))[0]!.n);
    for (let i = 0; i < 5; i++)
      await createLoginThrottle(db, options(), createThrottle({ key, clock: systemClock })).begin(number, from);
    assertRefused(
      await createLoginThrottle(db, options(), createThrottle({ key, clock: systemClock })).begin(number, from),
      'another node counts the same',
    );
    const rows = await db('throttle_hits').select('key');
    assert.equal(
      rows.length - before,
      11,
      'a hit per number and per address for each attempt let through; the refused one costs the address only',
    );
    assert.ok(!JSON.stringify(rows).includes(number) && !JSON.stringify(rows).includes(from));
  });

  it("past the number's limit, lets an attempt with a solved captcha through (with the delay) and never asks without need", async () => {
    const throttle = createLoginThrottle(
      db,
      options({ freeFailures: 0, delayBaseMs: 100, delayMaxMs: 1000 }),
      sharedThrottle,
    );
    const number = randomBhxhNumber();
    let asked = 0;
    const solved = async () => ((asked += 1), true);
    for (let i = 0; i < 5; i++) assertAllowed(await throttle.begin(number, ip(), solved));
    assert.equal(asked, 0, 'no captcha below the limit');
    const refused = await throttle.begin(number, ip(), async () => false);
    assertRefused(refused);
    assert.equal(refused.captchaRequired, true);
    const through = await throttle.begin(number, ip(), solved);
    assertAllowed(through);
    assert.equal(asked, 1);
    assert.equal(through.delayMs, 1000, 'the progressive delay is kept');
    assert.equal(through.slowed, true);
  });

  it("clearFailures() (a password reset) forgets the number's failures", async () => {
    const throttle = createLoginThrottle(db, options(), sharedThrottle);
    const number = randomBhxhNumber();
    for (let i = 0; i < 5; i++) await throttle.begin(number, ip());
    assertRefused(await throttle.begin(number, ip()));
    await throttle.clearFailures(number);
    const after = await throttle.begin(number, ip());
    assertAllowed(after);
    assert.equal(after.delayMs, 0);
  });

  it('sweeps every hit past the retention in one sweep, however many batches that takes', async () => {
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await db('throttle_hits').insert(Array.from({ length: 25 }, (_, i) => ({ key: `sweep-test-${i}`, at: old })));
    await db('throttle_hits').insert({ key: 'sweep-test-recent', at: new Date() });
    assert.ok((await sweepThrottleHits(db, systemClock, { batch: 10 })) >= 25);
    assert.equal(
      Number((await db('throttle_hits').where('key', 'like', 'sweep-test-%').count({ n: '*' }))[0]!.n),
      1,
      'only the recent hit is left',
    );
  });
});
