// Error pages that are no dead end (issue 14, items 5, 6 and 10): each says what happened in the member's language
// and offers the next step — back to the app when it is known, otherwise the start page — and the hotline. Back after
// a cancel (or a finished sign-in) says so calmly; a relying party's mistake says so in plain words and keeps the
// OAuth error for its developer in a collapsed block.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc } from '../helpers/oidc.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { translator, type MessageId } from '../../src/core/i18n.js';
import { HOTLINE } from '../../src/core/hotline.js';

const vi = translator('vi');
const en = translator('en');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const WEB_REDIRECT = 'https://portal.example.vn/auth/callback';
const WEB_HOME = 'https://portal.example.vn/trang-chu';
const INTERACTION_TTL = 120;

function decode(text: string): string {
  return text
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** What a member reads first: the heading and the message (not the collapsed technical block). */
function mainText(html: string): { title: string; message: string } {
  return {
    title: decode(html.match(/<h1>([\s\S]*?)<\/h1>/)?.[1] ?? ''),
    message: decode(html.match(/<p id="message">([\s\S]*?)<\/p>/)?.[1] ?? ''),
  };
}

/** The href of the element with this id, or undefined. */
function hrefOf(html: string, id: string): string | undefined {
  const tag = html.match(new RegExp(`<a[^>]*id="${id}"[^>]*>`))?.[0];
  return tag?.match(/href="([^"]*)"/)?.[1]?.replace(/&amp;/g, '&');
}

function technicalBlock(html: string): string | undefined {
  return html.match(/<details class="technical"[\s\S]*?<\/details>/)?.[0];
}

interface Expected {
  status: number;
  title: string;
  message: string;
  lang?: 'vi' | 'en';
  /** The page links back to the app here; `undefined`: it offers the start page instead. */
  appHref?: string;
}

