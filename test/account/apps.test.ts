// The account page's "apps with access" (issue 16, item 8), with a real relying party: openid-client gets a refresh
// token through the consent page; the member removes its access on the page; then the refresh fails with
// invalid_grant, introspection says inactive, a back-channel logout reaches the client's registered URI, the app
// must ask for consent again, and the removal is audited and noticed. Another member's app, an unknown one and the
// account page itself are refused with nothing touched.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { signInToAccount } from '../helpers/account.js';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem, signInOnPage } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { appAccessRemovedEmail, appAccessRemovedSms } from '../../src/notify/templates.js';

const PARTNER_REDIRECT = 'https://doitac.example.vn/callback';

describe('account page: apps with access', () => {
  let t: TestServer;
  let partner: oidc.Configuration;
  let receiver: http.Server;
  const logouts: string[] = [];

  before(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/backchannel') logouts.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    t = await startTestServer();
    const client = await t.createClient(
      {
        client_id: 'doitac-apps',
        client_name: 'Ứng dụng Đối tác',
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [PARTNER_REDIRECT],
        backchannel_logout_uri: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`,
        backchannel_logout_session_required: true,
      },
      { firstParty: false },
    );
    partner = await discover(t.url, 'doitac-apps', oidc.ClientSecretBasic(client.clientSecret!));
  });
  after(async () => {
    await t.close();
    await new Promise<void>((resolve) => {
      receiver.close(() => resolve());
      receiver.closeAllConnections();
    });
  });

  async function member() {
    const tag = crypto.randomBytes(4).toString('hex');
    return t.createMember({
      email: `apps.${tag}@example.vn`,
      phoneNumber: `+8493${String(crypto.randomInt(0, 10_000_000)).padStart(7, '0')}`,
    });
  }

  /** The member allows the partner on the consent page; returns the browser and the tokens. */
  async function allowPartner(m: { bhxhNumber: string; password: string }, browser = new Browser(t.url)) {
    const request = await authorizationRequest(partner, {
      redirect_uri: PARTNER_REDIRECT,
      scope: 'openid profile bhxh offline_access',
      prompt: 'consent',
    });
    const consent = await signInOnPage(browser, request, m.bhxhNumber, m.password);
    assert.match(consent.html, /<ul class="scopes">/, 'the consent page');
    const end = await browser.submit(consent, {}, '/confirm');
    const tokens = await redeem(partner, request, end.url);
    assert.ok(tokens.refresh_token, 'a refresh token');
    return { browser, tokens };
  }

  const apps = (page: Page) =>
    [...page.html.matchAll(/<li id="app-\d+" data-client="([^"]+)">([\s\S]*?)<\/form>\s*<\/li>/g)].map((m) => ({
      clientId: m[1]!,
      html: m[2]!,
    }));

  it('lists the app by name with what it may see in plain words and since when; the account page is not listed', async () => {
    const m = await member();
    const { browser } = await allowPartner(m);
    // Signed in already (the app's sign-in): the account page needs no password.
    assert.equal((await browser.get('/account')).status, 200);
    const page = await browser.get('/account/apps');
    assert.equal(page.status, 200);
    const listed = apps(page);
    assert.deepEqual(
      listed.map((a) => a.clientId),
      ['doitac-apps'],
    );
    const item = listed[0]!.html;
    assert.match(item, /<strong>Ứng dụng Đối tác<\/strong>/);
    for (const words of ['Định danh tài khoản của bạn', 'Họ tên và ngày sinh', 'Mã số BHXH', 'Duy trì đăng nhập'])
      assert.ok(item.includes(words), `${words} in ${item}`);
    assert.doesNotMatch(item, /<li>(openid|profile|bhxh|offline_access)<\/li>/, 'no raw scope names');
    assert.match(item, /Cấp quyền từ/);
    assert.match(item, /\d{2}\/\d{2}\/\d{4} lúc \d{2}:\d{2}/);
    assert.doesNotMatch(page.html, /data-client="bhxh-account"/, "the account page's own client is never listed");
  });

  it('removes access: refresh fails, introspection says inactive, back-channel logout, consent asked again', async () => {
    const m = await member();
    const account = (await t.server.deps.accounts.findById(m.id))!;
    const { browser, tokens } = await allowPartner(m);
    const sid = tokens.claims()!.sid;
    assert.equal((await oidc.tokenIntrospection(partner, tokens.access_token)).active, true);
    // Signed in already (the app's sign-in): the account page needs no password.
    assert.equal((await browser.get('/account')).status, 200);
    const page = await browser.get('/account/apps');
    const before = logouts.length;

    const done = await browser.submit(page, {}, '/account/apps/remove');
    assert.equal(done.status, 200);
    assert.equal(new URL(done.url).searchParams.get('done'), 'removed', 'post/redirect/get');
    assert.match(done.html, /Đã gỡ quyền truy cập của ứng dụng/);
    assert.equal(apps(done).length, 0);
    assert.match(done.html, /id="no-apps"/);

    await assert.rejects(
      oidc.refreshTokenGrant(partner, tokens.refresh_token!),
      (err: { error?: string }) => err.error === 'invalid_grant',
    );
    assert.equal((await oidc.tokenIntrospection(partner, tokens.access_token)).active, false);

    const deadline = Date.now() + 5000;
    while (logouts.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(logouts.length, before + 1, 'one back-channel logout');
    const logoutToken = new URLSearchParams(logouts[before]!).get('logout_token')!;
    const { payload } = await jose.jwtVerify(logoutToken, jose.createRemoteJWKSet(new URL(`${t.url}/jwks`)), {
      issuer: t.url,
      audience: 'doitac-apps',
    });
    assert.equal(payload.sub, m.id);
    assert.equal(payload.sid, sid);

    // The member is still signed in here (the account page works), but the app must ask for consent again.
    assert.equal((await browser.get('/account')).status, 200);
    const again = await browser.get(
      (await authorizationRequest(partner, { redirect_uri: PARTNER_REDIRECT, scope: 'openid profile' })).url.href,
    );
    assert.match(again.html, /<ul class="scopes">/, 'consent is asked again');

    const audit = await t.db('audit_events').where({ account_id: m.id, type: 'grant.revoked' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].client_id, 'doitac-apps');
    const notices = await t
      .db('outbox')
      .where({ purpose: 'app_access_removed' })
      .whereIn('recipient', [account.email!, account.phoneNumber!])
      .select('channel');
    assert.deepEqual(notices.map((n: { channel: string }) => n.channel).sort(), ['email', 'sms']);
  });

  it("refuses another member's app, an unknown one and the account page's own, touching nothing", async () => {
    const victim = await member();
    const { tokens: victimTokens } = await allowPartner(victim);
    const attacker = await member();
    const { browser } = await signInToAccount(t, attacker);
    assert.match((await browser.get('/account/apps')).html, /id="no-apps"/);
    const csrf = /name="csrf" value="([^"]+)"/.exec((await browser.get('/account/password')).html)![1]!;
    const cases: Array<[string, number]> = [
      ['doitac-apps', 422],
      ['bhxh-account', 422],
      ['no-such-app', 422],
      ['', 400],
      ['x'.repeat(300), 400],
    ];
    for (const [client, status] of cases) {
      const answer = await browser.request('/account/apps/remove', { form: { csrf, client } });
      assert.equal(answer.status, status, client);
      assert.match(answer.html, /Ứng dụng này hiện không có quyền truy cập tài khoản của bạn/);
    }
    // The victim's app still works, and nothing was audited.
    assert.ok((await oidc.refreshTokenGrant(partner, victimTokens.refresh_token!)).access_token);
    assert.equal(
      (await t.db('audit_events').where({ type: 'grant.revoked' }).whereIn('account_id', [victim.id, attacker.id]))
        .length,
      0,
    );
    // Without the CSRF token nothing happens either.
    const forged = await browser.request('/account/apps/remove', { form: { client: 'doitac-apps' } });
    assert.ok(forged.status >= 400 && forged.status < 500);
  });

  it('names the app in the email and says it plainly in one SMS segment', () => {
    const email = appAccessRemovedEmail({
      when: new Date(),
      issuer: 'https://id.example.vn',
      app: 'Ứng dụng <Đối tác>',
    });
    assert.ok(email.html.includes('Ứng dụng &lt;Đối tác&gt;'), 'escaped in HTML');
    assert.ok(email.text.indexOf('Quyền truy cập') < email.text.indexOf('access of the app'), 'Vietnamese first');
    assert.match(appAccessRemovedSms({ when: new Date() }).text, /^BHXH: Quyen truy cap/);
  });
});
