// A gallery of every hosted page, photographed in a real browser (Debian's Chromium through playwright-core) on a
// 360 px phone, for people to look at in test-artifacts/gallery/ (git-ignored): the start page, sign-in (and with an
// error, in English, when VNeID is required), each password-reset step, the new-password step, the VNeID results,
// consent, sign-out (confirm and done), and the error pages — 404, expired session, Back after a cancel, a relying
// party's mistake (collapsed and opened, Vietnamese and English). Each page is checked to fit the phone's width, to
// be in the language expected, and to run without CSP violations or page errors.
//
// Without Chromium the test is skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ACR } from '../../src/oidc/assurance.js';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, requireBrowser, openPhone } from '../helpers/chromium.js';
import { authorizationRequest, discover, oidc, redeem } from '../helpers/oidc.js';
import { randomPassword } from '../helpers/server.js';
import { withTimeout } from '../helpers/until.js';
import { startFederatedPair, type FederatedPair } from '../helpers/vneid.js';

const gallery = `${artifacts}gallery/`;
/** How long the captcha widget may take to solve (about a second on a slow machine; this is only a bound). */
const SOLVE_TIMEOUT_MS = 30_000;

if (browserMissing && requireBrowser) {
  describe('gallery of hosted pages', () => {
    it('has a browser to run in', () => {
      assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    });
  });
} else {
  if (browserMissing) console.log(`# skipping the gallery: ${browserMissing}`);

  // Screenshots for people to look at: the same pages whichever database serves them, so the PostgreSQL pass
  // (TEST_DATABASE_URL set) leaves them to the PGlite pass.
  describe('gallery of hosted pages (Chromium, 360 px phone)', {
    skip:
      browserMissing ??
      (process.env.TEST_DATABASE_URL ? 'the pages do not depend on the database: taken in the PGlite pass' : false),
    timeout: 240_000,
  }, () => {
    let pair: FederatedPair;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let partner: oidc.Configuration;
    let portal: oidc.Configuration;
    const shots: string[] = [];

    before(async () => {
      pair = await startFederatedPair();
      callback = await startCallbackServer();
      // A relying party that is not ours (it gets the consent page) and one of ours with a registered home page.
      const partnerClient = await pair.t.createClient(
        {
          client_id: 'gallery-partner',
          client_name: 'Ứng dụng Đối tác',
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [callback.redirectUri],
        },
        { firstParty: false },
      );
      partner = await discover(pair.t.url, partnerClient.clientId);
      await pair.t.createClient(
        {
          client_id: 'gallery-portal',
          client_name: 'Cổng dịch vụ công BHXH',
          client_uri: `${new URL(callback.redirectUri).origin}/`,
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [callback.redirectUri],
        },
        { firstParty: true },
      );
      portal = await discover(pair.t.url, 'gallery-portal');
      fs.mkdirSync(gallery, { recursive: true });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await callback?.close();
      await pair?.close();
      if (shots.length) console.log(`# gallery: ${shots.length} screenshots in ${gallery}`);
    });

    const phone = (options: { javaScriptEnabled?: boolean } = {}) => openPhone(browser, options);

    /** Checks the page fits the phone and speaks `lang`, then photographs it as gallery/<name>-360.png. */
    async function shoot(page: Page, name: string, lang: 'vi' | 'en' = 'vi') {
      const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
      const clientWidth = Number(await page.evaluate('document.documentElement.clientWidth'));
      assert.equal(clientWidth, 360, `${name}: the layout viewport is the phone's width`);
      assert.ok(scrollWidth <= 360, `${name}: no horizontal scroll (scrollWidth ${scrollWidth})`);
      assert.equal(await page.getAttribute('html', 'lang'), lang, `${name}: in ${lang}`);
      const path = `${gallery}${name}-360.png`;
      await page.screenshot({ path, fullPage: true, animations: 'disabled' });
      shots.push(path);
    }

    const heading = (page: Page) => page.locator('h1').textContent();

    /** Opens a new authorization request of `config` on its sign-in page. */
    async function openSignIn(page: Page, config = pair.rp, params: Record<string, string> = {}) {
      const request = await authorizationRequest(config, {
        redirect_uri: callback.redirectUri,
        scope: 'openid profile',
        ...params,
      });
      assert.equal((await page.goto(request.url.href))?.status(), 200);
      return request;
    }

    async function fillCredentials(page: Page, who: { bhxhNumber: string; password: string }) {
      await page.getByLabel('Mã số BHXH').fill(who.bhxhNumber);
      await page.getByLabel('Mật khẩu', { exact: true }).fill(who.password);
    }

    /** The 6-digit code last mailed to `email` (the dev mailbox stands in for SMTP). */
    async function mailedCode(email: string): Promise<string> {
      await pair.t.server.outboxWorker.runOnce();
      const mail = (await pair.t.server.devMailbox!.list()).filter((m) => m.to === email).at(-1);
      const code = mail?.text.match(/\b(\d{6})\b/)?.[1];
      assert.ok(code, `a code mailed to ${email}`);
      return code;
    }

    it('the start page and the 404 page', async () => {
      const { context, page, problems } = await phone();
      try {
        await page.goto(`${pair.t.url}/`);
        await shoot(page, '01-start-page');
        assert.equal((await page.goto(`${pair.t.url}/khong-ton-tai`))?.status(), 404);
        assert.equal(await heading(page), 'Không tìm thấy trang');
        await shoot(page, '02-not-found');
        await page.goto(`${pair.t.url}/khong-ton-tai?lang=en`);
        await shoot(page, '02-not-found-en', 'en');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('sign-in: the page, a wrong password, English, and a request that demands VNeID', async () => {
      const member = await pair.t.createMember();
      const { context, page, problems } = await phone();
      try {
        await openSignIn(page);
        await shoot(page, '03-sign-in');
        await fillCredentials(page, { bhxhNumber: member.bhxhNumber, password: `${member.password}-sai` });
        await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
        await page.getByRole('alert').waitFor();
        await shoot(page, '04-sign-in-error');
        await openSignIn(page, pair.rp, { ui_locales: 'en' });
        await shoot(page, '05-sign-in-en', 'en');
        await page.context().clearCookies(); // (the language cookie the English page set)
        await openSignIn(page, pair.rp, { acr_values: ACR.vneid2 });
        await shoot(page, '06-sign-in-vneid-required');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('password reset: address, code, new password, back on the sign-in page; and the required new password', async () => {
      const email = `gallery.${crypto.randomBytes(4).toString('hex')}@example.vn`;
      const member = await pair.t.createMember({ email });
      const { context, page, problems } = await phone();
      try {
        await openSignIn(page);
        await page.getByRole('link', { name: 'Quên mật khẩu?' }).click();
        await page.getByRole('heading', { name: 'Lấy lại mật khẩu', level: 1 }).waitFor();
        await page.getByLabel('Mã số BHXH').fill(member.bhxhNumber);
        await page.getByLabel('Email đã đăng ký').fill(email);
        type InPage = { document: { querySelector(selector: string): { value: string } | null } };
        const solved = () =>
          Boolean(
            (globalThis as unknown as InPage).document.querySelector('altcha-widget input[name="altcha"]')?.value,
          );
        await page.waitForFunction(solved, undefined, { timeout: SOLVE_TIMEOUT_MS, polling: 50 });
        await shoot(page, '07-recovery-address');
        await page.getByRole('button', { name: 'Gửi mã xác thực' }).click();

        await page.getByRole('heading', { name: 'Nhập mã xác thực (OTP)', level: 1 }).waitFor();
        await shoot(page, '08-recovery-code');
        await page.getByLabel('Mã xác thực (OTP)').fill('000000');
        await page.getByRole('button', { name: 'Xác nhận' }).click();
        await page.getByRole('alert').waitFor();
        await shoot(page, '09-recovery-code-wrong');
        await page.getByLabel('Mã xác thực (OTP)').fill(await mailedCode(email));
        await page.getByRole('button', { name: 'Xác nhận' }).click();

        await page.getByRole('heading', { name: 'Đặt mật khẩu mới', level: 1 }).waitFor();
        await shoot(page, '10-recovery-new-password');
        const chosen = `mây trắng bay ${randomPassword()}`;
        await page.getByLabel('Mật khẩu mới', { exact: true }).fill(chosen);
        await page.getByLabel('Nhập lại mật khẩu mới', { exact: true }).fill(chosen);
        await page.getByRole('button', { name: 'Lưu mật khẩu và tiếp tục' }).click();
        await page.locator('#login-notice').waitFor();
        await shoot(page, '11-recovery-back-to-sign-in');

        const temporary = await pair.t.createMember({ mustChangePassword: true });
        await openSignIn(page);
        await fillCredentials(page, temporary);
        await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
        await page.getByRole('heading', { name: 'Đặt mật khẩu mới', level: 1 }).waitFor();
        await shoot(page, '12-sign-in-new-password-required');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('VNeID results: cancelled, no account, level too low', async () => {
      const { context, page, problems } = await phone();
      const pressVneid = () =>
        page.getByRole('button', { name: 'Đăng nhập bằng tài khoản định danh điện tử VNeID' }).click();
      try {
        await openSignIn(page);
        await pressVneid();
        await page.locator('[data-action="cancel"]').click();
        await page.locator('#federation-message').waitFor();
        await shoot(page, '13-vneid-cancelled');

        await openSignIn(page);
        await pressVneid();
        await page.locator(`[data-national-id="${pair.citizens.stranger.nationalId}"]`).click();
        await page.waitForURL((url) => url.pathname.endsWith('/vneid/result'));
        await shoot(page, '14-vneid-no-account');

        await pair.t.createMember({ nationalId: pair.citizens.level1.nationalId });
        await context.clearCookies(); // (the simulator would remember the citizen chosen last)
        await openSignIn(page, pair.rp, { acr_values: ACR.vneid2 });
        await pressVneid();
        await page.locator(`[data-national-id="${pair.citizens.level1.nationalId}"]`).click();
        await page.waitForURL((url) => url.pathname.endsWith('/vneid/result'));
        await shoot(page, '15-vneid-level-too-low');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('consent, then sign-out: the confirmation and the signed-out page', async () => {
      const member = await pair.t.createMember();
      const { context, page, problems } = await phone();
      try {
        const request = await openSignIn(page, partner);
        await fillCredentials(page, member);
        await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
        await page.getByRole('heading', { name: 'Cho phép truy cập', level: 1 }).waitFor();
        await shoot(page, '16-consent');
        const arrived = callback.next();
        await page.getByRole('button', { name: 'Đồng ý' }).click();
        const tokens = await redeem(partner, request, await withTimeout(arrived, 10_000, 'the redirect to the app'));

        await page.goto(oidc.buildEndSessionUrl(partner, { id_token_hint: tokens.id_token! }).href);
        await page.getByRole('heading', { name: 'Đăng xuất', level: 1 }).waitFor();
        await shoot(page, '17-sign-out-confirm');
        await page.getByRole('button', { name: 'Đăng xuất', exact: true }).click();
        await page.getByText('Bạn đã đăng xuất.').waitFor();
        // No dead end: oidc-provider names no app after a sign-out (it forwards client_id only to "stay signed in"),
        // so the page offers the start page.
        assert.equal(await page.locator('#start-page').getAttribute('href'), '/');
        await shoot(page, '18-signed-out');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('an expired session, and Back after a cancel', async () => {
      const { context, page, problems } = await phone();
      try {
        // The interaction cookie gone (it lives as long as the interaction): the session has expired.
        await openSignIn(page, portal);
        await context.clearCookies();
        assert.equal((await page.reload())?.status(), 400);
        assert.equal(await heading(page), 'Phiên đăng nhập đã hết hạn');
        await shoot(page, '19-session-expired');

        await openSignIn(page, portal);
        const arrived = callback.next();
        await page.getByRole('link', { name: 'Hủy và quay lại ứng dụng' }).click();
        await withTimeout(arrived, 10_000, 'the redirect to the app');
        await page.goBack();
        assert.equal(await heading(page), 'Bạn đã hủy lần đăng nhập này');
        await shoot(page, '20-back-after-cancel');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it("a relying party's mistake: an unregistered redirect URI, in Vietnamese and English; an unknown app", async () => {
      const { context, page, problems } = await phone();
      try {
        const bad = await authorizationRequest(portal, { redirect_uri: 'https://evil.example.com/callback' });
        assert.equal((await page.goto(bad.url.href))?.status(), 400);
        assert.equal(await heading(page), 'Ứng dụng đã gửi yêu cầu không hợp lệ');
        assert.equal(await page.locator('details.technical code').first().isVisible(), false, 'collapsed');
        await shoot(page, '21-invalid-redirect-uri');
        await page.locator('details.technical summary').click();
        assert.ok(await page.getByText('invalid_redirect_uri').isVisible());
        await shoot(page, '22-invalid-redirect-uri-details');

        const english = await authorizationRequest(portal, {
          redirect_uri: 'https://evil.example.com/callback',
          ui_locales: 'en',
        });
        await page.goto(english.url.href);
        assert.equal(await heading(page), 'The app sent an invalid request');
        await shoot(page, '23-invalid-redirect-uri-en', 'en');

        await context.clearCookies();
        const unknown = new URL(english.url);
        unknown.searchParams.set('client_id', 'khong-co-ung-dung-nay');
        unknown.searchParams.delete('ui_locales');
        await page.goto(unknown.href);
        await shoot(page, '24-unknown-client');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  });
}
