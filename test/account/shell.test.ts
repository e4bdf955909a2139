// The account page's shell: signing in through our own sign-in page, landing back on the page asked for, the
// account session's limits (idle time, the provider session, a disabled account), "confirm it's you", sign-out, and
// the refusals of a forged or replayed callback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { confirmIdentity, signInToAccount } from '../helpers/account.js';
import { Browser } from '../helpers/browser.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';

describe('account page: sign-in, session, sign-out', () => {
  let t: TestServer;
  const clock = testClock();

  before(async () => {
    t = await startTestServer({ clock, env: { ACCOUNT_REAUTH_SECONDS: '300', ACCOUNT_IDLE_SECONDS: '1800' } });
  });
  after(() => t.close());

  it('sends a member without a session through the sign-in and back to the section asked for', async () => {
    const m = await t.createMember({ fullName: 'Trần Thị Mai' });
    const { browser, page } = await signInToAccount(t, m, { path: '/account/profile' });
    assert.equal(new URL(page.url).pathname, '/account/profile');
    const overview = await browser.get('/account');
    assert.equal(overview.status, 200);
    assert.match(overview.html, /Thông tin tài khoản/);
    assert.match(overview.html, /Trần Thị Mai/);
    assert.match(overview.html, new RegExp(`••••••${m.bhxhNumber.slice(-4)}`));
    assert.ok(!overview.html.includes(m.bhxhNumber), 'the number is masked');
    assert.equal(overview.headers.get('cache-control'), 'no-store');
    for (const section of ['profile', 'email', 'phone', 'password', 'sessions', 'apps', 'vneid', 'activity', 'data'])
      assert.match(overview.html, new RegExp(`href="/account/${section}"`));
    assert.match(overview.html, /href="\/session\/end\?client_id=bhxh-account[^"]*" id="sign-out"/);
  });

  it('never returns to a path outside /account', async () => {
    const browser = new Browser(t.url);
    const login = await browser.get('/account/sign-in?return=//evil.example/account');
    const m = await t.createMember();
    const page = await browser.submit(login, { bhxh_number: m.bhxhNumber, password: m.password }, '/login');
    assert.equal(new URL(page.url).pathname, '/account');
  });

  it('ends after the idle time, and with the provider session', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m);
    clock.advance(1801);
    const later = await browser.get('/account');
    // The account session is gone; the provider session still signs the member in without a password.
    assert.equal(new URL(later.url).pathname, '/account');
    const ok = await browser.get('/account');
    assert.equal(ok.status, 200);
    // The provider session ends (the member signed out elsewhere): the account page asks for the password again.
    await t.db('oidc_payloads').where({ model: 'Session' }).whereRaw(`payload->>'accountId' = ?`, [m.id]).delete();
    const again = await browser.get('/account');
    assert.match(again.html, /name="bhxh_number"/);
  });

  it('ends when the account is disabled', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m);
    // Disabled while the provider session lives on (an operator's SQL, say): the account page ends at once.
    await t.db('accounts').where({ id: m.id }).update({ status: 'disabled' });
    const stopped = new Browser(t.url);
    stopped.stopAt = (url) => url.pathname === '/account/sign-in';
    Object.assign(stopped, { cookies: (browser as unknown as { cookies: unknown }).cookies });
    const page = await stopped.get('/account');
    assert.equal(new URL(page.url).pathname, '/account/sign-in');
  });

  it('asks to confirm with prompt=login and the number filled in; the new sign-in time counts', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m);
    clock.advance(400);
    const login = await browser.get('/account/sign-in?reauth=1&return=/account/password');
    assert.match(login.html, /name="password"/, 'the password is asked even though a session exists');
    assert.match(login.html, new RegExp(`value="${m.bhxhNumber}"`));
    assert.match(login.html, /xác nhận đó là bạn/);
    const back = await confirmIdentity(browser, m, '/account/password');
    assert.equal(new URL(back.url).pathname, '/account/password');
    // The new sign-in counts from now on the server's clock: the section offers its form, not "confirm it's you".
    assert.doesNotMatch(back.html, /id="confirm-identity"/);
  });

  it('signs out through the provider and forgets the account session', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m);
    const overview = await browser.get('/account');
    const href = /href="([^"]+)" id="sign-out"/.exec(overview.html)![1]!.replace(/&amp;/g, '&');
    const confirm = await browser.get(href);
    const done = await browser.submit(confirm, { logout: 'yes' });
    assert.equal(new URL(done.url).pathname, '/account/signed-out');
    assert.match(done.html, /Bạn đã đăng xuất/);
    const again = await browser.get('/account');
    assert.match(again.html, /name="bhxh_number"/);
  });

  it('refuses a callback with an unknown state, a replayed one, or another browser', async () => {
    const browser = new Browser(t.url);
    const forged = await browser.get('/account/callback?code=x&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(forged.status, 400);
    assert.match(forged.html, /Chưa đăng nhập được/);
    assert.match(forged.html, /href="\/account\/sign-in/);

    const m = await t.createMember();
    const victim = new Browser(t.url);
    let callbackUrl = '';
    victim.stopAt = (url) => {
      if (url.pathname === '/account/callback') callbackUrl = url.href;
      return url.pathname === '/account/callback';
    };
    const login = await victim.get('/account');
    await victim.submit(login, { bhxh_number: m.bhxhNumber, password: m.password }, '/login');
    assert.ok(callbackUrl);
    // Another browser cannot take the code (the round trip is bound to the browser that began it).
    const attacker = new Browser(t.url);
    const stolen = await attacker.get(callbackUrl);
    assert.equal(stolen.status, 400);
    // The attacker's attempt spent nothing: the member's own browser still finishes, once.
    victim.stopAt = () => false;
    const own = await victim.get(callbackUrl);
    assert.equal(new URL(own.url).pathname, '/account');
    assert.equal(own.status, 200);
    const replay = await new Browser(t.url).get(callbackUrl);
    assert.equal(replay.status, 400);
  });

  it('says the sign-in was cancelled when the member cancels it', async () => {
    const browser = new Browser(t.url);
    const login = await browser.get('/account');
    const cancel = /href="([^"]*abort[^"]*)"/.exec(login.html)?.[1];
    assert.ok(cancel, 'the sign-in page offers a cancel link');
    const page = await browser.get(cancel.replace(/&amp;/g, '&'));
    assert.equal(page.status, 200);
    assert.match(page.html, /Chưa đăng nhập được/);
  });
});
