// bhxh-id accounts activity: the member's security activity as the account page says it (the same mapping,
// src/audit/activity.ts), in English, with the stored type, outcome and time; only that account's events, within
// --days; the detail never printed as stored.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createCliSandbox, type CliSandbox } from '../helpers/cli.js';

describe('bhxh-id accounts activity', () => {
  let sandbox: CliSandbox;
  let accountId = '';

  before(async () => {
    sandbox = await createCliSandbox('activity');
    sandbox.env.KEYS_ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
    const created = await sandbox.run(
      [
        'accounts',
        'create',
        '--bhxh',
        '0123456781',
        '--name',
        'Đỗ Văn Long',
        '--birthdate',
        '1980-01-02',
        '--password-stdin',
      ],
      { stdin: 'a long enough passphrase' },
    );
    assert.equal(created.code, 0, created.err);
    accountId = created.json.account.id;
    const other = await sandbox.run(
      ['accounts', 'create', '--bhxh', '0123456782', '--name', 'Khác', '--birthdate', '1980-01-02', '--password-stdin'],
      { stdin: 'a long enough passphrase' },
    );
    const db = sandbox.openDb();
    try {
      const now = Date.now();
      const ago = (days: number) => new Date(now - days * 24 * 3600 * 1000);
      await db('audit_events').insert([
        {
          type: 'sign_in',
          account_id: accountId,
          client_id: 'bhxh-account',
          ip: '203.0.113.77',
          detail: JSON.stringify({ method: 'vneid', acr: 'x' }),
          at: ago(0.5),
        },
        {
          type: 'sign_in',
          outcome: 'failure',
          account_id: accountId,
          client_id: 'vssid-gone',
          ip: '203.0.113.77',
          detail: JSON.stringify({ method: 'password', reason: 'wrong_password' }),
          at: ago(0.4),
        },
        {
          type: 'voice_reset',
          account_id: accountId,
          detail: JSON.stringify({ channel: 'voice', callId: 'CALL-123', result: 'sms_sent' }),
          at: ago(3),
        },
        { type: 'password.changed', account_id: other.json.account.id, detail: JSON.stringify({ via: 'cli' }) },
      ]);
    } finally {
      await db.destroy();
    }
  });
  after(() => sandbox.close());

  it('prints the plain sentences with type, outcome, time, app and network, newest first', async () => {
    const r = await sandbox.run(['accounts', 'activity', '--bhxh', '0123456781']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.account_id, accountId);
    assert.equal(r.json.days, 90);
    const events = r.json.events as Array<Record<string, string>>;
    assert.deepEqual(
      events.map((e) => [e.type, e.outcome, e.sentence]),
      [
        ['account.created', 'success', 'Account created'],
        ['sign_in', 'failure', 'Sign-in failed: wrong password'],
        ['sign_in', 'success', 'Signed in with VNeID'],
        [
          'voice_reset',
          'success',
          'Password reset by the hotline: a temporary password was sent by text message to your phone',
        ],
      ],
    );
    assert.equal(events[1]!.app, 'vssid-gone', 'a client no longer registered is named by its id');
    assert.equal(events[2]!.app, 'BHXH ID account details');
    assert.equal(events[2]!.network, '203.0.113.0/24');
    assert.ok(!Number.isNaN(Date.parse(events[0]!.at!)));
    assert.ok(!r.out.includes('CALL-123'), 'the detail is not printed as stored');
    assert.ok(!r.out.includes('203.0.113.77'), 'the network, not the address');
  });

  it('takes --id and --days, and refuses bad input with one line', async () => {
    const recent = await sandbox.run(['accounts', 'activity', '--id', accountId, '--days', '1']);
    assert.equal(recent.code, 0, recent.err);
    assert.deepEqual(
      (recent.json.events as Array<{ type: string }>).map((e) => e.type),
      ['account.created', 'sign_in', 'sign_in'],
    );
    for (const days of ['0', '-3', 'many', '1.5', '99999']) {
      const bad = await sandbox.run(['accounts', 'activity', '--id', accountId, '--days', days]);
      assert.equal(bad.code, 2, days);
      assert.match(bad.err, /--days/);
    }
    const unknown = await sandbox.run(['accounts', 'activity', '--bhxh', '0999999999']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no account/);
    const none = await sandbox.run(['accounts', 'activity']);
    assert.equal(none.code, 2);
  });
});
