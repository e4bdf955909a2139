// A gallery of every hosted page, photographed in a real browser (Debian's Chromium through playwright-core) on a
// 360 px phone, for people to look at in test-artifacts/gallery/ (git-ignored), in Vietnamese (<name>-360.png) and
// again in English (<name>-en-360.png, the `lang` cookie the page's language switch sets): the start page, sign-in
// (with an error, and when VNeID is required), each password-reset step, the new-password step, the VNeID results,
// consent, sign-out (confirm and done), the error pages — 404, expired session, Back after a cancel, a relying party's
// mistake (collapsed and opened), an unknown app — and the account page: its sign-in, the overview, every section,
// "confirm it's you" and its sign-in, sign-out and the signed-out page, a failed sign-in, and a sample of the
// components the sections share (their classes and the "confirm it's you" block, added to a section's page).
//
// Each page is checked to fit the phone's width, to be in the language expected (its language switch marked as the
// other), to run without CSP violations or page errors, and to have no serious or critical axe-core violation
// (WCAG 2.0/2.1 A and AA, best practices; test/helpers/axe.ts). The account sections are being built: they are
// visited by URL and checked only for those properties, never for their text.
//
// Without Chromium the test is skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Clock } from '../../src/core/clock.js';
import { html } from '../../src/core/html.js';
import { LOCALES, type Locale, type MessageId, translator } from '../../src/core/i18n.js';
import { ACR } from '../../src/oidc/assurance.js';
import { confirmIdentity, maskNumber } from '../../views/account/layout.js';
import { ACCOUNT_SECTIONS } from '../../views/account/overview.js';
import { axeProblems, formatViolations, seriousViolations } from '../helpers/axe.js';
import { startCallbackServer } from '../helpers/callback-server.js';
import { artifacts, browserMissing, launchChromium, requireBrowser, openPhone } from '../helpers/chromium.js';
import { authorizationRequest, discover, oidc, redeem } from '../helpers/oidc.js';
import { randomPassword } from '../helpers/server.js';
import { withTimeout } from '../helpers/until.js';
import { startFederatedPair, type FederatedPair } from '../helpers/vneid.js';

const gallery = `${artifacts}gallery/`;
/** How long the captcha widget may take to solve (about a second on a slow machine; this is only a bound). */
const SOLVE_TIMEOUT_MS = 30_000;
/** How recent a sign-in must be for a sensitive change; the clock moves past it for "confirm it's you". */
const REAUTH_SECONDS = 300;

