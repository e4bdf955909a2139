// The account page's "where you are signed in" (issue 16, item 7): each session's device and browser in plain words,
// first and last seen, its network (never the address); "this device" marked; signing out one session or every other
// one ends it with its relying parties' grants and tokens, sends back-channel logout, is audited and noticed; a
// recent sign-in is needed; a session uid that is not the member's own is refused with nothing touched.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signInToAccount } from '../helpers/account.js';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem } from '../helpers/oidc.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { describeUserAgent } from '../../src/oidc/account-sessions.js';
import { coarseNetwork } from '../../src/security/client-address.js';
import { sweepOrphanSessionDevices } from '../../src/oidc/session-devices.js';
import { sessionsEndedSms } from '../../src/notify/templates.js';

const REDIRECT = 'https://dichvucong.example.vn/auth/callback';
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const WINDOWS_EDGE =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0';

describe('device and network in plain words', () => {
  it('names the browser and the system, or says what it does not know', () => {
    assert.deepEqual(describeUserAgent(ANDROID_CHROME), { browser: 'Chrome', system: 'Android' });
    assert.deepEqual(describeUserAgent(IPHONE_SAFARI), { browser: 'Safari', system: 'iPhone' });
    assert.deepEqual(describeUserAgent(WINDOWS_EDGE), { browser: 'Microsoft Edge', system: 'Windows' });
    assert.deepEqual(describeUserAgent(''), {});
    assert.deepEqual(describeUserAgent(undefined), {});
    assert.equal(describeUserAgent('node').browser, undefined);
  });

  it('shows an address only as its network: IPv4 /24, IPv6 /48', () => {
    assert.equal(coarseNetwork('203.0.113.77'), '203.0.113.0/24');
    assert.equal(coarseNetwork('::ffff:198.51.100.9'), '198.51.100.0/24');
    assert.equal(coarseNetwork('2001:db8:1:2::5'), '2001:db8:1::/48');
    assert.equal(coarseNetwork('2001:DB8::1'), '2001:db8::/48');
    assert.equal(coarseNetwork('not an address'), undefined);
  });

  it('tells of ended sessions in one GSM-7 segment', () => {
    assert.match(sessionsEndedSms({ when: new Date(), count: 12 }).text, /dang xuat khoi 12 thiet bi/);
    assert.throws(() => sessionsEndedSms({ when: new Date(), count: 0 }));
  });
});

