// The captcha widget in a real browser (Debian's Chromium through playwright-core) on a 360 px phone, under our
// Content-Security-Policy: it solves a challenge from our server on page load, the form posts the solution, and the
// server's verify() says 'ok'. Without JavaScript the same form still posts (within the no-JavaScript budget).
// The solving time is printed, not asserted. A screenshot goes to test-artifacts/ (git-ignored).
//
// Without Chromium the tests are skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import { createThrottle } from '../../src/security/throttle.js';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { artifacts, browserMissing, launchChromium, PHONE, requireBrowser } from '../helpers/chromium.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Db } from '../../src/db/database.js';
import { securityHeaders } from '../../src/http/security-headers.js';
import { createCaptcha, type Captcha, type CaptchaOutcome } from '../../src/methods/captcha/captcha.js';
import { registerCaptchaRoutes } from '../../src/methods/captcha/routes.js';
import { systemClock } from '../../src/core/clock.js';
import { captchaField } from '../../views/captcha.js';
import { html } from '../../src/core/html.js';
import { createTestDatabase } from '../helpers/server.js';

const NO_SCRIPT = 'Trình duyệt không chạy JavaScript: bạn vẫn gửi được yêu cầu, nhưng chỉ vài lần mỗi giờ.';

function page(body: ReturnType<typeof html>): string {
  return `<!doctype html>${
    html`<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Quên mật khẩu</title></head>
<body>${body}</body></html>`.value
  }`;
}

