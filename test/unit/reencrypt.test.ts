// Re-encryption after a KEYS_ENCRYPTION_KEY rotation (src/keys/reencrypt.ts) on a real database (PGlite in memory, or
// PostgreSQL with TEST_DATABASE_URL): signing keys and secrets, client secrets, outbox payloads and the hotline's
// recorded replies and the upstream VNeID ID tokens move from the old key to the new one, an interrupted run leaves everything readable, a rerun
// finishes, and a concurrent writer is never overwritten. Keys and secrets are generated at run time.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { createClientRepository } from '../../src/clients/client-repository.js';
import type { Db } from '../../src/db/database.js';
import { ensureActiveKeys, loadProviderKeys } from '../../src/keys/key-store.js';
import { reencryptAll, REENCRYPTED_TABLES } from '../../src/keys/reencrypt.js';
import { createSealer, sealedKeyId, UPSTREAM_ID_TOKEN_CONTEXT, type Sealer } from '../../src/keys/sealer.js';
import type { EmailMessage } from '../../src/notify/messages.js';
import { createOutbox, createOutboxWorker } from '../../src/notify/outbox.js';
import { createTestDatabase, testClock } from '../helpers/server.js';

const CLIENT_IDS = ['rp-1', 'rp-2', 'rp-3'];
const CALL_IDS = ['call-1', 'call-2'];
const MAILS = ['a@example.vn', 'b@example.vn', 'c@example.vn'];
const UPSTREAM_FLOWS: Array<[string, string]> = [
  ['vneid_pending', 'uid-1'],
  ['vneid_session', 'sess-1'],
];

const silent = pino({ level: 'silent' });

interface Seeded {
  keys: Awaited<ReturnType<typeof loadProviderKeys>>;
  secrets: Record<string, string>;
  replies: Record<string, unknown>;
  idTokens: Record<string, string>;
}

