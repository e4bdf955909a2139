// The account page's "Dữ liệu của tôi": the JSON download holds each part (account, addresses, VNeID links, sessions,
// grants, audit events) and no secret — no password hash, no password, no code, no token, no session id: the whole
// text is searched for each. It needs a recent sign-in and the CSRF token, and is audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LEFT_OUT_ACCOUNT_COLUMNS } from '../../src/flows/account/data.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { ageAccountSignIn, confirmIdentity, signInToAccount } from '../helpers/account.js';
import { Browser, type Page } from '../helpers/browser.js';
import { discover, type oidc, signIn } from '../helpers/oidc.js';
import { formOf, requestCode } from '../helpers/recovery.js';
import { randomNationalId } from '../helpers/vneid.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';

const redirect_uri = 'http://127.0.0.1/callback';

describe('account page: my data', () => {
  let t: TestServer;
  let config: oidc.Configuration;
  const clock = testClock();

  before(async () => {
    t = await startTestServer({ clock, env: { ACCOUNT_REAUTH_SECONDS: '300' } });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(() => t.close());

  /** Posts the download form without following anything: the answer is the file itself. */
  async function download(browser: Browser, page: Page) {
    const { action, hidden } = formOf(page, '/account/data/download');
    const res = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: browser.cookieHeader(action), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(hidden),
    });
    return { res, text: await res.text() };
  }

  it('downloads every part, and not one secret anywhere in the text', async () => {
    const email = 'data.member@example.vn';
    const nationalId = randomNationalId();
    const m = await t.createMember({ fullName: 'Hoàng Văn Dữ', email, nationalId, phoneNumber: '+84912345678' });
    // A VNeID link, an app holding tokens, and a reset code in flight: each leaves secrets in the database.
    await t.server.deps.federatedIdentities.link({
      issuer: 'https://vneid.example.gov.vn',
      subject: `sub-${nationalId}`,
      accountId: m.id,
      nationalId,
      linkedBy: 'national_id',
    });
    const app = await signIn(t.url, config, m, {
      redirect_uri,
      scope: 'openid profile offline_access',
      prompt: 'consent',
    });
    assert.ok(app.tokens.refresh_token && app.tokens.access_token);
    const recovery = new Browser(t.url);
    await requestCode(recovery, t.url, await recovery.get('/recovery'), m.bhxhNumber, email);
    await t.server.outboxWorker.runOnce();
    const mailed = (await t.server.devMailbox!.list()).filter((x) => x.to === email).at(-1);
    const code = mailed!.text.match(/\b(\d{6})\b/)![1]!;
    // An audit event whose detail (against the rule) carries a secret-looking field: the file drops it.
    await t.db('audit_events').insert({
      type: 'sign_in',
      account_id: m.id,
      detail: JSON.stringify({ method: 'password', password: 'LEAKED-VALUE', nested: { accessToken: 'LEAKED-2' } }),
    });

    const { browser, page } = await signInToAccount(t, m, { path: '/account/data' });
    assert.match(page.html, /Luật số 91\/2025\/QH15/);
    assert.match(page.html, /id="data-download"/);
    const { res, text } = await download(browser, page);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="bhxh-id-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    assert.equal(res.headers.get('cache-control'), 'no-store');

    const file = JSON.parse(text);
    assert.equal(file.format, 'bhxh-id-personal-data/1');
    assert.ok(file.notes.vi.length > 0 && file.notes.en.length > 0);
    assert.equal(file.account.id, m.id);
    assert.equal(file.account.bhxh_number, m.bhxhNumber);
    assert.equal(file.account.national_id, nationalId);
    assert.equal(file.account.full_name, 'Hoàng Văn Dữ');
    assert.equal(file.account.has_password, true);
    assert.deepEqual(file.addresses, {
      email,
      email_verified: true,
      phone_number: '+84912345678',
      phone_number_verified: true,
      phone_changed_at: null,
    });
    assert.equal(file.vneid_links.length, 1);
    assert.equal(file.vneid_links[0].linked_by, 'national_id');
    assert.ok(file.sessions.length >= 2, 'the app sign-in and the account page each made a session');
    assert.ok(file.sessions.every((s: { uid: string }) => typeof s.uid === 'string' && s.uid.length > 0));
    // Each session carries what it was seen from (session_devices): the network, never the address itself.
    assert.ok(
      file.sessions.every(
        (s: { device: { network: string; last_seen_at: string } | null }) =>
          s.device && /\/24$|\/48$/.test(s.device.network) && s.device.last_seen_at,
      ),
      JSON.stringify(file.sessions),
    );
    assert.ok(
      file.sessions.some((s: { apps: Array<{ client_id: string }> }) => s.apps.some((a) => a.client_id === 'vssid')),
    );
    const grant = file.grants.find((g: { client_id: string }) => g.client_id === 'vssid');
    assert.equal(grant.client_name, 'VssID – Bảo hiểm xã hội số');
    assert.deepEqual([...grant.scopes].sort(), ['offline_access', 'openid', 'profile']);
    assert.ok(grant.granted_at);
    const types = new Set(file.audit_events.map((e: { type: string }) => e.type));
    for (const type of ['sign_in', 'consent.granted', 'recovery.code_requested']) assert.ok(types.has(type), type);
    assert.ok(
      file.audit_events.some((e: { ip: string | null }) => e.ip === '127.0.0.1'),
      'the full address',
    );
    const planted = file.audit_events.find((e: { detail: { nested?: unknown } }) => e.detail.nested);
    assert.deepEqual(planted.detail, { method: 'password', nested: {} });

    // Not one secret, anywhere in the text.
    const row = await t.db('accounts').where({ id: m.id }).first('password_hash', 'credential_version');
    const artifacts = await t.db('oidc_payloads').whereRaw(`payload->>'accountId' = ?`, [m.id]).select('model', 'id');
    const codeRows = await t.db('verification_codes').where({ account_id: m.id }).select('code_hash');
    const secrets: Array<[string, string]> = [
      ['password hash', row.password_hash],
      ['argon2', '$argon2'],
      ['password', m.password],
      ['reset code', code],
      ['refresh token', app.tokens.refresh_token!],
      ['access token', app.tokens.access_token],
      ['id token', app.tokens.id_token!],
      ['planted', 'LEAKED'],
      ...artifacts.map((a: { model: string; id: string }): [string, string] => [`${a.model} id`, a.id]),
      ...codeRows.map((c: { code_hash: string }): [string, string] => ['code hash', c.code_hash]),
    ];
    assert.ok(artifacts.some((a: { model: string }) => a.model === 'Session'));
    assert.ok(artifacts.some((a: { model: string }) => a.model === 'Grant'));
    for (const [what, secret] of secrets) {
      assert.ok(secret && secret.length >= 6, `${what} is a real value`);
      assert.ok(!text.includes(secret), `${what} is not in the file`);
    }
    assert.ok(!('credential_version' in file.account));
    assert.ok('credential_version' in file.left_out.account_columns);

    // Audited, with no secret either.
    const exported = await t.db('audit_events').where({ account_id: m.id, type: 'data.exported' });
    assert.equal(exported.length, 1);
    // The page still stands (the file was an attachment); the activity says it in plain words.
    const activity = await browser.get('/account/activity');
    assert.match(activity.html, /Tải về dữ liệu của bạn/);
  });

  it('exports every column of accounts, or names it among those left out (a new column needs a decision)', async () => {
    const m = await t.createMember();
    const { browser, page } = await signInToAccount(t, m, { path: '/account/data' });
    const file = JSON.parse((await download(browser, page)).text);
    const columns = (
      await t
        .db('information_schema.columns')
        .where({ table_name: 'accounts', table_schema: t.db.raw('current_schema()') })
        .select('column_name')
    ).map((c: { column_name: string }) => c.column_name);
    assert.ok(columns.includes('bhxh_number'));
    const decided = new Set([
      ...Object.keys(file.account),
      ...Object.keys(file.addresses),
      ...Object.keys(LEFT_OUT_ACCOUNT_COLUMNS),
    ]);
    assert.deepEqual(
      columns.filter((c: string) => !decided.has(c)),
      [],
      'export these columns in src/flows/account/data.ts, or list them in LEFT_OUT_ACCOUNT_COLUMNS with the reason',
    );
  });

  it('needs a recent sign-in: the page asks to confirm it is you, and a late post gives no file', async () => {
    const m = await t.createMember();
    const { browser, page } = await signInToAccount(t, m, { path: '/account/data' });
    await ageAccountSignIn(t.db, m.id, 3600);
    const old = await browser.get('/account/data');
    assert.match(old.html, /id="confirm-identity"/);
    assert.doesNotMatch(old.html, /id="data-download"/);
    const { res } = await download(browser, page);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/account/data?confirm=1');
    assert.equal((await t.db('audit_events').where({ account_id: m.id, type: 'data.exported' })).length, 0);
    const refused = await browser.get('/account/data?confirm=1');
    assert.match(refused.html, /Chưa có thay đổi nào được lưu|đã quá/);

    const back = await confirmIdentity(browser, m, '/account/data');
    assert.equal(new URL(back.url).pathname, '/account/data');
    const fresh = await download(browser, back);
    assert.equal(fresh.res.status, 200);
  });

  it('refuses a post without the CSRF token (403) and without the account session', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/data' });
    const forged = await browser.request('/account/data/download', { method: 'POST', form: {} });
    assert.equal(forged.status, 403);
    assert.doesNotMatch(forged.html, new RegExp(m.bhxhNumber));
    const stranger = new Browser(t.url);
    stranger.stopAt = (url) => url.pathname === '/account/sign-in';
    const out = await stranger.request('/account/data/download', { method: 'POST', form: {} });
    assert.equal(new URL(out.url).pathname, '/account/sign-in');
    assert.equal((await t.db('audit_events').where({ account_id: m.id, type: 'data.exported' })).length, 0);
  });
});
