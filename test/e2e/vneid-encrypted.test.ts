// Sign in with VNeID in the encrypted OAuth 2.0 profile (issue 15), over real HTTP: openid-client as the relying party
// → BHXH ID (VNEID_PROFILE=encrypted-oauth2) → the simulator speaking that profile → back. The codes carry an
// unencoded `+`, are encrypted with encrypt_key, the token and userinfo bodies are {data, key} envelopes, and there is
// no ID token and no nonce.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ACR } from '../../src/oidc/assurance.js';
import type { Browser } from '../helpers/browser.js';
import { oidc, redeem } from '../helpers/oidc.js';
import {
  authorize,
  federatedBrowser,
  REDIRECT_URI,
  rsaKeyPair,
  signInWithVneid,
  startFederatedPair,
  type FederatedPair,
} from '../helpers/vneid.js';

const CALLBACK = '/federation/vneid/callback';
const INVALID = /Không xác minh được phản hồi từ VNeID/;

async function failures(pair: FederatedPair) {
  const rows = await pair.t.db('audit_events').where({ type: 'sign_in', outcome: 'failure' }).orderBy('id');
  return rows.map(
    (r: { detail: unknown }) =>
      (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>,
  );
}

async function reachCallback(pair: FederatedPair, browser: Browser, request: Awaited<ReturnType<typeof authorize>>) {
  browser.stopAt = (url) => url.pathname === CALLBACK;
  const stopped = await signInWithVneid(pair, browser, request, pair.citizens.level2);
  browser.stopAt = () => false;
  assert.ok(stopped.url.includes(CALLBACK), `expected to stop at the callback, got ${stopped.status} ${stopped.url}`);
  return stopped.url;
}

describe('sign in with VNeID: the encrypted OAuth 2.0 profile', () => {
  let pair: FederatedPair;
  let member: { id: string };

  before(async () => {
    pair = await startFederatedPair({ profile: 'encrypted-oauth2' });
    member = await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
  });
  after(() => pair.close());
  afterEach(() => pair.sim.setBehaviour({ failure: 'none', tamper: 'none', delayMs: 0, encryptCode: true }));

  it('signs in: sub is the account, acr level 2, amr fed, linked by the identification number', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const end = await signInWithVneid(pair, browser, request, pair.citizens.level2);
    assert.ok(end.url.startsWith(REDIRECT_URI), `ended at ${end.status} ${end.url}\n${end.html.slice(0, 400)}`);
    const claims = (await redeem(pair.rp, request, end.url)).claims()!;
    assert.equal(claims.sub, member.id);
    assert.equal(claims.acr, ACR.vneid2);
    assert.deepEqual(claims.amr, ['fed']);
    const link = await pair.t.db('federated_identities').where({ account_id: member.id }).first();
    assert.equal(link.issuer, pair.sim.issuer);
    assert.equal(link.linked_by, 'national_id');
    // No `sub` in this profile: the personal identification number is the upstream subject.
    assert.equal(link.subject, pair.citizens.level2.nationalId);
  });

  it('signs in again through the existing link (issuer, subject)', async () => {
    const request = await authorize(pair, { prompt: 'login' });
    const end = await signInWithVneid(pair, federatedBrowser(pair), request, pair.citizens.level2);
    assert.equal((await redeem(pair.rp, request, end.url)).claims()!.sub, member.id);
  });

  it('a level 1 citizen gets acr level 1; a stranger gets the no-account page', async () => {
    const levelOne = await pair.t.createMember({ nationalId: pair.citizens.level1.nationalId });
    const request = await authorize(pair);
    const end = await signInWithVneid(pair, federatedBrowser(pair), request, pair.citizens.level1);
    const claims = (await redeem(pair.rp, request, end.url)).claims()!;
    assert.equal(claims.sub, levelOne.id);
    assert.equal(claims.acr, ACR.vneid1);
    const stranger = await signInWithVneid(pair, federatedBrowser(pair), await authorize(pair), pair.citizens.stranger);
    assert.ok(stranger.url.startsWith(pair.t.url), `${stranger.status} ${stranger.url}`);
    assert.doesNotMatch(stranger.html, INVALID);
  });

  it('the callback carries an encrypted code with an unencoded +, and encrypt_key; no iss', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const callback = await reachCallback(pair, browser, request);
    const raw = new URL(callback).search;
    assert.match(raw, /[?&]code=[^&]*\+/, `a raw + in the code: ${raw}`);
    assert.match(raw, /[?&]encrypt_key=/);
    assert.doesNotMatch(raw, /[?&]iss=/);
    const end = await browser.get(callback);
    assert.ok(end.url.startsWith(REDIRECT_URI), `the raw code was read: ${end.status} ${end.url}`);
    assert.equal((await redeem(pair.rp, request, end.url)).claims()!.sub, member.id);
  });

  it('an unencrypted code with a + survives (read from the raw query string)', async () => {
    pair.sim.setBehaviour({ encryptCode: false });
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const callback = await reachCallback(pair, browser, request);
    assert.match(new URL(callback).search, /[?&]code=[^&]*\+/);
    assert.doesNotMatch(new URL(callback).search, /encrypt_key/);
    const end = await browser.get(callback);
    assert.ok(end.url.startsWith(REDIRECT_URI), `${end.status} ${end.url}\n${end.html.slice(0, 300)}`);
  });

  it('a + turned into a space on the way is refused, not guessed back', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const callback = await reachCallback(pair, browser, request);
    const page = await browser.get(callback.replace(/(code=[^&]*?)\+/, '$1%20'));
    assert.equal(page.status, 400);
    assert.match(page.html, INVALID);
  });

  // Every decryption failure is one outcome: the same page and status, the reason code only in the audit/logs.
  for (const tamper of ['data', 'key', 'encrypt_key'] as const) {
    it(`a corrupted ${tamper} gets the uniform invalid-response page`, async () => {
      pair.sim.setBehaviour({ tamper });
      const before = (await failures(pair)).length;
      const end = await signInWithVneid(pair, federatedBrowser(pair), await authorize(pair), pair.citizens.level2);
      assert.equal(end.status, 400, `${end.status} ${end.url}`);
      assert.match(end.html, INVALID);
      assert.match(end.html, /id="federation-retry"/);
      assert.doesNotMatch(end.html, /decrypt|padding|stack|Error:/i);
      const added = (await failures(pair)).slice(before);
      assert.equal(added.length, 1);
      assert.equal(added[0]!.reason, 'invalid_response');
      assert.ok(['key_unwrap', 'payload', 'malformed'].includes(String(added[0]!.stage)), JSON.stringify(added[0]));
    });
  }

  it('a reused state is refused as today', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const callback = await reachCallback(pair, browser, request);
    const end = await browser.get(callback);
    assert.ok(end.url.startsWith(REDIRECT_URI));
    const again = await browser.get(callback);
    assert.equal(again.status, 400);
    assert.match(again.html, /không hợp lệ hoặc đã được sử dụng/);
  });

  it('a callback without state is refused', async () => {
    const browser = federatedBrowser(pair);
    const callback = new URL(await reachCallback(pair, browser, await authorize(pair)));
    const page = await browser.get(callback.href.replace(/([?&])state=[^&]*&?/, '$1'));
    assert.equal(page.status, 400);
  });

  it('VNeID down at the token exchange: the 503 page', async () => {
    const browser = federatedBrowser(pair);
    const callback = await reachCallback(pair, browser, await authorize(pair));
    pair.sim.setBehaviour({ failure: 'down' });
    const page = await browser.get(callback);
    assert.equal(page.status, 503);
    assert.match(page.html, /Hệ thống VNeID hiện không phản hồi/);
  });

  it('signing out does not visit VNeID (no ID token, no upstream logout)', async () => {
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
    assert.doesNotMatch(confirm.html, /id="logout-vneid"/, 'the confirmation does not promise a VNeID sign-out');
    const done = await browser.submit(confirm, { logout: 'yes' });
    assert.equal(done.url, 'http://127.0.0.1/logout?state=bye');
  });
});

