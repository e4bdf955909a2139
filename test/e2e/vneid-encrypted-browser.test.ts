// VNeID's encrypted OAuth 2.0 profile (issue 15) in a real browser on a 360 px phone, without JavaScript: Chromium
// carries the simulator's unencoded `+` in the code to our callback as it is, and a corrupted envelope ends on the one
// "could not verify" page.
//
// Without Chromium the test is skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ACR } from '../../src/oidc/assurance.js';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, openPhone, requireBrowser } from '../helpers/chromium.js';
import { authorizationRequest, redeem } from '../helpers/oidc.js';
import { startFederatedPair, type FederatedPair } from '../helpers/vneid.js';
import type { Browser } from 'playwright-core';

const BUTTON = 'Đăng nhập bằng tài khoản định danh điện tử VNeID';

if (browserMissing && requireBrowser) {
  describe('VNeID encrypted profile in a real browser', () => {
    it('has a browser to run in', () => {
      assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    });
  });
} else {
  if (browserMissing) console.log(`# skipping the VNeID encrypted-profile browser test: ${browserMissing}`);

  describe('VNeID encrypted profile in a real browser (Chromium, 360 px phone, no JavaScript)', {
    skip: browserMissing ?? false,
    timeout: 120_000,
  }, () => {
    let pair: FederatedPair;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let member: { id: string };

    before(async () => {
      pair = await startFederatedPair({ profile: 'encrypted-oauth2' });
      member = await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
      callback = await startCallbackServer();
      fs.mkdirSync(artifacts, { recursive: true });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await callback?.close();
      await pair?.close();
    });

    it('signs in at level 2; the code reaches our callback with its + intact', async () => {
      const { context, page, problems } = await openPhone(browser, { javaScriptEnabled: false });
      try {
        const seen: string[] = [];
        page.on('request', (r) => {
          if (r.url().includes('/federation/vneid/callback')) seen.push(r.url());
        });
        const request = await authorizationRequest(pair.rp, {
          redirect_uri: callback.redirectUri,
          scope: 'openid profile',
        });
        await page.goto(request.url.href);
        await page.getByRole('button', { name: BUTTON }).click();
        await page.waitForURL((url) => url.href.startsWith(pair.sim.issuer));
        const arrived = callback.next();
        await page.locator(`[data-national-id="${pair.citizens.level2.nationalId}"]`).click();
        const claims = (await redeem(pair.rp, request, await arrived)).claims()!;
        assert.equal(claims.sub, member.id);
        assert.equal(claims.acr, ACR.vneid2);
        assert.deepEqual(claims.amr, ['fed']);
        assert.equal(seen.length, 1);
        assert.match(seen[0]!, /[?&]code=[^&]*\+/, `the browser kept the raw +: ${seen[0]}`);
        assert.match(seen[0]!, /[?&]encrypt_key=/);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('a corrupted envelope ends on the one "could not verify" page, readable at 360 px', async () => {
      pair.sim.setBehaviour({ tamper: 'data' });
      const { context, page, problems } = await openPhone(browser, { javaScriptEnabled: false });
      try {
        const request = await authorizationRequest(pair.rp, {
          redirect_uri: callback.redirectUri,
          scope: 'openid profile',
        });
        await page.goto(request.url.href);
        await page.getByRole('button', { name: BUTTON }).click();
        await page.waitForURL((url) => url.href.startsWith(pair.sim.issuer));
        await page.locator(`[data-national-id="${pair.citizens.level2.nationalId}"]`).click();
        await page.waitForURL((url) => url.href.startsWith(pair.t.url));
        assert.match((await page.textContent('#federation-message')) ?? '', /Không xác minh được phản hồi từ VNeID/);
        assert.doesNotMatch((await page.content()) ?? '', /decrypt|padding|key_unwrap/i);
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(width <= 360, `fits the phone (scrollWidth ${width})`);
        await page.screenshot({ path: `${artifacts}vneid-encrypted-invalid-360.png`, fullPage: true });
        await page.locator('#federation-password').click();
        assert.ok(await page.getByLabel('Mã số BHXH').isVisible());
        assert.deepEqual(problems, []);
      } finally {
        pair.sim.setBehaviour({ tamper: 'none' });
        await context.close();
      }
    });
  });
}
