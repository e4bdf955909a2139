// Sign in with VNeID over real HTTP: openid-client as the relying party → BHXH ID → the VNeID simulator (its own
// oidc-provider, port and keys) as the upstream → back, with every way the round trip can go wrong.
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { after, afterEach, before, describe, it } from 'node:test';
import { ACR, ACR_VALUES } from '../../src/oidc/assurance.js';
import type { Browser } from '../helpers/browser.js';
import { oidc, redeem } from '../helpers/oidc.js';
import {
  authorize,
  chooseCitizen,
  federatedBrowser,
  pressVneid,
  REDIRECT_URI,
  signInWithVneid,
  startFederatedPair,
  type FederatedPair,
} from '../helpers/vneid.js';

const CALLBACK = '/federation/vneid/callback';

async function auditTypes(pair: FederatedPair, type: string) {
  const rows = await pair.t.db('audit_events').where({ type }).orderBy('id');
  return rows.map((r: { outcome: string; account_id: string | null; detail: unknown }) => ({
    outcome: r.outcome,
    accountId: r.account_id,
    detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>,
  }));
}

/** Stops at our callback so a test can look at it (or tamper with it) before sending it. */
async function reachCallback(
  pair: FederatedPair,
  browser: Browser,
  request: Awaited<ReturnType<typeof authorize>>,
  citizen = pair.citizens.level2,
) {
  browser.stopAt = (url) => url.pathname === CALLBACK;
  const stopped = await signInWithVneid(pair, browser, request, citizen);
  browser.stopAt = () => false;
  assert.ok(stopped.url.includes(CALLBACK), `expected to stop at the callback, got ${stopped.status} ${stopped.url}`);
  return new URL(stopped.url);
}