/** Data sealed under `sealer`: first keys, clients with secrets (and one without), outbox mail, finished calls. */
async function seed(db: Db, sealer: Sealer): Promise<Seeded> {
  await ensureActiveKeys(db, sealer);
  const clients = createClientRepository(db, sealer);
  const secrets: Record<string, string> = {};
  for (const clientId of CLIENT_IDS) {
    const { clientSecret } = await clients.create({
      client_id: clientId,
      redirect_uris: [`https://${clientId}.example.vn/cb`],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    secrets[clientId] = clientSecret!;
  }
  await clients.create({
    client_id: 'rp-public',
    redirect_uris: ['https://public.example.vn/cb'],
    token_endpoint_auth_method: 'none',
  });
  const outbox = createOutbox(db, sealer, testClock());
  for (const to of MAILS)
    await outbox.enqueue({
      channel: 'email',
      to,
      purpose: 'recovery_code',
      subject: 'Mã khôi phục',
      text: `mã cho ${to}`,
      html: `<p>mã cho ${to}</p>`,
    });
  // Hotline calls that read a password aloud, within their replay window (the only replies kept sealed).
  const replies: Record<string, unknown> = {};
  const now = new Date();
  for (const callId of CALL_IDS) {
    const reply = { say: `Mật khẩu tạm thời của quý khách (${callId})`, next: { action: 'hangup' } };
    const state = {
      step: 'done',
      outcome: 'read_aloud',
      sealedReply: sealer.seal(JSON.stringify(reply), `voice:reply:${callId}`),
      secretUntil: '2999-01-01T00:00:00.000Z',
    };
    await db('channel_requests').insert({
      channel: 'voice',
      request_id: callId,
      state: JSON.stringify(state),
      created_at: now,
      updated_at: now,
    });
    replies[callId] = reply;
  }
  // Upstream VNeID ID tokens kept for logout (a pending link and a signed-in session).
  const idTokens: Record<string, string> = {};
  for (const [kind, id] of UPSTREAM_FLOWS) {
    idTokens[`${kind}:${id}`] = `upstream-id-token-${crypto.randomBytes(8).toString('hex')}`;
    await db('flows').insert({
      id: `${kind}:${id}`,
      kind,
      state: 'signed_in',
      data: JSON.stringify({
        issuer: 'https://vneid.example',
        idTokenSealed: sealer.seal(idTokens[`${kind}:${id}`]!, UPSTREAM_ID_TOKEN_CONTEXT),
      }),
      expires_at: new Date(Date.now() + 3600_000),
    });
  }
  return { keys: await loadProviderKeys(db, sealer), secrets, replies, idTokens };
}

/** Every sealed value in the database, by table, with the key id it names. */
async function sealedValues(
  db: Db,
): Promise<Array<{ table: string; id: string; keyId: string | undefined; recordedKeyId?: string }>> {
  const keys = await db('keys')
    .whereNot('private_encrypted', '')
    .select('kid', 'private_encrypted', 'encryption_key_id');
  const clients = await db('clients')
    .whereNotNull('client_secret_encrypted')
    .select('client_id', 'client_secret_encrypted');
  const outbox = await db('outbox').whereNotNull('payload_sealed').select('id', 'payload_sealed');
  const calls = await db('channel_requests').where({ channel: 'voice' }).select('request_id', 'state');
  const flows = await db('flows')
    .whereIn(
      'kind',
      UPSTREAM_FLOWS.map(([kind]) => kind),
    )
    .select('id', 'data');
  return [
    ...keys.map((r) => ({
      table: 'keys',
      id: r.kid,
      keyId: sealedKeyId(r.private_encrypted),
      recordedKeyId: r.encryption_key_id,
    })),
    ...clients.map((r) => ({ table: 'clients', id: r.client_id, keyId: sealedKeyId(r.client_secret_encrypted) })),
    ...outbox.map((r) => ({ table: 'outbox', id: String(r.id), keyId: sealedKeyId(r.payload_sealed) })),
    ...calls.map((r) => {
      const state = typeof r.state === 'string' ? JSON.parse(r.state) : r.state;
      return { table: 'channel_requests', id: r.request_id, keyId: sealedKeyId(state.sealedReply) };
    }),
    ...flows.map((r) => {
      const data = typeof r.data === 'string' ? JSON.parse(r.data) : r.data;
      return { table: 'flows', id: r.id, keyId: sealedKeyId(data.idTokenSealed) };
    }),
  ];
}

/** Everything opens with `sealer` and reads back as it was: keys, client secrets, replayed calls, outbox payloads. */
async function assertAllOpen(db: Db, sealer: Sealer, seeded: Seeded, secrets = seeded.secrets) {
  assert.equal(digest(await loadProviderKeys(db, sealer)), digest(seeded.keys), 'the provider keys load, unchanged');
  const clients = createClientRepository(db, sealer);
  for (const [clientId, secret] of Object.entries(secrets))
    assert.equal((await clients.findForProvider(clientId))?.client_secret, secret, clientId);
  for (const callId of CALL_IDS) {
    const row = await db('channel_requests').where({ channel: 'voice', request_id: callId }).first('state');
    const state = typeof row.state === 'string' ? JSON.parse(row.state) : row.state;
    assert.deepEqual(JSON.parse(sealer.open(state.sealedReply, `voice:reply:${callId}`)), seeded.replies[callId]);
  }
  for (const [id, idToken] of Object.entries(seeded.idTokens)) {
    const row = await db('flows').where({ id }).first('data');
    const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
    assert.equal(sealer.open(data.idTokenSealed, UPSTREAM_ID_TOKEN_CONTEXT), idToken);
  }
  for (const row of await db('outbox').whereNotNull('payload_sealed').select('payload_sealed', 'purpose')) {
    assert.doesNotThrow(() => sealer.open(row.payload_sealed, `outbox:${row.purpose}`));
  }
}

/**
 * A digest of loaded keys, independent of the order of keys created in the same instant (their order follows the
 * rows' physical order, which an update changes). Compared as a digest so a failure never prints private keys.
 */
function digest(keys: Seeded['keys']): string {
  const { jwks, cookieKeys, internalSecret } = keys;
  const sorted = [...jwks.keys].sort((a, b) => String(a.kid).localeCompare(String(b.kid)));
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([sorted, cookieKeys, internalSecret ?? null]))
    .digest('hex');
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('keys reencrypt (reencryptAll)', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let oldKey: Buffer;
  let newKey: Buffer;
  let oldSealer: Sealer;
  let rotating: Sealer;

  beforeEach(async () => {
    ({ db, drop } = await createTestDatabase());
    oldKey = crypto.randomBytes(32);
    newKey = crypto.randomBytes(32);
    oldSealer = createSealer(oldKey);
    rotating = createSealer(newKey, [oldKey]);
  });
  afterEach(async () => {
    await drop();
  });

  it('an interrupted run leaves a readable mix; a rerun finishes; then the new key alone opens everything', async () => {
    const seeded = await seed(db, oldSealer);
    const before = await sealedValues(db);
    const total = before.length;
    assert.ok(before.every((v) => v.keyId === oldSealer.keyId));
    assert.deepEqual(new Set(before.map((v) => v.table)), new Set(REENCRYPTED_TABLES), 'the seed covers every table');

    // Killed after two rows (the second row written, then the process "dies").
    let rows = 0;
    await assert.rejects(
      reencryptAll(db, rotating, {
        batchSize: 2,
        afterRow: () => {
          rows += 1;
          if (rows === 2) throw new Error('interrupted');
        },
      }),
      /interrupted/,
    );
    const mixed = await sealedValues(db);
    assert.equal(mixed.filter((v) => v.keyId === rotating.keyId).length, 2, 'two values under the new key');
    assert.equal(
      mixed.filter((v) => v.keyId === oldSealer.keyId).length,
      total - 2,
      'the rest still under the old key',
    );
    for (const key of mixed.filter((v) => v.table === 'keys'))
      assert.equal(key.recordedKeyId, key.keyId, `keys.encryption_key_id follows the value (${key.id})`);
    // Servers accept both keys meanwhile.
    await assertAllOpen(db, rotating, seeded);

    const rerun = await reencryptAll(db, rotating, { batchSize: 2 });
    assert.equal(rerun.remaining, 0);
    assert.equal(sum(rerun.reencrypted), total - 2);
    assert.equal(sum(rerun.unreadable), 0);
    assert.deepEqual(Object.keys(rerun.reencrypted).sort(), [...REENCRYPTED_TABLES].sort());

    const after = await sealedValues(db);
    assert.equal(after.length, total);
    assert.ok(
      after.every((v) => v.keyId === rotating.keyId),
      'everything under the new key',
    );
    for (const key of after.filter((v) => v.table === 'keys')) assert.equal(key.recordedKeyId, rotating.keyId);

    // Nothing is left under the old key: the new key alone opens it all, and the outbox still delivers.
    const newOnly = createSealer(newKey);
    await assertAllOpen(db, newOnly, seeded);
    const sent: EmailMessage[] = [];
    const worker = createOutboxWorker({
      db,
      sealer: newOnly,
      clock: testClock(),
      senders: { email: { send: async (m) => void sent.push(m) } },
      logger: silent,
    });
    assert.deepEqual(await worker.runOnce(), { sent: MAILS.length, retried: 0, failed: 0 });
    assert.deepEqual(sent.map((m) => m.to).sort(), MAILS);
    await assert.rejects(
      loadProviderKeys(db, oldSealer),
      /another encryption key/,
      'the old key alone no longer opens the keys',
    );

    // A third run has nothing to do.
    const again = await reencryptAll(db, newOnly);
    assert.equal(sum(again.reencrypted), 0);
    assert.equal(again.remaining, 0);
  });

  it('never overwrites a row changed while it runs (the newer value wins and is resealed if it needs it)', async () => {
    const seeded = await seed(db, oldSealer);
    const clients = createClientRepository(db, rotating);
    const secretB = 'changed-by-a-node-already-on-the-new-key';
    const secretC = 'changed-by-a-node-still-on-the-old-key';
    const laterReply = { say: 'Một câu trả lời khác.', next: { action: 'hangup' } };
    const concurrent = {
      rp2: rotating.seal(secretB, 'client:rp-2'),
      call2: rotating.seal(JSON.stringify(laterReply), 'voice:reply:call-2'),
    };
    let removedKid: string | undefined;
    const seen = new Set<string>();
    const result = await reencryptAll(db, rotating, {
      batchSize: 10,
      afterRow: async (table) => {
        if (seen.has(table)) return;
        seen.add(table);
        // After each table's first row, other "nodes" change rows of the batch this run already read.
        if (table === 'keys') {
          const key = await db('keys').where({ use: 'sig', encryption_key_id: oldSealer.keyId }).first('kid');
          removedKid = key.kid;
          await db('keys')
            .where({ kid: removedKid })
            .update({ state: 'removed', removed_at: new Date(), private_encrypted: '' });
        }
        if (table === 'clients') {
          await db('clients').where({ client_id: 'rp-2' }).update({ client_secret_encrypted: concurrent.rp2 });
          await db('clients')
            .where({ client_id: 'rp-3' })
            .update({ client_secret_encrypted: oldSealer.seal(secretC, 'client:rp-3') });
        }
        if (table === 'outbox') {
          const [, second] = await db('outbox').orderBy('id').select('id');
          await db('outbox')
            .where({ id: second.id })
            .update({ status: 'sent', sent_at: new Date(), payload_sealed: null });
        }
        if (table === 'channel_requests') {
          await db('channel_requests')
            .where({ channel: 'voice', request_id: 'call-2' })
            .update({ state: JSON.stringify({ step: 'done', outcome: 'no_match', sealedReply: concurrent.call2 }) });
        }
      },
    });
    assert.equal(result.remaining, 0);
    assert.ok(removedKid);
    const removed = await db('keys').where({ kid: removedKid }).first();
    assert.equal(removed.private_encrypted, '', 'a key removed meanwhile stays wiped');
    assert.equal(removed.state, 'removed');
    assert.equal(
      (await db('clients').where({ client_id: 'rp-2' }).first()).client_secret_encrypted,
      concurrent.rp2,
      'a value already under the new key is left exactly as written',
    );
    assert.equal((await clients.findForProvider('rp-2'))?.client_secret, secretB);
    assert.equal(
      (await clients.findForProvider('rp-3'))?.client_secret,
      secretC,
      'a newer value under the old key is resealed, not replaced by the one read first',
    );
    assert.equal((await clients.findForProvider('rp-1'))?.client_secret, seeded.secrets['rp-1']);
    assert.equal(result.reencrypted.clients, 2, 'rp-1 and rp-3 (rp-2 was already done by its writer)');
    const outbox = await db('outbox').orderBy('id').select('status', 'payload_sealed');
    assert.deepEqual(
      outbox.map((r) => [r.status, r.payload_sealed === null]),
      [
        ['pending', false],
        ['sent', true],
        ['pending', false],
      ],
      'a payload cleared meanwhile stays cleared',
    );
    assert.equal(result.reencrypted.outbox, 2);
    const call2 = await db('channel_requests').where({ channel: 'voice', request_id: 'call-2' }).first('state');
    assert.equal(
      (typeof call2.state === 'string' ? JSON.parse(call2.state) : call2.state).sealedReply,
      concurrent.call2,
      'a reply rewritten meanwhile is kept',
    );
    assert.equal(result.reencrypted.channel_requests, 1);
    assert.ok((await sealedValues(db)).every((v) => v.keyId === rotating.keyId));
    // With the removed key gone from what loads, the rest opens with the new key alone.
    const newOnly = createSealer(newKey);
    const keys = await loadProviderKeys(db, newOnly);
    assert.deepEqual(
      keys.jwks.keys.map((k) => k.kid),
      seeded.keys.jwks.keys.map((k) => k.kid).filter((kid) => kid !== removedKid),
    );
  });

  it('counts what no configured key opens as remaining, and does everything else', async () => {
    await seed(db, oldSealer);
    const strangerKey = crypto.randomBytes(32);
    await db('clients')
      .where({ client_id: 'rp-1' })
      .update({ client_secret_encrypted: createSealer(strangerKey).seal('x', 'client:rp-1') });
    await db('clients').where({ client_id: 'rp-2' }).update({ client_secret_encrypted: 'not a sealed value' });
    const result = await reencryptAll(db, rotating, { batchSize: 1 });
    assert.equal(result.remaining, 2);
    assert.deepEqual(result.unreadable, { keys: 0, clients: 2, outbox: 0, channel_requests: 0, flows: 0 });
    const left = (await sealedValues(db)).filter((v) => v.keyId !== rotating.keyId);
    assert.deepEqual(left.map((v) => v.id).sort(), ['rp-1', 'rp-2']);
    // Given the missing key, a rerun does the one it can open; the damaged one stays counted.
    const rerun = await reencryptAll(db, createSealer(newKey, [oldKey, strangerKey]));
    assert.deepEqual(rerun.reencrypted, { keys: 0, clients: 1, outbox: 0, channel_requests: 0, flows: 0 });
    assert.equal(rerun.remaining, 1);
  });

  it('fixes a key row whose encryption_key_id disagrees with its value', async () => {
    await seed(db, rotating);
    const [first] = await db('keys').orderBy('kid').select('kid');
    await db('keys').where({ kid: first.kid }).update({ encryption_key_id: 'ffffffffffffffff' });
    const result = await reencryptAll(db, rotating);
    assert.deepEqual(result.reencrypted, { keys: 1, clients: 0, outbox: 0, channel_requests: 0, flows: 0 });
    assert.equal(result.remaining, 0);
    assert.equal((await db('keys').where({ kid: first.kid }).first()).encryption_key_id, rotating.keyId);
  });
});