/** One error page, as the member sees it: status, language, title and message, the next step and the hotline. */
function assertErrorPage(page: Page, expected: Expected) {
  const context = `${page.status} ${page.url}\n${page.html.slice(0, 2000)}`;
  assert.equal(page.status, expected.status, context);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(page.html.includes(`<html lang="${expected.lang ?? 'vi'}">`), context);
  assert.deepEqual(mainText(page.html), { title: expected.title, message: expected.message }, context);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  if (expected.appHref) {
    assert.equal(hrefOf(page.html, 'back-to-app'), expected.appHref, context);
    assert.equal(hrefOf(page.html, 'start-page'), undefined, 'one way forward');
  } else {
    assert.equal(hrefOf(page.html, 'back-to-app'), undefined, context);
    assert.equal(hrefOf(page.html, 'start-page'), '/', context);
  }
  const hotline = page.html.match(/<p class="help" id="hotline">[\s\S]*?<\/p>/)?.[0] ?? '';
  assert.ok(hotline.includes(`href="tel:${HOTLINE.replace(/\D/g, '')}"`), `the hotline is a tel: link: ${hotline}`);
  assert.ok(hotline.includes(HOTLINE));
  assert.doesNotMatch(page.html, /node_modules|\n\s*at \S+ \(|\.ts:\d+/, 'no stack trace');
}

describe('error pages with a way forward', () => {
  let t: TestServer;
  const clock = testClock();
  let member: { id: string; bhxhNumber: string; password: string };
  let portal: oidc.Configuration;
  let authorizationEndpoint: string;

  /** An authorization request for the portal client; `overrides` replaces or (undefined) removes parameters. */
  function authorizeUrl(clientId: string, overrides: Record<string, string | undefined> = {}): string {
    const params: Record<string, string | undefined> = {
      client_id: clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: WEB_REDIRECT,
      state: oidc.randomState(),
      code_challenge: crypto.createHash('sha256').update(oidc.randomPKCECodeVerifier()).digest('base64url'),
      code_challenge_method: 'S256',
      ...overrides,
    };
    const url = new URL(authorizationEndpoint);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return url.href;
  }

  async function navigate(url: string, accept = BROWSER_ACCEPT): Promise<Page> {
    const res = await fetch(url, { redirect: 'manual', headers: { accept } });
    return { status: res.status, url, html: await res.text(), headers: res.headers };
  }

  /** A browser on the portal's sign-in page; returns it and the interaction's path. */
  async function openSignIn(params: Record<string, string> = {}) {
    const browser = new Browser(t.url);
    const request = await authorizationRequest(portal, { redirect_uri: WEB_REDIRECT, ...params });
    const login = await browser.get(request.url.href);
    assert.ok(login.html.includes('name="bhxh_number"'), login.html.slice(0, 600));
    // Kept by no cache: Back after the sign-in ended asks the server again (and gets the pages below).
    assert.equal(login.headers.get('cache-control'), 'no-store');
    const path = new URL(login.url).pathname;
    return { browser, login, path, request };
  }

  before(async () => {
    t = await startTestServer({ clock, env: { INTERACTION_TTL_SECONDS: String(INTERACTION_TTL) } });
    member = await t.createMember();
    const [vssid] = demoClients(t.url);
    await t.createClient(vssid!.metadata, { firstParty: true });
    await t.createClient(
      {
        client_id: 'errors-portal',
        client_name: 'Cổng thử nghiệm',
        client_uri: WEB_HOME,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [WEB_REDIRECT],
      },
      { firstParty: true },
    );
    await t.createClient({
      client_id: 'errors-no-home',
      client_name: 'Ứng dụng không có trang chủ',
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['https://other.example.vn/cb', 'https://other-2.example.vn/cb'],
    });
    portal = await discover(t.url, 'errors-portal');
    authorizationEndpoint = portal.serverMetadata().authorization_endpoint!;
  });
  after(() => t?.close());

  describe('the 404 page', () => {
    it('says so with status 404, the start page and the hotline', async () => {
      const page = await navigate(`${t.url}/khong-ton-tai`);
      assertErrorPage(page, {
        status: 404,
        title: vi('error.not_found.title'),
        message: vi('error.not_found'),
      });
      assert.ok(page.html.includes(vi('next.start_page')));
    });

    it('speaks English after ?lang=en', async () => {
      const page = await navigate(`${t.url}/khong-ton-tai?lang=en`);
      assertErrorPage(page, {
        status: 404,
        lang: 'en',
        title: en('error.not_found.title'),
        message: en('error.not_found'),
      });
      assert.ok(page.html.includes(en('next.start_page')));
    });

    it('answers a client that prefers JSON with the JSON family', async () => {
      const res = await fetch(`${t.url}/khong-ton-tai`, { headers: { accept: 'application/json' } });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: 'not_found' });
    });
  });

  describe('the start page', () => {
    it('tells a member how to sign in, where to recover a password, and the hotline', async () => {
      const page = await navigate(`${t.url}/`);
      assert.equal(page.status, 200);
      assert.ok(page.html.includes(vi('home.how')));
      assert.equal(hrefOf(page.html, 'home-forgot'), '/recovery');
      assert.ok(page.html.includes(`href="tel:19009068"`));
      const recovery = await new Browser(t.url).get(hrefOf(page.html, 'home-forgot')!);
      assert.equal(recovery.status, 200, 'the recovery link leads to the recovery page');
      assert.ok(recovery.html.includes(vi('recovery.title')));
    });
  });

  describe('an expired sign-in', () => {
    it('says the session expired, with the start page, once the interaction is gone', async () => {
      const { browser, path } = await openSignIn();
      clock.advance(INTERACTION_TTL + 1);
      assertErrorPage(await browser.get(path), {
        status: 400,
        title: vi('error.session_expired.title'),
        message: vi('error.session_expired'),
      });
    });

    it('offers the way back to the app when the interaction is known but not at this step', async () => {
      const { browser, login, path } = await openSignIn();
      // The consent form's POST while the interaction waits for the sign-in: the app is known from the interaction.
      const csrf = login.html.match(/name="csrf" value="([^"]*)"/)![1]!;
      const page = await browser.request(`${path}/confirm`, { method: 'POST', form: { csrf } });
      assertErrorPage(page, {
        status: 400,
        title: vi('error.session_expired.title'),
        message: vi('error.session_expired'),
        appHref: WEB_HOME,
      });
      assert.ok(page.html.includes(vi('next.back_to_app', { client: 'Cổng thử nghiệm' })));
    });
  });

  describe("the provider's own pages for a member's (not the app's) trouble", () => {
    it('an authorization request resumed without its cookie: the session expired, no technical block', async () => {
      const page = await navigate(`${t.url}/auth/${crypto.randomBytes(16).toString('base64url')}`);
      assertErrorPage(page, {
        status: 400,
        title: vi('error.session_expired.title'),
        message: vi('error.session_expired'),
      });
      assert.equal(technicalBlock(page.html), undefined);
    });

    it('a sign-out form sent again after it was used: this page has expired, no technical block', async () => {
      const res = await fetch(`${t.url}/session/end/confirm`, {
        method: 'POST',
        redirect: 'manual',
        headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ xsrf: 'stale', logout: 'yes' }).toString(),
      });
      const page = { status: res.status, url: res.url, html: await res.text(), headers: res.headers };
      assertErrorPage(page, { status: 400, title: vi('error.csrf.title'), message: vi('logout.expired') });
      assert.equal(technicalBlock(page.html), undefined);
    });
  });

  describe('Back after a cancel or a finished sign-in', () => {
    it('says calmly that the sign-in was cancelled, with the way back to the app', async () => {
      const { browser, login, path } = await openSignIn();
      const cancelled = await browser.get(`${path}/abort`);
      assert.ok(cancelled.url.startsWith(WEB_REDIRECT), cancelled.url);
      assert.equal(new URL(cancelled.url).searchParams.get('error'), 'access_denied');

      // Back: the browser asks for the sign-in page again.
      const back = await browser.get(path);
      assertErrorPage(back, {
        status: 200,
        title: vi('ended.cancelled.title'),
        message: vi('ended.cancelled'),
        appHref: WEB_HOME,
      });
      assert.ok(!back.html.includes(vi('error.session_expired.title')), 'not "expired"');
      assert.ok(!back.html.includes('class="alert"'), 'nothing reads as an error');

      // The form sent again (a page kept by the browser) gets the same answer, not "expired".
      const resent = await browser.request(`${path}/login`, {
        method: 'POST',
        form: {
          csrf: login.html.match(/name="csrf" value="([^"]*)"/)![1]!,
          bhxh_number: member.bhxhNumber,
          password: member.password,
        },
      });
      assert.equal(mainText(resent.html).title, vi('ended.cancelled.title'), resent.html.slice(0, 800));
    });

    it('speaks the language the app asked for', async () => {
      const { browser, path } = await openSignIn({ ui_locales: 'en' });
      await browser.get(`${path}/abort`);
      assertErrorPage(await browser.get(path), {
        status: 200,
        lang: 'en',
        title: en('ended.cancelled.title'),
        message: en('ended.cancelled'),
        appHref: WEB_HOME,
      });
    });

    it('says a finished sign-in is complete, with the way back to the app', async () => {
      const { browser, login, path } = await openSignIn();
      const done = await browser.submit(login, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');
      assert.ok(done.url.startsWith(WEB_REDIRECT), done.url);
      assert.ok(new URL(done.url).searchParams.get('code'));
      const back = await browser.get(path);
      assertErrorPage(back, {
        status: 200,
        title: vi('ended.completed.title'),
        message: vi('ended.completed'),
        appHref: WEB_HOME,
      });
    });

    it('forgets the ending after an interaction lifetime: then it is an expired session', async () => {
      const { browser, path } = await openSignIn();
      await browser.get(`${path}/abort`);
      clock.advance(INTERACTION_TTL + 1);
      assertErrorPage(await browser.get(path), {
        status: 400,
        title: vi('error.session_expired.title'),
        message: vi('error.session_expired'),
      });
    });

    it('tells a native app without a web page to close the page, and offers the start page', async () => {
      const vssid = await discover(t.url, 'vssid');
      const browser = new Browser(t.url);
      const request = await authorizationRequest(vssid, { redirect_uri: 'http://127.0.0.1:53123/callback' });
      const login = await browser.get(request.url.href);
      const path = new URL(login.url).pathname;
      await browser.get(`${path}/abort`);
      const back = await browser.get(path);
      assertErrorPage(back, { status: 200, title: vi('ended.cancelled.title'), message: vi('ended.cancelled') });
      assert.ok(
        back.html.includes(vi('next.close_to_app', { client: 'VssID – Bảo hiểm xã hội số' })),
        back.html.slice(0, 1600),
      );
      assert.ok(!back.html.includes('127.0.0.1:53123'), 'no loopback link');
    });
  });

  describe("a relying party's mistake", () => {
    const rejected = 'https://evil.example.com/callback';

    it('explains an unregistered redirect URI in Vietnamese, the detail collapsed for the developer', async () => {
      const page = await navigate(authorizeUrl('errors-portal', { redirect_uri: rejected }));
      assertErrorPage(page, {
        status: 400,
        title: vi('rp_error.title'),
        message: vi('rp_error.message_named', { client: 'Cổng thử nghiệm' }),
        appHref: WEB_HOME,
      });
      const { title, message } = mainText(page.html);
      for (const raw of ['invalid_redirect_uri', 'redirect_uri', 'error'])
        assert.ok(!`${title} ${message}`.includes(raw), `"${raw}" is not in the main text`);
      const details = technicalBlock(page.html);
      assert.ok(details, 'a <details> block');
      assert.ok(!/<details[^>]*\sopen/.test(details!), 'collapsed');
      assert.ok(details!.includes(`<summary>${vi('error.technical')}</summary>`));
      assert.ok(details!.includes('<code>invalid_redirect_uri</code>'));
      assert.ok(details!.includes('registered redirect_uris'), details);
      assert.ok(!page.html.includes(`href="${rejected}`), 'the rejected URI is no link');
    });

    it('speaks English when the app asked for it (ui_locales) or the member chose it (?lang=en)', async () => {
      for (const url of [
        authorizeUrl('errors-portal', { redirect_uri: rejected, ui_locales: 'en-GB vi' }),
        `${authorizeUrl('errors-portal', { redirect_uri: rejected })}&lang=en`,
      ]) {
        const page = await navigate(url);
        assertErrorPage(page, {
          status: 400,
          lang: 'en',
          title: en('rp_error.title'),
          message: en('rp_error.message_named', { client: 'Cổng thử nghiệm' }),
          appHref: WEB_HOME,
        });
        assert.ok(technicalBlock(page.html)!.includes(`<summary>${en('error.technical')}</summary>`));
      }
    });

    it('links to the origin of a registered redirect URI when the app registered no home page', async () => {
      const page = await navigate(authorizeUrl('errors-no-home', { redirect_uri: rejected }));
      assertErrorPage(page, {
        status: 400,
        title: vi('rp_error.title'),
        message: vi('rp_error.message_named', { client: 'Ứng dụng không có trang chủ' }),
        appHref: 'https://other.example.vn/',
      });
    });

    it('offers the start page for an unknown client', async () => {
      const page = await navigate(authorizeUrl('no-such-client'));
      assertErrorPage(page, { status: 400, title: vi('rp_error.title'), message: vi('rp_error.message') });
      assert.ok(technicalBlock(page.html)!.includes('<code>invalid_client</code>'));
    });

    it('treats a request it cannot send back the same way (no redirect_uri)', async () => {
      const page = await navigate(authorizeUrl('errors-portal', { redirect_uri: undefined }));
      assertErrorPage(page, {
        status: 400,
        title: vi('rp_error.title'),
        message: vi('rp_error.message_named', { client: 'Cổng thử nghiệm' }),
        appHref: WEB_HOME,
      });
      const details = technicalBlock(page.html)!;
      assert.ok(details.includes('<code>invalid_request</code>'), details);
      assert.ok(details.includes('redirect_uri'), details);
    });
  });

  it('every message id the pages use exists in both languages', () => {
    const ids: MessageId[] = [
      'next.back_to_app',
      'next.close_to_app',
      'next.start_page',
      'next.hotline',
      'error.technical',
      'rp_error.title',
      'rp_error.message',
      'rp_error.message_named',
      'ended.cancelled.title',
      'ended.cancelled',
      'ended.completed.title',
      'ended.completed',
    ];
    for (const id of ids) assert.notEqual(vi(id), en(id), id);
  });
});
