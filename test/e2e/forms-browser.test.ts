// The hosted forms in a real browser on a 360 px phone (issue 14, item 9): the show-password toggle (and none without
// JavaScript), the focus and aria-describedby after an error, tap targets of at least 44×44 px, and the working
// state of the button while a sign-in waits out its progressive delay. Screenshots go to test-artifacts/.
//
// The progressive delay is the server's injected sleep: recorded, and held open only by the test that wants to see
// the button working, so nothing here waits on the wall clock.
// Without Chromium the tests are skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { translator } from '../../src/core/i18n.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, requireBrowser, openPhone } from '../helpers/chromium.js';
import { authorizationRequest, discover, type oidc } from '../helpers/oidc.js';
import { randomPassword, startTestServer, type TestServer } from '../helpers/server.js';

const vi = translator('vi');
/** How long the widget may take to solve (about a second on a slow machine; only a bound). */
const SOLVE_TIMEOUT_MS = 30_000;
/** The delay the server records for a slowed answer (the issue measured 4.7 s; here it is never slept). */
const DELAY_MS = 4700;

type Member = { id: string; bhxhNumber: string; password: string };
type Box = { what: string; width: number; height: number };
/** What the tests read of a DOM element (the test project has no DOM typings). */
type InPageElement = {
  getClientRects(): { length: number };
  getBoundingClientRect(): { width: number; height: number };
  getAttribute(name: string): string | null;
  textContent: string | null;
  ownerDocument: { activeElement: unknown };
};

/** Every link and button the page shows, with its size (inside the captcha widget too). */
function tapTargets(page: Page): Promise<Box[]> {
  return page.locator('a[href], button').evaluateAll((elements) =>
    elements.flatMap((element) => {
      const e = element as unknown as InPageElement;
      if (e.getClientRects().length === 0) return []; // not rendered (display: none)
      const { width, height } = e.getBoundingClientRect();
      return [{ what: (e.getAttribute('aria-label') ?? e.textContent ?? '').trim(), width, height }];
    }),
  );
}

/** Every link and button is at least 44×44 px, and the named ones are among them. */
async function assertTapTargets(page: Page, what: string, named: string[]) {
  const boxes = await tapTargets(page);
  const small = boxes.filter((b) => b.width < 44 || b.height < 44);
  assert.deepEqual(small, [], `${what}: every link and button is at least 44×44 px`);
  for (const name of named)
    assert.ok(
      boxes.some((b) => b.what === name),
      `${what}: "${name}" is measured (${boxes.map((b) => b.what).join(' | ')})`,
    );
}

function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const e = element as unknown as InPageElement;
    return e.ownerDocument.activeElement === element;
  });
}

