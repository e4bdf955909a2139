// The password reset by email code in a real browser (Debian's Chromium through playwright-core) on a 360 px phone:
// from the VssID app's authorization request, "Quên mật khẩu?", number and email with the ALTCHA widget solving by
// itself (JavaScript on), the code from a real SMTP inbox, a new password, back on the sign-in page with a notice,
// and a sign-in with the new password that reaches the app's loopback redirect URI. Also the same reset without
// JavaScript. Screenshots go to test-artifacts/ (git-ignored) for people to look at.
//
// The server runs on an injected clock that does not move: the widget judges a challenge's expiry by the browser's
// own clock, so the server's time must stay close to the real time, and nothing here depends on time passing.
// Without Chromium the tests are skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, PHONE, requireBrowser } from '../helpers/chromium.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { authorizationRequest, discover, redeem, type oidc } from '../helpers/oidc.js';
import { randomPassword, startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { codeIn, startInbox, type Inbox } from '../helpers/smtp.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { withTimeout } from '../helpers/until.js';

const MAIL_FROM = 'BHXH ID <no-reply@baohiemxahoi.gov.vn>';
/** How long the widget may take to solve (it is about a second on a slow machine; this is only a bound). */
const SOLVE_TIMEOUT_MS = 30_000;

async function assertFitsPhone(page: Page, what: string) {
  const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
  const clientWidth = Number(await page.evaluate('document.documentElement.clientWidth'));
  assert.equal(clientWidth, 360, `${what}: the layout viewport is the phone's width (meta viewport)`);
  assert.ok(scrollWidth <= 360, `${what}: no horizontal scroll (scrollWidth ${scrollWidth})`);
}

if (browserMissing && requireBrowser) {
  describe('password reset in a real browser', () => {
    it('has a browser to run in', () => {
      assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    });
  });
} else {
  if (browserMissing) console.log(`# skipping the password-reset browser tests: ${browserMissing}`);

  describe('password reset in a real browser (Chromium, 360 px phone)', { skip: browserMissing ?? false }, () => {
    let t: TestServer;
    let inbox: Inbox;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let config: oidc.Configuration;

    before(async () => {
      inbox = await startInbox();
      t = await startTestServer({ env: { SMTP_URL: inbox.url, MAIL_FROM }, clock: testClock() });
      await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
      config = await discover(t.url, 'vssid');
      callback = await startCallbackServer();
      fs.mkdirSync(artifacts, { recursive: true });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await callback?.close();
      await t?.close();
      await inbox?.close();
    });

    /** A fresh phone-sized context that records CSP violations (event and console), page errors and console errors. */
    async function phone(options: { javaScriptEnabled?: boolean } = {}) {
      const context: BrowserContext = await browser.newContext({ ...PHONE, ...options });
      const violations: string[] = [];
      const problems: string[] = [];
      if (options.javaScriptEnabled !== false) {
        await context.exposeBinding('reportViolation', (_source, text: string) => void violations.push(text));
        await context.addInitScript(
          'addEventListener("securitypolicyviolation", (e) => reportViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`), true)',
        );
      }
      const page = await context.newPage();
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (/Content[- ]Security[- ]Policy|Refused to/i.test(msg.text())) violations.push(`console: ${msg.text()}`);
        // (The server has no /favicon.ico; Chromium asks for it on every page and logs the 404. Not a page problem.)
        else if (msg.type() === 'error' && !msg.location().url.endsWith('/favicon.ico'))
          problems.push(`console error: ${msg.text()} (${msg.location().url})`);
      });
      return { context, page, violations, problems };
    }

    /** Delivers the outbox and returns the code mailed to `email`. */
    async function mailedCode(email: string): Promise<string> {
      await t.server.outboxWorker.runOnce(); // (also delivers earlier tests' "password changed" notices)
      return codeIn(await inbox.next(email));
    }

    it('resets the password from the sign-in page with JavaScript on, then signs in with the new one', async () => {
      const email = `phone.${crypto.randomBytes(4).toString('hex')}@example.vn`;
      const member = await t.createMember({ fullName: 'Lê Văn Cường', email });
      const { context, page, violations, problems } = await phone();
      try {
        const request = await authorizationRequest(config, {
          redirect_uri: callback.redirectUri,
          scope: 'openid profile',
        });
        assert.equal((await page.goto(request.url.href))?.status(), 200);
        await page.getByRole('link', { name: 'Quên mật khẩu?' }).click();

        // The address page: the widget starts solving on load while the member types.
        await page.getByRole('heading', { name: 'Lấy lại mật khẩu', level: 1 }).waitFor();
        assert.ok(await page.getByText('1900 9068, bấm phím 8').isVisible(), 'the other ways are on the page');
        await page.getByLabel('Mã số BHXH').fill(member.bhxhNumber);
        await page.getByLabel('Email đã đăng ký').fill(email);
        // A function, not a string: a string predicate is eval'd in the page, which our CSP forbids.
        type InPage = { document: { querySelector(selector: string): { value: string } | null } };
        const solved = () =>
          Boolean(
            (globalThis as unknown as InPage).document.querySelector('altcha-widget input[name="altcha"]')?.value,
          );
        await page.waitForFunction(solved, undefined, { timeout: SOLVE_TIMEOUT_MS, polling: 50 });
        assert.equal(
          await page.locator('altcha-widget').evaluate((el) => (el as unknown as { getState(): string }).getState()),
          'verified',
        );
        assert.equal((await page.locator('altcha-widget label').textContent())?.trim(), 'Đã xác minh');
        await assertFitsPhone(page, 'address page');
        await page.screenshot({ path: `${artifacts}recovery-address-360.png`, fullPage: true, animations: 'disabled' });
        await page.getByRole('button', { name: 'Gửi mã xác thực' }).click();

        // The code page.
        await page.getByRole('heading', { name: 'Nhập mã xác thực (OTP)', level: 1 }).waitFor();
        assert.ok(await page.getByText(email).isVisible(), 'the page names the address the code went to');
        const code = await mailedCode(email);
        await assertFitsPhone(page, 'code page');
        await page.screenshot({ path: `${artifacts}recovery-code-360.png`, fullPage: true, animations: 'disabled' });
        await page.getByLabel('Mã xác thực (OTP)').fill(code);
        await page.getByRole('button', { name: 'Xác nhận' }).click();

        // The new password, twice.
        await page.getByRole('heading', { name: 'Đặt mật khẩu mới', level: 1 }).waitFor();
        const chosen = `mây trắng bay ${randomPassword()}`;
        await page.getByLabel('Mật khẩu mới', { exact: true }).fill(chosen);
        await page.getByLabel('Nhập lại mật khẩu mới', { exact: true }).fill(chosen);
        await assertFitsPhone(page, 'new-password page');
        await page.screenshot({
          path: `${artifacts}recovery-password-360.png`,
          fullPage: true,
          animations: 'disabled',
        });
        await page.getByRole('button', { name: 'Lưu mật khẩu và tiếp tục' }).click();

        // Back on the sign-in page of the same request: a notice, the number filled in, not signed in.
        const notice = page.locator('#login-notice');
        await notice.waitFor();
        assert.equal(
          (await notice.textContent())?.trim(),
          'Mật khẩu đã được thay đổi. Vui lòng đăng nhập bằng mật khẩu mới.',
        );
        assert.ok(new URL(page.url()).pathname.startsWith('/interaction/'), page.url());
        assert.equal(await page.getByLabel('Mã số BHXH').inputValue(), member.bhxhNumber);
        assert.equal(await page.getByLabel('Mật khẩu', { exact: true }).inputValue(), '');
        await assertFitsPhone(page, 'sign-in page after the reset');
        await page.screenshot({
          path: `${artifacts}recovery-back-to-sign-in-360.png`,
          fullPage: true,
          animations: 'disabled',
        });

        await page.getByLabel('Mật khẩu', { exact: true }).fill(chosen);
        const arrived = callback.next();
        await page.getByRole('button', { name: 'Đăng nhập' }).click();
        const callbackUrl = await withTimeout(arrived, 10_000, 'the redirect to the app');
        assert.equal(new URL(callbackUrl).searchParams.get('state'), request.state);
        const tokens = await redeem(config, request, callbackUrl);
        assert.equal(tokens.claims()!.sub, member.id);

        assert.deepEqual(violations, [], 'no CSP violations');
        assert.deepEqual(problems, [], 'no page errors');
      } finally {
        await context.close();
      }
    });

    it('resets the password the same way with JavaScript off (the no-JavaScript note is shown)', async () => {
      const email = `nojs.${crypto.randomBytes(4).toString('hex')}@example.vn`;
      const member = await t.createMember({ email });
      const { context, page, problems } = await phone({ javaScriptEnabled: false });
      try {
        await page.goto(`${t.url}/recovery`);
        await page.getByRole('heading', { name: 'Lấy lại mật khẩu', level: 1 }).waitFor();
        const note = page.locator('noscript p.hint'); // (getByText does not look inside <noscript>)
        assert.ok(await note.isVisible(), 'the no-JavaScript note is shown');
        await page.getByLabel('Mã số BHXH').fill(member.bhxhNumber);
        await page.getByLabel('Email đã đăng ký').fill(email);
        await page.getByRole('button', { name: 'Gửi mã xác thực' }).click();
        await page.getByRole('heading', { name: 'Nhập mã xác thực (OTP)', level: 1 }).waitFor();
        await assertFitsPhone(page, 'code page without JavaScript');

        await page.getByLabel('Mã xác thực (OTP)').fill(await mailedCode(email));
        await page.getByRole('button', { name: 'Xác nhận' }).click();
        await page.getByRole('heading', { name: 'Đặt mật khẩu mới', level: 1 }).waitFor();
        const chosen = randomPassword();
        await page.getByLabel('Mật khẩu mới', { exact: true }).fill(chosen);
        await page.getByLabel('Nhập lại mật khẩu mới', { exact: true }).fill(chosen);
        await page.getByRole('button', { name: 'Lưu mật khẩu và tiếp tục' }).click();
        await page.getByRole('heading', { name: 'Đã đổi mật khẩu', level: 1 }).waitFor();
        await assertFitsPhone(page, 'done page');

        const account = await t.server.deps.accounts.findById(member.id);
        assert.ok(await t.server.deps.hasher.verify(account!.passwordHash!, chosen), 'the new password is set');
        assert.deepEqual(problems, [], 'no page errors');
      } finally {
        await context.close();
      }
    });
  });
}
