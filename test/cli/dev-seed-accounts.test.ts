// bhxh-id dev seed-accounts: many synthetic members in a few set-based statements, one shared password, never in
// production. On PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import type { Db } from '../../src/db/database.js';
import { createCliSandbox, type CliRun, type CliSandbox } from '../helpers/cli.js';

const PASSWORD = 'seeded members share this passphrase';

describe('bhxh-id dev seed-accounts', () => {
  let sandbox: CliSandbox;

  before(async () => {
    sandbox = await createCliSandbox('seed');
    sandbox.env.KEYS_ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
  });
  after(() => sandbox.close());

  const cli = (args: string[], stdin?: string, extraEnv: Record<string, string> = {}): Promise<CliRun> =>
    sandbox.run(args, { stdin: stdin ?? '', env: extraEnv });

  /** Opens the test database while no CLI command holds it (PGlite is single-process). */
  async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const db = sandbox.openDb();
    try {
      return await fn(db);
    } finally {
      await db.destroy();
    }
  }

  it('seeds 1,000 valid members sharing one argon2id hash of the password', async () => {
    const r = await cli(
      ['dev', 'seed-accounts', '--count', '1000', '--prefix', '42', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.created, 1000);
    assert.equal(r.json.first, '4200000000');
    assert.equal(r.json.last, '4200000999');
    assert.equal(typeof r.json.ms, 'number');

    await withDb(async (db) => {
      const counts = await db('accounts')
        .where('bhxh_number', 'like', '42%')
        .first(
          db.raw('count(*)::int as n'),
          db.raw('count(distinct id)::int as ids'),
          db.raw('count(distinct password_hash)::int as hashes'),
        );
      assert.deepEqual({ ...counts }, { n: 1000, ids: 1000, hashes: 1 });
      const member = await db('accounts').where({ bhxh_number: '4200000517' }).first();
      assert.match(member.id, /^[A-Za-z0-9_-]{22}$/);
      assert.match(member.full_name, /^\p{L}+ \p{L}+ \p{L}+$/u);
      assert.match(member.birthdate, /^(19[5-9]\d)-\d{2}-\d{2}$/);
      assert.equal(member.status, 'active');
      assert.equal(member.must_change_password, false);
      assert.match(member.password_hash, /^\$argon2id\$v=19\$/);
      assert.ok(
        ['m=19456', 't=2', 'p=1'].every((p) => member.password_hash.split('$')[3].split(',').includes(p)),
        'production parameters',
      );
      assert.ok(await argon2.verify(member.password_hash, PASSWORD));
    });
  });

  it('skips numbers that already exist, so it can be run again to top up', async () => {
    const r = await cli(['dev', 'seed-accounts', '--count', '1500', '--prefix', '42', '--password-stdin'], PASSWORD);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual([r.json.created, r.json.skipped], [500, 1000]);
    assert.equal(await withDb(async (db) => Number((await db('accounts').count({ n: '*' }))[0]!.n)), 1500);
  });

  it('rejects a bad count or prefix, a missing password and a weak one', async () => {
    assert.equal((await cli(['dev', 'seed-accounts', '--count', '0', '--password-stdin'], PASSWORD)).code, 2);
    assert.equal(
      (await cli(['dev', 'seed-accounts', '--count', '101', '--prefix', '12345678', '--password-stdin'], PASSWORD))
        .code,
      2,
    );
    assert.equal(
      (await cli(['dev', 'seed-accounts', '--count', '10', '--prefix', '9x', '--password-stdin'], PASSWORD)).code,
      2,
    );
    assert.equal((await cli(['dev', 'seed-accounts', '--count', '10'])).code, 2);
    const weak = await cli(['dev', 'seed-accounts', '--count', '10', '--password-stdin'], 'matkhau123');
    assert.equal(weak.code, 1);
    assert.match(weak.err, /policy/);
  });

  it('is refused in production and creates nothing', async () => {
    const production = {
      NODE_ENV: 'production',
      ISSUER: 'http://localhost:3000',
      ALLOW_EMBEDDED_IN_PRODUCTION: 'true',
      SMTP_URL: 'smtp://mail.example.vn:587',
      MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>',
      SMS_GATEWAY_URL: 'https://sms.example.vn/send',
      SMS_GATEWAY_SECRET: crypto.randomBytes(16).toString('hex'),
    };
    const r = await cli(
      ['dev', 'seed-accounts', '--count', '10', '--prefix', '77', '--password-stdin'],
      PASSWORD,
      production,
    );
    assert.equal(r.code, 1);
    assert.match(r.err, /refused in production/);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.equal(
      await withDb(async (db) =>
        Number((await db('accounts').where('bhxh_number', 'like', '77%').count({ n: '*' }))[0]!.n),
      ),
      0,
    );
  });
});
