// Consent: a third-party relying party shows the member what it asks for in plain words, remembers the answer as a
// grant, and hears access_denied when the member says no. First-party clients never show the page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem, signInOnPage, type AuthRequest } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const PARTNER_REDIRECT = 'https://doitac.example.vn/callback';
const PORTAL_REDIRECT = 'https://congthongtin.example.vn/auth/callback';

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The items of the consent page's list of requested data. */
function consentItems(page: Page): string[] {
  const list = page.html.match(/<ul class="scopes">([\s\S]*?)<\/ul>/);
  assert.ok(list, `expected the consent list on ${page.url}:\n${page.html.slice(0, 800)}`);
  return [...list[1]!.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => decodeEntities(m[1]!.trim()));
}

function isConsentPage(page: Page): boolean {
  return page.html.includes('<ul class="scopes">') && page.html.includes('/confirm"');
}

/** The end of an authorization: the browser stands at the relying party's redirect URI. */
function callbackParams(page: Page, redirectUri: string): URLSearchParams {
  assert.ok(
    page.url.startsWith(redirectUri),
    `expected a redirect to ${redirectUri}, got ${page.status} ${page.url}\n${page.html.slice(0, 800)}`,
  );
  return new URL(page.url).searchParams;
}

describe('consent', () => {
  let t: TestServer;
  let partner: oidc.Configuration;
  let portal: oidc.Configuration;

  before(async () => {
    t = await startTestServer();
    const partnerClient = await t.createClient(
      {
        client_id: 'doitac',
        client_name: 'Ứng dụng Đối tác',
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [PARTNER_REDIRECT],
      },
      { firstParty: false },
    );
    partner = await discover(t.url, 'doitac', oidc.ClientSecretBasic(partnerClient.clientSecret!));
    const portalClient = await t.createClient(
      {
        client_id: 'congthongtin',
        client_name: 'Cổng thông tin BHXH',
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [PORTAL_REDIRECT],
      },
      { firstParty: true },
    );
    portal = await discover(t.url, 'congthongtin', oidc.ClientSecretBasic(portalClient.clientSecret!));
  });
  after(() => t.close());

  async function signInToPartner(
    browser: Browser,
    member: { bhxhNumber: string; password: string },
    params: Record<string, string>,
  ) {
    const request = await authorizationRequest(partner, { redirect_uri: PARTNER_REDIRECT, ...params });
    const page = await signInOnPage(browser, request, member.bhxhNumber, member.password);
    return { request, page };
  }

  async function consentEvents(accountId: string): Promise<number> {
    const rows = await t.db('audit_events').where({ type: 'consent.granted', account_id: accountId });
    return rows.length;
  }

  it('shows a third-party client the requested data in plain Vietnamese words', async () => {
    const member = await t.createMember();
    const browser = new Browser(t.url);
    const { page } = await signInToPartner(browser, member, { scope: 'openid profile bhxh' });

    assert.equal(page.status, 200);
    assert.ok(isConsentPage(page), `expected the consent page, got ${page.url}\n${page.html.slice(0, 800)}`);
    assert.match(page.html, /<html lang="vi">/);
    assert.ok(page.html.includes('Cho phép truy cập'));
    assert.ok(page.html.includes('Ứng dụng Đối tác muốn được truy cập các thông tin sau'), 'names the client');
    const items = consentItems(page);
    assert.ok(items.includes('Họ tên và ngày sinh'), `profile in words: ${items.join(' | ')}`);
    assert.ok(items.includes('Mã số BHXH'), `bhxh in words: ${items.join(' | ')}`);
    assert.ok(items.includes('Định danh tài khoản của bạn'), `openid in words: ${items.join(' | ')}`);
    for (const item of items) {
      assert.doesNotMatch(item, /\b(openid|profile|bhxh|email|phone|offline_access)\b/, `no raw scope names: ${item}`);
    }
    assert.ok(!items.includes('Địa chỉ email') && !items.includes('Số điện thoại'), 'lists only what is asked for');
    assert.ok(page.html.includes('Đồng ý') && page.html.includes('Từ chối'));
    // Scripts only enhance the page (views/form-script.ts): each from our origin, none inline.
    for (const [tag, body] of page.html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) {
      assert.match(tag, /<script src="\/static\/[^"]+" defer/, tag);
      assert.equal(body, '', 'no inline script');
    }
  });

  it('completes the flow when the member allows, and remembers the grant for the same scopes', async () => {
    const member = await t.createMember({ fullName: 'Phạm Thị Hoa', birthdate: '1979-12-01' });
    const browser = new Browser(t.url);
    const { request, page } = await signInToPartner(browser, member, { scope: 'openid profile bhxh' });
    assert.ok(isConsentPage(page));

    const end = await browser.submit(page, {}, '/confirm');
    const params = callbackParams(end, PARTNER_REDIRECT);
    assert.ok(params.get('code'), 'a code comes back');
    assert.equal(params.get('error'), null);
    const tokens = await redeem(partner, request, end.url);
    assert.equal(tokens.claims()!.sub, member.id);
    const info = await oidc.fetchUserInfo(partner, tokens.access_token, member.id);
    assert.equal(info.name, 'Phạm Thị Hoa');
    assert.equal(info.birthdate, '1979-12-01');
    assert.equal(info.bhxh_number, member.bhxhNumber);
    assert.equal(info.email, undefined, 'email was not asked for');
    assert.equal(await consentEvents(member.id), 1);

    // The next authorization for the same scopes in the same session goes straight back with a code.
    const again = await authorizationRequest(partner, { redirect_uri: PARTNER_REDIRECT, scope: 'openid profile bhxh' });
    const second = await browser.get(again.url.href);
    assert.ok(callbackParams(second, PARTNER_REDIRECT).get('code'), 'no consent page the second time');
    const tokens2 = await redeem(partner, again, second.url);
    assert.equal(tokens2.claims()!.sub, member.id);
    assert.equal(await consentEvents(member.id), 1, 'no new consent was recorded');

    // Asking for more shows the page again, listing only what is new.
    const more = await authorizationRequest(partner, {
      redirect_uri: PARTNER_REDIRECT,
      scope: 'openid profile bhxh email',
    });
    const morePage = await browser.get(more.url.href);
    assert.ok(isConsentPage(morePage), `expected the consent page for the new scope, got ${morePage.url}`);
    assert.deepEqual(consentItems(morePage), ['Địa chỉ email']);
  });

  it('explains offline access in words when a third-party client asks for it', async () => {
    const member = await t.createMember();
    const browser = new Browser(t.url);
    const { request, page } = await signInToPartner(browser, member, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    assert.ok(isConsentPage(page));
    assert.ok(
      consentItems(page).includes('Duy trì đăng nhập khi bạn không sử dụng ứng dụng'),
      consentItems(page).join(' | '),
    );
    const end = await browser.submit(page, {}, '/confirm');
    callbackParams(end, PARTNER_REDIRECT);
    const tokens = await redeem(partner, request, end.url);
    assert.ok(tokens.refresh_token, 'offline access was granted');
  });

  it('returns access_denied to the redirect URI when the member denies, and grants nothing', async () => {
    const member = await t.createMember();
    const browser = new Browser(t.url);
    const { request, page } = await signInToPartner(browser, member, { scope: 'openid profile bhxh' });
    assert.ok(isConsentPage(page));
    const deny = page.html.match(/<a class="button secondary" href="([^"]+)">Từ chối<\/a>/);
    assert.ok(deny, 'the deny link is on the page');

    const end = await browser.get(decodeEntities(deny[1]!));
    const params = callbackParams(end, PARTNER_REDIRECT);
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('state'), request.state);
    assert.equal(params.get('code'), null);
    await assert.rejects(
      redeem(partner, request, end.url),
      (err: oidc.AuthorizationResponseError) => err.error === 'access_denied',
    );
    assert.equal(await consentEvents(member.id), 0);

    // Nothing was remembered: the next authorization asks again.
    const again = await authorizationRequest(partner, { redirect_uri: PARTNER_REDIRECT, scope: 'openid profile bhxh' });
    const second = await browser.get(again.url.href);
    assert.ok(isConsentPage(second), `expected the consent page again, got ${second.url}`);
  });

  it('refuses a consent answer without the CSRF token', async () => {
    const member = await t.createMember();
    const browser = new Browser(t.url);
    const { page } = await signInToPartner(browser, member, { scope: 'openid profile' });
    assert.ok(isConsentPage(page));
    const action = page.html.match(/<form method="post" action="([^"]+\/confirm)"/)![1]!;
    const refused = await browser.request(action, { method: 'POST', form: { csrf: 'x'.repeat(43) } });
    assert.equal(refused.status, 403);
    assert.ok(refused.html.includes('Biểu mẫu đã hết hạn hoặc không hợp lệ'));
    assert.equal(await consentEvents(member.id), 0);
  });

  describe('first-party client', () => {
    async function authorizeOnPortal(
      browser: Browser,
      member: { bhxhNumber: string; password: string } | null,
      params: Record<string, string>,
    ) {
      const request: AuthRequest = await authorizationRequest(portal, { redirect_uri: PORTAL_REDIRECT, ...params });
      const end = member
        ? await signInOnPage(browser, request, member.bhxhNumber, member.password)
        : await browser.get(request.url.href);
      assert.ok(!isConsentPage(end), 'a first-party client never shows the consent page');
      assert.ok(callbackParams(end, PORTAL_REDIRECT).get('code'), `a code comes back: ${end.url}`);
      return { request, end };
    }

    it('never sees a consent page', async () => {
      const member = await t.createMember();
      const browser = new Browser(t.url);
      const { request, end } = await authorizeOnPortal(browser, member, { scope: 'openid profile bhxh email phone' });
      const tokens = await redeem(portal, request, end.url);
      const info = await oidc.fetchUserInfo(portal, tokens.access_token, member.id);
      assert.equal(info.bhxh_number, member.bhxhNumber);
      assert.equal(info.email, 'member@example.vn');
    });

    it('never sees a consent page even with prompt=consent and offline_access', async () => {
      const member = await t.createMember();
      const browser = new Browser(t.url);
      const first = await authorizeOnPortal(browser, member, {
        scope: 'openid profile offline_access',
        prompt: 'consent',
      });
      const tokens = await redeem(portal, first.request, first.end.url);
      assert.ok(tokens.refresh_token, 'offline access granted without a page');
      const refreshed = await oidc.refreshTokenGrant(portal, tokens.refresh_token!);
      assert.ok(refreshed.access_token);

      // Again in the same session, still prompt=consent: straight back with a code.
      const second = await authorizeOnPortal(browser, null, {
        scope: 'openid profile bhxh offline_access',
        prompt: 'consent',
      });
      const tokens2 = await redeem(portal, second.request, second.end.url);
      assert.equal(tokens2.claims()!.sub, member.id);
      assert.ok(tokens2.refresh_token);
    });
  });
});
