// The operator CLI as an operator uses it: JSON out, one-line errors, passwords only on stdin.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCliSandbox, type CliRun, type CliSandbox } from '../helpers/cli.js';
import { usingPostgres } from '../helpers/server.js';

describe('bhxh-id CLI', () => {
  let sandbox: CliSandbox;
  let dataDir: string;

  before(async () => {
    sandbox = await createCliSandbox('cli', { emptyDatabase: true }); // its first test is `migrate` itself
    sandbox.env.KEYS_ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
    dataDir = sandbox.dataDir;
  });
  after(() => sandbox.close());

  const cli = (args: string[], stdin?: string): Promise<CliRun> =>
    sandbox.run(args, stdin === undefined ? {} : { stdin });

  it('migrates and reports what it applied', async () => {
    const first = await cli(['migrate']);
    assert.equal(first.code, 0, first.err);
    const expected = fs
      .readdirSync(new URL('../../migrations/', import.meta.url))
      .map((f) => f.replace(/\.(ts|js)$/, ''))
      .sort();
    assert.deepEqual(first.json.applied, expected);
    const again = await cli(['migrate']);
    assert.deepEqual(again.json.applied, []);
  });

  it('creates an account with a password from stdin and never prints the hash', async () => {
    const r = await cli(
      [
        'accounts',
        'create',
        '--bhxh',
        '01 2345 6780',
        '--name',
        'Võ Thị Em',
        '--birthdate',
        '1975-03-04',
        '--phone',
        '0168 123 4567',
        '--phone-verified',
        '--email',
        'Em@Example.vn',
        '--national-id',
        '001175000001',
        '--password-stdin',
      ],
      'a long enough passphrase\n',
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.account.bhxh_number, '0123456780');
    assert.equal(r.json.account.phone_number, '+84381234567');
    assert.equal(r.json.account.email, 'em@example.vn');
    assert.equal(r.json.account.must_change_password, false);
    assert.ok(!r.out.includes('argon2'));
    assert.ok(!r.out.includes('a long enough passphrase'));
  });

  it('shows the VNeID identities linked to an account and removes them, audited', async () => {
    const created = await cli(['accounts', 'show', '--bhxh', '0123456780']);
    assert.deepEqual(created.json.vneid_links, []);
    // A link as a VNeID sign-in leaves it (written directly: the CLI holds the database only while it runs).
    const db = sandbox.openDb();
    try {
      const now = new Date();
      await db('federated_identities').insert({
        issuer: 'https://vneid.example',
        subject: 'citizen-1',
        account_id: created.json.account.id,
        national_id: '001175000001',
        linked_by: 'national_id',
        created_at: now,
        last_used_at: now,
      });
    } finally {
      await db.destroy();
    }
    const shown = await cli(['accounts', 'show', '--bhxh', '0123456780']);
    assert.equal(shown.json.vneid_links.length, 1);
    assert.equal(shown.json.vneid_links[0].issuer, 'https://vneid.example');
    const removed = await cli(['accounts', 'unlink-vneid', '--bhxh', '0123456780']);
    assert.equal(removed.code, 0, removed.err);
    assert.equal(removed.json.removed.length, 1);
    assert.deepEqual((await cli(['accounts', 'show', '--bhxh', '0123456780'])).json.vneid_links, []);
  });

  it('refuses a duplicate number, a bad number and a weak password with one line and a non-zero exit', async () => {
    const dup = await cli([
      'accounts',
      'create',
      '--bhxh',
      '0123456780',
      '--name',
      'X',
      '--birthdate',
      '1975-03-04',
      '--temporary',
    ]);
    assert.equal(dup.code, 1);
    assert.equal(dup.err.trim().split('\n').length, 1);
    assert.match(dup.err, /already exists/);

    const bad = await cli([
      'accounts',
      'create',
      '--bhxh',
      '12345',
      '--name',
      'X',
      '--birthdate',
      '1975-03-04',
      '--temporary',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /10-digit/);

    const weak = await cli(
      ['accounts', 'create', '--bhxh', '0123456781', '--name', 'X', '--birthdate', '1975-03-04', '--password-stdin'],
      'matkhau123',
    );
    assert.equal(weak.code, 1);
    assert.match(weak.err, /policy: common/);
  });

  it('never takes a password as an argument', async () => {
    const r = await cli([
      'accounts',
      'set-password',
      '--bhxh',
      '0123456780',
      '--password',
      'secret-on-the-command-line',
    ]);
    assert.equal(r.code, 2);
    assert.ok(!r.err.includes('secret-on-the-command-line\n\n'));
    assert.equal(r.err.trim().split('\n').length, 1);
  });

  it('sets a temporary password that must be changed, and disables and enables', async () => {
    const temp = await cli(['accounts', 'set-password', '--bhxh', '0123456780', '--temporary']);
    assert.equal(temp.code, 0, temp.err);
    assert.match(temp.json.temporary_password, /^[A-Za-z0-9]{12}$/);
    assert.equal(temp.json.account.must_change_password, true);

    assert.equal((await cli(['accounts', 'disable', '--bhxh', '0123456780'])).json.account.status, 'disabled');
    assert.equal((await cli(['accounts', 'enable', '--bhxh', '0123456780'])).json.account.status, 'active');
    const show = await cli(['accounts', 'show', '--bhxh', '0123456780']);
    assert.equal(show.json.account.full_name, 'Võ Thị Em');
    assert.equal((await cli(['accounts', 'show', '--bhxh', '0999999999'])).code, 1);
  });

  it('resets a password at an office: a temporary password delivered or printed once, audited with the operator', async () => {
    const printed = await cli([
      'accounts',
      'reset-password',
      '--bhxh',
      '0123456780',
      '--operator',
      'HN-0421',
      '--deliver',
      'print',
    ]);
    assert.equal(printed.code, 0, printed.err);
    assert.match(printed.json.temporary_password, /^[a-z2-9]{10}$/);
    assert.doesNotMatch(printed.json.temporary_password, /[01ilo]/);
    const texted = await cli([
      'accounts',
      'reset-password',
      '--bhxh',
      '0123456780',
      '--operator',
      'HN-0421',
      '--deliver',
      'sms',
    ]);
    assert.equal(texted.code, 0, texted.err);
    assert.equal(texted.json.temporary_password, undefined, 'not printed when delivered');
    assert.equal(texted.json.delivered, 'sms');
    // Issue 14, item 4: one temporary password at a time; the desk is told the printed one no longer works.
    assert.equal(printed.json.replaced_earlier, false);
    assert.equal(texted.json.replaced_earlier, true);
    assert.match(texted.json.note, /no longer works/);
    assert.equal(
      (await cli(['accounts', 'reset-password', '--bhxh', '0123456780', '--deliver', 'print'])).code,
      2,
      'the operator is required',
    );
    assert.equal(
      (await cli(['accounts', 'reset-password', '--bhxh', '0123456780', '--operator', 'HN-0421', '--deliver', 'fax']))
        .code,
      2,
    );
  });

  it('registers a client from metadata, shows the generated secret once, and validates with the provider', async () => {
    const file = path.join(dataDir, 'client.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        client_id: 'agency-app',
        client_name: 'Agency',
        redirect_uris: ['https://agency.example.vn/cb'],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      }),
    );
    const created = await cli(['clients', 'create', '--file', file]);
    assert.equal(created.code, 0, created.err);
    assert.match(created.json.client_secret, /^[A-Za-z0-9_-]{43}$/);
    const shown = await cli(['clients', 'show', 'agency-app']);
    assert.equal(shown.json.client.client_id, 'agency-app');
    assert.ok(!shown.out.includes(created.json.client_secret));
    const listed = await cli(['clients', 'list']);
    assert.ok(!listed.out.includes(created.json.client_secret));

    fs.writeFileSync(file, JSON.stringify({ client_id: 'broken', redirect_uris: ['not a url'] }));
    const invalid = await cli(['clients', 'create', '--file', file]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.err, /invalid client metadata/);

    fs.writeFileSync(file, '{ not json');
    assert.equal((await cli(['clients', 'create', '--file', file])).code, 1);

    const deleted = await cli(['clients', 'delete', 'agency-app']);
    assert.equal(deleted.code, 0, deleted.err);
    assert.equal((await cli(['clients', 'show', 'agency-app'])).code, 1);
  });

  it('has --help everywhere', async () => {
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.out, /accounts create/);
    for (const command of [['accounts', 'create'], ['clients', 'create'], ['migrate'], ['keys', 'list']]) {
      const r = await cli([...command, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.out, /^usage: bhxh-id /);
    }
    assert.equal((await cli(['frobnicate'])).code, 2);
  });

  it('refuses with a clear message while another process holds the embedded data folder', {
    skip: usingPostgres ? 'PostgreSQL needs no lock' : false,
  }, async () => {
    // The parent process (the test runner) is alive: it stands for a running server.
    fs.writeFileSync(path.join(dataDir, 'bhxh-id.lock'), String(process.ppid));
    try {
      const r = await cli(['clients', 'list']);
      assert.equal(r.code, 1);
      assert.match(r.err, /in use by another process/);
      assert.equal(r.err.trim().split('\n').length, 1);
    } finally {
      fs.rmSync(path.join(dataDir, 'bhxh-id.lock'), { force: true });
    }
  });
});
