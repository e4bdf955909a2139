// The hosted sign-in page: language, accessibility, one answer for every kind of wrong credentials, the
// must-change-password step and its policy, throttling and progressive delays, CSRF, hostile input, hash upgrades.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, type oidc, redeem, signIn, type AuthRequest } from '../helpers/oidc.js';
import { randomBhxhNumber, randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { solveCaptcha } from '../helpers/recovery.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { translator, type MessageId } from '../../src/core/i18n.js';

const vi = translator('vi');
const en = translator('en');
const redirect_uri = 'http://127.0.0.1:53123/callback';

/** The argon2 variant and parameters of a PHC-format hash (the library may write m, t and p in any order). */
function argon2Params(hash: string): { type: string; m: number; t: number; p: number } {
  const [, type, , params] = hash.split('$');
  const values = Object.fromEntries((params ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  return { type: type ?? '', m: Number(values.m), t: Number(values.t), p: Number(values.p) };
}

/** The configured parameters (OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane). */
const CURRENT_ARGON2 = { type: 'argon2id', m: 19456, t: 2, p: 1 };

type Member = { id: string; bhxhNumber: string; password: string };

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text of the page's alert box, or null. */
function alertText(page: Page): string | null {
  const m = page.html.match(/<div class="alert" role="alert"[^>]*>([\s\S]*?)<\/div>/);
  return m ? decodeEntities(m[1]!.trim()) : null;
}

/** The value attribute of the input with this name, decoded. */
function inputValue(page: Page, name: string): string | undefined {
  const input = page.html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`))?.[0];
  const value = input?.match(/value="([^"]*)"/)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

/** The page with the per-request CSRF token and the typed number replaced by placeholders. */
function normalise(html: string): string {
  return html
    .replace(/(<input type="hidden" name="csrf" value=")[^"]*(")/g, '$1CSRF$2')
    .replace(/(<input type="text" id="bhxh_number" name="bhxh_number" value=")[^"]*(")/g, '$1NUMBER$2');
}

function isLoginPage(page: Page): boolean {
  return page.html.includes('name="bhxh_number"') && page.html.includes('name="password"');
}

function isNewPasswordPage(page: Page): boolean {
  return page.html.includes('name="new_password"') && page.html.includes('name="confirm_password"');
}

/** A readable error page: HTML, our layout, a message, and nothing from the inside of the server. */
function assertReadablePage(page: Page, status: number, message: string) {
  assert.equal(page.status, status, `expected ${status}, got ${page.status}:\n${page.html.slice(0, 600)}`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.html, /^<!doctype html>/);
  assert.ok(page.html.includes(message), `expected "${message}" on the page:\n${page.html.slice(0, 1200)}`);
  assert.doesNotMatch(
    page.html,
    /node_modules|\n\s*at \S+ \(|\b[A-Z][A-Za-z]*Error\b|\.ts:\d+/,
    'no stack trace or error class on the page',
  );
}

/** The throttled message, whatever the number of minutes (1 to 60). */
function assertThrottled(page: Page, t = vi) {
  assert.equal(page.status, 429, `expected 429, got ${page.status}: ${alertText(page)}`);
  const [head, tail] = t('login.error.throttled').split('{minutes}') as [string, string];
  const text = alertText(page) ?? '';
  assert.ok(text.startsWith(head) && text.endsWith(tail), `throttled message, got: ${text}`);
  const minutes = Number(text.slice(head.length, text.length - tail.length));
  assert.ok(Number.isInteger(minutes) && minutes >= 1 && minutes <= 60, `minutes: ${minutes}`);
  const retryAfter = Number(page.headers.get('retry-after'));
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600,
    `Retry-After: ${page.headers.get('retry-after')}`,
  );
  assert.ok(isLoginPage(page), 'the sign-in page is shown again');
}

/** Past the number's failures: the sign-in page again, asking for the captcha; never a 429 or a Retry-After. */
function assertCaptchaRequired(page: Page) {
  assert.equal(page.status, 400, `expected 400, got ${page.status}: ${alertText(page)}`);
  assert.equal(alertText(page), vi('login.error.captcha_required'));
  assert.equal(page.headers.get('retry-after'), null);
  assert.ok(page.html.includes('<altcha-widget'), 'the captcha widget is on the page');
  assert.ok(isLoginPage(page), 'the sign-in page is shown again');
}

/** The wrong-credentials answer; past the free failures its message says answers are slowed (`login.error.slowed`). */
function assertInvalidCredentials(page: Page, message: MessageId = 'login.error.invalid') {
  assert.equal(page.status, 400, `expected 400, got ${page.status}: ${alertText(page)}`);
  assert.equal(alertText(page), vi(message));
  assert.ok(isLoginPage(page));
}

/** Starts a server with the VssID client and discovers it as the app would. */
async function startWithVssid(env?: Record<string, string>): Promise<{ t: TestServer; config: oidc.Configuration }> {
  const t = await startTestServer(env ? { env } : {});
  const [vssid] = demoClients(t.url);
  await t.createClient(vssid!.metadata, { firstParty: true });
  return { t, config: await discover(t.url, 'vssid') };
}

/** Opens the sign-in page of a new authorization request in `browser`. */
async function openLogin(
  config: oidc.Configuration,
  browser: Browser,
  params: Record<string, string> = {},
): Promise<{ request: AuthRequest; page: Page }> {
  const request = await authorizationRequest(config, { redirect_uri, scope: 'openid', ...params });
  const page = await browser.get(request.url.href);
  assert.ok(isLoginPage(page), `expected the sign-in page, got ${page.status} ${page.url}\n${page.html.slice(0, 600)}`);
  return { request, page };
}

function submitCredentials(browser: Browser, page: Page, bhxhNumber: string, password: string): Promise<Page> {
  return browser.submit(page, { bhxh_number: bhxhNumber, password }, '/login');
}

function assertBackAtClient(page: Page): string {
  assert.ok(
    page.url.startsWith(redirect_uri),
    `expected a redirect to the client, got ${page.status} ${page.url}\n${alertText(page) ?? page.html.slice(0, 600)}`,
  );
  const code = new URL(page.url).searchParams.get('code');
  assert.ok(code, 'an authorization code comes back');
  return code;
}

/** The audit row written for the request that produced this page. */
async function auditFor(t: TestServer, page: Page) {
  const requestId = page.headers.get('x-request-id');
  assert.ok(requestId);
  const rows = await t.db('audit_events').where({ request_id: requestId }).orderBy('id');
  return rows.map((r: { type: string; outcome: string; detail: unknown }) => ({
    type: r.type,
    outcome: r.outcome,
    detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>,
  }));
}

/** Counts argon2 verifications (the real work behind a password check) while `fn` runs. */
async function countingArgon2Verifications<T>(fn: (hashes: string[]) => Promise<T>): Promise<T> {
  const original = argon2.verify;
  const hashes: string[] = [];
  argon2.verify = (async (digest: string, ...rest: unknown[]) => {
    hashes.push(digest);
    return (original as (...args: unknown[]) => Promise<boolean>)(digest, ...rest);
  }) as typeof argon2.verify;
  try {
    return await fn(hashes);
  } finally {
    argon2.verify = original;
  }
}

describe('sign-in page', () => {
  let t: TestServer;
  let config: oidc.Configuration;

  before(async () => {
    ({ t, config } = await startWithVssid());
  });
  after(() => t.close());

  describe('the page', () => {
    it('is in Vietnamese by default', async () => {
      const { page } = await openLogin(config, new Browser(t.url));
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
      assert.match(page.html, /<html lang="vi">/);
      assert.ok(page.html.includes('<h1>Đăng nhập</h1>'));
      assert.ok(page.html.includes('Mã số BHXH'));
      assert.ok(page.html.includes('Mật khẩu'));
      assert.ok(page.html.includes('VssID – Bảo hiểm xã hội số'), 'names the client');
      assert.equal(alertText(page), null, 'no error before anything was typed');
    });

    it('is in English with ui_locales=en', async () => {
      const { page } = await openLogin(config, new Browser(t.url), { ui_locales: 'en' });
      assert.match(page.html, /<html lang="en">/);
      assert.ok(page.html.includes(`<h1>${en('login.title')}</h1>`));
      assert.ok(page.html.includes(en('login.password')));
      assert.ok(page.html.includes('Tiếng Việt'), 'offers the switch back');
    });

    it('switches language with the on-page link and remembers the choice in a cookie', async () => {
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      const link = page.html.match(/<a class="lang" href="([^"]+)" hreflang="en" lang="en">English<\/a>/);
      assert.ok(link, 'the switch link is on the page');
      const href = decodeEntities(link[1]!);
      assert.match(href, /[?&]lang=en(&|$)/);

      const english = await browser.get(href);
      assert.equal(english.status, 200);
      assert.match(english.html, /<html lang="en">/);
      assert.ok(english.html.includes(`<h1>${en('login.title')}</h1>`));
      assert.ok(isLoginPage(english), 'still the same sign-in form');
      assert.match(browser.cookieHeader(), /(^|; )lang=en(;|$)/);

      // The choice is remembered for the next authorization in this browser, and only in this browser.
      const { page: next } = await openLogin(config, browser);
      assert.match(next.html, /<html lang="en">/);
      const { page: other } = await openLogin(config, new Browser(t.url));
      assert.match(other.html, /<html lang="vi">/);

      // Errors are shown in the chosen language too.
      const wrong = await submitCredentials(browser, next, '123', 'x');
      assert.equal(alertText(wrong), en('login.error.format'));

      // And back to Vietnamese.
      const back = next.html.match(/<a class="lang" href="([^"]+)" hreflang="vi" lang="vi">Tiếng Việt<\/a>/);
      assert.ok(back);
      const vietnamese = await browser.get(decodeEntities(back[1]!));
      assert.match(vietnamese.html, /<html lang="vi">/);
      assert.match(browser.cookieHeader(), /(^|; )lang=vi(;|$)/);
    });

    it('labels its fields for password managers, phones and screen readers, without scripts', async () => {
      const { page } = await openLogin(config, new Browser(t.url));
      const number = page.html.match(/<input[^>]*name="bhxh_number"[^>]*>/)?.[0] ?? '';
      const password = page.html.match(/<input[^>]*name="password"[^>]*>/)?.[0] ?? '';
      assert.match(number, /autocomplete="username"/);
      assert.match(number, /inputmode="numeric"/);
      assert.match(password, /type="password"/);
      assert.match(password, /autocomplete="current-password"/);

      const labels = [...page.html.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]!);
      assert.deepEqual(labels.sort(), ['bhxh_number', 'password']);
      for (const id of labels) {
        assert.match(page.html, new RegExp(`<input[^>]*\\bid="${id}"`), `a field with id="${id}" for its label`);
      }
      assert.match(page.html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
      // Scripts only enhance the page (views/form-script.ts): none inline, each from our origin and deferred.
      const scripts = [...page.html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
      assert.ok(scripts.length > 0);
      for (const [tag, body] of scripts) {
        assert.match(tag, /<script src="\/static\/[^"]+" defer/, tag);
        assert.equal(body, '', 'no inline script');
      }
      assert.doesNotMatch(page.html, /\son[a-z]+="/i, 'no inline event handlers');
    });
  });

  describe('its script', () => {
    it('comes from our origin under a versioned URL, cached for good, and the same for every language', async () => {
      const { page } = await openLogin(config, new Browser(t.url));
      const src = decodeEntities(page.html.match(/<script src="([^"]+)"/)?.[1] ?? '');
      assert.match(src, /^\/static\/forms\.js\?v=[0-9a-f]{12}$/);
      const res = await fetch(new URL(src, t.url));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const body = await res.text();
      assert.ok(body.includes('aria-pressed') && body.includes('aria-busy'), 'the toggle and the working state');
      const { page: english } = await openLogin(config, new Browser(t.url), { ui_locales: 'en' });
      assert.ok(english.html.includes(`<script src="${src}"`), 'one file for both languages');
      assert.ok(english.html.includes(`data-reveal-label="${en('form.reveal_label')}"`), 'strings from the page');
      const stale = await fetch(new URL('/static/forms.js?v=000000000000', t.url));
      assert.equal(stale.headers.get('cache-control'), 'public, max-age=300');
    });
  });

  describe('wrong input', () => {
    it('shows the format message with status 400 for a number that is not 10 digits, keeping what was typed', async () => {
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      for (const typed of ['12345', '01234567890', '01234abcde', '<b>12</b>']) {
        const answer = await submitCredentials(browser, page, typed, randomPassword());
        assert.equal(answer.status, 400, typed);
        assert.equal(alertText(answer), vi('login.error.format'), typed);
        assert.equal(inputValue(answer, 'bhxh_number'), typed, 'the typed value is kept');
        assert.ok(isLoginPage(answer));
      }
      const escaped = await submitCredentials(browser, page, '<b>12</b>', 'x');
      assert.ok(!escaped.html.includes('<b>12</b>'), 'the typed value is escaped');
      assert.ok(escaped.html.includes('&lt;b&gt;12&lt;/b&gt;'));
    });

    it('asks for the password when only the number is given', async () => {
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      const number = randomBhxhNumber();
      const answer = await browser.submit(page, { bhxh_number: number }, '/login');
      assert.equal(answer.status, 400);
      assert.equal(alertText(answer), vi('login.error.missing_password'));
      assert.equal(inputValue(answer, 'bhxh_number'), number);
    });

    it('answers an unknown number, a wrong password and a disabled account with the same page', async () => {
      const known = await t.createMember();
      const disabled = await t.createMember();
      await t.server.deps.accounts.setStatus(disabled.id, 'disabled');
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);

      const { answers, hashes } = await countingArgon2Verifications(async (hashes) => {
        const answers: Page[] = [];
        const counts: number[] = [];
        for (const [number, password] of [
          [randomBhxhNumber(), randomPassword()], // no such account
          [known.bhxhNumber, randomPassword()], // wrong password
          [disabled.bhxhNumber, disabled.password], // right password, disabled account
        ] as const) {
          const before = hashes.length;
          answers.push(await submitCredentials(browser, page, number, password));
          counts.push(hashes.length - before);
        }
        assert.deepEqual(counts, [1, 1, 1], 'one argon2 verification each, the unknown number included');
        return { answers, hashes: [...hashes] };
      });

      const [unknown, wrong, off] = answers as [Page, Page, Page];
      for (const answer of answers) assertInvalidCredentials(answer);
      assert.equal(alertText(unknown), alertText(wrong));
      assert.equal(alertText(unknown), alertText(off));
      assert.equal(normalise(unknown.html), normalise(wrong.html));
      assert.equal(normalise(unknown.html), normalise(off.html));
      assert.notEqual(normalise(unknown.html), unknown.html, 'the normalisation did replace something');

      // The unknown number was checked against a hash as costly as a real one.
      assert.deepEqual(argon2Params(hashes[0]!), CURRENT_ARGON2);
      assert.deepEqual(argon2Params(hashes[0]!), argon2Params(hashes[1]!));

      // Only the audit trail tells the cases apart.
      const reasons = await Promise.all(
        answers.map(async (answer) =>
          (await auditFor(t, answer)).map((e) => `${e.type}/${e.outcome}/${e.detail.reason}`),
        ),
      );
      assert.deepEqual(reasons, [
        ['sign_in/failure/unknown'],
        ['sign_in/failure/wrong_password'],
        ['sign_in/failure/disabled'],
      ]);
    });
  });

  describe('must_change_password', () => {
    async function reachNewPasswordPage(member: Member) {
      const browser = new Browser(t.url);
      const { request, page } = await openLogin(config, browser);
      const next = await submitCredentials(browser, page, member.bhxhNumber, member.password);
      return { browser, request, page: next, interactionUrl: page.url };
    }

    it('takes the member to the set-new-password page and explains every policy error', async () => {
      const member = await t.createMember({
        mustChangePassword: true,
        phoneNumber: '+84912000111',
        birthdate: '1991-02-03',
      });
      const { browser, page, interactionUrl } = await reachNewPasswordPage(member);
      assert.equal(page.status, 200);
      assert.ok(
        isNewPasswordPage(page),
        `expected the set-new-password page, got ${page.url}\n${page.html.slice(0, 600)}`,
      );
      assert.ok(page.html.includes(`<h1>${vi('password.title')}</h1>`));
      assert.ok(page.html.includes(vi('password.rules')), 'the rules are explained up front');
      assert.match(page.html, /<input[^>]*name="new_password"[^>]*autocomplete="new-password"/);
      assert.equal(inputValue(page, 'username'), member.bhxhNumber, 'password managers learn which account');

      const good = randomPassword();
      const cases: Array<[string, string, MessageId]> = [
        [randomPassword().slice(0, 7), '', 'password.error.too_short'],
        ['matkhau123', '', 'password.error.common'],
        ['password1', '', 'password.error.common'],
        [`so-${member.bhxhNumber}-cua-toi`, '', 'password.error.contains_bhxh_number'],
        ['goi toi 0912000111 nhe', '', 'password.error.contains_phone'],
        ['goi toi 0912 000 111 nhe', '', 'password.error.contains_phone'],
        ['sinh ngay 03021991 day', '', 'password.error.contains_birthdate'],
        ['sinh ngay 03.02.1991 day', '', 'password.error.contains_birthdate'],
        [good, randomPassword(), 'password.error.mismatch'],
        [member.password, member.password, 'password.error.same_as_old'],
      ];
      let current = page;
      for (const [newPassword, confirm, expected] of cases) {
        current = await browser.submit(
          current,
          { new_password: newPassword, confirm_password: confirm || newPassword },
          '/password',
        );
        assert.equal(current.status, 400, `${expected}: status`);
        assert.ok(isNewPasswordPage(current), `${expected}: the same step is shown again`);
        assert.equal(alertText(current), vi(expected), `${newPassword} → ${expected}`);
        assert.ok(current.html.includes(vi('password.rules')), 'the rules are shown with the error');
        assert.ok(!current.html.includes(newPassword), 'the rejected password is not echoed back');
      }

      // The step survives a reload: the interaction shows the new-password page, not the sign-in form.
      const reloaded = await browser.get(interactionUrl);
      assert.equal(reloaded.status, 200);
      assert.ok(isNewPasswordPage(reloaded));
      const account = await t.server.deps.accounts.findById(member.id);
      assert.equal(account!.mustChangePassword, true, 'nothing changed yet');
      assert.ok(await argon2.verify(account!.passwordHash!, member.password));
    });

    it('completes the sign-in with a good password, which replaces the temporary one', async () => {
      const member = await t.createMember({ mustChangePassword: true });
      const { browser, request, page } = await reachNewPasswordPage(member);
      assert.ok(isNewPasswordPage(page));
      const newPassword = randomPassword();
      const end = await browser.submit(page, { new_password: newPassword, confirm_password: newPassword }, '/password');
      assertBackAtClient(end);
      const tokens = await redeem(config, request, end.url);
      assert.equal(tokens.claims()!.sub, member.id);

      const account = await t.server.deps.accounts.findById(member.id);
      assert.equal(account!.mustChangePassword, false);
      assert.deepEqual(argon2Params(account!.passwordHash!), CURRENT_ARGON2);
      const events = await t.db('audit_events').where({ account_id: member.id, type: 'password.changed' });
      assert.equal(events.length, 1);

      // The new password signs in straight away (no new-password step); the old one no longer does.
      const again = await signIn(
        t.url,
        config,
        { bhxhNumber: member.bhxhNumber, password: newPassword },
        { redirect_uri, scope: 'openid' },
      );
      assert.equal(again.tokens.claims()!.sub, member.id);
      const browser2 = new Browser(t.url);
      const { page: login } = await openLogin(config, browser2);
      assertInvalidCredentials(await submitCredentials(browser2, login, member.bhxhNumber, member.password));
    });
  });

  describe('CSRF', () => {
    it('refuses a sign-in without the csrf field or with a wrong one', async () => {
      const member = await t.createMember();
      const other = new Browser(t.url);
      const { page: otherPage } = await openLogin(config, other);
      const foreignToken = inputValue(otherPage, 'csrf')!;

      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      const action = new URL(page.html.match(/<form method="post" action="([^"]+)"/)![1]!, t.url).href;
      const ownToken = inputValue(page, 'csrf')!;
      const wrongSameLength = ownToken.slice(0, -2) + (ownToken.endsWith('AA') ? 'BB' : 'AA');
      const attempts: Array<Record<string, string>> = [
        {},
        { csrf: '' },
        { csrf: wrongSameLength },
        { csrf: foreignToken }, // valid, but for another browser's cookie
        { csrf: 'x' },
      ];
      for (const extra of attempts) {
        const answer = await browser.request(action, {
          method: 'POST',
          form: { ...extra, bhxh_number: member.bhxhNumber, password: member.password },
        });
        assertReadablePage(answer, 403, vi('error.csrf'));
        assert.ok(!answer.url.startsWith(redirect_uri), 'no sign-in');
      }
      // Nobody signed in, and the interaction still waits for the sign-in form.
      const events = await t.db('audit_events').where({ type: 'sign_in', account_id: member.id });
      assert.equal(events.length, 0);
      assert.ok(isLoginPage(await browser.get(page.url)));
      // The same form with its token works.
      assertBackAtClient(await submitCredentials(browser, page, member.bhxhNumber, member.password));
    });
  });

  describe('hostile input', () => {
    async function rawPost(browser: Browser, page: Page, body: string | Buffer) {
      const action = new URL(page.html.match(/<form method="post" action="([^"]+)"/)![1]!, t.url);
      const res = await fetch(action, {
        method: 'POST',
        headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return { status: res.status, url: action.href, html: await res.text(), headers: res.headers } satisfies Page;
    }

    it('answers missing fields with a 400 page', async () => {
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      const csrf = `csrf=${encodeURIComponent(inputValue(page, 'csrf')!)}`;
      for (const body of [
        csrf,
        `${csrf}&password=x`,
        `${csrf}&bhxh_number=`,
        `${csrf}&bhxh_number=${randomBhxhNumber()}`,
        `${csrf}&bhxh_number=${randomBhxhNumber()}&password=`,
      ]) {
        const answer = await rawPost(browser, page, body);
        assert.equal(answer.status, 400, body);
        assert.ok(
          [vi('login.error.format'), vi('login.error.missing_password')].includes(alertText(answer)!),
          `${body}: ${alertText(answer)}`,
        );
        assert.ok(isLoginPage(answer));
      }
    });

    it('answers a 1 MB password with a 413 page, not a 500', async () => {
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      const answer = await submitCredentials(browser, page, randomBhxhNumber(), 'a'.repeat(1024 * 1024));
      assert.ok(answer.status === 413 || answer.status === 400, `status ${answer.status}`);
      assertReadablePage(answer, answer.status, vi('error.invalid_request'));
      // The form still works afterwards.
      assert.equal(alertText(await submitCredentials(browser, page, '1', 'x')), vi('login.error.format'));
    });

    it('answers odd bytes, odd Unicode and odd shapes in the fields with the format message', async () => {
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      const csrf = `csrf=${encodeURIComponent(inputValue(page, 'csrf')!)}`;
      const bodies: Array<string | Buffer> = [
        `${csrf}&bhxh_number=%FF%FE%FD&password=x`, // not UTF-8 once decoded
        `${csrf}&bhxh_number=%ED%A0%80123456789&password=x`, // an encoded lone surrogate
        `${csrf}&bhxh_number=%00123456789&password=x`, // NUL
        `${csrf}&bhxh_number=%&password=%zz`, // broken percent-encoding
        `${csrf}&bhxh_number=${encodeURIComponent('０１２３４５６７８９')}&password=x`, // full-width digits
        `${csrf}&bhxh_number=${encodeURIComponent('٠١٢٣٤٥٦٧٨٩')}&password=x`, // Arabic-Indic digits
        `${csrf}&bhxh_number=${encodeURIComponent('0123\u200b456789')}&password=x`, // zero-width space
        `${csrf}&bhxh_number=${encodeURIComponent('\u202e9876543210')}&password=x`, // right-to-left override
        `${csrf}&bhxh_number=${encodeURIComponent('1̵2̵3̵4̵5̵6̵7̵8̵9̵0̵')}&password=x`, // combining marks
        `${csrf}&bhxh_number=${encodeURIComponent('😀'.repeat(30))}&password=x`, // astral characters, long
        `${csrf}&bhxh_number=1&bhxh_number=2&password=x`, // an array
        `${csrf}&bhxh_number[a]=0123456789&password[b]=x`, // objects
        Buffer.concat([
          Buffer.from(`${csrf}&bhxh_number=`),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x31]),
          Buffer.from('&password=x'),
        ]), // raw invalid UTF-8
      ];
      for (const body of bodies) {
        const answer = await rawPost(browser, page, body);
        assert.equal(answer.status, 400, `status for ${String(body).slice(csrf.length)}`);
        assert.equal(alertText(answer), vi('login.error.format'), String(body).slice(csrf.length));
        assert.ok(isLoginPage(answer));
      }
    });

    it('answers a password with odd bytes with the invalid-credentials message', async () => {
      const member = await t.createMember();
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      const csrf = `csrf=${encodeURIComponent(inputValue(page, 'csrf')!)}`;
      for (const password of [
        '%00%00',
        '%FF%FE',
        '%ED%A0%80',
        encodeURIComponent('\u202e😀'),
        encodeURIComponent('x'.repeat(4000)),
      ]) {
        assertInvalidCredentials(
          await rawPost(browser, page, `${csrf}&bhxh_number=${member.bhxhNumber}&password=${password}`),
        );
      }
    });

    it('answers an unknown interaction uid with a readable 400 page', async () => {
      // With no cookies at all…
      assertReadablePage(await new Browser(t.url).get('/interaction/xyz'), 400, vi('error.session_expired'));
      // …and with the cookie of another interaction.
      const browser = new Browser(t.url);
      await openLogin(config, browser);
      assertReadablePage(await browser.get('/interaction/xyz'), 400, vi('error.session_expired'));
      assertReadablePage(await browser.get(`/interaction/${'A'.repeat(43)}/abort`), 400, vi('error.session_expired'));
    });

    it('answers a POST to /interaction/xyz/login with a readable page, with or without cookies', async () => {
      const member = await t.createMember();
      const res = await fetch(new URL('/interaction/xyz/login', t.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ bhxh_number: member.bhxhNumber, password: member.password }).toString(),
      });
      const noCookies = {
        status: res.status,
        url: res.url,
        html: await res.text(),
        headers: res.headers,
      } satisfies Page;
      assertReadablePage(noCookies, 403, vi('error.csrf'));

      // With this browser's cookies and a valid CSRF token, the unknown uid is still refused.
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      const answer = await browser.request('/interaction/xyz/login', {
        method: 'POST',
        form: { csrf: inputValue(page, 'csrf')!, bhxh_number: member.bhxhNumber, password: member.password },
      });
      assertReadablePage(answer, 400, vi('error.session_expired'));
      assert.equal((await t.db('audit_events').where({ type: 'sign_in', account_id: member.id })).length, 0);
    });
  });

  describe('argon2 parameters', () => {
    it('upgrades a hash made with weaker parameters after a successful sign-in', async () => {
      const member = await t.createMember();
      const weak = await argon2.hash(member.password, {
        type: argon2.argon2id,
        memoryCost: 8192,
        timeCost: 1,
        parallelism: 1,
      });
      assert.deepEqual(argon2Params(weak), { type: 'argon2id', m: 8192, t: 1, p: 1 });
      await t.db('accounts').where({ id: member.id }).update({ password_hash: weak });

      const { tokens } = await signIn(t.url, config, member, { redirect_uri, scope: 'openid' });
      assert.equal(tokens.claims()!.sub, member.id);

      const { password_hash: upgraded } = await t.db('accounts').where({ id: member.id }).first('password_hash');
      assert.notEqual(upgraded, weak);
      assert.deepEqual(argon2Params(upgraded), CURRENT_ARGON2);
      assert.ok(await argon2.verify(upgraded, member.password));
      // The upgraded hash keeps working, and is left alone from now on.
      await signIn(t.url, config, member, { redirect_uri, scope: 'openid' });
      const { password_hash: after } = await t.db('accounts').where({ id: member.id }).first('password_hash');
      assert.equal(after, upgraded);
    });
  });
});

describe('sign-in throttling per number (LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR=5)', () => {
  let t: TestServer;
  let config: oidc.Configuration;

  before(async () => {
    ({ t, config } = await startWithVssid({ LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR: '5' }));
  });
  after(() => t.close());

  // Issue 12, finding 6: past the limit the number needs a solved captcha; it is never refused for an hour.
  it('asks for the captcha from the sixth attempt, even with the right password, and signs in once it is solved', async () => {
    const member = await t.createMember();
    const browser = new Browser(t.url);
    const { page } = await openLogin(config, browser);
    for (let i = 1; i <= 5; i++)
      assertInvalidCredentials(await submitCredentials(browser, page, member.bhxhNumber, randomPassword()));
    const sixth = await submitCredentials(browser, page, member.bhxhNumber, randomPassword());
    assertCaptchaRequired(sixth);
    assert.equal(inputValue(sixth, 'bhxh_number'), member.bhxhNumber);

    const right = await submitCredentials(browser, page, member.bhxhNumber, member.password);
    assertCaptchaRequired(right);
    assert.ok(!right.url.startsWith(redirect_uri), 'no sign-in without the captcha');
    const audit = await auditFor(t, right);
    assert.deepEqual(
      audit.map((e) => `${e.type}/${e.outcome}`),
      ['sign_in.throttled/failure'],
    );
    assert.equal(
      (await t.db('audit_events').where({ type: 'sign_in', account_id: member.id, outcome: 'success' })).length,
      0,
    );

    // Another number from the same browser is not affected.
    const other = await t.createMember();
    assertBackAtClient(await submitCredentials(browser, page, other.bhxhNumber, other.password));

    // The right password with a solved captcha signs in.
    const fresh = new Browser(t.url);
    const { page: freshPage } = await openLogin(config, fresh);
    assertBackAtClient(
      await fresh.submit(
        freshPage,
        { bhxh_number: member.bhxhNumber, password: member.password, altcha: await solveCaptcha(t.url) },
        '/login',
      ),
    );
  });

  it('treats an unknown number exactly like a known one', async () => {
    const member = await t.createMember();
    const unknown = randomBhxhNumber();
    const browser = new Browser(t.url);
    const { page } = await openLogin(config, browser);
    const answers: Record<'known' | 'unknown', Page[]> = { known: [], unknown: [] };
    for (let i = 1; i <= 6; i++) {
      answers.known.push(await submitCredentials(browser, page, member.bhxhNumber, randomPassword()));
      answers.unknown.push(await submitCredentials(browser, page, unknown, randomPassword()));
    }
    for (const kind of ['known', 'unknown'] as const) {
      for (const answer of answers[kind].slice(0, 5)) assertInvalidCredentials(answer);
      assertCaptchaRequired(answers[kind][5]!);
    }
    for (let i = 0; i < 6; i++) {
      assert.equal(answers.known[i]!.status, answers.unknown[i]!.status);
      assert.equal(alertText(answers.known[i]!), alertText(answers.unknown[i]!));
      assert.equal(
        normalise(answers.known[i]!.html),
        normalise(answers.unknown[i]!.html),
        `attempt ${i + 1} looks the same`,
      );
    }
  });

  it('checks exactly 5 of 20 parallel wrong attempts; the others ask for the captcha', async () => {
    const member = await t.createMember();
    const browser = new Browser(t.url);
    const { page } = await openLogin(config, browser);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => submitCredentials(browser, page, member.bhxhNumber, randomPassword())),
    );
    const invalid = answers.filter((a) => alertText(a) === vi('login.error.invalid'));
    const captcha = answers.filter((a) => alertText(a) === vi('login.error.captcha_required'));
    assert.equal(invalid.length, 5, `statuses: ${answers.map((a) => a.status).join(',')}`);
    assert.equal(captcha.length, 15);
    for (const answer of invalid) assertInvalidCredentials(answer);
    captcha.forEach(assertCaptchaRequired);
    assertCaptchaRequired(await submitCredentials(browser, page, member.bhxhNumber, member.password));
  });

  it('starts the count over after a successful sign-in', async () => {
    const member = await t.createMember();
    const browser = new Browser(t.url);
    const { page } = await openLogin(config, browser);
    for (let i = 1; i <= 4; i++)
      assertInvalidCredentials(await submitCredentials(browser, page, member.bhxhNumber, randomPassword()));
    assertBackAtClient(await submitCredentials(browser, page, member.bhxhNumber, member.password));

    // Without the reset the next failure would be the sixth attempt; now five more fail normally.
    const browser2 = new Browser(t.url);
    const { page: page2 } = await openLogin(config, browser2);
    for (let i = 1; i <= 5; i++)
      assertInvalidCredentials(await submitCredentials(browser2, page2, member.bhxhNumber, randomPassword()));
    assertCaptchaRequired(await submitCredentials(browser2, page2, member.bhxhNumber, randomPassword()));
  });
});

describe('sign-in throttling per address (LOGIN_IP_MAX_FAILURES_PER_HOUR=3)', () => {
  let t: TestServer;
  let config: oidc.Configuration;

  before(async () => {
    ({ t, config } = await startWithVssid({ LOGIN_IP_MAX_FAILURES_PER_HOUR: '3' }));
  });
  after(() => t.close());

  it('refuses further attempts from one address across different numbers', async () => {
    const member = await t.createMember();
    const browser = new Browser(t.url);
    const { page } = await openLogin(config, browser);
    assertInvalidCredentials(await submitCredentials(browser, page, member.bhxhNumber, randomPassword()));
    assertInvalidCredentials(await submitCredentials(browser, page, randomBhxhNumber(), randomPassword()));
    assertInvalidCredentials(await submitCredentials(browser, page, randomBhxhNumber(), randomPassword()));

    assertThrottled(await submitCredentials(browser, page, randomBhxhNumber(), randomPassword()));
    const other = await t.createMember();
    const right = await submitCredentials(browser, page, other.bhxhNumber, other.password);
    assertThrottled(right);
    // A new browser on the same address is refused too.
    const fresh = new Browser(t.url);
    const { page: freshPage } = await openLogin(config, fresh);
    assertThrottled(await submitCredentials(fresh, freshPage, other.bhxhNumber, other.password));
  });
});

describe('progressive delays (LOGIN_FREE_FAILURES=2, LOGIN_DELAY_BASE_MS=100)', () => {
  let t: TestServer;
  let config: oidc.Configuration;

  before(async () => {
    ({ t, config } = await startWithVssid({ LOGIN_FREE_FAILURES: '2', LOGIN_DELAY_BASE_MS: '100' }));
  });
  after(() => t.close());

  it('waits twice as long after each failure beyond the free ones, and starts over after a success', async () => {
    const member = await t.createMember();
    t.sleeps.length = 0;
    const browser = new Browser(t.url);
    const { page } = await openLogin(config, browser);
    const seen: number[][] = [];
    for (let i = 1; i <= 6; i++) {
      assertInvalidCredentials(
        await submitCredentials(browser, page, member.bhxhNumber, randomPassword()),
        i <= 2 ? 'login.error.invalid' : 'login.error.slowed',
      );
      seen.push([...t.sleeps]);
    }
    // Attempts 1–3 come after 0, 1 and 2 failures (the free ones); then each further failure doubles the wait.
    assert.deepEqual(seen, [[], [], [], [100], [100, 200], [100, 200, 400]]);

    // The right password also waits (the delay comes before the check), then succeeds…
    assertBackAtClient(await submitCredentials(browser, page, member.bhxhNumber, member.password));
    assert.deepEqual(t.sleeps, [100, 200, 400, 800]);

    // …and the count starts over: free failures again, then 100 ms.
    const browser2 = new Browser(t.url);
    const { page: page2 } = await openLogin(config, browser2);
    for (let i = 1; i <= 3; i++)
      assertInvalidCredentials(
        await submitCredentials(browser2, page2, member.bhxhNumber, randomPassword()),
        i <= 2 ? 'login.error.invalid' : 'login.error.slowed',
      );
    assert.deepEqual(t.sleeps, [100, 200, 400, 800]);
    assertInvalidCredentials(
      await submitCredentials(browser2, page2, member.bhxhNumber, randomPassword()),
      'login.error.slowed',
    );
    assert.deepEqual(t.sleeps, [100, 200, 400, 800, 100]);
  });

  it('delays an unknown number like a known one', async () => {
    t.sleeps.length = 0;
    const unknown = randomBhxhNumber();
    const browser = new Browser(t.url);
    const { page } = await openLogin(config, browser);
    for (let i = 1; i <= 5; i++)
      assertInvalidCredentials(
        await submitCredentials(browser, page, unknown, randomPassword()),
        i <= 2 ? 'login.error.invalid' : 'login.error.slowed',
      );
    assert.deepEqual(t.sleeps, [100, 200]);
  });

  // Issue 14, item 9: answers for a number past its free failures wait (4.7 s by default after 8 failures); the page
  // says so before the wait begins, and points to "Quên mật khẩu?" by the link's own name.
  it('says that answers are slowed once the failures pass the free ones, pointing to "Quên mật khẩu?"', async () => {
    const known = await t.createMember();
    const unknown = randomBhxhNumber();
    const answers: Record<'known' | 'unknown', Page[]> = { known: [], unknown: [] };
    for (const [kind, number] of [
      ['known', known.bhxhNumber],
      ['unknown', unknown],
    ] as const) {
      t.sleeps.length = 0;
      const browser = new Browser(t.url);
      const { page } = await openLogin(config, browser);
      for (let i = 1; i <= 3; i++) answers[kind].push(await submitCredentials(browser, page, number, randomPassword()));
      // Two free failures; the third is answered at once (no wait yet), but the next attempt will wait.
      assert.deepEqual(t.sleeps, [], `${kind}: no answer so far was slowed`);
    }
    for (const kind of ['known', 'unknown'] as const) {
      assertInvalidCredentials(answers[kind][0]!, 'login.error.invalid');
      assertInvalidCredentials(answers[kind][1]!, 'login.error.invalid');
      assertInvalidCredentials(answers[kind][2]!, 'login.error.slowed');
      // The field to fix is tied to the message and has the focus.
      const password = answers[kind][2]!.html.match(/<input[^>]*name="password"[^>]*>/)?.[0] ?? '';
      assert.match(password, /aria-describedby="login-error"/);
      assert.match(password, /aria-invalid="true"/);
      assert.match(password, /\sautofocus[\s>]/);
    }
    const sameRequest = (html: string) => normalise(html).replace(/\/interaction\/[\w-]+/g, '/interaction/UID');
    assert.equal(sameRequest(answers.known[2]!.html), sameRequest(answers.unknown[2]!.html), 'an unknown number alike');
    assert.ok(vi('login.error.slowed').includes(`“${vi('login.forgot')}”`), 'names the link as the page shows it');
    assert.ok(answers.known[2]!.html.includes(`>${vi('login.forgot')}</a>`), 'and the link is on the page');

    // In English too.
    const browser = new Browser(t.url);
    const { page } = await openLogin(config, browser, { ui_locales: 'en' });
    let answer = page;
    for (let i = 1; i <= 3; i++) answer = await submitCredentials(browser, page, randomBhxhNumber(), randomPassword());
    assert.equal(alertText(answer), en('login.error.invalid'), 'three numbers, one failure each: not slowed');
    const number = randomBhxhNumber();
    for (let i = 1; i <= 3; i++) answer = await submitCredentials(browser, page, number, randomPassword());
    assert.equal(alertText(answer), en('login.error.slowed'));
    assert.ok(en('login.error.slowed').includes(`“${en('login.forgot')}”`));
    assert.ok(answer.html.includes(`>${en('login.forgot')}</a>`));
  });
});
