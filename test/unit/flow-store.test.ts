// The flow store (src/flows/flow-store.ts) on PGlite (or PostgreSQL with TEST_DATABASE_URL): kinds kept apart,
// expiry on the injected clock, conditional advance, and gets asked for together read in one statement.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/database.js';
import { createFlowStore, type FlowStore } from '../../src/flows/flow-store.js';
import { createTestDatabase, testClock, usingPostgres } from '../helpers/server.js';
import { statementsDuring } from '../helpers/sql.js';

/** The application's kind names with data of the test's own, kept out of the application's registry (FlowKinds). */
interface TestKinds {
  login: { state: 'awaiting_new_password' | 'done'; data: { accountId?: string; n?: number } };
  login_notice: { state: 'password_reset'; data: { bhxhNumber: string } };
  recovery: { state: 'awaiting_address'; data: Record<string, never> };
}

describe(`flow store (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Db;
  let drop: () => Promise<void>;
  let flows: FlowStore<TestKinds>;
  const clock = testClock(new Date('2026-05-01T08:00:00Z'));
  const inSeconds = (s: number) => new Date(clock.now().getTime() + s * 1000);

  before(async () => {
    ({ db, drop } = await createTestDatabase());
    flows = createFlowStore<TestKinds>(db, clock);
  });
  after(() => drop());

  it('keeps flows of different kinds with one id apart', async () => {
    await flows.put({
      id: 'uid-1',
      kind: 'login',
      state: 'awaiting_new_password',
      data: { accountId: 'a' },
      expiresAt: inSeconds(60),
    });
    await flows.put({
      id: 'uid-1',
      kind: 'login_notice',
      state: 'password_reset',
      data: { bhxhNumber: '0123456789' },
      expiresAt: inSeconds(60),
    });
    assert.deepEqual((await flows.get('login', 'uid-1'))?.data, { accountId: 'a' });
    assert.deepEqual((await flows.get('login_notice', 'uid-1'))?.data, { bhxhNumber: '0123456789' });
    assert.equal(await flows.get('recovery', 'uid-1'), undefined);
  });

  it('reads gets asked for together in one statement, each answered for itself', async () => {
    await flows.put({ id: 'uid-2', kind: 'login', state: 'done', data: {}, expiresAt: inSeconds(5) });
    await flows.put({
      id: 'uid-3',
      kind: 'login',
      state: 'awaiting_new_password',
      data: { n: 3 },
      expiresAt: inSeconds(60),
    });
    clock.advance(6);
    const { result, statements } = await statementsDuring(db, 'select', () =>
      Promise.all([
        flows.get('login', 'uid-2'),
        flows.get('login', 'uid-3'),
        flows.get('login', 'uid-404'),
        flows.get('login_notice', 'uid-1'),
      ]),
    );
    const [expired, live, missing, notice] = result;
    assert.equal(expired, undefined, 'expired on the injected clock');
    assert.deepEqual(live?.data, { n: 3 });
    assert.equal(live?.state, 'awaiting_new_password');
    assert.equal(missing, undefined);
    assert.equal(notice?.state, 'password_reset');
    assert.equal(statements.length, 1, statements.join('\n'));
  });

  it('advances only from the expected state: one of two racing requests wins', async () => {
    await flows.put({ id: 'uid-4', kind: 'login', state: 'awaiting_new_password', data: {}, expiresAt: inSeconds(60) });
    const results = await Promise.all([
      flows.advance('login', 'uid-4', 'awaiting_new_password', 'done'),
      flows.advance('login', 'uid-4', 'awaiting_new_password', 'done'),
    ]);
    assert.deepEqual(results.sort(), [false, true]);
    assert.equal((await flows.get('login', 'uid-4'))?.state, 'done');
  });
});
