// A real browser (Debian's Chromium through playwright-core) on a phone-sized screen signs a member in through the
// hosted pages, with and without JavaScript, and lands on the VssID app's loopback redirect URI with a code that
// openid-client redeems. Screenshots go to test-artifacts/ (git-ignored) for people to look at.
//
// Without Chromium the tests are skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, requireBrowser, openPhone } from '../helpers/chromium.js';
import type { Browser, Page } from 'playwright-core';
import { authorizationRequest, discover, redeem, type oidc } from '../helpers/oidc.js';
import { randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';

async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
  const clientWidth = Number(await page.evaluate('document.documentElement.clientWidth'));
  return { scrollWidth, clientWidth };
}

async function assertFitsPhone(page: Page, what: string) {
  const { scrollWidth, clientWidth } = await horizontalOverflow(page);
  assert.equal(clientWidth, 360, `${what}: the layout viewport is the phone's width (meta viewport)`);
  assert.ok(scrollWidth <= 360, `${what}: no horizontal scroll (scrollWidth ${scrollWidth})`);
}

if (browserMissing && requireBrowser) {
  describe('hosted pages in a real browser', () => {
    it('has a browser to run in', () => {
      assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    });
  });
} else {
  if (browserMissing) console.log(`# skipping the browser tests: ${browserMissing}`);

  describe('hosted pages in a real browser (Chromium, 360 px phone)', { skip: browserMissing ?? false }, () => {
    let t: TestServer;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let config: oidc.Configuration;
    let member: { id: string; bhxhNumber: string; password: string };
    let temporary: { id: string; bhxhNumber: string; password: string };

    before(async () => {
      t = await startTestServer();
      const [vssid] = demoClients(t.url);
      await t.createClient(vssid!.metadata, { firstParty: true });
      member = await t.createMember({
        fullName: 'Nguyễn Văn An',
        birthdate: '1990-05-15',
        phoneNumber: '+84912345678',
      });
      temporary = await t.createMember({
        fullName: 'Trần Thị Bình',
        birthdate: '1985-11-02',
        phoneNumber: '+84387654321',
        mustChangePassword: true,
      });
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

    /** Opens the authorization URL and checks the sign-in page is there, in Vietnamese, and fits the screen. */
    async function openSignIn(page: Page) {
      const request = await authorizationRequest(config, {
        redirect_uri: callback.redirectUri,
        scope: 'openid profile',
      });
      const response = await page.goto(request.url.href);
      assert.equal(response?.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'vi');
      assert.ok(
        await page.locator('label', { hasText: 'Mã số BHXH' }).isVisible(),
        'the "Mã số BHXH" label is visible',
      );
      assert.ok(await page.locator('label', { hasText: 'Mật khẩu' }).isVisible(), 'the "Mật khẩu" label is visible');
      assert.ok(await page.getByRole('button', { name: 'Đăng nhập' }).isVisible());
      await assertFitsPhone(page, 'sign-in page');
      return request;
    }

    /** Types the credentials into the fields found by their labels. */
    async function fillCredentials(page: Page, who: { bhxhNumber: string; password: string }) {
      await page.getByLabel('Mã số BHXH').fill(who.bhxhNumber);
      await page.getByLabel('Mật khẩu', { exact: true }).fill(who.password);
    }

    it('signs in with JavaScript on and returns a code the app redeems', async () => {
      const { context, page, problems } = await phone();
      try {
        const request = await openSignIn(page);
        await fillCredentials(page, member);
        await page.screenshot({ path: `${artifacts}sign-in-360.png`, fullPage: true });

        const arrived = callback.next();
        await page.getByRole('button', { name: 'Đăng nhập' }).click();
        const callbackUrl = await arrived;
        await page.waitForURL((url) => url.href.startsWith(callback.redirectUri));
        assert.equal(new URL(callbackUrl).searchParams.get('state'), request.state);
        assert.ok(new URL(callbackUrl).searchParams.get('code'));
        assert.equal(await page.textContent('body'), 'ok');

        const tokens = await redeem(config, request, callbackUrl);
        assert.equal(tokens.claims()!.sub, member.id);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('signs in the same way with JavaScript disabled', async () => {
      const { context, page } = await phone({ javaScriptEnabled: false });
      try {
        const request = await openSignIn(page);
        await fillCredentials(page, member);
        const arrived = callback.next();
        await page.getByRole('button', { name: 'Đăng nhập' }).click();
        const callbackUrl = await arrived;
        await page.waitForURL((url) => url.href.startsWith(callback.redirectUri));

        const tokens = await redeem(config, request, callbackUrl);
        assert.equal(tokens.claims()!.sub, member.id);
      } finally {
        await context.close();
      }
    });

    it('shows an error on the page for a wrong password, then signs in', async () => {
      const { context, page } = await phone({ javaScriptEnabled: false });
      try {
        const request = await openSignIn(page);
        await fillCredentials(page, { bhxhNumber: member.bhxhNumber, password: `${member.password}-wrong` });
        await page.getByRole('button', { name: 'Đăng nhập' }).click();
        const alert = page.getByRole('alert');
        assert.equal((await alert.textContent())?.trim(), 'Mã số BHXH hoặc mật khẩu không đúng.');
        assert.equal(await page.getByLabel('Mã số BHXH').inputValue(), member.bhxhNumber, 'the number is kept');
        assert.equal(
          await page.getByLabel('Mật khẩu', { exact: true }).inputValue(),
          '',
          'the password is not echoed back',
        );
        await assertFitsPhone(page, 'sign-in page with an error');

        await page.getByLabel('Mật khẩu', { exact: true }).fill(member.password);
        const arrived = callback.next();
        await page.getByRole('button', { name: 'Đăng nhập' }).click();
        const tokens = await redeem(config, request, await arrived);
        assert.equal(tokens.claims()!.sub, member.id);
      } finally {
        await context.close();
      }
    });

    it('asks a member with a temporary password for a new one, then signs in', async () => {
      const { context, page, problems } = await phone();
      try {
        const request = await openSignIn(page);
        await fillCredentials(page, temporary);
        await page.getByRole('button', { name: 'Đăng nhập' }).click();

        await page.getByRole('heading', { name: 'Đặt mật khẩu mới' }).waitFor();
        const newPassword = page.getByLabel('Mật khẩu mới', { exact: true });
        const confirm = page.getByLabel('Nhập lại mật khẩu mới', { exact: true });
        assert.ok(await newPassword.isVisible());
        assert.ok(await confirm.isVisible());
        assert.ok(await page.getByRole('button', { name: 'Lưu mật khẩu và tiếp tục' }).isVisible());
        await assertFitsPhone(page, 'new-password page');
        await page.screenshot({ path: `${artifacts}new-password-360.png`, fullPage: true });
        // The step is a page of its own (post/redirect/get): a reload shows it again without posting the temporary
        // password a second time, and so does a switch of language and back.
        assert.doesNotMatch(page.url(), /\/login$/, 'the browser is not left on the POST');
        await page.reload();
        await page.locator('a.lang').click();
        await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
        await page.locator('a.lang').click();
        await page.getByRole('heading', { name: 'Đặt mật khẩu mới' }).waitFor();

        const chosen = `mây trắng bay ${randomPassword()}`;
        await newPassword.fill(chosen);
        await confirm.fill(chosen);
        const arrived = callback.next();
        await page.getByRole('button', { name: 'Lưu mật khẩu và tiếp tục' }).click();
        const tokens = await redeem(config, request, await arrived);
        assert.equal(tokens.claims()!.sub, temporary.id);
        assert.deepEqual(problems, []);

        const account = await t.server.deps.accounts.findById(temporary.id);
        assert.equal(account?.mustChangePassword, false);
        assert.ok(await t.server.deps.hasher.verify(account!.passwordHash!, chosen));
      } finally {
        await context.close();
      }
    });
  });
}
