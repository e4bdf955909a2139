// The knex adapter oidc-provider stores its artifacts through, on PGlite (or PostgreSQL with TEST_DATABASE_URL).
// Time comes from an injected clock: nothing here depends on the wall clock.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AdapterPayload } from 'oidc-provider';
import type { Db } from '../../src/db/database.js';
import { createKnexAdapter, sweepExpiredPayloads } from '../../src/oidc/adapter.js';
import { createTestDatabase, testClock, usingPostgres } from '../helpers/server.js';
import { statementsDuring } from '../helpers/sql.js';

const id = () => crypto.randomBytes(12).toString('base64url');

describe(`knex adapter (${usingPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let db: Db;
  let drop: () => Promise<void>;
  const clock = testClock(new Date('2026-03-01T08:00:00Z'));
  let Adapter: ReturnType<typeof createKnexAdapter>;

  before(async () => {
    ({ db, drop } = await createTestDatabase());
    Adapter = createKnexAdapter(db, clock);
  });
  after(() => drop());

  const rows = async (where: Record<string, string>) => db('oidc_payloads').where(where).select('model', 'id');

  it('upserts and finds a payload, and a second upsert replaces it', async () => {
    const sessions = new Adapter('Session');
    const key = id();
    assert.equal(await sessions.find(key), undefined);
    const payload: AdapterPayload = {
      accountId: 'acc-1',
      uid: id(),
      kind: 'Session',
      loginTs: 1700000000,
      extra: { tên: 'Nguyễn Văn An' },
    };
    await sessions.upsert(key, payload, 3600);
    assert.deepEqual(await sessions.find(key), payload);

    const changed = { ...payload, accountId: 'acc-2' };
    await sessions.upsert(key, changed, 3600);
    assert.deepEqual(await sessions.find(key), changed);
    assert.equal((await rows({ model: 'Session', id: key })).length, 1, 'one row per (model, id)');
  });

  it('keeps models apart: the same id under another model is another artifact', async () => {
    const key = id();
    await new Adapter('AccessToken').upsert(key, { kind: 'AccessToken', jti: key, accountId: 'a' }, 60);
    assert.equal(await new Adapter('RefreshToken').find(key), undefined);
    assert.equal((await new Adapter('AccessToken').find(key))?.accountId, 'a');
  });

  it('stores payloads without an expiry', async () => {
    const key = id();
    const grants = new Adapter('Grant');
    await grants.upsert(key, { kind: 'Grant', accountId: 'a' });
    clock.advance(10 * 365 * 24 * 3600);
    assert.equal((await grants.find(key))?.accountId, 'a');
  });

  it('finds a session by uid', async () => {
    const sessions = new Adapter('Session');
    const key = id();
    const uid = id();
    await sessions.upsert(key, { kind: 'Session', uid, accountId: 'acc-uid' }, 3600);
    assert.equal((await sessions.findByUid(uid))?.accountId, 'acc-uid');
    assert.equal(await sessions.findByUid(id()), undefined);
    assert.equal(await new Adapter('Interaction').findByUid(uid), undefined, 'only within the model');
  });

  it('finds a device code by user code', async () => {
    const codes = new Adapter('DeviceCode');
    const key = id();
    await codes.upsert(key, { kind: 'DeviceCode', userCode: 'BCDF-GHJK', clientId: 'tv' }, 600);
    assert.equal((await codes.findByUserCode('BCDF-GHJK'))?.clientId, 'tv');
    assert.equal(await codes.findByUserCode('XXXX-XXXX'), undefined);
  });

  it('consume marks the artifact consumed (in seconds) and find still returns it', async () => {
    const codes = new Adapter('AuthorizationCode');
    const key = id();
    await codes.upsert(key, { kind: 'AuthorizationCode', grantId: id(), accountId: 'acc' }, 60);
    assert.equal((await codes.find(key))?.consumed, undefined);
    const consumedAt = Math.floor(clock.now().getTime() / 1000);
    await codes.consume(key);
    const found = await codes.find(key);
    assert.ok(found, 'a consumed code is still found (so its reuse can be detected)');
    assert.equal(found.consumed, consumedAt);
    assert.equal(found.accountId, 'acc');

    // A second consume keeps the first time.
    clock.advance(5);
    await codes.consume(key);
    assert.equal((await codes.find(key))?.consumed, consumedAt);
  });

  it('destroy removes the artifact of that model only', async () => {
    const key = id();
    const a = new Adapter('AccessToken');
    const b = new Adapter('ClientCredentials');
    await a.upsert(key, { kind: 'AccessToken' }, 60);
    await b.upsert(key, { kind: 'ClientCredentials' }, 60);
    await a.destroy(key);
    assert.equal(await a.find(key), undefined);
    assert.ok(await b.find(key));
    await a.destroy(key); // destroying twice is fine
  });

  it("revokeByGrantId removes only that grant's rows of that model", async () => {
    const grant = id();
    const otherGrant = id();
    const access = new Adapter('AccessToken');
    const refresh = new Adapter('RefreshToken');
    const [a1, a2, a3, r1] = [id(), id(), id(), id()];
    await access.upsert(a1, { kind: 'AccessToken', grantId: grant }, 600);
    await access.upsert(a2, { kind: 'AccessToken', grantId: grant }, 600);
    await access.upsert(a3, { kind: 'AccessToken', grantId: otherGrant }, 600);
    await refresh.upsert(r1, { kind: 'RefreshToken', grantId: grant }, 600);

    await access.revokeByGrantId(grant);
    assert.equal(await access.find(a1), undefined);
    assert.equal(await access.find(a2), undefined);
    assert.ok(await access.find(a3), "another grant's token stays");
    assert.ok(await refresh.find(r1), "the same grant's rows of another model stay");
  });

  it('honours expiry through the injected clock', async () => {
    const tokens = new Adapter('AccessToken');
    const key = id();
    const uid = id();
    await tokens.upsert(key, { kind: 'AccessToken', uid, userCode: `U-${uid}` }, 600);
    clock.advance(599);
    assert.ok(await tokens.find(key), 'still valid one second before expiry');
    clock.advance(1);
    assert.equal(await tokens.find(key), undefined, 'gone at expiry');
    assert.equal(await tokens.findByUid(uid), undefined);
    assert.equal(await tokens.findByUserCode(`U-${uid}`), undefined);
    clock.advance(3600);
    assert.equal(await tokens.find(key), undefined);
  });

  it('a new upsert extends the expiry', async () => {
    const sessions = new Adapter('Session');
    const key = id();
    await sessions.upsert(key, { kind: 'Session' }, 60);
    clock.advance(50);
    await sessions.upsert(key, { kind: 'Session' }, 60);
    clock.advance(50);
    assert.ok(await sessions.find(key));
  });

  /** What is left in a database's oidc_payloads, as model/id. */
  const left = async (own: Db) =>
    (await own('oidc_payloads').select('model', 'id').orderBy(['model', 'id'])).map((r) => `${r.model}/${r.id}`);

  it('sweepExpiredPayloads deletes expired rows only', async () => {
    // A database of its own, so rows from the other tests do not count.
    const own = await createTestDatabase();
    try {
      const ownClock = testClock(new Date('2026-06-01T00:00:00Z'));
      const Own = createKnexAdapter(own.db, ownClock);
      await new Own('Session').upsert('expires-soon', { kind: 'Session' }, 60);
      await new Own('AuthorizationCode').upsert('expires-soon', { kind: 'AuthorizationCode' }, 60);
      await new Own('AuthorizationCode').upsert('expires-later', { kind: 'AuthorizationCode' }, 3600);
      await new Own('Grant').upsert('never', { kind: 'Grant' });
      const all = [
        'AuthorizationCode/expires-later',
        'AuthorizationCode/expires-soon',
        'Grant/never',
        'Session/expires-soon',
      ];

      await sweepExpiredPayloads(own.db, ownClock);
      assert.deepEqual(await left(own.db), all, 'nothing expired yet');
      ownClock.advance(60);
      await sweepExpiredPayloads(own.db, ownClock);
      assert.deepEqual(await left(own.db), all, 'a row expiring exactly now is not swept yet (find already hides it)');
      ownClock.advance(1);
      await sweepExpiredPayloads(own.db, ownClock);
      assert.deepEqual(await left(own.db), ['AuthorizationCode/expires-later', 'Grant/never']);
      await sweepExpiredPayloads(own.db, ownClock);
      assert.deepEqual(await left(own.db), ['AuthorizationCode/expires-later', 'Grant/never'], 'idempotent');

      ownClock.advance(3600);
      await sweepExpiredPayloads(own.db, ownClock);
      assert.deepEqual(await left(own.db), ['Grant/never']);
      assert.ok(await new Own('Grant').find('never'));
    } finally {
      await own.drop();
    }
  });

  it('sweepExpiredPayloads works in batches', async () => {
    const own = await createTestDatabase();
    try {
      const ownClock = testClock(new Date('2026-06-01T00:00:00Z'));
      const tokens = new (createKnexAdapter(own.db, ownClock))('AccessToken');
      for (let i = 0; i < 7; i++) await tokens.upsert(`t${i}`, { kind: 'AccessToken' }, 10);
      ownClock.advance(11);
      for (const remaining of [4, 1, 0, 0]) {
        await sweepExpiredPayloads(own.db, ownClock, 3);
        assert.equal((await left(own.db)).length, remaining);
      }
    } finally {
      await own.drop();
    }
  });

  // knex-pglite hands back the driver's result for deletes; the count must still be a number on both engines.
  it('sweepExpiredPayloads returns how many rows it deleted', async () => {
    const own = await createTestDatabase();
    try {
      const ownClock = testClock(new Date('2026-06-01T00:00:00Z'));
      const tokens = new (createKnexAdapter(own.db, ownClock))('AccessToken');
      for (let i = 0; i < 5; i++) await tokens.upsert(`t${i}`, { kind: 'AccessToken' }, 10);
      assert.equal(await sweepExpiredPayloads(own.db, ownClock), 0);
      ownClock.advance(11);
      assert.equal(await sweepExpiredPayloads(own.db, ownClock, 3), 3);
      assert.equal(await sweepExpiredPayloads(own.db, ownClock, 3), 2);
    } finally {
      await own.drop();
    }
  });

  it('finds asked for together go to the database as one statement, each answered for itself', async () => {
    const access = new Adapter('AccessToken');
    const refresh = new Adapter('RefreshToken');
    const [live, other, expiring, consumed] = [id(), id(), id(), id()];
    await access.upsert(live, { kind: 'AccessToken', jti: live }, 600);
    await refresh.upsert(other, { kind: 'RefreshToken', jti: other }, 600);
    await access.upsert(expiring, { kind: 'AccessToken', jti: expiring }, 5);
    await refresh.upsert(consumed, { kind: 'RefreshToken', jti: consumed }, 600);
    await refresh.consume(consumed);
    clock.advance(6);
    const { result: found, statements } = await statementsDuring(db, 'select', () =>
      Promise.all([
        access.find(live),
        refresh.find(live), // the same id under another model is not that artifact
        refresh.find(other),
        access.find(expiring),
        refresh.find(consumed),
        access.find(id()),
      ]),
    );
    assert.equal(found[0]?.jti, live);
    assert.equal(found[1], undefined);
    assert.equal(found[2]?.jti, other);
    assert.equal(found[3], undefined, 'expired');
    assert.equal(found[4]?.jti, consumed);
    assert.equal(typeof found[4]?.consumed, 'number');
    assert.equal(found[5], undefined);
    assert.equal(statements.length, 1, statements.join('\n'));
  });

  it('saves asked for together go out as one statement; the last save of one artifact wins', async () => {
    const sessions = new Adapter('Session');
    const grants = new Adapter('Grant');
    const [s1, s2, g1] = [id(), id(), id()];
    const { statements } = await statementsDuring(db, 'insert', () =>
      Promise.all([
        sessions.upsert(s1, { kind: 'Session', uid: 'first' }, 60),
        sessions.upsert(s2, { kind: 'Session', uid: 'other' }, 60),
        grants.upsert(g1, { kind: 'Grant', accountId: 'acc-1' }, 60),
        sessions.upsert(s1, { kind: 'Session', uid: 'second' }, 60),
      ]),
    );
    assert.equal(statements.length, 1, statements.join('\n'));
    assert.equal((await sessions.find(s1))?.uid, 'second');
    assert.equal((await sessions.findByUid('second'))?.kind, 'Session');
    assert.equal((await sessions.find(s2))?.uid, 'other');
    assert.equal((await grants.find(g1))?.accountId, 'acc-1');
  });
});
