// A number under attack (issue 12, finding 6) in a real browser on a 360 px phone: after too many wrong passwords the
// sign-in page asks for the captcha instead of refusing; the widget solves itself while the member retypes her
// password, and she signs in. Screenshots go to test-artifacts/ for people to look at.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { demoClients } from '../../src/dev/seed-demo.js';
import { Browser as HttpBrowser } from '../helpers/browser.js';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, PHONE, requireBrowser } from '../helpers/chromium.js';
import { authorizationRequest, discover, redeem, type oidc } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SOLVE_TIMEOUT_MS = 30_000;
const LIMIT = 3;

if (browserMissing && requireBrowser) {
  describe('sign-in captcha in a real browser', () => {
    it('has a browser to run in', () => assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`));
  });
} else {
  describe('a number under attack asks for the captcha, never locks the member out (Chromium, 360 px phone)', {
    skip: browserMissing ?? false,
  }, () => {
    let t: TestServer;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let config: oidc.Configuration;
    let member: { id: string; bhxhNumber: string; password: string };

    before(async () => {
      t = await startTestServer({ env: { LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR: String(LIMIT) } });
      await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
      member = await t.createMember({ fullName: 'Nguyễn Văn An' });
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

    it('shows the captcha after the wrong passwords someone else typed, and signs the member in once it is solved', async () => {
      // Someone else types wrong passwords for her number, up to the limit.
      const attacker = new HttpBrowser(t.url);
      const attack = await authorizationRequest(config, { redirect_uri: callback.redirectUri, scope: 'openid' });
      let login = await attacker.get(attack.url.href);
      for (let i = 0; i < LIMIT; i += 1)
        login = await attacker.submit(
          login,
          { bhxh_number: member.bhxhNumber, password: `wrong-${i}-password` },
          '/login',
        );

      const context = await browser.newContext(PHONE);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      try {
        const request = await authorizationRequest(config, {
          redirect_uri: callback.redirectUri,
          scope: 'openid profile',
        });
        assert.equal((await page.goto(request.url.href))?.status(), 200);
        await page.getByLabel('Mã số BHXH').fill(member.bhxhNumber);
        await page.getByLabel('Mật khẩu', { exact: true }).fill(member.password);
        await page.getByRole('button', { name: 'Đăng nhập' }).click();

        // Not a refusal: the same page, the number kept, a message saying why, and the widget solving itself.
        await page.getByText('đã bị nhập sai mật khẩu nhiều lần').waitFor();
        assert.equal(await page.getByLabel('Mã số BHXH').inputValue(), member.bhxhNumber);
        type InPage = { document: { querySelector(selector: string): { value: string } | null } };
        const solved = () =>
          Boolean(
            (globalThis as unknown as InPage).document.querySelector('altcha-widget input[name="altcha"]')?.value,
          );
        await page.waitForFunction(solved, undefined, { timeout: SOLVE_TIMEOUT_MS, polling: 50 });
        const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(scrollWidth <= 360, `no horizontal scroll (scrollWidth ${scrollWidth})`);
        await page.getByLabel('Mật khẩu', { exact: true }).fill(member.password);
        await page.screenshot({ path: `${artifacts}sign-in-captcha-360.png`, fullPage: true, animations: 'disabled' });

        const arrived = callback.next();
        await page.getByRole('button', { name: 'Đăng nhập' }).click();
        const callbackUrl = await arrived;
        const tokens = await redeem(config, request, callbackUrl);
        assert.equal(tokens.claims()!.sub, member.id);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  });
}
