// Back after a cancel, in a real browser (Debian's Chromium through playwright-core) on a 360 px phone (issue 14,
// item 6): the member cancels on the sign-in page, lands on the app with access_denied, presses Back, and reads a
// calm page — "you cancelled this sign-in" — with the way back to the app and the hotline, not a stale sign-in form
// and not "your session expired". Screenshots go to test-artifacts/ (git-ignored) for people to look at.
//
// Without Chromium the test is skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, PHONE, requireBrowser } from '../helpers/chromium.js';
import { authorizationRequest, discover, type oidc } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function assertFitsPhone(page: Page, what: string) {
  const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
  const clientWidth = Number(await page.evaluate('document.documentElement.clientWidth'));
  assert.equal(clientWidth, 360, `${what}: the layout viewport is the phone's width`);
  assert.ok(scrollWidth <= 360, `${what}: no horizontal scroll (scrollWidth ${scrollWidth})`);
}

if (browserMissing && requireBrowser) {
  describe('Back after a cancel in a real browser', () => {
    it('has a browser to run in', () => {
      assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    });
  });
} else {
  if (browserMissing) console.log(`# skipping the Back-after-cancel browser test: ${browserMissing}`);

  describe('Back after a cancel in a real browser (Chromium, 360 px phone)', { skip: browserMissing ?? false }, () => {
    let t: TestServer;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let portal: oidc.Configuration;
    let appHome: string;

    before(async () => {
      t = await startTestServer();
      callback = await startCallbackServer();
      appHome = `${new URL(callback.redirectUri).origin}/trang-chu`;
      await t.createClient(
        {
          client_id: 'back-portal',
          client_name: 'Cổng thử nghiệm',
          client_uri: appHome,
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [callback.redirectUri],
        },
        { firstParty: true },
      );
      portal = await discover(t.url, 'back-portal');
      fs.mkdirSync(artifacts, { recursive: true });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await callback?.close();
      await t?.close();
    });

    for (const javaScriptEnabled of [true, false]) {
      it(`cancels, presses Back and reads that the sign-in was cancelled (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
        const context = await browser.newContext({ ...PHONE, javaScriptEnabled });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
        page.on('console', (msg) => {
          if (/Content[- ]Security[- ]Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
        });
        try {
          const request = await authorizationRequest(portal, { redirect_uri: callback.redirectUri });
          assert.equal((await page.goto(request.url.href))?.status(), 200);
          const signInUrl = page.url();
          assert.ok(await page.getByLabel('Mã số BHXH').isVisible());

          const arrived = callback.next();
          await page.getByRole('link', { name: 'Hủy và quay lại ứng dụng' }).click();
          const cancelled = new URL(await arrived);
          assert.equal(cancelled.searchParams.get('error'), 'access_denied');
          await page.waitForURL((url) => url.href.startsWith(callback.redirectUri));

          // Back: the sign-in page's URL is asked for again (no-store), and the answer says what happened.
          const back = await page.goBack();
          assert.equal(page.url(), signInUrl);
          assert.equal(back?.status(), 200, 'a page from the server, not a form kept by the browser');
          assert.equal((await page.textContent('h1'))?.trim(), 'Bạn đã hủy lần đăng nhập này');
          assert.match((await page.textContent('#message')) ?? '', /không được chia sẻ với ứng dụng/);
          assert.equal(await page.getByLabel('Mã số BHXH').count(), 0, 'no stale sign-in form');
          assert.equal(await page.locator('.alert').count(), 0, 'nothing reads as an error');
          assert.equal(await page.getByText('Phiên đăng nhập đã hết hạn').count(), 0, 'not "expired"');
          const backToApp = page.getByRole('link', { name: 'Quay lại Cổng thử nghiệm' });
          assert.ok(await backToApp.isVisible());
          assert.equal(await backToApp.getAttribute('href'), appHome);
          assert.ok(await page.locator('#hotline a[href="tel:19009068"]').isVisible(), 'the hotline, dialable');
          await assertFitsPhone(page, 'the cancelled page');
          await page.screenshot({
            path: `${artifacts}back-after-cancel${javaScriptEnabled ? '' : '-nojs'}-360.png`,
            fullPage: true,
          });

          // The way forward works: back to the app's own page.
          await backToApp.click();
          await page.waitForURL(appHome);
          assert.deepEqual(problems, []);
        } finally {
          await context.close();
        }
      });
    }
  });
}