/** A tiny app: our security headers, the captcha routes, a form with the captcha, and a submit route that verifies. */
async function startApp(captcha: Captcha) {
  const outcomes: CaptchaOutcome[] = [];
  const koa = new Koa();
  const router = new Router();
  registerCaptchaRoutes(router, captcha);
  router.get('/form', (ctx) => {
    ctx.type = 'html';
    ctx.body = page(html`<form method="post" action="/submit">
  <label for="email">Email</label>
  <input type="email" id="email" name="email" value="member@example.vn">
  ${captchaField({ locale: 'vi', noScript: NO_SCRIPT })}
  <button type="submit">Gửi mã</button>
</form>`);
  });
  // Chromium asks for a favicon when it pleases; our app answers 204 (src/http/app.ts), so must this one, or a 404
  // shows up as a page error in some runs and not others.
  router.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
  });
  // A negative control: inline script and style that the CSP must block (and that our listeners must see).
  router.get('/control', (ctx) => {
    ctx.type = 'html';
    ctx.body =
      '<!doctype html><html><body><p style="color:red">x</p><script>document.title = "inline ran"</script></body></html>';
  });
  const parseForm = bodyParser({ enableTypes: ['form'] }) as unknown as Middleware;
  router.post('/submit', parseForm, async (ctx) => {
    const outcome = await captcha.verify((ctx.request as { body?: Record<string, unknown> }).body?.altcha, ctx.ip);
    outcomes.push(outcome);
    ctx.type = 'html';
    ctx.body = page(html`<p id="outcome">${outcome}</p>`);
  });
  koa.use(securityHeaders({ https: false }));
  koa.use(router.routes());
  const server = http.createServer(koa.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    outcomes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits (briefly) for something reported asynchronously by the page. */
async function until(condition: () => boolean, ms = 5000) {
  for (const deadline = Date.now() + ms; !condition() && Date.now() < deadline; )
    await new Promise((resolve) => setTimeout(resolve, 20));
}

if (browserMissing && requireBrowser) {
  describe('captcha widget in a real browser', () => {
    it('has a browser to run in', () => {
      assert.fail(`${browserMissing}; REQUIRE_BROWSER=1 makes this a failure`);
    });
  });
} else {
  if (browserMissing) console.log(`# skipping the captcha browser tests: ${browserMissing}`);

  describe('captcha widget in a real browser (Chromium, 360 px phone, our CSP)', {
    skip: browserMissing ?? false,
  }, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let app: Awaited<ReturnType<typeof startApp>>;
    let browser: Browser;

    before(async () => {
      ({ db, drop } = await createTestDatabase());
      // NOTE: the system clock, as in production: the browser decides by its own clock when a challenge has expired.
      app = await startApp(
        createCaptcha({
          db,
          hmacKey: crypto.randomBytes(32),
          clock: systemClock,
          throttle: createThrottle({ key: crypto.randomBytes(32), clock: systemClock }),
        }),
      );
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await app?.close();
      await drop?.();
    });

    /** A phone-sized context that records CSP violations (event and console) and page errors. */
    async function phone(
      options: { javaScriptEnabled?: boolean } = {},
    ): Promise<{ context: BrowserContext; page: Page; problems: string[]; violations: string[] }> {
      const context = await browser.newContext({ ...PHONE, ...options });
      const problems: string[] = [];
      const violations: string[] = [];
      await context.exposeBinding('reportViolation', (_source, text: string) => void violations.push(text));
      await context.addInitScript(
        'addEventListener("securitypolicyviolation", (e) => reportViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`), true)',
      );
      const page = await context.newPage();
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (/Content[- ]Security[- ]Policy|Refused to/i.test(msg.text())) violations.push(`console: ${msg.text()}`);
        else if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      return { context, page, problems, violations };
    }

    it('notices CSP violations (control: inline script and style are blocked and reported)', async () => {
      const { context, page, violations } = await phone();
      try {
        await page.goto(`${app.url}/control`);
        assert.notEqual(await page.title(), 'inline ran', 'the inline script did not run');
        await until(() => violations.length >= 2);
        assert.ok(
          violations.some((v) => v.includes('script-src')),
          `script violation seen: ${violations.join('\n')}`,
        );
        assert.ok(
          violations.some((v) => v.includes('style-src')),
          `style violation seen: ${violations.join('\n')}`,
        );
      } finally {
        await context.close();
      }
    });

    it('solves on page load, before the button is pressed; the server verifies the solution', async () => {
      const { context, page, problems, violations } = await phone();
      try {
        const started = performance.now();
        const response = await page.goto(`${app.url}/form`);
        assert.equal(response?.status(), 200);
        assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'; style-src 'self'/);
        // A function, not a string: a string predicate is eval'd in the page, which our CSP forbids.
        type InPage = { document: { querySelector(selector: string): { value: string } | null } };
        const solved = () =>
          Boolean((globalThis as unknown as InPage).document.querySelector('input[name="altcha"]')?.value);
        await page.waitForFunction(solved, undefined, { timeout: 30_000, polling: 10 });
        const solvedMs = performance.now() - started;

        const payload = await page.inputValue('input[name="altcha"]');
        const { solution } = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
          solution: { counter: number; time: number };
        };
        const workers = await page.evaluate('navigator.hardwareConcurrency');
        console.log(
          `# captcha solved in headless Chromium: ${Math.round(solvedMs)} ms from navigation to solved ` +
            `(proof of work ${Math.round(solution.time)} ms for counter ${solution.counter}, ${String(workers)} logical CPUs)`,
        );

        assert.equal(
          await page.locator('altcha-widget').evaluate((el) => (el as unknown as { getState(): string }).getState()),
          'verified',
        );
        assert.equal(
          (await page.locator('altcha-widget label').textContent())?.trim(),
          'Đã xác minh',
          'the widget speaks Vietnamese',
        );
        assert.equal(await page.locator('noscript').count(), 1);
        assert.equal(
          await page.locator('noscript p').count(),
          0,
          'with JavaScript on, the no-JavaScript note is not rendered',
        );
        const overflow = Number(await page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(overflow <= 360, `no horizontal scroll on a 360 px screen (scrollWidth ${overflow})`);
        fs.mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: `${artifacts}captcha-360.png`, fullPage: true, animations: 'disabled' });

        const before = app.outcomes.length;
        await page.getByRole('button', { name: 'Gửi mã' }).click();
        await page.waitForSelector('#outcome');
        assert.equal(await page.textContent('#outcome'), 'ok');
        assert.deepEqual(app.outcomes.slice(before), ['ok']);

        assert.deepEqual(violations, [], 'no CSP violations');
        assert.deepEqual(problems, [], 'no page errors');
      } finally {
        await context.close();
      }
    });

    it('without JavaScript shows the note, and the form still goes through (on the no-JavaScript budget)', async () => {
      const { context, page } = await phone({ javaScriptEnabled: false });
      try {
        await page.goto(`${app.url}/form`);
        const note = page.locator('noscript p.hint'); // (getByText does not look inside <noscript>)
        assert.ok(await note.isVisible(), 'the <noscript> note is shown');
        assert.equal(await note.textContent(), NO_SCRIPT);
        const before = app.outcomes.length;
        await page.getByRole('button', { name: 'Gửi mã' }).click();
        await page.waitForSelector('#outcome');
        assert.equal(await page.textContent('#outcome'), 'ok');
        assert.deepEqual(app.outcomes.slice(before), ['ok']);
      } finally {
        await context.close();
      }
    });
  });
}