describe('account page: where you are signed in', () => {
  let t: TestServer;
  const clock = testClock();
  let portal: oidc.Configuration;
  let receiver: http.Server;
  const logouts: string[] = [];
  let logoutWaiters: Array<() => void> = [];

  before(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        logouts.push(Buffer.concat(chunks).toString('utf8'));
        for (const w of logoutWaiters.splice(0)) w();
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // One proxy in front: the address is the entry it appended (security/client-address.ts).
    t = await startTestServer({ clock, env: { ACCOUNT_REAUTH_SECONDS: '300', TRUSTED_PROXY_HOPS: '1' } });
    const client = await t.createClient(
      {
        client_id: 'dichvucong-sessions',
        client_name: 'Cổng dịch vụ công (test)',
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT],
        backchannel_logout_uri: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`,
        backchannel_logout_session_required: true,
      },
      { firstParty: true },
    );
    portal = await discover(t.url, 'dichvucong-sessions', oidc.ClientSecretBasic(client.clientSecret!));
  });
  after(async () => {
    await t.close();
    await new Promise<void>((resolve) => {
      receiver.close(() => resolve());
      receiver.closeAllConnections();
    });
  });

  async function logoutCount(n: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (logouts.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} back-channel logouts, got ${logouts.length}`);
      await new Promise<void>((resolve) => {
        logoutWaiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    logoutWaiters = [];
  }

  async function member() {
    const tag = crypto.randomBytes(4).toString('hex');
    return t.createMember({
      email: `sessions.${tag}@example.vn`,
      phoneNumber: `+8492${String(crypto.randomInt(0, 10_000_000)).padStart(7, '0')}`,
    });
  }

  /** A browser with its own user agent and address (through the one trusted proxy). */
  function device(userAgent: string, address: string): Browser {
    const browser = new Browser(t.url);
    browser.headers = () => ({ 'user-agent': userAgent, 'x-forwarded-for': `10.9.9.9, ${address}` });
    return browser;
  }

  /** Signs a browser in to the account page and to the portal (with a refresh token); returns the tokens. */
  async function signedIn(m: { bhxhNumber: string; password: string }, browser: Browser) {
    await signInToAccount(t, m, { browser });
    const request = await authorizationRequest(portal, {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = await redeem(portal, request, (await browser.get(request.url.href)).url);
    assert.ok(tokens.refresh_token);
    return tokens;
  }

  const items = (page: Page) =>
    [...page.html.matchAll(/<li id="session-([^"]+)"[^>]*>([\s\S]*?)<\/li>/g)].map((m) => ({
      uid: m[1]!,
      html: m[2]!,
    }));

  it('lists each session with device, browser, first and last seen and network, this device marked', async () => {
    const m = await member();
    const phone = device(ANDROID_CHROME, '203.0.113.77');
    await signedIn(m, phone);
    clock.advance(120);
    const iphone = device(IPHONE_SAFARI, '2001:db8:1:2::5');
    await signInToAccount(t, m, { browser: iphone });
    const page = await iphone.get('/account/sessions');
    assert.equal(page.status, 200);
    const listed = items(page);
    assert.equal(listed.length, 2);
    // Newest first: this iPhone, then the Android phone.
    assert.match(listed[0]!.html, /Safari trên iPhone/);
    assert.match(listed[0]!.html, /<span class="badge">Thiết bị này<\/span>/);
    assert.match(listed[0]!.html, /2001:db8:1::\/48/);
    assert.doesNotMatch(listed[0]!.html, /<form/, 'no sign-out button for this device (the bar has one)');
    assert.match(listed[1]!.html, /Chrome trên Android/);
    assert.doesNotMatch(listed[1]!.html, /Thiết bị này/);
    assert.match(listed[1]!.html, /203\.0\.113\.0\/24/);
    assert.match(listed[1]!.html, /\d{2}\/\d{2}\/\d{4} lúc \d{2}:\d{2}/);
    assert.match(listed[1]!.html, /action="\/account\/sessions\/end"/);
    assert.ok(!page.html.includes('203.0.113.77') && !page.html.includes('2001:db8:1:2::5'), 'never the address');
    assert.match(page.html, /id="end-others"/);

    // English on request.
    const english = await iphone.get('/account/sessions?lang=en');
    assert.match(english.html, /Safari on iPhone/);
    assert.match(english.html, /This device/);
    await iphone.get('/account/sessions?lang=vi');
  });

  it('sweeps the rows of sessions that are gone, and only those', async () => {
    const m = await member();
    await signInToAccount(t, m, { browser: device(WINDOWS_EDGE, '198.51.100.25') });
    await t.db('session_devices').insert({
      session_uid: 'GoneSessionUid',
      account_id: m.id,
      user_agent: WINDOWS_EDGE,
      network: '198.51.100.0/24',
      first_seen_at: clock.now(),
      last_seen_at: clock.now(),
    });
    assert.ok((await sweepOrphanSessionDevices(t.db)) >= 1);
    const left = await t.db('session_devices').where({ account_id: m.id }).select('session_uid');
    assert.equal(left.length, 1);
    assert.notEqual(left[0].session_uid, 'GoneSessionUid');
  });

  it('moves last seen at most once a minute', async () => {
    const m = await member();
    const browser = device(WINDOWS_EDGE, '198.51.100.20');
    await signInToAccount(t, m, { browser });
    const row = async () => t.db('session_devices').where({ account_id: m.id }).first();
    const first = await row();
    assert.ok(first);
    // Another authorization request from the same session 30 s later: nothing written.
    clock.advance(30);
    await browser.get('/account/sign-in?return=/account');
    assert.equal(new Date((await row()).last_seen_at).getTime(), new Date(first.last_seen_at).getTime());
    clock.advance(31);
    await browser.get('/account/sign-in?return=/account');
    const later = await row();
    assert.equal(new Date(later.last_seen_at).getTime() - new Date(first.last_seen_at).getTime(), 61_000);
    assert.equal(new Date(later.first_seen_at).getTime(), new Date(first.first_seen_at).getTime());
  });

  it('signs one session out: its apps lose their tokens and hear a back-channel logout; audited and noticed', async () => {
    const m = await member();
    const account = (await t.server.deps.accounts.findById(m.id))!;
    const phone = device(ANDROID_CHROME, '203.0.113.78');
    const phoneTokens = await signedIn(m, phone);
    const laptop = device(WINDOWS_EDGE, '198.51.100.21');
    await signInToAccount(t, m, { browser: laptop });
    const page = await laptop.get('/account/sessions');
    const target = items(page).find((i) => i.html.includes('Android'))!;
    const before = logouts.length;

    const done = await laptop.submit(page, {}, '/account/sessions/end');
    assert.equal(done.status, 200);
    assert.equal(new URL(done.url).searchParams.get('done'), 'one', 'post/redirect/get');
    assert.match(done.html, /Đã đăng xuất khỏi thiết bị đó/);
    assert.equal(items(done).length, 1, 'only this device is left');
    assert.ok(!items(done).some((i) => i.uid === target.uid));

    await logoutCount(before + 1);
    const token = new URLSearchParams(logouts[before]!).get('logout_token')!;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    assert.equal(claims.sub, m.id);
    assert.equal(claims.sid, phoneTokens.claims()!.sid, 'the logout names the session that ended');
    await assert.rejects(
      oidc.refreshTokenGrant(portal, phoneTokens.refresh_token!),
      (err: { error?: string }) => err.error === 'invalid_grant',
    );
    // The phone's account page asks for the password again; the laptop stays.
    assert.match((await phone.get('/account')).html, /name="bhxh_number"/);
    assert.equal((await laptop.get('/account')).status, 200);

    const audit = await t.db('audit_events').where({ account_id: m.id, type: 'session.ended' });
    assert.equal(audit.length, 1);
    const detail = typeof audit[0].detail === 'string' ? JSON.parse(audit[0].detail) : audit[0].detail;
    assert.deepEqual(detail, { via: 'account', scope: 'one', sessions: 1 });
    const notices = await t
      .db('outbox')
      .where({ purpose: 'sessions_ended' })
      .whereIn('recipient', [account.email!, account.phoneNumber!])
      .select('channel');
    assert.deepEqual(notices.map((n: { channel: string }) => n.channel).sort(), ['email', 'sms']);
    assert.equal(await t.db('session_devices').where({ session_uid: target.uid }).first(), undefined);
  });

  it('signs out everywhere else and keeps this browser', async () => {
    const m = await member();
    const a = device(ANDROID_CHROME, '203.0.113.79');
    const aTokens = await signedIn(m, a);
    const b = device(IPHONE_SAFARI, '203.0.113.80');
    await signInToAccount(t, m, { browser: b });
    const here = device(WINDOWS_EDGE, '198.51.100.22');
    const hereTokens = await signedIn(m, here);
    const page = await here.get('/account/sessions');
    assert.equal(items(page).length, 3);
    const done = await here.submit(page, {}, '/account/sessions/end-others');
    assert.equal(new URL(done.url).searchParams.get('done'), 'others');
    assert.match(done.html, /Đã đăng xuất khỏi mọi nơi khác/);
    assert.equal(items(done).length, 1);
    assert.match(done.html, /id="only-this"/);
    assert.match((await a.get('/account')).html, /name="bhxh_number"/);
    assert.match((await b.get('/account')).html, /name="bhxh_number"/);
    await assert.rejects(
      oidc.refreshTokenGrant(portal, aTokens.refresh_token!),
      (err: { error?: string }) => err.error === 'invalid_grant',
    );
    // This browser's own app keeps its tokens.
    assert.ok((await oidc.refreshTokenGrant(portal, hereTokens.refresh_token!)).access_token);
    // With nobody else left, the same post ends nothing and says so.
    const again = await here.request('/account/sessions/end-others', {
      form: { csrf: /name="csrf" value="([^"]+)"/.exec(page.html)![1]! },
    });
    assert.equal(new URL(again.url).searchParams.get('done'), 'none');
    assert.equal((await t.db('audit_events').where({ account_id: m.id, type: 'session.ended' })).length, 1);
  });

  it("refuses an unknown uid, this device's, and another member's session, touching nothing", async () => {
    const victim = await member();
    const victimBrowser = device(ANDROID_CHROME, '203.0.113.81');
    await signInToAccount(t, victim, { browser: victimBrowser });
    const victimUid = (await t.db('session_devices').where({ account_id: victim.id }).first()).session_uid as string;

    const attacker = await member();
    const browser = device(WINDOWS_EDGE, '198.51.100.23');
    await signInToAccount(t, attacker, { browser });
    const page = await browser.get('/account/sessions');
    const own = items(page)[0]!.uid;
    // Alone on the account, the list has no form: the password section's carries the same token.
    const csrf = /name="csrf" value="([^"]+)"/.exec((await browser.get('/account/password')).html)![1]!;
    const post = (session: string) => browser.request('/account/sessions/end', { form: { csrf, session } });

    const cases: Array<[string, number, RegExp]> = [
      [victimUid, 422, /Không tìm thấy nơi đăng nhập này/],
      ['UnknownSessionUid0123456789', 422, /Không tìm thấy nơi đăng nhập này/],
      [own, 422, /Đây là thiết bị bạn đang dùng/],
      ['', 400, /Không tìm thấy nơi đăng nhập này/],
      ['../../etc', 400, /Không tìm thấy nơi đăng nhập này/],
    ];
    for (const [session, status, message] of cases) {
      const answer = await post(session);
      assert.equal(answer.status, status, session);
      assert.match(answer.html, message);
      assert.match(answer.html, /id="sessions"/, 'the list again');
      assert.match(
        answer.html,
        /class="lang" href="\/account\/sessions\?lang=en"/,
        "the switch goes to the section's page",
      );
    }
    // The victim is still signed in, and nothing was ended or audited anywhere.
    assert.equal((await victimBrowser.get('/account')).status, 200);
    assert.ok(await t.db('oidc_payloads').where({ model: 'Session', uid: victimUid }).first());
    assert.equal(
      (await t.db('audit_events').where({ type: 'session.ended' }).whereIn('account_id', [victim.id, attacker.id]))
        .length,
      0,
    );
    // Without the CSRF token nothing happens either.
    const forged = await browser.request('/account/sessions/end-others', { form: {} });
    assert.ok(forged.status >= 400 && forged.status < 500);
    assert.equal(items(await browser.get('/account/sessions')).length, 1);
  });

  it('needs a recent sign-in to sign a session out', async () => {
    const m = await member();
    const other = device(ANDROID_CHROME, '203.0.113.82');
    await signInToAccount(t, m, { browser: other });
    const browser = device(WINDOWS_EDGE, '198.51.100.24');
    await signInToAccount(t, m, { browser });
    const page = await browser.get('/account/sessions');
    clock.advance(301);
    const refused = await browser.submit(page, {}, '/account/sessions/end');
    assert.equal(new URL(refused.url).searchParams.get('confirm'), '1');
    assert.match(refused.html, /id="confirm-identity"/);
    assert.match(refused.html, /Chưa có thay đổi nào được lưu/);
    assert.equal(items(refused).length, 2, 'nothing ended; the list is still shown');
    assert.doesNotMatch(refused.html, /action="\/account\/sessions\/end/, 'the buttons wait for the confirmation');
    assert.equal((await other.get('/account')).status, 200);
  });
});
