// Codes are swept a day after they expire (sweepExpiredCodes, run by every node's sweeper); a live code, or one that
// expired less than a day ago, stays and still answers as before.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/database.js';
import { createCodeStore, sweepExpiredCodes } from '../../src/methods/codes/code-store.js';
import { createThrottle } from '../../src/security/throttle.js';
import { createTestDatabase } from '../helpers/server.js';

describe('sweeping expired codes', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let now = new Date('2026-12-01T00:00:00Z');
  const clock = { now: () => now };
  before(async () => {
    ({ db, drop } = await createTestDatabase());
  });
  after(() => drop());

  it('deletes codes a day past their expiry and keeps the others', async () => {
    const store = createCodeStore(
      db,
      clock,
      crypto.randomBytes(32),
      { ttlSeconds: 600, maxAttempts: 5, cooldownSeconds: 60, perAccountPerHour: 5, perIpPerHour: 50 },
      { throttle: createThrottle({ key: crypto.randomBytes(32), clock }) },
    );
    const issue = (flowId: string) =>
      db.transaction((trx) =>
        store.issue(trx, { flowId, accountId: null, ip: '203.0.113.9', channel: 'email', typed: flowId }),
      );
    await issue('old-flow');
    now = new Date(now.getTime() + 24 * 3600 * 1000); // the first expired 23 h 50 min ago
    await issue('young-flow');
    assert.equal(await sweepExpiredCodes(db, clock), 0, 'nothing is a day past its expiry yet');
    now = new Date(now.getTime() + 20 * 60 * 1000); // now 24 h 10 min past the first one's expiry
    assert.equal(await sweepExpiredCodes(db, clock), 1);
    const left = await db('verification_codes').select('flow_id');
    assert.deepEqual(
      left.map((r) => r.flow_id),
      ['young-flow'],
    );
    assert.equal(await sweepExpiredCodes(db, clock, { batch: 1 }), 0);
  });
});
