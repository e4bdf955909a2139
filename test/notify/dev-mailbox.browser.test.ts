// The dev mailbox on a 360 px phone: message bodies and long lines wrap (no sideways scrolling), and an SMS in the
// list shows its first line, since it has no subject.
//
// Without Chromium the test is skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import type { Browser } from 'playwright-core';
import { registerDevMailboxRoutes } from '../../src/dev/mailbox-routes.js';
import { createDevMailbox } from '../../src/dev/mailbox.js';
import { securityHeaders } from '../../src/http/security-headers.js';
import { artifacts, browserMissing, launchChromium, PHONE, requireBrowser } from '../helpers/chromium.js';
import { testClock } from '../helpers/server.js';
import { APP_CSS } from '../../views/styles.js';

if (browserMissing && requireBrowser) {
  describe('dev mailbox in a real browser', () => {
    it('has a browser to run in', () => {
      assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    });
  });
} else {
  describe('dev mailbox in a real browser (Chromium, 360 px phone)', { skip: browserMissing ?? false }, () => {
    let dataDir: string;
    let server: http.Server;
    let base: string;
    let browser: Browser;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-mailbox-browser-'));
      const mailbox = createDevMailbox(path.join(dataDir, 'mailbox'), testClock(new Date('2026-12-03T08:00:00Z')));
      const longLine = `https://id.baohiemxahoi.example/interaction/${'x'.repeat(160)}`;
      await mailbox.email.send({
        to: 'member@example.vn',
        subject: 'Mã khôi phục mật khẩu BHXH ID',
        text: `Mã của bạn là 123456.\n${longLine}\n${'Một dòng rất dài không có chỗ ngắt '.repeat(12)}`,
        html: `<p>Mã của bạn là <b>123456</b></p><p>${longLine}</p>`,
      });
      await mailbox.sms.send({ to: '+84912000111', text: 'BHXH ID: ma khoi phuc 654321\nHieu luc 10 phut.' });
      const app = new Koa();
      const router = new Router();
      registerDevMailboxRoutes(router, mailbox);
      // The site's stylesheet, as the server serves it (src/http/middleware.ts).
      router.get('/static/app.css', (ctx) => {
        ctx.type = 'text/css';
        ctx.body = APP_CSS;
      });
      app.use(securityHeaders({ https: false }));
      app.use(router.routes());
      server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      fs.mkdirSync(artifacts, { recursive: true });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('fits the phone: the list previews an SMS, and a long message wraps', async () => {
      const context = await browser.newContext({ ...PHONE });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/dev/mailbox`);
        const list = (await page.textContent('ul.mailbox')) ?? '';
        assert.match(list, /BHXH ID: ma khoi phuc 654321/, 'the SMS shows its first line');
        assert.doesNotMatch(list, /Hieu luc 10 phut/, 'only the first line');
        const listWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(listWidth <= 360, `the list fits the phone (scrollWidth ${listWidth})`);
        await page.screenshot({ path: `${artifacts}dev-mailbox-list-360.png`, fullPage: true });

        await page.locator('ul.mailbox a', { hasText: 'Mã khôi phục' }).click();
        await page.waitForLoadState();
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(width <= 360, `the message fits the phone (scrollWidth ${width})`);
        await page.screenshot({ path: `${artifacts}dev-mailbox-message-360.png`, fullPage: true });
      } finally {
        await context.close();
      }
    });
  });
}
