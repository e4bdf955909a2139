// A real browser on a phone-sized screen presses "Đăng nhập bằng tài khoản định danh điện tử VNeID", picks a citizen
// on the VNeID simulator, and lands on the app's loopback redirect URI with a code that openid-client redeems.
//
// Without Chromium the test is skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { ACR } from '../../src/oidc/assurance.js';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, PHONE, requireBrowser } from '../helpers/chromium.js';
import { authorizationRequest, redeem } from '../helpers/oidc.js';
import { startFederatedPair, type FederatedPair } from '../helpers/vneid.js';
import type { Browser, Page } from 'playwright-core';

if (browserMissing && requireBrowser) {
  describe('VNeID in a real browser', () => {
    it('has a browser to run in', () => {
      assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    });
  });
} else {
  if (browserMissing) console.log(`# skipping the VNeID browser test: ${browserMissing}`);

  describe('VNeID in a real browser (Chromium, 360 px phone)', {
    skip: browserMissing ?? false,
    timeout: 120_000,
  }, () => {
    let pair: FederatedPair;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let member: { id: string };

    before(async () => {
      pair = await startFederatedPair();
      member = await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
      callback = await startCallbackServer();
      fs.mkdirSync(artifacts, { recursive: true });
      browser = await launchChromium();
    });

    /** Opens a new authorization request's sign-in page and presses the VNeID button; returns the request. */
    async function pressVneidOnSignIn(page: Page) {
      const request = await authorizationRequest(pair.rp, {
        redirect_uri: callback.redirectUri,
        scope: 'openid profile',
      });
      await page.goto(request.url.href);
      await page.getByRole('button', { name: 'Đăng nhập bằng tài khoản định danh điện tử VNeID' }).click();
      return request;
    }

    after(async () => {
      await browser?.close();
      await callback?.close();
      await pair?.close();
    });

    it('clicks the VNeID button, chooses a citizen at VNeID, and comes back signed in at level 2', async () => {
      const context = await browser.newContext({ ...PHONE });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()))
          problems.push(`console: ${msg.text()}`);
      });
      try {
        const request = await authorizationRequest(pair.rp, {
          redirect_uri: callback.redirectUri,
          scope: 'openid profile',
        });
        await page.goto(request.url.href);
        const button = page.getByRole('button', { name: 'Đăng nhập bằng tài khoản định danh điện tử VNeID' });
        assert.ok(await button.isVisible());
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(width <= 360, `the sign-in page fits the phone (scrollWidth ${width})`);
        await page.screenshot({ path: `${artifacts}vneid-sign-in-360.png`, fullPage: true });

        await button.click();
        await page.waitForURL((url) => url.href.startsWith(pair.sim.issuer));
        const citizen = page.locator(`[data-national-id="${pair.citizens.level2.nationalId}"]`);
        assert.ok(await citizen.isVisible(), 'the simulator lists the citizen');
        assert.equal(await page.textContent('strong'), 'BHXH ID', 'the simulator names the service, not its client_id');

        const arrived = callback.next();
        await citizen.click();
        const callbackUrl = await arrived;
        await page.waitForURL((url) => url.href.startsWith(callback.redirectUri));
        const claims = (await redeem(pair.rp, request, callbackUrl)).claims()!;
        assert.equal(claims.sub, member.id);
        assert.equal(claims.acr, ACR.vneid2);
        assert.deepEqual(claims.amr, ['fed']);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('signing out after a VNeID sign-in asks once: our page says VNeID ends too, and the upstream does not ask again', async () => {
      const context = await browser.newContext({ ...PHONE });
      const page = await context.newPage();
      try {
        const request = await pressVneidOnSignIn(page);
        await page.waitForURL((url) => url.href.startsWith(pair.sim.issuer));
        const arrived = callback.next();
        await page.locator(`[data-national-id="${pair.citizens.level2.nationalId}"]`).click();
        const tokens = await redeem(pair.rp, request, await arrived);
        const postLogoutUri = callback.redirectUri.replace('/callback', '/logout');

        const upstreamQuestions: string[] = [];
        let visitedUpstream = false;
        page.on('framenavigated', (frame) => {
          if (frame === page.mainFrame() && frame.url().startsWith(`${pair.sim.issuer}/session/end`))
            visitedUpstream = true;
        });
        page.on('load', async () => {
          if (page.url().startsWith(pair.sim.issuer) && (await page.locator('[data-action="stay"]').count()) > 0)
            upstreamQuestions.push(page.url());
        });
        await page.goto(
          oidc.buildEndSessionUrl(pair.rp, {
            id_token_hint: tokens.id_token!,
            // The app's registered loopback post-logout URI, on the callback server's port (RFC 8252, section 7.3).
            post_logout_redirect_uri: postLogoutUri,
            state: 'bye',
          }).href,
        );
        assert.match((await page.textContent('#logout-vneid')) ?? '', /cũng sẽ được đăng xuất khỏi VNeID/);
        await page.screenshot({ path: `${artifacts}sign-out-vneid-360.png`, fullPage: true });
        await page.getByRole('button', { name: 'Đăng xuất' }).click();
        await page.waitForURL(`${postLogoutUri}?state=bye`);
        assert.ok(visitedUpstream, 'the sign-out went through the upstream end-session endpoint');
        assert.deepEqual(upstreamQuestions, [], 'the upstream did not ask a second time');
      } finally {
        await context.close();
      }
    });

    it('the "no account" page survives a language switch and a reload, and still links the account afterwards', async () => {
      const linker = await pair.t.createMember({});
      const context = await browser.newContext({ ...PHONE });
      const page = await context.newPage();
      try {
        const request = await pressVneidOnSignIn(page);
        await page.waitForURL((url) => url.href.startsWith(pair.sim.issuer));
        await page.locator(`[data-national-id="${pair.citizens.stranger.nationalId}"]`).click();
        // The callback's one-time code is used once; the browser ends on a page that can be reloaded.
        await page.waitForURL((url) => url.pathname.endsWith('/vneid/result'));
        assert.doesNotMatch(page.url(), /[?&](code|state)=/, 'the result page carries no one-time code');
        assert.match((await page.textContent('h1')) ?? '', /Chưa có tài khoản BHXH gắn với định danh này/);
        await page.screenshot({ path: `${artifacts}vneid-no-account-360.png`, fullPage: true });

        await page.locator('a.lang').click();
        await page.waitForLoadState();
        assert.match((await page.textContent('h1')) ?? '', /No social insurance account is tied to this identity yet/);
        await page.reload();
        assert.match((await page.textContent('h1')) ?? '', /No social insurance account is tied to this identity yet/);
        await page.screenshot({ path: `${artifacts}vneid-no-account-en-360.png`, fullPage: true });

        // The way to link is still there: sign in with the BHXH number and password, and the identity is linked.
        await page.locator('#federation-password').click();
        await page.locator('input[name="bhxh_number"]').fill(linker.bhxhNumber);
        await page.locator('input[name="password"]').fill(linker.password);
        const arrived = callback.next();
        await page.locator('input[name="password"]').press('Enter');
        const callbackUrl = await arrived;
        const claims = (await redeem(pair.rp, request, callbackUrl)).claims()!;
        assert.equal(claims.sub, linker.id);
        const link = await pair.t.db('federated_identities').where({ account_id: linker.id }).first();
        assert.equal(link?.linked_by, 'password', 'the VNeID identity is now linked to the account');
      } finally {
        await context.close();
      }
    });

    it('a cancelled VNeID sign-in ends on our page, in Vietnamese, with the way back to password sign-in', async () => {
      const context = await browser.newContext({ ...PHONE });
      const page = await context.newPage();
      try {
        await pressVneidOnSignIn(page);
        await page.locator('[data-action="cancel"]').click();
        await page.waitForURL((url) => url.href.startsWith(pair.t.url));
        assert.match((await page.textContent('#federation-message')) ?? '', /Bạn đã hủy đăng nhập bằng VNeID/);
        await page.reload();
        assert.match((await page.textContent('#federation-message')) ?? '', /Bạn đã hủy đăng nhập bằng VNeID/);
        // Buttons speak in the page's font (a browser's default for buttons is its own system font).
        const fonts = await page.evaluate(`[getComputedStyle(document.body).fontFamily,
          ...[...document.querySelectorAll('button')].map((b) => getComputedStyle(b).fontFamily)]`);
        assert.ok(
          (fonts as string[]).every((f) => f === (fonts as string[])[0]),
          `every button uses the page font: ${fonts}`,
        );
        await page.screenshot({ path: `${artifacts}vneid-cancelled-360.png`, fullPage: true });
        await page.locator('#federation-password').click();
        assert.ok(await page.getByLabel('Mã số BHXH').isVisible());
      } finally {
        await context.close();
      }
    });
  });
}
