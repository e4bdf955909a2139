// The phone method on the reset page: the number on file, written any Vietnamese way, gets a 6-digit code by SMS
// (here the dev mailbox stands in for the carrier), with the same uniform reply as the email method.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { choosePassword, enterCode, normalise, solveCaptcha } from '../helpers/recovery.js';
import { randomBhxhNumber, randomPassword, startTestServer, type TestServer } from '../helpers/server.js';

describe('password reset by SMS code', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  async function smsTo(phone: string) {
    await t.server.outboxWorker.runOnce();
    return (await t.server.devMailbox!.list()).filter((m) => m.channel === 'sms' && m.to === phone);
  }

  async function phonePage(browser: Browser) {
    const email = await browser.get('/recovery');
    const phone = await browser.submit(email, { method: 'sms-code' }, '/method');
    assert.match(phone.html, /name="phone"/);
    assert.match(phone.html, /autocomplete="tel"/);
    return phone;
  }

  async function request(browser: Browser, bhxhNumber: string, phone: string) {
    return browser.submit(
      await phonePage(browser),
      { bhxh_number: bhxhNumber, phone, altcha: await solveCaptcha(t.url) },
      '/address',
    );
  }

  it('sends the code to the number on file, however the member writes it, and the reset completes', async () => {
    const member = await t.createMember({ phoneNumber: '+84381234567', email: 'sms.reset@example.vn' });
    const browser = new Browser(t.url);
    // The pre-2018 form of the same number: 0168 123 4567.
    const codePage = await request(browser, member.bhxhNumber, '0168 123 4567');
    assert.equal(codePage.status, 200);
    const [sms] = await smsTo('+84381234567');
    assert.ok(sms, 'an SMS to the number on file');
    assert.ok(sms.text.length <= 160 && /^[\x20-\x7e]+$/.test(sms.text), 'one GSM-7 segment without diacritics');
    const code = sms.text.match(/\b(\d{6})\b/)![1]!;
    const passwordPage = await enterCode(browser, codePage, code);
    const done = await choosePassword(browser, passwordPage, randomPassword());
    assert.match(done.html, /Đã đổi mật khẩu/);
    const notices = await t.db('outbox').where({ purpose: 'password_changed' }).select('recipient', 'channel');
    assert.ok(notices.some((n) => n.channel === 'sms' && n.recipient === '+84381234567'));
    assert.ok(notices.some((n) => n.channel === 'email' && n.recipient === 'sms.reset@example.vn'));
  });

  it('answers the same for an unknown number, a number without a phone and a wrong phone, and texts nobody', async () => {
    const withPhone = await t.createMember({ phoneNumber: '+84912000222' });
    const withoutPhone = await t.createMember({ phoneNumber: null });
    const pages: string[] = [];
    for (const [number, phone] of [
      [randomBhxhNumber(), '0912 000 333'],
      [withoutPhone.bhxhNumber, '0912 000 333'],
      [withPhone.bhxhNumber, '0912 000 333'],
    ] as const) {
      const reply = await request(new Browser(t.url), number, phone);
      assert.equal(reply.status, 200);
      pages.push(normalise(reply.html));
    }
    assert.equal(pages[0], pages[1]);
    assert.equal(pages[1], pages[2]);
    assert.equal((await smsTo('+84912000333')).length, 0);
    assert.equal((await smsTo('+84912000222')).length, 0);
  });

  it('explains a phone number it cannot read, keeping what was typed', async () => {
    const browser = new Browser(t.url);
    const page = await phonePage(browser);
    for (const bad of ['024 3825 1234', '12345', 'không có']) {
      const reply = await browser.submit(
        page,
        { bhxh_number: '0123456789', phone: bad, altcha: await solveCaptcha(t.url) },
        '/address',
      );
      assert.equal(reply.status, 400);
      assert.match(reply.html, /Số điện thoại không hợp lệ/);
    }
  });

  it('offers only the channels switched on', async () => {
    const smsOnly = await startTestServer({ env: { RECOVERY_EMAIL_ENABLED: 'false' } });
    try {
      const browser = new Browser(smsOnly.url);
      const page = await browser.get('/recovery');
      assert.match(page.html, /name="phone"/);
      assert.doesNotMatch(page.html, /name="email"/);
      assert.doesNotMatch(page.html, /\/method"/, 'no switch to a channel that is off');
      const csrf = page.html.match(/name="csrf" value="([^"]+)"/)![1]!;
      const switched = await browser.request(`${new URL(page.url).pathname}/method`, {
        method: 'POST',
        form: { csrf, method: 'email-code' },
      });
      assert.match(switched.html, /name="phone"/, 'a forged switch to email is ignored');
    } finally {
      await smsOnly.close();
    }
  });
});
