// The account page's phone section (issue 16, item 5), through HTTP as a browser: the number on file masked; a new
// number gets an SMS code and is written (verified) only once the code comes back; the old number is told by SMS; the
// page says what the cooling-off means; bad numbers, CSRF and an old sign-in are refused. Then the SIM-swap
// cooling-off on each of the three reset paths, with the injected clock: the SMS keyword "BH MK", the hotline and the
// SMS-code recovery treat the new number as a non-match inside the period, and accept it after.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MISMATCH_SENTENCE } from '../../src/channels/voice-password-reset.js';
import { sendDevSms } from '../../src/dev/dev-sms.js';
import { signInToAccount } from '../helpers/account.js';
import { Browser, type Page } from '../helpers/browser.js';
import { normalise, solveCaptcha } from '../helpers/recovery.js';
import { randomBhxhNumber, startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { voiceStepper } from '../helpers/voice.js';

const HOURS_72 = 72 * 3600;
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];

async function textsTo(t: TestServer, phone: string) {
  await t.server.outboxWorker.runOnce();
  return (await t.server.devMailbox!.list(100_000)).filter((m) => m.channel === 'sms' && m.to === phone);
}

async function codeTextedTo(t: TestServer, phone: string): Promise<string> {
  const [newest] = await textsTo(t, phone);
  const code = newest && codeIn(newest.text);
  assert.ok(code, `a code was texted to ${phone}`);
  return code;
}

async function askForCode(browser: Browser, phone: string): Promise<Page> {
  const page = await browser.get('/account/phone');
  return browser.submit(page, { new_phone: phone }, '/account/phone/address');
}

let phoneCounter = 0;
/** A fresh Vietnamese mobile number: its E.164 form and the pre-2018 11-digit form a member may type. */
function freshPhone(): { e164: string; typed: string } {
  phoneCounter += 1;
  const tail = `${String(crypto.randomInt(0, 1000)).padStart(3, '0')}${String(phoneCounter).padStart(4, '0')}`;
  return { e164: `+8438${tail}`, typed: `0168 ${tail.slice(0, 3)} ${tail.slice(3)}` };
}