describe('sign in with VNeID: the encrypted profile configured otherwise, or an upstream down or slow', () => {
  it('a private key that does not match the registered public key: the uniform page', async () => {
    const pair = await startFederatedPair({
      profile: 'encrypted-oauth2',
      env: () => ({ VNEID_PRIVATE_KEY: rsaKeyPair('pkcs1').privateKey }),
    });
    try {
      await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
      const end = await signInWithVneid(pair, federatedBrowser(pair), await authorize(pair), pair.citizens.level2);
      assert.equal(end.status, 400);
      assert.match(end.html, INVALID);
    } finally {
      await pair.close();
    }
  });

  it('endpoints named in configuration (no discovery document) work the same', async () => {
    const pair = await startFederatedPair({
      profile: 'encrypted-oauth2',
      env: (sim) => ({
        VNEID_AUTHORIZATION_URL: `${sim.issuer}/auth`,
        VNEID_TOKEN_URL: `${sim.issuer}/token`,
        VNEID_USERINFO_URL: `${sim.issuer}/api/citizen`,
      }),
    });
    try {
      const member = await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
      const request = await authorize(pair);
      const end = await signInWithVneid(pair, federatedBrowser(pair), request, pair.citizens.level2);
      assert.ok(end.url.startsWith(REDIRECT_URI), `${end.status} ${end.url}\n${end.html.slice(0, 300)}`);
      assert.equal((await redeem(pair.rp, request, end.url)).claims()!.sub, member.id);
    } finally {
      await pair.close();
    }
  });

  it('an accountLevel that maps to no level is refused (identity incomplete), not guessed', async () => {
    const pair = await startFederatedPair({
      profile: 'encrypted-oauth2',
      env: () => ({ VNEID_LEVEL1_VALUES: 'L1', VNEID_LEVEL2_VALUES: 'L2' }),
    });
    try {
      await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
      const end = await signInWithVneid(pair, federatedBrowser(pair), await authorize(pair), pair.citizens.level2);
      assert.equal(end.status, 400);
      assert.match(end.html, /VNeID không cung cấp số định danh cá nhân hoặc mức độ định danh/);
    } finally {
      await pair.close();
    }
  });

  it('VNeID down when the button is pressed: our 503 page', async () => {
    const pair = await startFederatedPair({ profile: 'encrypted-oauth2', behaviour: { failure: 'down' } });
    try {
      const browser = federatedBrowser(pair);
      const login = await browser.get((await authorize(pair)).url.href);
      const page = await browser.submit(login, {}, '/vneid');
      assert.equal(page.status, 503);
      assert.ok(page.url.startsWith(pair.t.url));
      assert.match(page.html, /Hệ thống VNeID hiện không phản hồi/);
    } finally {
      await pair.close();
    }
  });

  it('VNeID too slow: the 503 page after VNEID_TIMEOUT_MS', async () => {
    const pair = await startFederatedPair({ profile: 'encrypted-oauth2', env: () => ({ VNEID_TIMEOUT_MS: '300' }) });
    try {
      const browser = federatedBrowser(pair);
      const callback = await reachCallback(pair, browser, await authorize(pair));
      pair.sim.setBehaviour({ failure: 'slow', delayMs: 3000 });
      const page = await browser.get(callback);
      assert.equal(page.status, 503);
    } finally {
      await pair.close();
    }
  });
});
