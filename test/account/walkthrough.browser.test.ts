// The account page as a member walks through it, in a real browser (Chromium, 360 px phone, JavaScript on): she opens
// "Thông tin tài khoản" from her phone, adds an email (a code to the new address), signs out a tablet she no longer
// uses from "Nơi bạn đang đăng nhập", and changes her password, which signs out a third browser while her phone stays
// signed in. Each step is photographed into test-artifacts/account/ for people to look at.
//
// Without Chromium the test is skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { artifacts, browserMissing, launchChromium, openPhone, requireBrowser } from '../helpers/chromium.js';
import { randomPassword, startTestServer, type TestServer } from '../helpers/server.js';

const shots = `${artifacts}account/`;
const TABLET_UA =
  'Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const DESKTOP_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

describe('account page: add an email, sign out another device, change the password (Chromium, 360 px)', {
  skip: requireBrowser ? false : (browserMissing ?? false),
  timeout: 180_000,
}, () => {
  let t: TestServer;
  let browser: Browser;

  before(async () => {
    if (browserMissing) assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    t = await startTestServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function photograph(page: Page, name: string) {
    const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(scrollWidth <= 360, `${name}: no horizontal scroll (scrollWidth ${scrollWidth})`);
    await page.screenshot({ path: `${shots}walkthrough-${name}-360.png`, fullPage: true, animations: 'disabled' });
  }

  async function signIn(page: Page, path: string, member: { bhxhNumber: string; password: string }) {
    await page.goto(`${t.url}${path}`);
    await page.fill('#bhxh_number', member.bhxhNumber);
    await page.fill('#password', member.password);
    await Promise.all([
      page.waitForURL((url) => url.pathname === path),
      page.click('form[action$="/login"] button[type=submit]'),
    ]);
  }

  async function otherDevice(userAgent: string, member: { bhxhNumber: string; password: string }) {
    const context: BrowserContext = await browser.newContext({ userAgent, locale: 'vi-VN' });
    const page = await context.newPage();
    await signIn(page, '/account', member);
    return { context, page };
  }

  async function signedIn(page: Page): Promise<boolean> {
    await page.goto(`${t.url}/account`);
    return new URL(page.url()).pathname === '/account';
  }

  it('walks through the three changes, and each ends what it should', async () => {
    const member = await t.createMember({ fullName: 'Lê Thị Hồng Nhung', email: null, emailVerified: false });
    const tablet = await otherDevice(TABLET_UA, member);
    const desktop = await otherDevice(DESKTOP_UA, member);

    const { page, problems } = await openPhone(browser);
    await signIn(page, '/account', member);
    await photograph(page, '01-overview');

    // 1. Add an email: a code goes to the new address; only then is it the address on file.
    const email = `hong.nhung.${Date.now()}@example.vn`;
    await page.click('#section-email');
    await page.waitForURL(/\/account\/email$/);
    await photograph(page, '02-email');
    await page.fill('#new_email', email);
    await Promise.all([
      page.waitForURL(/\/account\/email\/code$/),
      page.click('form[action="/account/email/address"] button'),
    ]);
    await photograph(page, '03-email-code');
    await t.server.outboxWorker.runOnce();
    const [mail] = (await t.server.devMailbox!.list(10_000)).filter((m) => m.to === email);
    const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
    await page.fill('#code', code);
    await Promise.all([page.waitForURL(/done=/), page.click('form[action="/account/email/code"] button')]);
    assert.match((await page.textContent('#email-on-file')) ?? '', new RegExp(email.replaceAll('.', '\\.')));
    await photograph(page, '04-email-added');

    // 2. Sign out the tablet from "where you are signed in": its page asks for the password again; the others stay.
    await page.goto(`${t.url}/account/sessions`);
    assert.equal(await page.locator('#sessions > li').count(), 3, 'the phone, the tablet and the computer');
    assert.equal(await page.locator('#sessions > li.current').count(), 1, '"this device" is marked once');
    await photograph(page, '05-sessions');
    const tabletItem = page
      .locator('#sessions > li', { hasText: 'Android' })
      .filter({ hasNot: page.locator('.badge') });
    await Promise.all([page.waitForURL(/\/account\/sessions/), tabletItem.locator('button').click()]);
    assert.ok(await page.isVisible('#sessions-notice'));
    assert.equal(await page.locator('#sessions > li').count(), 2);
    await photograph(page, '06-session-ended');
    assert.equal(await signedIn(tablet.page), false, 'the tablet is signed out');
    assert.equal(await signedIn(desktop.page), true, 'the computer is still signed in');

    // 3. Change the password: the computer is signed out, the phone stays; the new password works, the old does not.
    const newPassword = randomPassword();
    await page.goto(`${t.url}/account/password`);
    await photograph(page, '07-password');
    await page.fill('#current_password', member.password);
    await page.fill('#new_password', newPassword);
    await page.fill('#confirm_password', newPassword);
    // The show-password toggle (forms.js) is there with JavaScript on.
    assert.ok((await page.locator('.password-field .reveal').count()) >= 3);
    await Promise.all([
      page.waitForURL(/\/account\/password\?/),
      page.click('form[action="/account/password"] button[type=submit]'),
    ]);
    assert.ok(await page.isVisible('#password-notice'));
    await photograph(page, '08-password-changed');
    assert.equal(await signedIn(page), true, 'the phone stays signed in');
    assert.equal(await signedIn(desktop.page), false, 'the computer is signed out');
    // The computer signs in again with the new password only.
    await desktop.page.fill('#bhxh_number', member.bhxhNumber);
    await desktop.page.fill('#password', member.password);
    await desktop.page.click('form[action$="/login"] button[type=submit]');
    await desktop.page.waitForSelector('.alert');
    await desktop.page.fill('#password', newPassword);
    await Promise.all([
      desktop.page.waitForURL((url) => url.pathname === '/account'),
      desktop.page.click('form[action$="/login"] button[type=submit]'),
    ]);

    // The security activity tells the story, newest first.
    await page.goto(`${t.url}/account/activity`);
    await photograph(page, '09-activity');
    assert.deepEqual(problems, []);
    await tablet.context.close();
    await desktop.context.close();
  });
});
