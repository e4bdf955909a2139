// The account page's email section (issue 16, item 4), through HTTP as a browser: add, change and remove the email; a
// 6-digit code to the new address, which is written (verified) only once the code comes back; the old address told,
// with the new one masked; the code limits of recovery; a recent sign-in for every change; CSRF; bad formats; parallel
// confirmations of one code (exactly one change); a code for one address never confirms another; no enumeration.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signInToAccount } from '../helpers/account.js';
import { Browser as HttpBrowser } from '../helpers/browser.js';
import { enterCode, requestCode } from '../helpers/recovery.js';
import type { Browser, Page } from '../helpers/browser.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';

/** A 6-digit code in a message. */
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
let counter = 0;
const fresh = (name: string) => `${name}.${Date.now().toString(36)}.${++counter}@example.vn`;

async function messagesTo(t: TestServer, to: string) {
  await t.server.outboxWorker.runOnce();
  return (await t.server.devMailbox!.list(100_000)).filter((m) => m.to === to);
}

async function codeSentTo(t: TestServer, to: string): Promise<string> {
  const [newest] = await messagesTo(t, to);
  const code = newest && codeIn(newest.text);
  assert.ok(code, `a code was sent to ${to}`);
  return code;
}

/** Types a new address on the section page and returns the page the browser lands on. */
async function askForCode(browser: Browser, address: string): Promise<Page> {
  const page = await browser.get('/account/email');
  return browser.submit(page, { new_email: address }, '/account/email/address');
}

const auditCount = async (t: TestServer, accountId: string, type: string, outcome = 'success') =>
  Number(
    (await t.db('audit_events').where({ account_id: accountId, type, outcome }).count({ n: '*' }))[0]!.n as string,
  );