describe('sign in with VNeID (standard upstream)', () => {
  let pair: FederatedPair;
  let member: { id: string; bhxhNumber: string; password: string };
  let levelOneMember: { id: string };

  before(async () => {
    pair = await startFederatedPair();
    member = await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
    levelOneMember = await pair.t.createMember({ nationalId: pair.citizens.level1.nationalId });
  });
  after(() => pair.close());
  afterEach(() => pair.sim.setBehaviour({ failure: 'none', tamper: 'none', delayMs: 0, issParameter: true }));

  it('publishes the three levels of assurance in discovery', () => {
    assert.deepEqual(pair.rp.serverMetadata().acr_values_supported, ACR_VALUES, 'the ladder, lowest first');
  });

  it('shows the VNeID button on the sign-in page next to the password form', async () => {
    const browser = federatedBrowser(pair);
    const login = await browser.get((await authorize(pair)).url.href);
    assert.match(login.html, /Đăng nhập bằng tài khoản định danh điện tử VNeID/);
    assert.match(login.html, /name="bhxh_number"/);
  });

  it('signs a member in through VNeID: sub is the account, acr level 2, amr fed, linked by identification number', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const end = await signInWithVneid(pair, browser, request, pair.citizens.level2);
    assert.ok(end.url.startsWith(REDIRECT_URI), `ended at ${end.status} ${end.url}\n${end.html.slice(0, 400)}`);
    const tokens = await redeem(pair.rp, request, end.url);
    const claims = tokens.claims()!;
    assert.equal(claims.sub, member.id);
    assert.equal(claims.acr, ACR.vneid2);
    assert.deepEqual(claims.amr, ['fed']);
    const link = await pair.t.db('federated_identities').where({ account_id: member.id }).first();
    assert.equal(link.issuer, pair.sim.issuer);
    assert.equal(link.linked_by, 'national_id');
    assert.notEqual(
      link.subject,
      pair.citizens.level2.nationalId,
      'the link is by the upstream subject, not by the number',
    );
    const signIns = await auditTypes(pair, 'sign_in');
    assert.ok(signIns.some((e) => e.outcome === 'success' && e.accountId === member.id && e.detail.method === 'vneid'));
    assert.ok(
      (await auditTypes(pair, 'federation.link')).some(
        (e) => e.accountId === member.id && e.detail.linkedBy === 'national_id',
      ),
    );
  });

  it('signs in again through the existing link, and the link follows the subject, not the number', async () => {
    // The account's number changes (an office corrected it): the link still names the account.
    await pair.t.db('accounts').where({ id: member.id }).update({ national_id: null });
    try {
      const browser = federatedBrowser(pair);
      const request = await authorize(pair, { prompt: 'login' });
      const end = await signInWithVneid(pair, browser, request, pair.citizens.level2);
      const tokens = await redeem(pair.rp, request, end.url);
      assert.equal(tokens.claims()!.sub, member.id);
    } finally {
      await pair.t.db('accounts').where({ id: member.id }).update({ national_id: pair.citizens.level2.nationalId });
    }
  });

  it('a tampered state goes nowhere, and the genuine callback still completes', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const callback = await reachCallback(pair, browser, request);
    const forged = new URL(callback);
    forged.searchParams.set('state', oidc.randomState());
    const refused = await browser.get(forged.href);
    assert.equal(refused.status, 400);
    assert.match(refused.html, /không hợp lệ hoặc đã được sử dụng/);
    const end = await browser.get(callback.href);
    assert.ok(end.url.startsWith(REDIRECT_URI), `the genuine callback completes: ${end.status} ${end.url}`);
    assert.equal((await redeem(pair.rp, request, end.url)).claims()!.sub, member.id);
  });

  it('a callback is used once, and only in the browser that started it', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const callback = await reachCallback(pair, browser, request);
    // Another browser (no interaction cookie): the member's session-expired page, nothing more.
    const stranger = await federatedBrowser(pair).get(callback.href);
    assert.equal(stranger.status, 400);
    assert.doesNotMatch(stranger.html, /stack|Error:/);
    const end = await browser.get(callback.href);
    assert.ok(end.url.startsWith(REDIRECT_URI));
    const again = await browser.get(callback.href);
    assert.equal(again.status, 400, 'a replay is refused');
    assert.match(again.html, /không hợp lệ hoặc đã được sử dụng/);
  });

  it('a wrong iss on the callback (mix-up) is refused', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const callback = await reachCallback(pair, browser, request);
    callback.searchParams.set('iss', 'https://impostor.example');
    const refused = await browser.get(callback.href);
    assert.equal(refused.status, 400);
    assert.match(refused.html, /Không xác minh được phản hồi từ VNeID/);
  });

  for (const tamper of ['nonce', 'audience', 'issuer', 'signature'] as const) {
    it(`an ID token with a wrong ${tamper} is refused with a readable page`, async () => {
      pair.sim.setBehaviour({ tamper });
      const browser = federatedBrowser(pair);
      const end = await signInWithVneid(pair, browser, await authorize(pair), pair.citizens.level2);
      assert.equal(end.status, 400, `${end.status} ${end.url}`);
      assert.match(end.html, /Không xác minh được phản hồi từ VNeID/);
      assert.match(end.html, /id="federation-retry"/);
      const failures = (await auditTypes(pair, 'sign_in')).filter(
        (e) => e.outcome === 'failure' && e.detail.reason === 'invalid_response',
      );
      assert.ok(failures.length > 0);
    });
  }

  it('an unknown citizen gets the no-account page, then links by signing in with the BHXH number', async () => {
    const linker = await pair.t.createMember({ email: 'linker@example.vn', phoneNumber: '+84912000222' });
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const page = await signInWithVneid(pair, browser, request, pair.citizens.stranger);
    assert.equal(page.status, 200);
    assert.match(page.html, /Chưa có tài khoản BHXH gắn với định danh này/);
    assert.match(page.html, /cơ quan BHXH/);
    assert.equal(
      await pair.t.db('accounts').where({ national_id: pair.citizens.stranger.nationalId }).first(),
      undefined,
      'no account is created',
    );

    const login = await browser.get(page.html.match(/id="federation-password" href="([^"]+)"/)![1]!);
    assert.match(login.html, /Đăng nhập một lần bằng mã số BHXH và mật khẩu để liên kết/);
    const end = await browser.submit(login, { bhxh_number: linker.bhxhNumber, password: linker.password }, '/login');
    assert.ok(end.url.startsWith(REDIRECT_URI), `${end.status} ${end.url}\n${end.html.slice(0, 300)}`);
    const claims = (await redeem(pair.rp, request, end.url)).claims()!;
    assert.equal(claims.sub, linker.id);
    // A link made with a password confers at most the password level and records no number (issue 12, finding 3).
    assert.equal(claims.acr, ACR.password);
    assert.deepEqual(claims.amr, ['pwd', 'fed']);

    const account = await pair.t.db('accounts').where({ id: linker.id }).first();
    assert.equal(account.national_id, null, 'a password-made link does not write the number onto the account');
    assert.equal(
      (await pair.t.db('federated_identities').where({ account_id: linker.id }).first()).linked_by,
      'password',
    );
    assert.ok(
      (await auditTypes(pair, 'federation.link')).some(
        (e) => e.accountId === linker.id && e.detail.linkedBy === 'password',
      ),
    );
    const notices = await pair.t
      .db('outbox')
      .where({ purpose: 'vneid_linked' })
      .whereIn('recipient', ['linker@example.vn', '+84912000222'])
      .select('channel');
    assert.deepEqual(
      notices.map((n: { channel: string }) => n.channel).sort(),
      ['email', 'sms'],
      'every channel on file is told',
    );

    // Next time VNeID alone signs the member in.
    const request2 = await authorize(pair, { prompt: 'login' });
    const again = await signInWithVneid(pair, federatedBrowser(pair), request2, pair.citizens.stranger);
    assert.equal((await redeem(pair.rp, request2, again.url)).claims()!.sub, linker.id);
  });

  it('refuses to link to an account that carries another identification number', async () => {
    const other = await pair.t.createMember({ nationalId: '999999999999' });
    const stranger = { ...pair.citizens.stranger, nationalId: '888888888888', fullName: 'Phạm Thị Dung' };
    pair.sim.citizens.push(stranger);
    const browser = federatedBrowser(pair);
    const page = await signInWithVneid(pair, browser, await authorize(pair), stranger);
    const login = await browser.get(page.html.match(/id="federation-password" href="([^"]+)"/)![1]!);
    const refused = await browser.submit(login, { bhxh_number: other.bhxhNumber, password: other.password }, '/login');
    assert.equal(refused.status, 409);
    assert.match(refused.html, /Không liên kết được tài khoản VNeID/);
    assert.equal(await pair.t.db('federated_identities').where({ account_id: other.id }).first(), undefined);
    assert.ok(
      (await auditTypes(pair, 'federation.link')).some(
        (e) => e.outcome === 'failure' && e.detail.reason === 'national_id_differs',
      ),
    );
  });

  it('a level 2 demand is met by a level 2 VNeID sign-in', async () => {
    const request = await authorize(pair, {
      claims: JSON.stringify({ id_token: { acr: { essential: true, value: ACR.vneid2 } } }),
    });
    const browser = federatedBrowser(pair);
    const login = await browser.get(request.url.href);
    assert.doesNotMatch(login.html, /name="password"/, 'a password cannot meet the demand: only VNeID is offered');
    assert.match(login.html, /yêu cầu đăng nhập bằng tài khoản định danh điện tử VNeID mức độ 2/);
    const end = await chooseCitizen(browser, await pressVneid(browser, login), pair.citizens.level2);
    assert.equal((await redeem(pair.rp, request, end.url)).claims()!.acr, ACR.vneid2);
  });

  it('a level 2 demand is not met by level 1: a page says why, and giving up tells the client access_denied', async () => {
    const request = await authorize(pair, { acr_values: ACR.vneid2 });
    const browser = federatedBrowser(pair);
    const page = await signInWithVneid(pair, browser, request, pair.citizens.level1);
    assert.equal(page.status, 403);
    assert.match(page.html, /Cần tài khoản VNeID mức độ 2/);
    assert.doesNotMatch(page.html, /id="federation-password"/, 'password sign-in cannot meet the demand either');
    const end = await browser.get(page.html.match(/id="federation-cancel" href="([^"]+)"/)![1]!);
    const params = new URL(end.url).searchParams;
    assert.equal(params.get('error'), 'access_denied');
    assert.ok(
      !(await pair.t.db('federated_identities').where({ account_id: levelOneMember.id }).first()),
      'no link was made',
    );
  });

  it('a password posted against a level 2 demand is refused', async () => {
    const request = await authorize(pair, { acr_values: ACR.vneid2 });
    const browser = federatedBrowser(pair);
    const login = await browser.get(request.url.href);
    const csrf = login.html.match(/name="csrf" value="([^"]+)"/)![1]!;
    const uid = new URL(login.url).pathname.split('/')[2];
    const refused = await browser.request(`/interaction/${uid}/login`, {
      form: { csrf, bhxh_number: member.bhxhNumber, password: member.password },
    });
    assert.equal(refused.status, 400);
    assert.doesNotMatch(refused.html, /name="password"/);
  });

  it('a level 1 demand (acr_values) is met by level 2: the demand is a minimum', async () => {
    const request = await authorize(pair, { acr_values: ACR.vneid1 });
    const end = await signInWithVneid(pair, federatedBrowser(pair), request, pair.citizens.level2);
    assert.equal((await redeem(pair.rp, request, end.url)).claims()!.acr, ACR.vneid2);
  });

  it('a password session is asked to sign in again when a client then demands level 2', async () => {
    const browser = federatedBrowser(pair);
    const first = await authorize(pair);
    const login = await browser.get(first.url.href);
    const end = await browser.submit(login, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');
    assert.equal((await redeem(pair.rp, first, end.url)).claims()!.acr, ACR.password);
    const silent = await authorize(pair, { acr_values: ACR.vneid2, prompt: 'none' });
    const refused = await browser.get(silent.url.href);
    assert.equal(new URL(refused.url).searchParams.get('error'), 'login_required');
    const second = await authorize(pair, { acr_values: ACR.vneid2 });
    const again = await browser.get(second.url.href);
    assert.match(again.html, /id="vneid-button"/);
    assert.doesNotMatch(again.html, /name="password"/);
  });

  it('the citizen cancels at VNeID: a page with the way back; giving up sends access_denied', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const login = await browser.get(request.url.href);
    const cancelled = await browser.submit(await pressVneid(browser, login), {}, '/cancel');
    assert.equal(cancelled.status, 200);
    assert.match(cancelled.html, /Bạn đã hủy đăng nhập bằng VNeID/);
    const back = await browser.get(cancelled.html.match(/id="federation-password" href="([^"]+)"/)![1]!);
    assert.match(back.html, /name="password"/, 'back on the password sign-in page of the same request');
    const abort = await browser.get(back.html.match(/href="(\/interaction\/[^"]+\/abort)"/)![1]!);
    assert.equal(new URL(abort.url).searchParams.get('error'), 'access_denied');
    assert.ok((await auditTypes(pair, 'sign_in')).some((e) => e.detail.reason === 'cancelled'));
  });

  it('an error response from VNeID ends on a page, in English when asked', async () => {
    pair.sim.setBehaviour({ failure: 'error' });
    const browser = federatedBrowser(pair);
    const request = await authorize(pair, { ui_locales: 'en' });
    const login = await browser.get(request.url.href);
    const end = await browser.submit(login, {}, '/vneid');
    assert.equal(end.status, 503);
    assert.match(end.html, /VNeID is not responding right now/);
  });

  it('VNeID down at the token exchange: a 503 page, nothing reaches the client, password sign-in still works', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const callback = await reachCallback(pair, browser, request);
    pair.sim.setBehaviour({ failure: 'down' });
    const page = await browser.get(callback.href);
    assert.equal(page.status, 503);
    assert.match(page.html, /Hệ thống VNeID hiện không phản hồi/);
    const login = await browser.get(page.html.match(/id="federation-password" href="([^"]+)"/)![1]!);
    const end = await browser.submit(login, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');
    assert.equal((await redeem(pair.rp, request, end.url)).claims()!.acr, ACR.password);
  });

  it('ends the VNeID session too when the member signs out', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const end = await signInWithVneid(pair, browser, request, pair.citizens.level2);
    const tokens = await redeem(pair.rp, request, end.url);
    const logoutUrl = oidc.buildEndSessionUrl(pair.rp, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'http://127.0.0.1/logout',
      state: 'bye',
    });
    const confirm = await browser.get(logoutUrl.href);
    // Ours is the one question, and it says that VNeID ends too.
    assert.match(
      confirm.html,
      /id="logout-vneid"[^>]*>Bạn đã đăng nhập bằng VNeID, nên bạn cũng sẽ được đăng xuất khỏi VNeID/,
    );
    const upstream = await browser.submit(confirm, { logout: 'yes' });
    assert.ok(upstream.url.startsWith(pair.sim.issuer), `went to the upstream: ${upstream.status} ${upstream.url}`);
    // The upstream sees our id_token_hint for its current session and does not ask again: its page only continues
    // (at once with JavaScript, a Continue button without), and back through us to the client.
    assert.doesNotMatch(upstream.html, /Đăng xuất khỏi VNeID\?|data-action="stay"/);
    assert.match(upstream.html, /name="logout" value="yes"/);
    const back = await browser.submit(upstream, {});
    assert.equal(back.url, 'http://127.0.0.1/logout?state=bye');
    assert.ok((await auditTypes(pair, 'federation.logout')).some((e) => e.accountId === member.id));
  });
});

