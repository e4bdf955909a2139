// The proof-of-work captcha against a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL): challenges are
// solved in Node with altcha-lib's own solver; expiry is tested by moving the injected clock, never by sleeping; the
// no-JavaScript budget is per hour, so nothing here races the wall clock.
import { createThrottle } from '../../src/security/throttle.js';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Db } from '../../src/db/database.js';
import { createCaptcha, type CaptchaOptions } from '../../src/methods/captcha/captcha.js';
import { createTestDatabase, testClock, usingPostgres } from '../helpers/server.js';
import type { Clock } from '../../src/core/clock.js';

/** A fresh address per test, so budgets never leak between tests. */
const ip = () => `203.0.113.${crypto.randomInt(1, 255)}-${crypto.randomBytes(4).toString('hex')}`;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** Solves a challenge the way the widget does and returns the form field the widget would post. */
async function solve(challenge: Challenge): Promise<{ payload: string; counter: number }> {
  const solution = await solveChallenge({ challenge, deriveKey });
  assert.ok(solution, 'the solver finds the counter');
  return {
    payload: encode({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution }),
    counter: solution.counter,
  };
}

/** Decodes a payload, changes it, encodes it again. */
function tamper(
  payload: string,
  change: (p: { challenge: Challenge; solution: { counter: number; derivedKey: string } }) => void,
): string {
  const decoded = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  change(decoded);
  return encode(decoded);
}

/** The one throttle, as the composition root builds it; one key per suite, as one key per deployment. */
const throttleKey = crypto.randomBytes(32);
const throttleFor = (clock: Clock, key = throttleKey) => createThrottle({ key, clock });
const flipLastHex = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

