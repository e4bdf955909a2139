// A member who forgot the password resets it by email code, from the sign-in page of an authorization request,
// then signs in with the new password; everything the account held before is revoked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem, signIn } from '../helpers/oidc.js';
import { choosePassword, enterCode, normalise, requestCode } from '../helpers/recovery.js';
import { randomBhxhNumber, randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { codeIn, startInbox, type Inbox } from '../helpers/smtp.js';
import { demoClients } from '../../src/dev/seed-demo.js';

const redirect_uri = 'http://127.0.0.1:43210/callback';

describe('password reset by email code', () => {
  let t: TestServer;
  let inbox: Inbox;
  let config: oidc.Configuration;

  before(async () => {
    inbox = await startInbox();
    t = await startTestServer({ env: { SMTP_URL: inbox.url, MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>' } });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(async () => {
    await t.close();
    await inbox.close();
  });

  it('resets the password from the sign-in page, returns there with the number filled in, and the new password signs in', async () => {
    const email = 'reset.me@example.vn';
    const member = await t.createMember({ email });
    // The member holds a refresh token from an earlier sign-in.
    const earlier = await signIn(t.url, config, member, {
      redirect_uri,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    assert.ok(earlier.tokens.refresh_token);

    const browser = new Browser(t.url);
    const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
    const login = await browser.get(request.url.href);
    assert.match(login.html, /Quên mật khẩu\?/);
    const forgot = login.html.match(/href="([^"]+\/recovery)"/)![1]!;
    const addressPage = await browser.get(forgot);
    assert.match(addressPage.html, /Lấy lại mật khẩu/);
    assert.match(addressPage.html, /8079/, 'the other ways are always shown');
    assert.match(addressPage.html, /1900 9068/);

    const codePage = await requestCode(browser, t.url, addressPage, member.bhxhNumber, email.toUpperCase());
    assert.equal(codePage.status, 200);
    assert.match(codePage.html, /Mã xác thực \(OTP\)/);
    assert.equal(inbox.for(email).length, 0, 'nothing is sent before the outbox worker runs');
    assert.equal((await t.server.outboxWorker.runOnce()).sent, 1);
    const mail = await inbox.next(email);
    assert.match(mail.subject ?? '', /BHXH/);
    assert.ok(mail.html, 'an HTML part');
    const text = mail.text ?? '';
    assert.ok(
      text.indexOf('Mã xác thực') < text.indexOf('verification code') || text.indexOf('Mã') < text.indexOf('code'),
      'Vietnamese first',
    );
    assert.match(text, /1900 9068/);
    const code = codeIn(mail);

    // Until the new password is set, the old one still works.
    await signIn(t.url, config, member, { redirect_uri, scope: 'openid' });

    const passwordPage = await enterCode(browser, codePage, code);
    assert.match(passwordPage.html, /name="new_password"/);
    const weak = await choosePassword(browser, passwordPage, 'matkhau123');
    assert.equal(weak.status, 400);
    assert.match(weak.html, /quá phổ biến/);
    const newPassword = randomPassword();
    const back = await choosePassword(browser, weak, newPassword);

    // Back on the sign-in page of the same request, with a notice and the number filled in; not signed in.
    assert.ok(back.url.includes('/interaction/'), back.url);
    assert.match(back.html, /Mật khẩu đã được thay đổi/);
    assert.match(back.html, new RegExp(`name="bhxh_number" value="${member.bhxhNumber}"`));

    const old = await browser.submit(back, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');
    assert.equal(old.status, 400, 'the old password no longer works');
    const done = await browser.submit(old, { bhxh_number: member.bhxhNumber, password: newPassword }, '/login');
    assert.ok(done.url.startsWith(redirect_uri), done.url);
    const tokens = await redeem(config, request, done.url);
    assert.equal(tokens.claims()!.sub, member.id);

    // Everything held before the reset is gone; the member was told by email.
    await assert.rejects(
      oidc.refreshTokenGrant(config, earlier.tokens.refresh_token!),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
    await t.server.outboxWorker.runOnce();
    const notice = await inbox.next(email);
    assert.match(notice.text ?? '', /1900 9068/);
    assert.doesNotMatch(notice.text ?? '', new RegExp(newPassword));
    const account = await t.server.deps.accounts.findById(member.id);
    assert.equal(account!.mustChangePassword, false);
    const events = await t.db('audit_events').where({ account_id: member.id, type: 'password.changed' });
    assert.equal(events.length, 1);
  });

  it('works when opened directly and ends on a plain "password changed" page', async () => {
    const email = 'direct@example.vn';
    const member = await t.createMember({ email, mustChangePassword: true });
    const browser = new Browser(t.url);
    const addressPage = await browser.get('/recovery');
    const codePage = await requestCode(browser, t.url, addressPage, member.bhxhNumber, email);
    await t.server.outboxWorker.runOnce();
    const passwordPage = await enterCode(browser, codePage, codeIn(await inbox.next(email)));
    // Every step of a reset is kept by no cache: Back after the reset asks again instead of showing a stale form.
    for (const page of [addressPage, codePage, passwordPage])
      assert.equal(page.headers.get('cache-control'), 'no-store', page.url);
    const done = await choosePassword(browser, passwordPage, randomPassword());
    assert.equal(done.status, 200);
    assert.match(done.html, /Đã đổi mật khẩu/);
    assert.equal(done.headers.get('cache-control'), 'no-store');
    assert.equal((await t.server.deps.accounts.findById(member.id))!.mustChangePassword, false);
  });

  it('answers byte for byte the same for an unknown number, a number without email and a wrong email', async () => {
    await t.server.outboxWorker.runOnce(); // earlier tests' notifications
    const withEmail = await t.createMember({ email: 'right@example.vn' });
    const withoutEmail = await t.createMember({ email: null });
    const pages: string[] = [];
    const statuses: number[] = [];
    for (const [number, email] of [
      [randomBhxhNumber(), 'someone@example.vn'],
      [withoutEmail.bhxhNumber, 'someone@example.vn'],
      [withEmail.bhxhNumber, 'someone@example.vn'],
    ] as const) {
      const browser = new Browser(t.url);
      const addressPage = await browser.get('/recovery');
      const reply = await requestCode(browser, t.url, addressPage, number, email);
      statuses.push(reply.status);
      pages.push(normalise(reply.html));
    }
    assert.deepEqual(statuses, [200, 200, 200]);
    assert.equal(pages[0], pages[1]);
    assert.equal(pages[1], pages[2]);
    assert.equal((await t.server.outboxWorker.runOnce()).sent, 0, 'no mail for any of them');
  });

  it('builds links in the email from the configured issuer, whatever Host or X-Forwarded-Host says', async () => {
    const email = 'host@example.vn';
    const member = await t.createMember({ email });
    const browser = new Browser(t.url);
    const addressPage = await browser.get('/recovery');
    const form = addressPage.html.match(/name="csrf" value="([^"]+)"/)![1]!;
    const action = new URL(addressPage.html.match(/action="([^"]+\/address)"/)![1]!, t.url);
    const { solveCaptcha } = await import('../helpers/recovery.js');
    const res = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: browser.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-host': 'evil.example',
        host: 'evil.example',
      },
      body: new URLSearchParams({
        csrf: form,
        bhxh_number: member.bhxhNumber,
        email,
        altcha: await solveCaptcha(t.url),
      }),
    });
    assert.equal(res.status, 303);
    await t.server.outboxWorker.runOnce();
    const mail = await inbox.next(email);
    assert.doesNotMatch(`${mail.text}${mail.html}`, /evil\.example/);
    assert.match(`${mail.text}`, new RegExp(t.url.replace(/[.:/]/g, '\\$&')));
  });

  it('rejects a cross-site POST (no CSRF token)', async () => {
    const browser = new Browser(t.url);
    const addressPage = await browser.get('/recovery');
    const action = new URL(addressPage.html.match(/action="([^"]+\/address)"/)![1]!, t.url);
    const res = await fetch(action, {
      method: 'POST',
      headers: {
        cookie: browser.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
      body: new URLSearchParams({ bhxh_number: '0123456789', email: 'a@example.vn' }),
    });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /Biểu mẫu đã hết hạn/);
  });

  it('keeps working code entry after an SMTP outage: the mail arrives once the server is back', async () => {
    const email = 'outage@example.vn';
    const member = await t.createMember({ email });
    await inbox.stop();
    const browser = new Browser(t.url);
    const addressPage = await browser.get('/recovery');
    const codePage = await requestCode(browser, t.url, addressPage, member.bhxhNumber, email);
    assert.equal(codePage.status, 200, 'the member sees the usual page');
    const down = await t.server.outboxWorker.runOnce();
    assert.equal(down.sent, 0);
    assert.equal(down.retried, 1);
    await inbox.restart();
    // The retry is due after the backoff; move the outbox row's due time instead of waiting.
    await t
      .db('outbox')
      .where({ status: 'pending' })
      .update({ next_attempt_at: new Date(Date.now() - 1000) });
    assert.equal((await t.server.outboxWorker.runOnce()).sent, 1);
    const passwordPage = await enterCode(browser, codePage, codeIn(await inbox.next(email)));
    assert.match(passwordPage.html, /name="new_password"/);
  });
});
