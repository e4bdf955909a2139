// bhxh-id accounts sessions | end-sessions | grants | revoke-grant (issue 16, item 12): an operator lists a member's
// sessions and apps and ends them the way the account page does (src/oidc/account-sessions.ts): the rows with their
// grants' tokens, audited with the operator, noticed on every channel; another member's session or grant is refused
// like an unknown one, with nothing touched.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createCliSandbox, type CliRun, type CliSandbox } from '../helpers/cli.js';

const id = () => crypto.randomBytes(12).toString('base64url');

describe('bhxh-id accounts sessions and grants', () => {
  let sandbox: CliSandbox;
  const cli = (args: string[]): Promise<CliRun> => sandbox.run(args);
  /** Rows as oidc-provider and the device middleware leave them, by account. */
  const rows = {
    a: { id: '', s1: { id: id(), uid: id() }, s2: { id: id(), uid: id() }, g1: id(), g2: id(), r1: id(), r2: id() },
    b: { id: '', s3: { id: id(), uid: id() }, g3: id() },
  };

  before(async () => {
    sandbox = await createCliSandbox('account-sessions');
    sandbox.env.KEYS_ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
    for (const [key, number, email] of [
      ['a', '0212345670', 'cli.sessions.a@example.vn'],
      ['b', '0212345671', 'cli.sessions.b@example.vn'],
    ] as const) {
      const created = await cli([
        'accounts',
        'create',
        '--bhxh',
        number,
        '--name',
        'Lê Văn Thử',
        '--birthdate',
        '1980-01-02',
        '--email',
        email,
        '--phone',
        key === 'a' ? '0912000771' : '0912000772',
        '--temporary',
      ]);
      assert.equal(created.code, 0, created.err);
      rows[key].id = created.json.account.id;
    }
    const now = Math.floor(Date.now() / 1000);
    const later = new Date(Date.now() + 3600_000);
    const session = (s: { id: string; uid: string }, accountId: string, authorizations: object, loginTs: number) => ({
      model: 'Session',
      id: s.id,
      uid: s.uid,
      account_id: accountId,
      payload: JSON.stringify({ jti: s.id, uid: s.uid, kind: 'Session', accountId, loginTs, authorizations }),
      expires_at: later,
    });
    const grant = (grantId: string, accountId: string) => ({
      model: 'Grant',
      id: grantId,
      account_id: accountId,
      payload: JSON.stringify({
        jti: grantId,
        kind: 'Grant',
        accountId,
        clientId: 'portal',
        openid: { scope: 'openid profile offline_access' },
        iat: now - 100,
      }),
      expires_at: later,
    });
    const refresh = (tokenId: string, grantId: string, accountId: string) => ({
      model: 'RefreshToken',
      id: tokenId,
      grant_id: grantId,
      account_id: accountId,
      payload: JSON.stringify({ jti: tokenId, kind: 'RefreshToken', grantId, accountId, clientId: 'portal' }),
      expires_at: later,
    });
    const { a, b } = rows;
    const db = sandbox.openDb();
    try {
      await db('oidc_payloads').insert([
        session(a.s1, a.id, { portal: { sid: 'sid-1', grantId: a.g1 } }, now - 50),
        session(a.s2, a.id, { portal: { sid: 'sid-2', grantId: a.g2 } }, now - 10),
        session(b.s3, b.id, { portal: { sid: 'sid-3', grantId: b.g3 } }, now - 10),
        grant(a.g1, a.id),
        grant(a.g2, a.id),
        grant(b.g3, b.id),
        refresh(a.r1, a.g1, a.id),
        refresh(a.r2, a.g2, a.id),
      ]);
      await db('session_devices').insert({
        session_uid: a.s1.uid,
        account_id: a.id,
        user_agent:
          'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
        network: '203.0.113.0/24',
        first_seen_at: new Date(),
        last_seen_at: new Date(),
      });
    } finally {
      await db.destroy();
    }
  });
  after(() => sandbox.close());

  async function inDb<T>(read: (db: ReturnType<CliSandbox['openDb']>) => Promise<T>): Promise<T> {
    const db = sandbox.openDb();
    try {
      return await read(db);
    } finally {
      await db.destroy();
    }
  }
  const exists = (model: string, rowId: string) =>
    inDb(async (db) => Boolean(await db('oidc_payloads').where({ model, id: rowId }).first()));

  it("lists a member's sessions with device facts and her apps with their grants", async () => {
    const sessions = await cli(['accounts', 'sessions', '--bhxh', '0212345670']);
    assert.equal(sessions.code, 0, sessions.err);
    assert.equal(sessions.json.account_id, rows.a.id);
    assert.deepEqual(
      sessions.json.sessions.map((s: { uid: string }) => s.uid).sort(),
      [rows.a.s1.uid, rows.a.s2.uid].sort(),
    );
    const s1 = sessions.json.sessions.find((s: { uid: string }) => s.uid === rows.a.s1.uid);
    assert.equal(s1.browser, 'Chrome');
    assert.equal(s1.system, 'Android');
    assert.equal(s1.network, '203.0.113.0/24');
    assert.deepEqual(s1.clients, ['portal']);

    const grants = await cli(['accounts', 'grants', '--id', rows.a.id]);
    assert.equal(grants.code, 0, grants.err);
    assert.equal(grants.json.apps.length, 1);
    assert.equal(grants.json.apps[0].client_id, 'portal');
    assert.deepEqual(grants.json.apps[0].grant_ids.sort(), [rows.a.g1, rows.a.g2].sort());
    assert.deepEqual(grants.json.apps[0].scopes, ['openid', 'profile', 'offline_access']);
  });

  it('refuses bad usage with exit code 2', async () => {
    const base = ['accounts', 'end-sessions', '--bhxh', '0212345670'];
    assert.equal((await cli([...base, '--all'])).code, 2, 'the operator is required');
    assert.equal((await cli([...base, '--operator', 'HN-0421'])).code, 2, '--all or --session');
    assert.equal((await cli([...base, '--all', `--session=${rows.a.s1.uid}`, '--operator', 'HN-0421'])).code, 2);
    const revoke = ['accounts', 'revoke-grant', '--bhxh', '0212345670', '--operator', 'HN-0421'];
    assert.equal((await cli(revoke)).code, 2, '--client or --grant');
    // An id may begin with "-" (nanoids and base64url ids do): it is still the option's value, not a usage mistake.
    const dashed = await cli([...base, '--session', '-abc', '--operator', 'HN-0421']);
    assert.equal(dashed.code, 1, dashed.err);
    assert.match(dashed.err, /no live session -abc/);
    assert.equal((await cli([...revoke, '--client', 'portal', `--grant=${rows.a.g1}`])).code, 2);
  });

  // NOTE: ids are nanoids and may begin with "-": operators write --session=ID (node's parseArgs takes "--session -x"
  // for a missing value); the tests always do, so a random id never turns into a usage error.
  it("refuses another member's session and grant like unknown ones, touching nothing", async () => {
    const session = await cli([
      'accounts',
      'end-sessions',
      '--bhxh',
      '0212345670',
      `--session=${rows.b.s3.uid}`,
      '--operator',
      'HN-0421',
    ]);
    assert.equal(session.code, 1);
    assert.match(session.err, /no live session/);
    assert.equal(session.err.trim().split('\n').length, 1, session.err);
    const grant = await cli([
      'accounts',
      'revoke-grant',
      '--bhxh',
      '0212345670',
      `--grant=${rows.b.g3}`,
      '--operator',
      'HN-0421',
    ]);
    assert.equal(grant.code, 1);
    assert.match(grant.err, /holds no grant/);
    assert.equal(await exists('Session', rows.b.s3.id), true);
    assert.equal(await exists('Grant', rows.b.g3), true);
    assert.equal(await exists('Session', rows.a.s1.id), true);
  });

  it('ends one session with its grant and tokens, audited with the operator and noticed', async () => {
    const ended = await cli([
      'accounts',
      'end-sessions',
      '--bhxh',
      '0212345670',
      `--session=${rows.a.s1.uid}`,
      '--operator',
      'HN-0421',
    ]);
    assert.equal(ended.code, 0, ended.err);
    assert.deepEqual(ended.json.ended, [rows.a.s1.uid]);
    assert.equal(await exists('Session', rows.a.s1.id), false);
    assert.equal(await exists('Grant', rows.a.g1), false);
    assert.equal(await exists('RefreshToken', rows.a.r1), false);
    assert.equal(await exists('Session', rows.a.s2.id), true);
    assert.equal(await exists('RefreshToken', rows.a.r2), true);
    await inDb(async (db) => {
      const audit = await db('audit_events').where({ account_id: rows.a.id, type: 'session.ended' }).first();
      const detail = typeof audit.detail === 'string' ? JSON.parse(audit.detail) : audit.detail;
      assert.deepEqual(detail, { via: 'cli', operator: 'HN-0421', scope: 'one', sessions: 1 });
      const notices = await db('outbox').where({ purpose: 'sessions_ended' }).select('channel', 'recipient');
      assert.deepEqual(notices.map((n: { channel: string }) => n.channel).sort(), ['email', 'sms']);
      assert.equal(await db('session_devices').where({ session_uid: rows.a.s1.uid }).first(), undefined);
    });
  });

  it("removes an app's access: its grants and tokens, and its place in the member's sessions", async () => {
    const removed = await cli([
      'accounts',
      'revoke-grant',
      '--bhxh',
      '0212345670',
      '--client',
      'portal',
      '--operator',
      'HN-0421',
    ]);
    assert.equal(removed.code, 0, removed.err);
    assert.equal(removed.json.removed.client_id, 'portal');
    assert.equal(await exists('Grant', rows.a.g2), false);
    assert.equal(await exists('RefreshToken', rows.a.r2), false);
    assert.equal(await exists('Session', rows.a.s2.id), true, 'the session stays');
    await inDb(async (db) => {
      const row = await db('oidc_payloads').where({ model: 'Session', id: rows.a.s2.id }).first();
      const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
      assert.deepEqual(payload.authorizations, {}, 'without the app');
      const audit = await db('audit_events').where({ account_id: rows.a.id, type: 'grant.revoked' }).first();
      assert.equal(audit.client_id, 'portal');
      const detail = typeof audit.detail === 'string' ? JSON.parse(audit.detail) : audit.detail;
      assert.equal(detail.operator, 'HN-0421');
      assert.equal((await db('outbox').where({ purpose: 'app_access_removed' })).length, 2);
    });
    assert.deepEqual((await cli(['accounts', 'grants', '--bhxh', '0212345670'])).json.apps, []);
    const again = await cli([
      'accounts',
      'revoke-grant',
      '--bhxh',
      '0212345670',
      '--client',
      'portal',
      '--operator',
      'HN-0421',
    ]);
    assert.equal(again.code, 1);
  });

  it('ends every session with --all; the other member keeps hers', async () => {
    const all = await cli(['accounts', 'end-sessions', '--bhxh', '0212345670', '--all', '--operator', 'HN-0421']);
    assert.equal(all.code, 0, all.err);
    assert.deepEqual(all.json.ended, [rows.a.s2.uid]);
    assert.deepEqual((await cli(['accounts', 'sessions', '--bhxh', '0212345670'])).json.sessions, []);
    assert.equal((await cli(['accounts', 'sessions', '--bhxh', '0212345671'])).json.sessions.length, 1);
    assert.equal(await exists('Grant', rows.b.g3), true);
  });
});
