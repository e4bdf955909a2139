// The argon2id hasher (src/methods/password/hasher.ts) at the production cost: verification, rehash detection, and
// at most ARGON2_MAX_CONCURRENCY hashes at once, the rest waiting in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import argon2 from 'argon2';
import { createPasswordHasher, toStandardPhc } from '../../src/methods/password/hasher.js';
import { randomPassword } from '../helpers/server.js';

const COST = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

describe('password hasher', () => {
  it('verifies the right password only, and a malformed hash never', async () => {
    const hasher = createPasswordHasher(COST);
    const password = randomPassword();
    const hash = await hasher.hash(password);
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await hasher.verify(hash, password), true);
    assert.equal(await hasher.verify(hash, `${password}x`), false);
    assert.equal(await hasher.verify('not a hash', password), false);
  });

  it('asks for a new hash when the configured cost rises', async () => {
    const weak = await createPasswordHasher(COST).hash(randomPassword());
    assert.equal(createPasswordHasher(COST).needsRehash(weak), false);
    assert.equal(createPasswordHasher({ ...COST, timeCost: 3 }).needsRehash(weak), true);
  });

  it('runs at most maxConcurrency hashes at once; the others wait, then all answer', async () => {
    const hasher = createPasswordHasher({ ...COST, maxConcurrency: 1 });
    const password = randomPassword();
    const hash = await hasher.hash(password);
    const answers = Promise.all([
      hasher.verify(hash, password),
      hasher.verify(hash, 'wrong'),
      hasher.verify(hash, password),
    ]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(hasher.load(), { running: 1, waiting: 2 });
    assert.deepEqual(await answers, [true, false, true]);
    assert.deepEqual(hasher.load(), { running: 0, waiting: 0 });
  });

  // A strict PHC reader (as libsodium's crypto_pwhash_str_verify): parameters in the order m, t, p, nothing else.
  const STRICT_PHC = /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/;

  it('stores hashes in the PHC string format order (m, t, p), which strict verifiers elsewhere accept', async () => {
    const hash = await createPasswordHasher(COST).hash(randomPassword());
    assert.match(hash, STRICT_PHC);
  });

  it("still verifies hashes stored in node-argon2's old order (m, p, t), and rewrites them at the next sign-in", async () => {
    const hasher = createPasswordHasher(COST);
    const password = randomPassword();
    const legacy = await argon2.hash(password, { type: argon2.argon2id, ...COST });
    assert.match(legacy, /m=19456,p=1,t=2\$/);
    assert.equal(await hasher.verify(legacy, password), true);
    assert.equal(await hasher.verify(legacy, `${password}x`), false);
    assert.equal(hasher.needsRehash(legacy), true, 'the old order is upgraded like a weaker cost');
    assert.equal(hasher.needsRehash(toStandardPhc(legacy)), false);
    assert.equal(toStandardPhc(legacy).replace('m=19456,t=2,p=1', 'm=19456,p=1,t=2'), legacy);
  });
});