describe('sign in with VNeID: upstreams that differ', () => {
  it('legacy claim names (SoDinhDanh, HoVaTen, NgaySinh YYYYMMDD, MucDoDinhDanh), no RFC 9207 iss', async () => {
    const pair = await startFederatedPair({
      behaviour: { claims: 'legacy', issParameter: false },
      env: () => ({
        VNEID_CLAIM_NATIONAL_ID: 'SoDinhDanh',
        VNEID_CLAIM_NAME: 'HoVaTen',
        VNEID_CLAIM_BIRTHDATE: 'NgaySinh',
        VNEID_CLAIM_LEVEL: 'MucDoDinhDanh',
      }),
    });
    try {
      const member = await pair.t.createMember({ nationalId: pair.citizens.level1.nationalId });
      const request = await authorize(pair);
      const end = await signInWithVneid(pair, federatedBrowser(pair), request, pair.citizens.level1);
      assert.ok(end.url.startsWith(REDIRECT_URI), `${end.status} ${end.url}\n${end.html.slice(0, 300)}`);
      const claims = (await redeem(pair.rp, request, end.url)).claims()!;
      assert.equal(claims.sub, member.id);
      assert.equal(claims.acr, ACR.vneid1);
    } finally {
      await pair.close();
    }
  });

  it('an OAuth 2.0 upstream: no ID token, identity only from its userinfo endpoint', async () => {
    const pair = await startFederatedPair({
      behaviour: { userinfoOnly: true },
      env: (sim) => ({ VNEID_ID_TOKEN: 'false', VNEID_USERINFO_URL: `${sim.issuer}/api/citizen` }),
    });
    try {
      const member = await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
      const request = await authorize(pair);
      const end = await signInWithVneid(pair, federatedBrowser(pair), request, pair.citizens.level2);
      assert.ok(end.url.startsWith(REDIRECT_URI), `${end.status} ${end.url}\n${end.html.slice(0, 300)}`);
      const claims = (await redeem(pair.rp, request, end.url)).claims()!;
      assert.equal(claims.sub, member.id);
      assert.equal(claims.acr, ACR.vneid2);
    } finally {
      await pair.close();
    }
  });

  it('authenticates to the upstream with private_key_jwt', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'bhxh-id-1', alg: 'ES256' };
    const pub = { ...(await exportJWK(publicKey)), kid: 'bhxh-id-1', alg: 'ES256', use: 'sig' };
    const pair = await startFederatedPair({
      simClient: { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [pub] } },
      env: () => ({
        VNEID_CLIENT_AUTH: 'private_key_jwt',
        VNEID_CLIENT_PRIVATE_KEY: JSON.stringify(jwk),
        VNEID_CLIENT_SECRET: '',
      }),
    });
    try {
      const member = await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
      const request = await authorize(pair);
      const end = await signInWithVneid(pair, federatedBrowser(pair), request, pair.citizens.level2);
      assert.equal((await redeem(pair.rp, request, end.url)).claims()!.sub, member.id);
    } finally {
      await pair.close();
    }
  });

  it('VNeID down when the button is pressed: our page, not theirs, with the way back', async () => {
    const pair = await startFederatedPair({ behaviour: { failure: 'down' } });
    try {
      const browser = federatedBrowser(pair);
      const login = await browser.get((await authorize(pair)).url.href);
      const page = await browser.submit(login, {}, '/vneid');
      assert.equal(page.status, 503);
      assert.ok(page.url.startsWith(pair.t.url));
      assert.match(page.html, /Hệ thống VNeID hiện không phản hồi/);
      assert.match(page.html, /id="federation-password"/);
      // Back up: the next press discovers again and goes through.
      pair.sim.setBehaviour({ failure: 'none' });
      await pressVneid(browser, page);
    } finally {
      await pair.close();
    }
  });

  it('VNeID too slow: the call times out (VNEID_TIMEOUT_MS) and the member gets the 503 page', async () => {
    const pair = await startFederatedPair({ env: () => ({ VNEID_TIMEOUT_MS: '300' }) });
    try {
      await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
      const browser = federatedBrowser(pair);
      const request = await authorize(pair);
      const callback = await reachCallback(pair, browser, request);
      pair.sim.setBehaviour({ failure: 'slow', delayMs: 3000 });
      const page = await browser.get(callback.href);
      assert.equal(page.status, 503);
      assert.match(page.html, /Hệ thống VNeID hiện không phản hồi/);
    } finally {
      await pair.close();
    }
  });
});