/** Waits until the element has the focus (autofocus is applied at the first rendering after load). */
async function assertFocused(locator: Locator, what: string) {
  for (let i = 0; i < 50 && !(await isFocused(locator)); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(await isFocused(locator), `${what} has the focus`);
}

if (browserMissing && requireBrowser) {
  describe('forms in a real browser', () => {
    it('has a browser to run in', () => assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`));
  });
} else {
  if (browserMissing) console.log(`# skipping the forms browser tests: ${browserMissing}`);

  describe('hosted forms in a real browser (Chromium, 360 px phone)', { skip: browserMissing ?? false }, () => {
    let t: TestServer;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let config: oidc.Configuration;
    const sleeps: number[] = [];
    /** While set, the progressive delay lasts until it resolves; `entered` says a request is waiting in it. */
    let hold: Promise<void> | undefined;
    let entered: (() => void) | undefined;

    before(async () => {
      t = await startTestServer({
        // One free failure, then every answer for the number is slowed.
        env: { LOGIN_FREE_FAILURES: '1', LOGIN_DELAY_BASE_MS: String(DELAY_MS), LOGIN_DELAY_MAX_MS: '8000' },
        sleep: async (ms) => {
          sleeps.push(ms);
          entered?.();
          await hold;
        },
      });
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
    });

    const phone = (options: { javaScriptEnabled?: boolean } = {}) => openPhone(browser, options);

    async function openSignIn(page: Page, params: Record<string, string> = {}) {
      const request = await authorizationRequest(config, {
        redirect_uri: callback.redirectUri,
        scope: 'openid',
        ...params,
      });
      assert.equal((await page.goto(request.url.href))?.status(), 200);
      return request;
    }

    async function submitSignIn(page: Page, bhxhNumber: string, password: string) {
      await page.getByLabel('Mã số BHXH').fill(bhxhNumber);
      await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
      await page.locator('#login-error').waitFor();
    }

    /** Signs a member who must choose a new password in, up to the new-password page. */
    async function openSetPassword(page: Page, member: Member) {
      await openSignIn(page);
      await page.getByLabel('Mã số BHXH').fill(member.bhxhNumber);
      await page.getByLabel('Mật khẩu', { exact: true }).fill(member.password);
      await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
      await page.getByRole('heading', { name: 'Đặt mật khẩu mới', level: 1 }).waitFor();
    }

    it('shows a show-password toggle that flips the field, keeps autocomplete, and speaks the page language', async () => {
      const { context, page, problems } = await phone();
      try {
        await openSignIn(page);
        const password = page.getByLabel('Mật khẩu', { exact: true });
        const toggle = page.getByRole('button', { name: 'Hiện mật khẩu', exact: true });
        assert.equal(await toggle.count(), 1, 'one toggle for the one password field');
        assert.equal(await toggle.getAttribute('type'), 'button', 'a real button that does not submit');
        assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
        assert.equal(await toggle.getAttribute('aria-controls'), 'password');

        await password.fill('mây trắng bay');
        await toggle.click();
        assert.equal(await password.getAttribute('type'), 'text', 'pressed: the password is shown');
        assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
        assert.equal(await password.inputValue(), 'mây trắng bay', 'the value is kept');
        assert.equal(await password.getAttribute('autocomplete'), 'current-password', 'password managers still see it');
        await toggle.click();
        assert.equal(await password.getAttribute('type'), 'password', 'pressed again: hidden');
        assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
        assert.equal(new URL(page.url()).pathname.startsWith('/interaction/'), true, 'the toggle never submits');

        // In English the toggle says so in English.
        await openSignIn(page, { ui_locales: 'en' });
        assert.equal(await page.getByRole('button', { name: 'Show password', exact: true }).count(), 1);
        assert.deepEqual(problems, [], 'no page errors or CSP violations');
      } finally {
        await context.close();
      }
    });

    it('focuses the field in error and ties it to the error summary', async () => {
      const member = await t.createMember();
      const { context, page, problems } = await phone();
      try {
        await openSignIn(page);
        // A wrong password: the password field (which comes back empty) is the one to fix.
        await submitSignIn(page, member.bhxhNumber, `${member.password}-wrong`);
        const number = page.getByLabel('Mã số BHXH');
        const password = page.getByLabel('Mật khẩu', { exact: true });
        await assertFocused(password, 'after a wrong password, the password field');
        assert.equal(await password.getAttribute('aria-invalid'), 'true');
        assert.equal(await password.getAttribute('aria-describedby'), 'login-error');
        assert.equal(await number.getAttribute('aria-invalid'), null, 'the number is not marked wrong');
        assert.equal(await number.getAttribute('aria-describedby'), 'bhxh_number_hint', 'its hint stays');
        assert.equal(await number.inputValue(), member.bhxhNumber, 'the number is kept');
        await page.screenshot({
          path: `${artifacts}forms-sign-in-error-360.png`,
          fullPage: true,
          animations: 'disabled',
        });

        // A number that is not 10 digits: the number field, with the summary first and its hint after.
        await submitSignIn(page, '12345', randomPassword());
        await assertFocused(number, 'after a bad number, the number field');
        assert.equal(await number.getAttribute('aria-invalid'), 'true');
        assert.equal(await number.getAttribute('aria-describedby'), 'login-error bhxh_number_hint');
        assert.equal(await password.getAttribute('aria-invalid'), null);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('focuses the new password after two passwords that differ, and both are tied to the summary', async () => {
      const member = await t.createMember({ mustChangePassword: true });
      const { context, page, problems } = await phone();
      try {
        await openSetPassword(page, member);
        const first = page.getByLabel('Mật khẩu mới', { exact: true });
        const second = page.getByLabel('Nhập lại mật khẩu mới', { exact: true });
        assert.equal(await first.getAttribute('aria-describedby'), 'password_rules');
        assert.equal(
          await page.getByRole('button', { name: 'Hiện mật khẩu', exact: true }).count(),
          2,
          'a toggle on each password field',
        );
        await first.fill(`mây trắng ${randomPassword()}`);
        await page.getByRole('button', { name: 'Hiện mật khẩu', exact: true }).first().click();
        assert.equal(await first.getAttribute('type'), 'text');
        assert.equal(await second.getAttribute('type'), 'password', 'each toggle shows only its own field');
        assert.equal(await first.getAttribute('autocomplete'), 'new-password');
        await page.screenshot({
          path: `${artifacts}forms-set-password-toggle-360.png`,
          fullPage: true,
          animations: 'disabled',
        });
        await assertTapTargets(page, 'new-password page', ['Hiện mật khẩu', 'English', 'Lưu mật khẩu và tiếp tục']);

        await second.fill(randomPassword());
        await page.getByRole('button', { name: 'Lưu mật khẩu và tiếp tục' }).click();
        await page.locator('#password-error').waitFor();
        await assertFocused(first, 'after a mismatch, the new password');
        assert.equal(await first.getAttribute('aria-invalid'), 'true');
        assert.equal(await first.getAttribute('aria-describedby'), 'password-error password_rules');
        assert.equal(await second.getAttribute('aria-invalid'), 'true');
        assert.equal(await second.getAttribute('aria-describedby'), 'password-error');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('gives every link and button on the sign-in and recovery pages a tap target of at least 44×44 px', async () => {
      const { context, page, problems } = await phone();
      try {
        await openSignIn(page);
        await assertTapTargets(page, 'sign-in page', [
          'English',
          'Quên mật khẩu?',
          'Hủy và quay lại ứng dụng',
          'Hiện mật khẩu',
          'Đăng nhập',
        ]);
        await page.screenshot({ path: `${artifacts}forms-sign-in-360.png`, fullPage: true, animations: 'disabled' });

        await page.getByRole('link', { name: 'Quên mật khẩu?' }).click();
        await page.getByRole('heading', { name: 'Lấy lại mật khẩu', level: 1 }).waitFor();
        await assertTapTargets(page, 'recovery address page', ['English', 'Quay lại đăng nhập', 'Gửi mã xác thực']);

        // Any number and address: the code page follows whether or not they match.
        await page.getByLabel('Mã số BHXH').fill('0123456789');
        await page.getByLabel('Email đã đăng ký').fill('khong.co@example.vn');
        type InPage = { document: { querySelector(selector: string): { value: string } | null } };
        await page.waitForFunction(
          () =>
            Boolean(
              (globalThis as unknown as InPage).document.querySelector('altcha-widget input[name="altcha"]')?.value,
            ),
          undefined,
          { timeout: SOLVE_TIMEOUT_MS, polling: 50 },
        );
        await page.getByRole('button', { name: 'Gửi mã xác thực' }).click();
        await page.getByRole('heading', { name: 'Nhập mã xác thực (OTP)', level: 1 }).waitFor();
        await assertTapTargets(page, 'recovery code page', ['English', 'Quay lại đăng nhập', 'Gửi lại mã', 'Xác nhận']);
        await page.screenshot({
          path: `${artifacts}forms-recovery-code-360.png`,
          fullPage: true,
          animations: 'disabled',
        });
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('shows no toggle at all without JavaScript, and still focuses the field in error', async () => {
      const member = await t.createMember();
      const mustChange = await t.createMember({ mustChangePassword: true });
      const { context, page } = await phone({ javaScriptEnabled: false });
      try {
        await openSignIn(page);
        assert.equal(await page.getByRole('button', { name: 'Hiện mật khẩu' }).count(), 0, 'no toggle on sign-in');
        assert.equal(await page.locator('.password-field button').count(), 0);
        await submitSignIn(page, member.bhxhNumber, `${member.password}-wrong`);
        const password = page.getByLabel('Mật khẩu', { exact: true });
        await assertFocused(password, 'without JavaScript, the password field');
        assert.equal(await password.getAttribute('aria-describedby'), 'login-error');
        await assertTapTargets(page, 'sign-in page without JavaScript', [
          'English',
          'Quên mật khẩu?',
          'Hủy và quay lại ứng dụng',
        ]);

        await context.clearCookies();
        await openSetPassword(page, mustChange);
        assert.equal(await page.getByRole('button', { name: 'Hiện mật khẩu' }).count(), 0, 'no toggle here either');
        assert.equal(await page.locator('.password-field button').count(), 0);
      } finally {
        await context.close();
      }
    });

    it('shows the button working while the answer is slowed, takes no second submit, then points to "Quên mật khẩu?"', async () => {
      const member = await t.createMember();
      const { context, page, problems } = await phone();
      // While a navigation is in flight Playwright's locators wait for the next page, so the page reports the state
      // of its form itself, at every change (through a binding; init scripts are not subject to the page's CSP).
      const states: Array<{ busy: string | null; text: string; disabled: boolean; passwordType: string }> = [];
      await page.exposeBinding('reportForm', (_source, state: string) => void states.push(JSON.parse(state)));
      await page.addInitScript(`addEventListener('DOMContentLoaded', () => {
        const report = () => {
          const button = document.querySelector('form button[type="submit"]');
          const password = document.getElementById('password');
          if (button && password) reportForm(JSON.stringify({ busy: button.getAttribute('aria-busy'),
            text: button.textContent.trim(), disabled: button.disabled, passwordType: password.type }));
        };
        new MutationObserver(report).observe(document.body, { subtree: true, attributes: true, childList: true });
      });`);
      let release = () => {};
      try {
        await openSignIn(page);
        // The free failure: the usual message; no delay.
        await submitSignIn(page, member.bhxhNumber, randomPassword());
        assert.equal((await page.locator('#login-error').textContent())?.trim(), vi('login.error.invalid'));
        // The next failure is answered at once but says that answers are slowed from now on.
        sleeps.length = 0;
        await page.getByLabel('Mật khẩu', { exact: true }).fill(randomPassword());
        await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
        await page.getByText('trả lời chậm hơn').waitFor();
        assert.equal((await page.locator('#login-error').textContent())?.trim(), vi('login.error.slowed'));
        assert.deepEqual(sleeps, [], 'that answer itself was not slowed');

        // The third waits out its delay (held here): the button says it is working and takes no second press.
        hold = new Promise<void>((resolve) => (release = resolve));
        const waiting = new Promise<void>((resolve) => (entered = resolve));
        const posts: string[] = [];
        page.on('request', (r) => {
          if (r.method() === 'POST' && r.url().endsWith('/login')) posts.push(r.url());
        });
        const password = page.getByLabel('Mật khẩu', { exact: true });
        await password.fill(randomPassword());
        await page.getByRole('button', { name: 'Hiện mật khẩu', exact: true }).click();
        assert.equal(await password.getAttribute('type'), 'text');
        const submit = page.locator('form button[type="submit"]');
        const box = (await submit.boundingBox())!;
        states.length = 0;
        await submit.click({ noWaitAfter: true }); // (the navigation is held open by the delay)
        await waiting;
        assert.deepEqual(sleeps, [DELAY_MS], 'the server is waiting out the progressive delay');
        for (let i = 0; i < 50 && !states.at(-1)?.disabled; i++) await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(
          states.at(-1),
          { busy: 'true', text: vi('form.busy'), disabled: true, passwordType: 'password' },
          'working, disabled against a double submit, and the password went as a password field',
        );
        // (page.screenshot waits for the navigation too; the DevTools protocol takes the picture as it is.)
        const cdp = await context.newCDPSession(page);
        const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
        fs.writeFileSync(`${artifacts}forms-sign-in-busy-360.png`, Buffer.from(data, 'base64'));
        // Second tries while the first is in flight: a tap on the button, and Enter.
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        await page.keyboard.press('Enter');
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(posts.length, 1, `one POST, not two: ${posts.join(', ')}`);

        release();
        hold = undefined;
        entered = undefined;
        await page.getByText('trả lời chậm hơn').waitFor();
        const alert = (await page.locator('#login-error').textContent())?.trim() ?? '';
        assert.equal(alert, vi('login.error.slowed'));
        assert.ok(alert.includes('“Quên mật khẩu?”'), 'the message points to the link by its name');
        assert.ok(await page.getByRole('link', { name: 'Quên mật khẩu?' }).isVisible(), 'and the link is there');
        assert.equal(
          await page.getByRole('button', { name: 'Đăng nhập', exact: true }).isDisabled(),
          false,
          'the new page works',
        );
        assert.equal(posts.length, 1);
        await assertFocused(page.getByLabel('Mật khẩu', { exact: true }), 'the password field');
        await page.screenshot({
          path: `${artifacts}forms-sign-in-slowed-360.png`,
          fullPage: true,
          animations: 'disabled',
        });
        assert.deepEqual(problems, []);
      } finally {
        release();
        hold = undefined;
        entered = undefined;
        await context.close();
      }
    });

    it('still sends "logout=yes" from the sign-out page while its button shows it is working', async () => {
      const member = await t.createMember();
      const { context, page, problems } = await phone();
      try {
        await openSignIn(page);
        await page.getByLabel('Mã số BHXH').fill(member.bhxhNumber);
        await page.getByLabel('Mật khẩu', { exact: true }).fill(member.password);
        const arrived = callback.next();
        await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
        await arrived;

        await page.goto(`${t.url}/session/end`);
        await page.getByRole('heading', { name: 'Đăng xuất', level: 1 }).waitFor();
        const confirm = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/session/end/confirm'));
        await page.getByRole('button', { name: 'Đăng xuất', exact: true }).click();
        const body = new URLSearchParams((await confirm).postData() ?? '');
        assert.equal(body.get('logout'), 'yes', 'the pressed button’s value went with the form');
        await page.getByText(vi('logout.done')).waitFor();
        assert.ok(!(await context.cookies()).some((c) => c.name === '_session'), 'the session has ended');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  });
}