describe('account page: phone', () => {
  let t: TestServer;
  const clock = testClock();
  const smsSecret = crypto.randomBytes(24).toString('base64url');
  const voiceSecret = crypto.randomBytes(24).toString('base64url');

  before(async () => {
    t = await startTestServer({
      clock,
      env: {
        ACCOUNT_REAUTH_SECONDS: '100000000',
        RECOVERY_CODES_PER_IP_PER_HOUR: '100000',
        SMS_INBOUND_SECRET: smsSecret,
        VOICE_WEBHOOK_SECRET: voiceSecret,
      },
    });
  });
  after(() => t.close());

  /** Signs in, changes the phone to a fresh number and returns it with the page the change ends on. */
  async function changePhone(m: { bhxhNumber: string; password: string }) {
    const phone = freshPhone();
    const { browser } = await signInToAccount(t, m, { path: '/account/phone' });
    const codePage = await askForCode(browser, phone.typed);
    const done = await browser.submit(codePage, { code: await codeTextedTo(t, phone.e164) }, '/account/phone/code');
    assert.equal(new URL(done.url).search, '?done=changed');
    return { phone, done, browser };
  }

  it('changes the number with an SMS code to the new one; the old number is told by SMS, the page says why it waits', async () => {
    const old = '+84912000111';
    const m = await t.createMember({ phoneNumber: old, email: `phone.${crypto.randomUUID()}@example.vn` });
    const { browser, page } = await signInToAccount(t, m, { path: '/account/phone' });
    assert.match(page.html, /id="phone-on-file">0912\u00a0•••\u00a0111 <span class="badge"/);
    assert.doesNotMatch(page.html, /912000111/, 'never the whole number');
    assert.match(page.html, /trong 72 giờ số mới chưa dùng được để lấy lại mật khẩu/);
    assert.match(page.html, /BH MK/);
    assert.match(page.html, /kẻ gian chiếm được SIM/);
    assert.match(page.html, /Không thể xóa số điện thoại/);
    assert.doesNotMatch(page.html, /(action|href)="[^"]*remove/);

    const phone = freshPhone();
    const codePage = await askForCode(browser, phone.typed);
    assert.equal(new URL(codePage.url).pathname, '/account/phone/code');
    assert.ok(
      codePage.html.includes(phone.typed.replace(/^(\d{4}) \d{3} \d(\d{3})$/, '0168\u00a0•••\u00a0•$2')),
      'masked as typed',
    );
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).phone_number, old, 'nothing written yet');
    const [sms] = await textsTo(t, phone.e164);
    assert.match(sms!.text, /^BHXH: Ma xac nhan so dien thoai \d{6}/);
    const bad = await browser.submit(codePage, { code: 'abc' }, '/account/phone/code');
    assert.equal(bad.status, 400);
    assert.match(bad.html, /id="code"[^>]*aria-invalid="true"/);
    const done = await browser.submit(bad, { code: codeIn(sms!.text)! }, '/account/phone/code');
    assert.equal(new URL(done.url).search, '?done=changed');
    assert.match(done.html, /Đã lưu số điện thoại mới/);
    assert.match(done.html, /id="cooling-now"/);
    const row = await t.db('accounts').where({ id: m.id }).first();
    assert.equal(row.phone_number, phone.e164);
    assert.equal(row.phone_number_verified, true);
    assert.equal(new Date(row.phone_changed_at).getTime(), clock.now().getTime());

    const [notice] = await textsTo(t, old);
    const masked = `${phone.e164.replace('+84', '0').slice(0, 4)}***${phone.e164.slice(-3)}`;
    assert.match(
      notice!.text,
      new RegExp(`^BHXH: So dien thoai tai khoan BHXH cua ban da doi sang ${masked.replaceAll('*', '\\*')} luc`),
    );
    assert.ok(!notice!.text.includes(phone.e164.slice(3)), 'never the new number in full');
    const purposes = (await t.db('outbox').where({ recipient: phone.e164 }).select('purpose')).map((r) => r.purpose);
    assert.deepEqual(purposes, ['address_verification'], 'the new number gets the code only');
    assert.equal((await t.db('outbox').where({ purpose: 'phone_changed', channel: 'email' })).length >= 1, true);
  });

  it('explains a number it cannot use with status 400 and the field marked', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/phone' });
    for (const bad of ['024 3825 1234', '+44 7700 900123', 'không có', '12345', '']) {
      const page = await askForCode(browser, bad);
      assert.equal(page.status, 400, bad);
      assert.match(page.html, /Số điện thoại không hợp lệ/);
      assert.match(page.html, /id="new_phone"[^>]*aria-invalid="true"/);
    }
    const same = await askForCode(browser, '0912 000 111');
    assert.equal(same.status, 422);
    assert.match(same.html, /Đây đã là số điện thoại đã xác nhận của bạn/);
  });

  it('refuses a form without its CSRF token (403)', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/phone' });
    for (const path of ['/account/phone/address', '/account/phone/confirm', '/account/phone/code']) {
      const res = await browser.request(path, { method: 'POST', form: { new_phone: freshPhone().typed } });
      assert.equal(res.status, 403, path);
    }
  });

  it('SMS keyword "BH MK": the new number is refused during the cooling-off, then accepted', async () => {
    const m = await t.createMember({ bhxhNumber: randomBhxhNumber() });
    const { phone } = await changePhone(m);
    const text = async () => {
      const sent = await sendDevSms({
        baseUrl: t.url,
        secret: smsSecret,
        sender: phone.e164,
        text: `BH MK ${m.bhxhNumber}`,
        timestamp: Math.floor(clock.now().getTime() / 1000),
      });
      assert.equal(sent.status, 200);
      const [reply] = await textsTo(t, phone.e164);
      return reply!.text;
    };
    assert.match(await text(), /khong khop hoac chua dang ky/);
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).temporary_password_hash, null);
    const audit = await t.db('audit_events').where({ account_id: m.id, type: 'sms_inbound' }).first('detail');
    assert.equal(
      (typeof audit.detail === 'string' ? JSON.parse(audit.detail) : audit.detail).reason,
      'phone_cooling_off',
    );

    clock.advance(HOURS_72 - 60);
    assert.match(await text(), /khong khop/, 'still inside the period');
    clock.advance(61);
    assert.match(await text(), /Mat khau tam thoi [a-z0-9]{10}/);
  });

  it('hotline: the new number is not the caller during the cooling-off, then it is', async () => {
    const m = await t.createMember();
    const { phone } = await changePhone(m);
    const step = voiceStepper(() => t.url, voiceSecret, clock);
    const call = async () => {
      const callId = `call-${crypto.randomUUID()}`;
      const caller = phone.e164.replace('+84', '0');
      await step({ callId, caller, callerVerified: true });
      return (await step({ callId, caller, callerVerified: true, digits: `${m.bhxhNumber}#` })).say;
    };
    assert.ok((await call()).includes(MISMATCH_SENTENCE));
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).temporary_password_hash, null);
    clock.advance(HOURS_72 + 1);
    assert.match(await call(), /Mật khẩu tạm thời của quý khách là/);
  });

  it('SMS-code recovery: the new number gets no code during the cooling-off (the same page as a non-match), then it does', async () => {
    const m = await t.createMember();
    const { phone } = await changePhone(m);
    const request = async (bhxhNumber: string) => {
      const browser = new Browser(t.url);
      const email = await browser.get('/recovery');
      const form = await browser.submit(email, { method: 'sms-code' }, '/method');
      return browser.submit(
        form,
        { bhxh_number: bhxhNumber, phone: phone.typed, altcha: await solveCaptcha(t.url) },
        '/address',
      );
    };
    const resetCodes = async () =>
      (await textsTo(t, phone.e164)).filter((s) => s.text.startsWith('BHXH: Ma dat lai mat khau')).length;
    const cooling = await request(m.bhxhNumber);
    const nobody = await request(randomBhxhNumber());
    assert.equal(cooling.status, 200);
    assert.equal(normalise(cooling.html), normalise(nobody.html), 'the same page as a number that matches nothing');
    assert.equal(await resetCodes(), 0);
    const audit = await t
      .db('audit_events')
      .where({ account_id: m.id, type: 'recovery.code_requested' })
      .first('detail');
    assert.equal(
      (typeof audit.detail === 'string' ? JSON.parse(audit.detail) : audit.detail).reason,
      'phone_cooling_off',
    );

    clock.advance(HOURS_72 + 1);
    const later = await request(m.bhxhNumber);
    assert.equal(later.status, 200);
    assert.equal(await resetCodes(), 1);
  });
});

describe('account page: phone needs a recent sign-in', () => {
  let t: TestServer;
  const clock = testClock();
  before(async () => {
    t = await startTestServer({ clock, env: { ACCOUNT_REAUTH_SECONDS: '300' } });
  });
  after(() => t.close());

  it('shows "confirm it is you" instead of the form and refuses a late change', async () => {
    const m = await t.createMember();
    const { browser, page } = await signInToAccount(t, m, { path: '/account/phone' });
    assert.match(page.html, /name="new_phone"/);
    // NOTE: the provider stamps auth_time with the real clock; the test clock is first brought up to it.
    clock.advance(Math.max(0, (Date.now() - clock.now().getTime()) / 1000) + 301);
    const old = await browser.get('/account/phone');
    assert.match(old.html, /id="confirm-identity"/);
    assert.doesNotMatch(old.html, /name="new_phone"/);
    const late = await browser.submit(page, { new_phone: freshPhone().typed }, '/account/phone/address');
    assert.equal(new URL(late.url).search, '?confirm=1');
    assert.match(late.html, /Chưa có thay đổi nào được lưu/);
    assert.equal((await t.db('outbox').where({ purpose: 'address_verification' })).length, 0, 'no code sent');
  });
});