describe('account page: email', () => {
  let t: TestServer;
  const clock = testClock();

  before(async () => {
    t = await startTestServer({
      clock,
      // Every test signs in afresh; the re-authentication rule has its own server below. Many codes come from one
      // test address, so its hourly budget is large here (recovery-limits tests the budget).
      env: { ACCOUNT_REAUTH_SECONDS: '100000000', RECOVERY_CODES_PER_IP_PER_HOUR: '100000' },
    });
  });
  after(() => t.close());

  it('adds an email: a code to the new address, saved and verified only once the code comes back', async () => {
    const m = await t.createMember({ email: null, phoneNumber: '+84912000111' });
    const { browser, page } = await signInToAccount(t, m, { path: '/account/email' });
    assert.equal(page.status, 200);
    assert.match(page.html, /Chưa có email/);
    assert.match(page.html, /Thêm email/);
    const address = fresh('new.member');
    const codePage = await askForCode(browser, address.toUpperCase());
    assert.equal(new URL(codePage.url).pathname, '/account/email/code');
    assert.match(codePage.html, new RegExp(`tới ${address.replaceAll('.', '\\.')}`), 'the normalised address');
    assert.match(codePage.html, /name="code"/);
    assert.match(codePage.html, /href="\/account\/email#new-address" id="use-another"/);
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).email, null, 'nothing written yet');

    const code = await codeSentTo(t, address);
    const bad = await browser.submit(codePage, { code: wrong(code) }, '/account/email/code');
    assert.equal(bad.status, 400);
    assert.match(bad.html, /Mã xác thực không đúng/);
    assert.match(bad.html, /id="code"[^>]*aria-invalid="true"/);
    const done = await browser.submit(bad, { code }, '/account/email/code');
    assert.equal(new URL(done.url).pathname, '/account/email');
    assert.equal(new URL(done.url).search, '?done=added');
    assert.match(done.html, /Đã thêm email/);
    assert.match(done.html, new RegExp(`id="email-on-file">${address.replaceAll('.', '\\.')}`));
    assert.match(done.html, /Đã xác nhận/);
    const row = await t.db('accounts').where({ id: m.id }).first();
    assert.equal(row.email, address);
    assert.equal(row.email_verified, true);
    assert.equal(await auditCount(t, m.id, 'address.changed'), 1);

    // The phone on file hears of it (the email masked); the new address got the code and nothing else.
    const [sms] = await messagesTo(t, '+84912000111');
    assert.match(sms!.text, /^BHXH: Email n\*\*\*@e\*\*\*\.vn da duoc them/);
    assert.ok(!sms!.text.includes(address));
    const toNew = await t.db('outbox').where({ recipient: address }).select('purpose');
    assert.deepEqual(
      toNew.map((r) => r.purpose),
      ['address_verification'],
    );
  });

  it('changes the email: the old address is told (the new one masked), the new one is verified', async () => {
    const old = fresh('old.box');
    const m = await t.createMember({ email: old, phoneNumber: '+84912000222' });
    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    const address = fresh('changed.box');
    const codePage = await askForCode(browser, address);
    const done = await browser.submit(codePage, { code: await codeSentTo(t, address) }, '/account/email/code');
    assert.equal(new URL(done.url).search, '?done=changed');
    assert.match(done.html, /Đã lưu email mới/);
    const row = await t.db('accounts').where({ id: m.id }).first();
    assert.equal(row.email, address);
    assert.equal(row.email_verified, true);

    const [notice] = await messagesTo(t, old);
    assert.match(notice!.subject!, /Email tài khoản đã được thay đổi/);
    assert.match(notice!.text, /c•••@e•••\.vn/);
    assert.ok(!notice!.text.includes(address), 'never the new address in full');
    assert.ok(notice!.text.indexOf('Xin chào') < notice!.text.indexOf('Hello'), 'Vietnamese first');
    const [sms] = await messagesTo(t, '+84912000222');
    assert.match(sms!.text, /da doi thanh c\*\*\*@e\*\*\*\.vn/);
    const purposes = (await t.db('outbox').where({ recipient: address }).select('purpose')).map((r) => r.purpose);
    assert.deepEqual(purposes, ['address_verification'], 'the new address gets the code only');
    // A reload of the result never posts again.
    const reload = await browser.get(done.url);
    assert.equal(reload.status, 200);
    assert.equal(await auditCount(t, m.id, 'address.changed'), 1);
  });

  it('ends a password reset in flight whose code went to the address being replaced', async () => {
    // Someone who still reads the old mailbox asked for a reset code; the member, warned, changes her email. The code
    // that went to the old address must not reset the password after the change.
    const old = fresh('compromised.box');
    const m = await t.createMember({ email: old });
    const attacker = new HttpBrowser(t.url);
    const codePage = await requestCode(attacker, t.url, await attacker.get('/recovery'), m.bhxhNumber, old);
    const resetCode = await codeSentTo(t, old);

    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    const address = fresh('safe.box');
    const page = await askForCode(browser, address);
    await browser.submit(page, { code: await codeSentTo(t, address) }, '/account/email/code');

    const late = await enterCode(attacker, codePage, resetCode);
    assert.equal(late.status, 409, late.html.slice(0, 600));
    assert.doesNotMatch(late.html, /name="new_password"/);
  });

  it('removes the email after asking, and tells the old address', async () => {
    const old = fresh('leaving');
    const m = await t.createMember({ email: old });
    const { browser, page } = await signInToAccount(t, m, { path: '/account/email' });
    assert.match(page.html, /href="\/account\/email\/remove" id="remove-email"/);
    const ask = await browser.get('/account/email/remove');
    assert.match(ask.html, /Bạn có chắc muốn xóa/);
    assert.match(ask.html, /BH MK/);
    const done = await browser.submit(ask, {}, '/account/email/remove');
    assert.equal(new URL(done.url).search, '?done=removed');
    assert.match(done.html, /Đã xóa email/);
    assert.match(done.html, /Chưa có email/);
    const row = await t.db('accounts').where({ id: m.id }).first();
    assert.equal(row.email, null);
    assert.equal(row.email_verified, false);
    assert.equal(await auditCount(t, m.id, 'address.removed'), 1);
    const [notice] = await messagesTo(t, old);
    assert.match(notice!.subject!, /Email đã bị xóa/);
    // Nothing to remove any more: the page goes back to the section.
    const again = await browser.get('/account/email/remove');
    assert.equal(new URL(again.url).pathname, '/account/email');
  });

  it('confirms an unverified email on file with a code', async () => {
    const onFile = fresh('unconfirmed');
    const m = await t.createMember({ email: onFile, emailVerified: false });
    const { browser, page } = await signInToAccount(t, m, { path: '/account/email' });
    assert.match(page.html, /Chưa xác nhận/);
    const codePage = await browser.submit(page, {}, '/account/email/confirm');
    assert.equal(new URL(codePage.url).pathname, '/account/email/code');
    const done = await browser.submit(codePage, { code: await codeSentTo(t, onFile) }, '/account/email/code');
    assert.equal(new URL(done.url).search, '?done=verified');
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).email_verified, true);
    assert.doesNotMatch(done.html, /action="\/account\/email\/confirm"/);
  });

  it('typing the unconfirmed address on file as the new one confirms it, and tells nobody', async () => {
    const onFile = fresh('retyped');
    const m = await t.createMember({ email: onFile, emailVerified: false });
    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    const codePage = await askForCode(browser, onFile);
    const done = await browser.submit(codePage, { code: await codeSentTo(t, onFile) }, '/account/email/code');
    assert.equal(new URL(done.url).search, '?done=verified');
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).email_verified, true);
    assert.equal(await auditCount(t, m.id, 'address.changed'), 0);
    assert.equal(await auditCount(t, m.id, 'address.verified'), 1);
    assert.equal((await t.db('outbox').where({ purpose: 'email_changed', recipient: onFile })).length, 0);
  });

  it('explains a bad address with status 400, the field marked and what was typed kept', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    for (const bad of ['not-an-email', '', 'a@b', 'nguyễn@example.vn', 'two@@example.vn', `${'x'.repeat(300)}@e.vn`]) {
      const page = await askForCode(browser, bad);
      assert.equal(page.status, 400, bad);
      assert.match(page.html, /Địa chỉ email không hợp lệ/);
      assert.match(page.html, /id="new_email"[^>]*aria-invalid="true"/);
      assert.match(page.html, /id="new_email"[^>]*autofocus/);
      if (bad && bad.length < 254) assert.ok(page.html.includes(`value="${bad}"`), 'kept as typed');
    }
    const unchanged = await askForCode(browser, 'member@example.vn');
    assert.equal(unchanged.status, 422);
    assert.match(unchanged.html, /Đây đã là email đã xác nhận của bạn/);
    assert.equal(
      await t.db('outbox').where({ recipient: 'member@example.vn', purpose: 'address_verification' }).first(),
      undefined,
    );
  });

  it('refuses a form without its CSRF token (403), and changes nothing', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    const address = fresh('forged');
    for (const path of ['/account/email/address', '/account/email/remove', '/account/email/confirm']) {
      const res = await browser.request(path, { method: 'POST', form: { new_email: address } });
      assert.equal(res.status, 403, path);
    }
    const codePage = await askForCode(browser, address);
    const code = await codeSentTo(t, address);
    for (const path of ['/account/email/code', '/account/email/resend']) {
      const res = await browser.request(path, { method: 'POST', form: { code } });
      assert.equal(res.status, 403, path);
    }
    const row = await t.db('accounts').where({ id: m.id }).first();
    assert.equal(row.email, 'member@example.vn');
    // The code still works from the real form.
    const done = await browser.submit(codePage, { code }, '/account/email/code');
    assert.equal(new URL(done.url).search, '?done=changed');
  });

  it('an expired code changes nothing; a new one can be asked for', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    const address = fresh('slow');
    const codePage = await askForCode(browser, address);
    const code = await codeSentTo(t, address);
    clock.advance(601);
    const late = await browser.submit(codePage, { code }, '/account/email/code');
    assert.equal(late.status, 400);
    assert.match(late.html, /đã hết hạn/);
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).email, 'member@example.vn');
    const resent = await browser.submit(late, {}, '/account/email/resend');
    assert.equal(new URL(resent.url).pathname, '/account/email/code');
    assert.match(resent.html, /Đã gửi mã mới/);
    const done = await browser.submit(resent, { code: await codeSentTo(t, address) }, '/account/email/code');
    assert.equal(new URL(done.url).search, '?done=changed');
  });

  it('within the cooldown sends no new code and says the earlier one still works; after it, a new code ends the old', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    const address = fresh('patient');
    const codePage = await askForCode(browser, address);
    const first = await codeSentTo(t, address);
    const soon = await browser.submit(codePage, {}, '/account/email/resend');
    assert.equal(soon.status, 429);
    assert.match(soon.html, /Chưa gửi mã mới: mã đã gửi trước đó vẫn dùng được/);
    assert.match(soon.html, /sau 60 giây/);
    assert.equal((await messagesTo(t, address)).length, 1, 'one code only');
    // Another address within the cooldown: refused with the wait, nothing sent there.
    const other = fresh('other');
    const refused = await askForCode(browser, other);
    assert.equal(refused.status, 429);
    assert.match(refused.html, /Bạn có thể yêu cầu mã mới sau \d+ giây/);
    assert.equal((await messagesTo(t, other)).length, 0);

    clock.advance(61);
    const again = await browser.submit(soon, {}, '/account/email/resend');
    assert.match(again.html, /Đã gửi mã mới/);
    const second = await codeSentTo(t, address);
    assert.notEqual(second, first);
    const old = await browser.submit(again, { code: first }, '/account/email/code');
    assert.equal(old.status, 400, 'the first code died with the new one');
    const done = await browser.submit(old, { code: second }, '/account/email/code');
    assert.equal(new URL(done.url).search, '?done=changed');
  });

  it('a code sent for one address never confirms another ("use another address")', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    const x = fresh('first.choice');
    await askForCode(browser, x);
    const codeX = await codeSentTo(t, x);
    clock.advance(61);
    const y = fresh('second.choice');
    const codePageY = await askForCode(browser, y);
    assert.match(codePageY.html, new RegExp(y.replaceAll('.', '\\.')));
    const withX = await browser.submit(codePageY, { code: codeX }, '/account/email/code');
    assert.equal(withX.status, 400);
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).email, 'member@example.vn');
    const done = await browser.submit(withX, { code: await codeSentTo(t, y) }, '/account/email/code');
    assert.equal(new URL(done.url).search, '?done=changed');
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).email, y);
  });

  it('parallel confirmations of one code make exactly one change and one notice', async () => {
    const old = fresh('raced');
    const m = await t.createMember({ email: old });
    const { browser } = await signInToAccount(t, m, { path: '/account/email' });
    const address = fresh('racer');
    const codePage = await askForCode(browser, address);
    const code = await codeSentTo(t, address);
    const pages = await Promise.all(
      Array.from({ length: 8 }, () => browser.submit(codePage, { code }, '/account/email/code')),
    );
    assert.ok(pages.every((p) => p.status < 500));
    assert.equal(pages.filter((p) => new URL(p.url).search === '?done=changed').length, 1);
    assert.equal(await auditCount(t, m.id, 'address.changed'), 1);
    assert.equal((await t.db('outbox').where({ recipient: old, purpose: 'email_changed' })).length, 1);
    assert.equal((await t.db('accounts').where({ id: m.id }).first()).email, address);
  });

  it('answers the same whether or not another account has the address (no enumeration)', async () => {
    const taken = fresh('taken');
    await t.createMember({ email: taken });
    const unused = fresh('unused');
    const pages: string[] = [];
    for (const address of [taken, unused]) {
      const m = await t.createMember();
      const { browser } = await signInToAccount(t, m, { path: '/account/email' });
      const page = await askForCode(browser, address);
      assert.equal(page.status, 200);
      pages.push(
        page.html
          .replaceAll(address, 'ADDRESS')
          .replace(/name="csrf" value="[^"]*"/g, '')
          .replace(/••••••\d{4}/, ''),
      );
      const done = await browser.submit(page, { code: await codeSentTo(t, address) }, '/account/email/code');
      assert.equal(new URL(done.url).search, '?done=changed', 'two accounts may share an address');
    }
    assert.equal(pages[0], pages[1]);
  });
});

