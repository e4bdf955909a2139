// bhxh-id keys reencrypt as an operator rotates KEYS_ENCRYPTION_KEY: data made under key A, the command run with B
// (A in KEYS_ENCRYPTION_KEY_PREVIOUS), then B alone opens everything. Keys and secrets are generated at run time; the
// output never shows a key, a private JWK member or a secret.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClientRepository } from '../../src/clients/client-repository.js';
import type { Db } from '../../src/db/database.js';
import { createSealer, sealedKeyId } from '../../src/keys/sealer.js';
import { createCliSandbox, type CliRun, type CliSandbox } from '../helpers/cli.js';

describe('bhxh-id keys reencrypt', () => {
  const keyA = crypto.randomBytes(32).toString('base64');
  const keyB = crypto.randomBytes(32).toString('base64');
  const keyC = crypto.randomBytes(32).toString('base64');
  const idOf = (key: string) => createSealer(Buffer.from(key, 'base64')).keyId;
  let sandbox: CliSandbox;
  let dataDir: string;
  let clientSecret: string;

  before(async () => {
    sandbox = await createCliSandbox('reencrypt');
    dataDir = sandbox.dataDir;
  });
  after(() => sandbox.close());

  async function cli(args: string[], keys: { primary: string; previous?: string[] }): Promise<CliRun> {
    const { code, out, err, json } = await sandbox.run(args, {
      stdin: '',
      env: { KEYS_ENCRYPTION_KEY: keys.primary, KEYS_ENCRYPTION_KEY_PREVIOUS: keys.previous?.join(',') },
    });
    // Whatever the command, nothing secret is printed.
    for (const text of [out, err]) {
      assert.ok(!text.includes('"d":'), 'no private JWK member');
      for (const key of [keyA, keyB, keyC]) {
        assert.ok(!text.includes(key), 'no encryption key');
        assert.ok(!text.includes(Buffer.from(key, 'base64').toString('hex')), 'no encryption key (hex)');
      }
      assert.ok(!/v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]+\./.test(text), 'no sealed value');
      if (clientSecret && !args.includes('create')) assert.ok(!text.includes(clientSecret), 'no client secret');
    }
    return { code, out, err, json };
  }

  /** The database itself, opened between commands (the CLI holds it only while it runs). */
  async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const db = sandbox.openDb();
    try {
      return await work(db);
    } finally {
      await db.destroy();
    }
  }

  function metadataFile(clientId: string): string {
    const file = path.join(dataDir, `${clientId}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        client_id: clientId,
        redirect_uris: [`https://${clientId}.example.vn/cb`],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    );
    return file;
  }

  it('is listed in the help', async () => {
    const help = await cli(['--help'], { primary: keyA });
    assert.match(help.out, /keys reencrypt/);
  });

  it('moves keys and client secrets from key A to key B; B alone then opens them', async () => {
    assert.equal((await cli(['migrate'], { primary: keyA })).code, 0);
    const created = await cli(['clients', 'create', '--file', metadataFile('rp-a')], { primary: keyA });
    assert.equal(created.code, 0, created.err);
    clientSecret = created.json.client_secret;
    assert.ok(clientSecret);

    // B alone cannot open what A sealed (one line, naming only A's key id).
    const refused = await cli(['clients', 'create', '--file', metadataFile('rp-b')], { primary: keyB });
    assert.equal(refused.code, 1);
    assert.equal(refused.err.trim().split('\n').length, 1);
    assert.match(refused.err, /another encryption key/);

    const run = await cli(['keys', 'reencrypt'], { primary: keyB, previous: [keyA] });
    assert.equal(run.code, 0, run.err);
    assert.equal(run.json.remaining, 0);
    assert.equal(run.json.encryption_key_id, idOf(keyB));
    assert.equal(run.json.reencrypted.clients, 1);
    assert.ok(run.json.reencrypted.keys >= 3, 'the signing keys and the cookie secret');
    assert.deepEqual(Object.keys(run.json.reencrypted).sort(), [
      'channel_requests',
      'clients',
      'flows',
      'keys',
      'outbox',
    ]);

    // Run again: nothing left to do.
    const again = await cli(['keys', 'reencrypt'], { primary: keyB, previous: [keyA] });
    assert.equal(again.code, 0, again.err);
    assert.equal(again.json.remaining, 0);
    assert.ok(Object.values(again.json.reencrypted).every((n) => n === 0));

    // Only B from now on.
    const listed = await cli(['keys', 'list'], { primary: keyB });
    assert.equal(listed.code, 0, listed.err);
    assert.ok(listed.json.keys.every((k: object) => !('private_encrypted' in k)));
    for (const key of listed.json.keys.filter((k: { state: string }) => k.state !== 'removed'))
      assert.equal(key.encryption_key_id, idOf(keyB));
    const shown = await cli(['clients', 'show', 'rp-a'], { primary: keyB });
    assert.equal(shown.code, 0, shown.err);
    assert.equal(shown.json.client.client_id, 'rp-a');
    const another = await cli(['clients', 'create', '--file', metadataFile('rp-b')], { primary: keyB });
    assert.equal(another.code, 0, `the provider keys load with B alone: ${another.err}`);

    await withDb(async (db) => {
      const stored = await createClientRepository(db, createSealer(Buffer.from(keyB, 'base64'))).findForProvider(
        'rp-a',
      );
      assert.equal(stored?.client_secret, clientSecret, 'the secret opens with B alone and is unchanged');
      for (const row of await db('keys').whereNot('private_encrypted', '').select('private_encrypted'))
        assert.equal(sealedKeyId(row.private_encrypted), idOf(keyB));
      const audit = await db('audit_events').where({ type: 'keys.reencrypted' }).orderBy('id');
      assert.equal(audit.length, 2);
      const detail = typeof audit[0].detail === 'string' ? JSON.parse(audit[0].detail) : audit[0].detail;
      assert.equal(audit[0].outcome, 'success');
      assert.equal(detail.encryption_key_id, idOf(keyB));
      assert.deepEqual(detail.counts, run.json.reencrypted);
    });
  });

  it('exits 1 with one line when values are left that no configured key opens', async () => {
    const run = await cli(['keys', 'reencrypt'], { primary: keyC });
    assert.equal(run.code, 1);
    assert.equal(run.out, '');
    assert.equal(run.err.trim().split('\n').length, 1);
    assert.match(run.err, /still not under encryption key [0-9a-f]{16}/);
    assert.match(run.err, /could not be opened/);
    // Nothing was changed: B still opens everything.
    const again = await cli(['keys', 'reencrypt'], { primary: keyB });
    assert.equal(again.code, 0, again.err);
    assert.equal(again.json.remaining, 0);
    await withDb(async (db) => {
      const [last] = await db('audit_events')
        .where({ type: 'keys.reencrypted' })
        .orderBy('id', 'desc')
        .limit(2)
        .offset(1);
      assert.equal(last.outcome, 'failure');
    });
  });
});
