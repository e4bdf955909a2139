// The email and phone sections in a real browser (Chromium, 360 px phone) with JavaScript off: a member changes her
// email and her phone with plain forms, each page fits the phone's width (a long address included) and runs without
// CSP violations; screenshots go to test-artifacts/account/ for people to look at.
//
// Without Chromium the test is skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifacts, browserMissing, launchChromium, openPhone, requireBrowser } from '../helpers/chromium.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';

const shots = `${artifacts}account/`;

describe('account page: email and phone in a browser (Chromium, 360 px phone, no JavaScript)', {
  skip: requireBrowser ? false : (browserMissing ?? false),
  timeout: 180_000,
}, () => {
  let t: TestServer;
  let browser: Browser;
  const clock = testClock();

  before(async () => {
    if (browserMissing) assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    t = await startTestServer({ clock, env: { RECOVERY_CODES_PER_IP_PER_HOUR: '1000' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function fits(page: Page, name: string, lang: 'vi' | 'en' = 'vi') {
    const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(scrollWidth <= 360, `${name}: no horizontal scroll (scrollWidth ${scrollWidth})`);
    assert.equal(await page.getAttribute('html', 'lang'), lang, `${name}: in ${lang}`);
    await page.screenshot({ path: `${shots}${name}-360.png`, fullPage: true, animations: 'disabled' });
  }

  async function newestCode(to: string): Promise<string> {
    await t.server.outboxWorker.runOnce();
    const [message] = (await t.server.devMailbox!.list(10_000)).filter((m) => m.to === to);
    return /\b(\d{6})\b/.exec(message!.text)![1]!;
  }

  it('changes the email and the phone with plain forms, every page fitting the phone', async () => {
    const m = await t.createMember({ fullName: 'Nguyễn Thị Phương Thảo', phoneNumber: '+84912000111' });
    const { page, problems } = await openPhone(browser, { javaScriptEnabled: false });
    await page.goto(`${t.url}/account/email`);
    await page.fill('#bhxh_number', m.bhxhNumber);
    await page.fill('#password', m.password);
    await Promise.all([page.waitForURL(/\/account\/email$/), page.click('form[action$="/login"] button[type=submit]')]);
    await fits(page, '01-email');

    const long = `nguyen.thi.phuong.thao.bao.hiem.xa.hoi.${Date.now()}@truong-dai-hoc-example.edu.vn`;
    await page.fill('#new_email', 'không-phải-email');
    await Promise.all([page.waitForLoadState(), page.click('form[action="/account/email/address"] button')]);
    assert.equal(await page.getAttribute('#new_email', 'aria-invalid'), 'true');
    await fits(page, '02-email-error');
    await page.fill('#new_email', long);
    await Promise.all([
      page.waitForURL(/\/account\/email\/code$/),
      page.click('form[action="/account/email/address"] button'),
    ]);
    await fits(page, '03-email-code');
    await page.fill('#code', await newestCode(long));
    await Promise.all([page.waitForURL(/done=changed/), page.click('form[action="/account/email/code"] button')]);
    assert.match((await page.textContent('#email-on-file')) ?? '', new RegExp(long.replaceAll('.', '\\.')));
    await fits(page, '04-email-changed');
    await page.goto(`${t.url}/account/email/remove`);
    await fits(page, '05-email-remove');

    await page.goto(`${t.url}/account/phone`);
    await fits(page, '06-phone');
    // The account's code cooldown (RECOVERY_CODE_COOLDOWN_SECONDS) covers both sections: the page says how long.
    await page.fill('#new_phone', '0168 123 4567');
    await Promise.all([page.waitForLoadState(), page.click('form[action="/account/phone/address"] button')]);
    assert.match((await page.textContent('#phone-error')) ?? '', /Bạn có thể yêu cầu mã mới sau \d+ giây/);
    await fits(page, '07-phone-wait');
    clock.advance(61);
    await Promise.all([
      page.waitForURL(/\/account\/phone\/code$/),
      page.click('form[action="/account/phone/address"] button'),
    ]);
    await fits(page, '08-phone-code');
    await page.fill('#code', await newestCode('+84381234567'));
    await Promise.all([page.waitForURL(/done=changed/), page.click('form[action="/account/phone/code"] button')]);
    assert.ok(await page.isVisible('#cooling-now'));
    await fits(page, '09-phone-changed');
    await page.goto(`${t.url}/account/phone?lang=en`);
    assert.match((await page.textContent('#cooling-rule')) ?? '', /for 72 hours/);
    await fits(page, '10-phone-en', 'en');
    assert.deepEqual(problems, []);
  });
});