/** One phone (a browser context) speaking one language, and what went wrong on its pages. */
interface Phone {
  context: BrowserContext;
  page: Page;
  lang: Locale;
  t: ReturnType<typeof translator>;
  problems: string[];
}

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
  describe('gallery of hosted pages (Chromium, 360 px phone, axe-core)', {
    skip:
      browserMissing ??
      (process.env.TEST_DATABASE_URL ? 'the pages do not depend on the database: taken in the PGlite pass' : false),
    timeout: 420_000,
  }, () => {
    let pair: FederatedPair;
    let browser: Browser;
    let callback: Awaited<ReturnType<typeof startCallbackServer>>;
    let partner: oidc.Configuration;
    let portal: oidc.Configuration;
    const shots: string[] = [];
    // The server's clock runs with the wall clock, `skew` seconds ahead: moved only to make a sign-in old.
    let skew = 0;
    const clock: Clock = { now: () => new Date(Date.now() + skew * 1000) };

    before(async () => {
      pair = await startFederatedPair({
        clock,
        env: () => ({ ACCOUNT_REAUTH_SECONDS: String(REAUTH_SECONDS) }),
      });
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
      // The level-1 citizen's account (the "level too low" result), once for both languages.
      await pair.t.createMember({ nationalId: pair.citizens.level1.nationalId });
      fs.mkdirSync(gallery, { recursive: true });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await callback?.close();
      await pair?.close();
      if (shots.length) console.log(`# gallery: ${shots.length} screenshots in ${gallery}`);
    });

    /** A phone in `lang`: English is the `lang` cookie the language switch sets (and an English browser). */
    async function phone(lang: Locale): Promise<Phone> {
      const opened = await openPhone(browser, lang === 'en' ? { locale: 'en-US' } : {});
      const p = { ...opened, lang, t: translator(lang) };
      await speak(p);
      return p;
    }

    /** Sets the phone's language cookie (again, after the cookies were cleared). */
    async function speak(p: Phone) {
      if (p.lang === 'en') await p.context.addCookies([{ name: 'lang', value: 'en', url: pair.t.url }]);
    }

    async function clearCookies(p: Phone) {
      await p.context.clearCookies();
      await speak(p);
    }

    /**
     * Checks the page fits the phone, speaks `lang` and passes axe, then photographs it as gallery/<name>-360.png
     * (<name>-en-360.png in English). Axe's findings go to the phone's problems, asserted at the end of the test.
     */
    async function shoot(p: Phone, name: string, lang: Locale = p.lang) {
      const { page } = p;
      const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
      const clientWidth = Number(await page.evaluate('document.documentElement.clientWidth'));
      assert.equal(clientWidth, 360, `${name}: the layout viewport is the phone's width`);
      assert.ok(scrollWidth <= 360, `${name}: no horizontal scroll (scrollWidth ${scrollWidth})`);
      assert.equal(await page.getAttribute('html', 'lang'), lang, `${name}: in ${lang}`);
      // The language switch names the other language in that language, and says so (WCAG 3.1.2).
      const other = lang === 'vi' ? 'en' : 'vi';
      const langSwitch = await page.evaluate('document.querySelector("header a.lang")?.outerHTML ?? ""');
      assert.match(String(langSwitch), new RegExp(` hreflang="${other}" lang="${other}"`), `${name}: the switch`);
      const path = `${gallery}${name}${p.lang === 'en' ? '-en' : ''}-360.png`;
      await page.screenshot({ path, fullPage: true, animations: 'disabled' });
      shots.push(path);
      const found = await axeProblems(page, `${name} (${lang})`);
      if (found) p.problems.push(found);
    }

    function noProblems(p: Phone) {
      assert.ok(p.problems.length === 0, `\n${p.problems.join('\n\n')}`);
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

    async function fillCredentials(p: Phone, who: { bhxhNumber: string; password: string }) {
      await p.page.getByLabel(p.t('login.bhxh_number')).fill(who.bhxhNumber);
      await p.page.getByLabel(p.t('login.password'), { exact: true }).fill(who.password);
    }

    const button = (p: Phone, id: MessageId) => p.page.getByRole('button', { name: p.t(id), exact: true });
    const h1 = (p: Phone, id: MessageId) => p.page.getByRole('heading', { name: p.t(id), level: 1 });

    /** A sample of every shared account component, in the phone's language (see the account page's test). */
    function components(p: Phone): string {
      const { t } = p;
      const page = { t, locale: p.lang, switchLanguageHref: '/' };
      return html`
<p class="notice-ok" role="status">${t('account.signed_out.message')}</p>
<div class="alert" role="alert" id="sample-error">${t('login.error.invalid')}</div>
${confirmIdentity(page, { href: '/account/sign-in?reauth=1', minutes: 5, afterRefusedChange: true })}
<dl class="facts">
  <dt>${t('login.bhxh_number')}</dt><dd>${maskNumber('0123456789')} <span class="badge">VNeID</span></dd>
</dl>
<ul class="items">
  <li><p>${t('account.section.sessions')} <span class="badge">${t('account.section.vneid')}</span></p>
    <p class="muted">${t('account.section.sessions.hint')}</p>
    <form method="post" action="/account/sessions"><button type="submit" class="secondary">${t('account.sign_out')}</button></form></li>
</ul>
<label for="sample-field">${t('login.bhxh_number')}</label>
<input type="text" id="sample-field" aria-invalid="true" aria-describedby="sample-error">
<button type="button" class="inline">${t('consent.allow')}</button>`.value;
    }

    /** The 6-digit code last mailed to `email` (the dev mailbox stands in for SMTP). */
    async function mailedCode(email: string): Promise<string> {
      await pair.t.server.outboxWorker.runOnce();
      const mail = (await pair.t.server.devMailbox!.list()).filter((m) => m.to === email).at(-1);
      const code = mail?.text.match(/\b(\d{6})\b/)?.[1];
      assert.ok(code, `a code mailed to ${email}`);
      return code;
    }

    it('axe reports what it must (the check itself works)', async () => {
      const p = await phone('vi');
      try {
        await p.page.goto(`${pair.t.url}/`);
        assert.deepEqual(await seriousViolations(p.page), []);
        await p.page.evaluate(() => {
          type InPage = { document: { querySelector(s: string): { insertAdjacentHTML(w: string, h: string): void } } };
          const main = (globalThis as unknown as InPage).document.querySelector('main');
          main.insertAdjacentHTML('beforeend', '<img src="/static/app.css"><input type="text" name="x">');
        });
        const found = await seriousViolations(p.page);
        assert.deepEqual(found.map((f) => f.id).sort(), ['image-alt', 'label']);
        assert.match(formatViolations(found), /\[critical\] label: .*\n {4}input/);
      } finally {
        await p.context.close();
      }
    });

    for (const lang of LOCALES) {
      describe(lang === 'vi' ? 'in Vietnamese' : 'in English', () => {
        it('the start page and the 404 page', async () => {
          const p = await phone(lang);
          const { page } = p;
          try {
            await page.goto(`${pair.t.url}/`);
            await shoot(p, '01-start-page');
            assert.equal((await page.goto(`${pair.t.url}/khong-ton-tai`))?.status(), 404);
            assert.equal(await heading(page), p.t('error.not_found.title'));
            await shoot(p, '02-not-found');
            noProblems(p);
          } finally {
            await p.context.close();
          }
        });

        it('sign-in: the page, a wrong password, and a request that demands VNeID', async () => {
          const member = await pair.t.createMember();
          const p = await phone(lang);
          const { page } = p;
          try {
            await openSignIn(page);
            await shoot(p, '03-sign-in');
            await fillCredentials(p, { bhxhNumber: member.bhxhNumber, password: `${member.password}-sai` });
            await button(p, 'login.submit').click();
            await page.getByRole('alert').waitFor();
            await shoot(p, '04-sign-in-error');
            if (lang === 'vi') {
              // The relying party's ui_locales alone makes the page English.
              await openSignIn(page, pair.rp, { ui_locales: 'en' });
              await shoot(p, '05-sign-in-ui-locales-en', 'en');
            }
            await clearCookies(p); // (the language cookie the English page set)
            await openSignIn(page, pair.rp, { acr_values: ACR.vneid2 });
            await shoot(p, '06-sign-in-vneid-required');
            noProblems(p);
          } finally {
            await p.context.close();
          }
        });

        it('password reset: address, code, new password, back on the sign-in page; and the required new password', async () => {
          const email = `gallery.${crypto.randomBytes(4).toString('hex')}@example.vn`;
          const member = await pair.t.createMember({ email });
          const p = await phone(lang);
          const { page, t } = p;
          try {
            await openSignIn(page);
            await page.getByRole('link', { name: t('login.forgot') }).click();
            await h1(p, 'recovery.title').waitFor();
            await page.getByLabel(t('login.bhxh_number')).fill(member.bhxhNumber);
            await page.getByLabel(t('recovery.email')).fill(email);
            type InPage = { document: { querySelector(selector: string): { value: string } | null } };
            const solved = () =>
              Boolean(
                (globalThis as unknown as InPage).document.querySelector('altcha-widget input[name="altcha"]')?.value,
              );
            await page.waitForFunction(solved, undefined, { timeout: SOLVE_TIMEOUT_MS, polling: 50 });
            await shoot(p, '07-recovery-address');
            await button(p, 'recovery.submit').click();

            await h1(p, 'recovery.code.title').waitFor();
            await shoot(p, '08-recovery-code');
            await page.getByLabel(t('recovery.code.label')).fill('000000');
            await button(p, 'recovery.code.submit').click();
            await page.getByRole('alert').waitFor();
            await shoot(p, '09-recovery-code-wrong');
            await page.getByLabel(t('recovery.code.label')).fill(await mailedCode(email));
            await button(p, 'recovery.code.submit').click();

            await h1(p, 'password.title').waitFor();
            await shoot(p, '10-recovery-new-password');
            const chosen = `mây trắng bay ${randomPassword()}`;
            await page.getByLabel(t('password.new'), { exact: true }).fill(chosen);
            await page.getByLabel(t('password.confirm'), { exact: true }).fill(chosen);
            await button(p, 'password.submit').click();
            await page.locator('#login-notice').waitFor();
            await shoot(p, '11-recovery-back-to-sign-in');

            const temporary = await pair.t.createMember({ mustChangePassword: true });
            await openSignIn(page);
            await fillCredentials(p, temporary);
            await button(p, 'login.submit').click();
            await h1(p, 'password.title').waitFor();
            await shoot(p, '12-sign-in-new-password-required');
            noProblems(p);
          } finally {
            await p.context.close();
          }
        });

        it('VNeID results: cancelled, no account, level too low', async () => {
          const p = await phone(lang);
          const { page } = p;
          const pressVneid = () => page.getByRole('button', { name: p.t('login.vneid') }).click();
          try {
            await openSignIn(page);
            await pressVneid();
            await page.locator('[data-action="cancel"]').click();
            await page.locator('#federation-message').waitFor();
            await shoot(p, '13-vneid-cancelled');

            await openSignIn(page);
            await pressVneid();
            await page.locator(`[data-national-id="${pair.citizens.stranger.nationalId}"]`).click();
            await page.waitForURL((url) => url.pathname.endsWith('/vneid/result'));
            await shoot(p, '14-vneid-no-account');

            await clearCookies(p); // (the simulator would remember the citizen chosen last)
            await openSignIn(page, pair.rp, { acr_values: ACR.vneid2 });
            await pressVneid();
            await page.locator(`[data-national-id="${pair.citizens.level1.nationalId}"]`).click();
            await page.waitForURL((url) => url.pathname.endsWith('/vneid/result'));
            await shoot(p, '15-vneid-level-too-low');
            noProblems(p);
          } finally {
            await p.context.close();
          }
        });

        it('consent, then sign-out: the confirmation and the signed-out page', async () => {
          const member = await pair.t.createMember();
          const p = await phone(lang);
          const { page, t } = p;
          try {
            const request = await openSignIn(page, partner);
            await fillCredentials(p, member);
            await button(p, 'login.submit').click();
            await h1(p, 'consent.title').waitFor();
            await shoot(p, '16-consent');
            const arrived = callback.next();
            await button(p, 'consent.allow').click();
            const tokens = await redeem(
              partner,
              request,
              await withTimeout(arrived, 10_000, 'the redirect to the app'),
            );

            await page.goto(oidc.buildEndSessionUrl(partner, { id_token_hint: tokens.id_token! }).href);
            await h1(p, 'logout.title').waitFor();
            await shoot(p, '17-sign-out-confirm');
            await button(p, 'logout.yes').click();
            await page.getByText(t('logout.done')).waitFor();
            // No dead end: oidc-provider names no app after a sign-out (it forwards client_id only to "stay signed
            // in"), so the page offers the start page.
            assert.equal(await page.locator('#start-page').getAttribute('href'), '/');
            await shoot(p, '18-signed-out');
            noProblems(p);
          } finally {
            await p.context.close();
          }
        });

        it('an expired session, and Back after a cancel', async () => {
          const p = await phone(lang);
          const { page, t } = p;
          try {
            // The interaction cookie gone (it lives as long as the interaction): the session has expired.
            await openSignIn(page, portal);
            await clearCookies(p);
            assert.equal((await page.reload())?.status(), 400);
            assert.equal(await heading(page), t('error.session_expired.title'));
            await shoot(p, '19-session-expired');

            await openSignIn(page, portal);
            const arrived = callback.next();
            await page.getByRole('link', { name: t('login.cancel') }).click();
            await withTimeout(arrived, 10_000, 'the redirect to the app');
            await page.goBack();
            assert.equal(await heading(page), t('ended.cancelled.title'));
            await shoot(p, '20-back-after-cancel');
            noProblems(p);
          } finally {
            await p.context.close();
          }
        });

        it("a relying party's mistake: an unregistered redirect URI; an unknown app", async () => {
          const p = await phone(lang);
          const { page, t } = p;
          try {
            const bad = await authorizationRequest(portal, { redirect_uri: 'https://evil.example.com/callback' });
            assert.equal((await page.goto(bad.url.href))?.status(), 400);
            assert.equal(await heading(page), t('rp_error.title'));
            assert.equal(await page.locator('details.technical code').first().isVisible(), false, 'collapsed');
            await shoot(p, '21-invalid-redirect-uri');
            await page.locator('details.technical summary').click();
            assert.ok(await page.getByText('invalid_redirect_uri').isVisible());
            await shoot(p, '22-invalid-redirect-uri-details');

            const english = await authorizationRequest(portal, {
              redirect_uri: 'https://evil.example.com/callback',
              ui_locales: 'en',
            });
            if (lang === 'vi') {
              // The relying party's ui_locales makes its error page English.
              await page.goto(english.url.href);
              assert.equal(await heading(page), translator('en')('rp_error.title'));
              await shoot(p, '23-invalid-redirect-uri-ui-locales-en', 'en');
            }

            await clearCookies(p);
            const unknown = new URL(english.url);
            unknown.searchParams.set('client_id', 'khong-co-ung-dung-nay');
            unknown.searchParams.delete('ui_locales');
            await page.goto(unknown.href);
            await shoot(p, '24-unknown-client');
            noProblems(p);
          } finally {
            await p.context.close();
          }
        });

        it("the account page: sign-in, overview, every section, confirm it's you, sign-out, a failed sign-in", async () => {
          const member = await pair.t.createMember({ fullName: 'Phạm Thị Lan' });
          const p = await phone(lang);
          const { page, t } = p;
          const visit = async (path: string, name: string) => {
            const response = await page.goto(`${pair.t.url}${path}`);
            assert.equal(response?.status(), 200, `${path}: status`);
            await shoot(p, name);
          };
          try {
            // Through the real sign-in page, as the built-in client bhxh-account.
            await page.goto(`${pair.t.url}/account`);
            await h1(p, 'login.title').waitFor();
            await shoot(p, '25-account-sign-in');
            await fillCredentials(p, member);
            await button(p, 'login.submit').click();
            await page.waitForURL((url) => url.pathname === '/account');
            await shoot(p, '26-account');
            // The sections, by URL: their content is their own (and changing); here only width, language, CSP, axe.
            for (const [i, section] of ACCOUNT_SECTIONS.entries())
              await visit(`/account/${section}`, `${27 + i}-account-${section}`);

            // The sign-in is now too old for a sensitive change: "confirm it's you", then after a refused change.
            skew += REAUTH_SECONDS + 1;
            try {
              await visit('/account/password', '36-account-confirm-identity');
              await visit('/account/password?confirm=1', '37-account-confirm-identity-refused');
              // The confirmation itself: our sign-in page again (prompt=login), back to the section.
              await page.goto(
                `${pair.t.url}/account/sign-in?reauth=1&return=${encodeURIComponent('/account/password')}`,
              );
              await h1(p, 'login.title').waitFor();
              await shoot(p, '38-account-confirm-sign-in');
              await page.getByLabel(t('login.password'), { exact: true }).fill(member.password);
              await button(p, 'login.submit').click();
              await page.waitForURL((url) => url.pathname === '/account/password');
            } finally {
              skew = 0;
            }

            // What the sections draw with (views/account/layout.ts, the account styles of views/styles.ts), before any
            // section does: the real "confirm it's you" block and each shared class, added to a section's page.
            await page.goto(`${pair.t.url}/account/profile`);
            await page.evaluate((markup) => {
              type InPage = {
                document: { querySelector(s: string): { insertAdjacentHTML(w: string, h: string): void } };
              };
              (globalThis as unknown as InPage).document.querySelector('main').insertAdjacentHTML('beforeend', markup);
            }, components(p));
            await shoot(p, '42-account-components');

            // Sign-out: the provider's confirmation, then the account page's signed-out page.
            await page.goto(`${pair.t.url}/account`);
            await page.locator('#sign-out').click();
            await h1(p, 'logout.title').waitFor();
            await shoot(p, '39-account-sign-out-confirm');
            await button(p, 'logout.yes').click();
            await page.waitForURL((url) => url.pathname === '/account/signed-out');
            await shoot(p, '40-account-signed-out');

            // Signed out, a sign-in that fails: a callback this browser did not begin.
            assert.equal(
              (await page.goto(`${pair.t.url}/account/callback?code=x&state=${'A'.repeat(32)}`))?.status(),
              400,
            );
            await shoot(p, '41-account-sign-in-failed');
            noProblems(p);
          } finally {
            await p.context.close();
          }
        });
      });
    }
  });
}
