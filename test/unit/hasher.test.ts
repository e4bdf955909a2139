// The argon2id hasher (src/methods/password/hasher.ts) at the production cost: verification, rehash detection, and
// at most ARGON2_MAX_CONCURRENCY hashes at once, the rest waiting in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPasswordHasher } from '../../src/methods/password/hasher.js';
import { randomPassword } from '../helpers/server.js';

const COST = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

describe('password hasher', () => {
  it('verifies the right password only, and a malformed hash never', async () => {
    const hasher = createPasswordHasher(COST);
    const password = randomPassword();
    const hash = await hasher.hash(password);
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
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
    const answers = Promise.all([hasher.verify(hash, password), hasher.verify(hash, 'wrong'), hasher.verify(hash, password)]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(hasher.load(), { running: 1, waiting: 2 });
    assert.deepEqual(await answers, [true, false, true]);
    assert.deepEqual(hasher.load(), { running: 0, waiting: 0 });
  });
});