describe('account page: email needs a recent sign-in', () => {
  let t: TestServer;
  const clock = testClock();
  before(async () => {
    t = await startTestServer({ clock, env: { ACCOUNT_REAUTH_SECONDS: '300' } });
  });
  after(() => t.close());

  it('shows "confirm it is you" instead of the forms, and refuses a late change or removal', async () => {
    const m = await t.createMember();
    const { browser, page } = await signInToAccount(t, m, { path: '/account/email' });
    assert.match(page.html, /name="new_email"/);
    const address = fresh('late');
    const codePage = await askForCode(browser, address);
    const code = await codeSentTo(t, address);

    // NOTE: the provider stamps auth_time with the real clock; the test clock is first brought up to it.
    clock.advance(Math.max(0, (Date.now() - clock.now().getTime()) / 1000) + 301);
    const old = await browser.get('/account/email');
    assert.match(old.html, /id="confirm-identity"/);
    assert.match(old.html, /href="\/account\/sign-in\?reauth=1&amp;return=%2Faccount%2Femail"/);
    assert.doesNotMatch(old.html, /name="new_email"/);
    assert.match(old.html, /id="pending"/, 'the code waiting is still named');

    // The code posted now changes nothing: back to the page, which says why.
    const late = await browser.submit(codePage, { code }, '/account/email/code');
    assert.equal(new URL(late.url).pathname, '/account/email');
    assert.equal(new URL(late.url).search, '?confirm=1');
    assert.match(late.html, /Chưa có thay đổi nào được lưu/);
    const lateAsk = await browser.submit(page, { new_email: fresh('later') }, '/account/email/address');
    assert.equal(new URL(lateAsk.url).search, '?confirm=1');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const lateRemove = await browser.request('/account/email/remove', { method: 'POST', form: { csrf } });
    assert.equal(new URL(lateRemove.url).search, '?confirm=1');
    const row = await t.db('accounts').where({ id: m.id }).first();
    assert.equal(row.email, 'member@example.vn');
    assert.equal(await auditCount(t, m.id, 'address.changed'), 0);
    assert.equal(await auditCount(t, m.id, 'address.removed'), 0);
    // The code page itself says so above its form.
    const codeAgain = await browser.get('/account/email/code');
    assert.match(codeAgain.html, /id="confirm-identity"/);
  });
});