describe(`captcha (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Db;
  let drop: () => Promise<void>;
  const hmacKey = crypto.randomBytes(32);
  const make = (overrides: Partial<CaptchaOptions> = {}) => {
    const clock = testClock();
    return { clock, captcha: createCaptcha({ db, hmacKey, clock, throttle: throttleFor(clock), ...overrides }) };
  };

  before(async () => {
    ({ db, drop } = await createTestDatabase());
  });
  after(() => drop());

  it('issues a signed SHA-256 challenge that expires after expiresSeconds and does not reveal its counter', async () => {
    const { clock, captcha } = make();
    const challenge = await captcha.challenge();
    assert.equal(challenge.parameters.algorithm, 'SHA-256');
    assert.equal(challenge.parameters.cost, 1);
    assert.equal(challenge.parameters.expiresAt, Math.floor(clock.now().getTime() / 1000) + 600);
    assert.match(challenge.signature ?? '', /^[0-9a-f]{64}$/);
    assert.match(challenge.parameters.keySignature ?? '', /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(challenge).includes('counter'));
  });

  it('accepts a challenge solved with altcha-lib, which took between maxNumber / 2 and maxNumber hashes', async () => {
    const { captcha } = make();
    const { payload, counter } = await solve(await captcha.challenge());
    assert.ok(counter >= 25_000 && counter <= 50_000, `counter ${counter}`);
    assert.equal(await captcha.verify(payload, ip()), 'ok');
  });

  it('refuses the same solution a second time (replay), also from another address', async () => {
    const { captcha } = make();
    const { payload } = await solve(await captcha.challenge());
    assert.equal(await captcha.verify(payload, ip()), 'ok');
    assert.equal(await captcha.verify(payload, ip()), 'invalid');
    assert.equal(await captcha.verify(payload, ip()), 'invalid');
  });

  it('accepts one of 10 parallel submissions of one solution, on two nodes sharing the database', async () => {
    const nodeA = make().captcha;
    const nodeB = make().captcha;
    const { payload } = await solve(await nodeA.challenge());
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? nodeA : nodeB).verify(payload, ip())),
    );
    assert.equal(outcomes.filter((o) => o === 'ok').length, 1);
    assert.equal(outcomes.filter((o) => o === 'invalid').length, 9);
  });

  it('refuses tampered payloads', async () => {
    const { captcha } = make();
    const { payload } = await solve(await captcha.challenge());
    const tampered = {
      'derived key': tamper(payload, (p) => (p.solution.derivedKey = flipLastHex(p.solution.derivedKey))),
      'key prefix': tamper(
        payload,
        (p) => (p.challenge.parameters.keyPrefix = flipLastHex(p.challenge.parameters.keyPrefix)),
      ),
      'later expiry': tamper(payload, (p) => (p.challenge.parameters.expiresAt! += 3600)),
      'cheaper cost': tamper(payload, (p) => (p.challenge.parameters.cost = 2)),
      signature: tamper(payload, (p) => (p.challenge.signature = flipLastHex(p.challenge.signature!))),
      'no signature': tamper(payload, (p) => delete p.challenge.signature),
      'no key signature': tamper(payload, (p) => delete p.challenge.parameters.keySignature),
      'extra parameter': tamper(payload, (p) => Object.assign(p.challenge.parameters, { data: { x: 1 } })),
      'other algorithm': tamper(payload, (p) => (p.challenge.parameters.algorithm = 'SHA-512')),
    };
    for (const [what, bad] of Object.entries(tampered)) assert.equal(await captcha.verify(bad, ip()), 'invalid', what);
    assert.equal(
      await captcha.verify(payload, ip()),
      'ok',
      'the untouched payload still works (tampered ones used nothing up)',
    );
  });

  it('refuses a challenge signed with another key', async () => {
    const other = createCaptcha({
      db,
      hmacKey: crypto.randomBytes(32),
      clock: testClock(),
      throttle: throttleFor(testClock(), crypto.randomBytes(32)),
    });
    const { payload } = await solve(await other.challenge());
    assert.equal(await make().captcha.verify(payload, ip()), 'invalid');
  });

  it('answers "invalid" for garbage and never throws', async () => {
    const { captcha } = make();
    const garbage: unknown[] = [
      'not base64 at all!',
      '%%%',
      ' ',
      'A'.repeat(5_000_000),
      encode('x'.repeat(10_000)),
      Buffer.from('not json').toString('base64'),
      Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'),
      encode(null),
      encode({}),
      encode([]),
      encode({ challenge: null, solution: null, test: true }), // the widget's test mode
      encode({ challenge: { parameters: {}, signature: 'ab' }, solution: {} }),
      encode({
        challenge: { parameters: { algorithm: 'SHA-256', nonce: 'zz' }, signature: '00' },
        solution: { counter: -1, derivedKey: 'x' },
      }),
      encode({ algorithm: 'SHA-256', challenge: 'ab', number: 1, salt: 's', signature: 'ab', took: 1 }), // a v1 payload
      encode({ algorithm: 'SHA-256', signature: 'ab', verificationData: 'verified=true', verified: true }), // a Sentinel payload
      encode({ __proto__: { polluted: true }, challenge: { constructor: { prototype: { x: 1 } } } }),
      { challenge: {}, solution: {} },
      ['a', 'b'],
      42,
      true,
      Symbol('x'),
      () => 'ok',
    ];
    for (const [i, value] of garbage.entries()) {
      assert.equal(await captcha.verify(value, ip()), 'invalid', `garbage #${i}`);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses a solution once its challenge has expired (by the injected clock)', async () => {
    const { clock, captcha } = make({ expiresSeconds: 600 });
    const late = await solve(await captcha.challenge());
    const inTime = await solve(await captcha.challenge());
    clock.advance(599);
    assert.equal(await captcha.verify(inTime.payload, ip()), 'ok', 'one second before expiry');
    clock.advance(1);
    assert.equal(await captcha.verify(late.payload, ip()), 'invalid', 'at expiry');
    clock.advance(3600);
    assert.equal(await captcha.verify(late.payload, ip()), 'invalid', 'an hour later');
  });

  it('forgets used solutions some minutes after they expire, a few at a time', async () => {
    const { clock, captcha } = make();
    const first = await solve(await captcha.challenge());
    assert.equal(await captcha.verify(first.payload, ip()), 'ok');
    const signature = (p: string) =>
      JSON.parse(Buffer.from(p, 'base64').toString('utf8')).challenge.signature as string;
    assert.equal((await db('captcha_used').where({ signature: signature(first.payload) })).length, 1);

    clock.advance(600 + 5 * 60 + 1);
    const second = await solve(await captcha.challenge());
    assert.equal(await captcha.verify(second.payload, ip()), 'ok');
    assert.equal(
      (await db('captcha_used').where({ signature: signature(first.payload) })).length,
      0,
      'the expired one is swept',
    );
    assert.equal((await db('captcha_used').where({ signature: signature(second.payload) })).length, 1);
  });

  describe('without JavaScript (no solution in the form)', () => {
    it('allows 5 requests per address per hour, then answers "throttled"; another address is still fine', async () => {
      const { captcha } = make();
      const from = ip();
      for (let i = 1; i <= 5; i++) assert.equal(await captcha.verify(undefined, from), 'ok', `request ${i}`);
      assert.equal(await captcha.verify(undefined, from), 'throttled');
      assert.equal(await captcha.verify(undefined, from), 'throttled');
      assert.equal(await captcha.verify(undefined, ip()), 'ok');
    });

    it('counts an empty or null field (the widget had not finished) against the same budget', async () => {
      const { captcha } = make({ noJsMaxPerHourPerIp: 3 });
      const from = ip();
      assert.equal(await captcha.verify('', from), 'ok');
      assert.equal(await captcha.verify(null, from), 'ok');
      assert.equal(await captcha.verify(undefined, from), 'ok');
      assert.equal(await captcha.verify('', from), 'throttled');
    });

    it('still accepts a solved challenge from an address whose no-JavaScript budget is spent', async () => {
      const { captcha } = make({ noJsMaxPerHourPerIp: 1 });
      const from = ip();
      assert.equal(await captcha.verify(undefined, from), 'ok');
      assert.equal(await captcha.verify(undefined, from), 'throttled');
      assert.equal(await captcha.verify((await solve(await captcha.challenge())).payload, from), 'ok');
    });

    it('20 parallel requests with a budget of 5 allow exactly 5', async () => {
      const { captcha } = make();
      const from = ip();
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => captcha.verify(undefined, from)));
      assert.equal(outcomes.filter((o) => o === 'ok').length, 5);
      assert.equal(outcomes.filter((o) => o === 'throttled').length, 15);
    });

    it('shares one budget across a /64 for IPv6, and reads IPv4-mapped addresses as IPv4', async () => {
      const { captcha } = make({ noJsMaxPerHourPerIp: 2 });
      const prefix = `2001:db8:${crypto.randomInt(1, 0xffff).toString(16)}:${crypto.randomInt(1, 0xffff).toString(16)}`;
      assert.equal(await captcha.verify(undefined, `${prefix}::1`), 'ok');
      assert.equal(await captcha.verify(undefined, `${prefix}:0:0:0:2`), 'ok');
      assert.equal(await captcha.verify(undefined, `${prefix}:abcd::3`), 'throttled');
      assert.equal(await captcha.verify(undefined, `2001:db8:ffff:ffff::1`), 'ok', 'another /64');

      const v4 = `198.51.100.${crypto.randomInt(1, 255)}`;
      await db('throttle_hits').delete(); // another test may have drawn the same address
      assert.equal(await captcha.verify(undefined, v4), 'ok');
      assert.equal(await captcha.verify(undefined, `::ffff:${v4}`), 'ok');
      assert.equal(await captcha.verify(undefined, v4), 'throttled');
    });

    it('keeps its counters in the database (throttle_hits, the address only as a keyed hash)', async () => {
      const { captcha } = make();
      const from = ip();
      const before = await db('throttle_hits').select('key');
      await captcha.verify(undefined, from);
      const after = await db('throttle_hits').select('key');
      assert.equal(after.length - before.length, 1);
      assert.ok(!JSON.stringify(after).includes(from));
    });

    it('allows none with a budget of 0', async () => {
      const { captcha } = make({ noJsMaxPerHourPerIp: 0 });
      assert.equal(await captcha.verify(undefined, ip()), 'throttled');
    });
  });

  it('refuses unsafe options when it is built', () => {
    const clock = testClock();
    assert.throws(
      () => createCaptcha({ db, hmacKey: crypto.randomBytes(16), clock, throttle: throttleFor(clock) }),
      /hmacKey/,
    );
    assert.throws(() => createCaptcha({ db, hmacKey, clock, maxNumber: 0, throttle: throttleFor(clock) }), /maxNumber/);
    assert.throws(
      () => createCaptcha({ db, hmacKey, clock, expiresSeconds: 0, throttle: throttleFor(clock) }),
      /expiresSeconds/,
    );
    assert.throws(
      () => createCaptcha({ db, hmacKey, clock, noJsMaxPerHourPerIp: -1, throttle: throttleFor(clock) }),
      /noJsMaxPerHourPerIp/,
    );
  });
});
