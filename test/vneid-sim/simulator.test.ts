// Tests of the VNeID simulator itself, driven over real HTTP with openid-client 6 as the relying party: the claim
// namings, the userinfo-only (OAuth 2.0) mode, RFC 9207 iss on/off, ID token tampering, failures, cancel, and
// private_key_jwt client authentication. One simulator serves the whole file; each test sets its behaviour.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { Browser, type Page } from '../helpers/browser.js';
import { citizenSubject, DEFAULT_CITIZENS, type Citizen } from '../../src/dev/vneid-sim/citizens.js';
import { startVneidSimulator, type SimBehaviour, type VneidSimulator } from '../../src/dev/vneid-sim/simulator.js';

const REDIRECT_URI = 'https://rp.example/federation/vneid/callback';
const SECRET_CLIENT = 'bhxh-id';
const JWT_CLIENT = 'bhxh-id-pkjwt';
const AN = DEFAULT_CITIZENS[0]!; // level 2
const BINH = DEFAULT_CITIZENS[1]!; // level 1
const ODD_CITIZEN: Citizen = {
  nationalId: '001200000999',
  fullName: 'Đỗ <b>"Thử"</b> & Co',
  birthdate: '2000-01-31',
  level: 1,
};
const RESET: SimBehaviour = {
  claims: 'standard',
  userinfoOnly: false,
  issParameter: true,
  failure: 'none',
  delayMs: 0,
  tamper: 'none',
  profile: 'oidc',
  encryptCode: true,
};

let sim: VneidSimulator;
let clientSecret: string;
let clientKey: { privateKey: CryptoKey; kid: string };

before(async () => {
  clientSecret = crypto.randomBytes(32).toString('base64url');
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  clientKey = { privateKey, kid: 'rp-key-1' };
  sim = await startVneidSimulator({
    clients: [
      { client_id: SECRET_CLIENT, client_secret: clientSecret, redirect_uris: [REDIRECT_URI] },
      {
        client_id: JWT_CLIENT,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: clientKey.kid, alg: 'ES256', use: 'sig' }] },
        redirect_uris: [REDIRECT_URI],
      },
    ],
    citizens: [...DEFAULT_CITIZENS, ODD_CITIZEN],
  });
});

after(() => sim.close());
beforeEach(() => sim.setBehaviour(RESET));

// ---------------------------------------------------------------------------------------------------------------
// Relying-party helpers

function discover(opts: { jwt?: boolean; nonRepudiation?: boolean } = {}): Promise<oidc.Configuration> {
  const auth = opts.jwt
    ? oidc.PrivateKeyJwt({ key: clientKey.privateKey, kid: clientKey.kid })
    : oidc.ClientSecretBasic(clientSecret);
  const execute = [oidc.allowInsecureRequests, ...(opts.nonRepudiation ? [oidc.enableNonRepudiationChecks] : [])];
  return oidc.discovery(new URL(sim.issuer), opts.jwt ? JWT_CLIENT : SECRET_CLIENT, {}, auth, { execute });
}

interface Flow {
  config: oidc.Configuration;
  browser: Browser;
  loginPage: Page;
  verifier: string;
  state: string;
  nonce?: string;
}

/** Sends the browser to the authorization endpoint; returns where it lands (the login page, or the redirect). */
async function startFlow(config: oidc.Configuration, scope = 'openid profile'): Promise<Flow> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = scope.split(' ').includes('openid') ? oidc.randomNonce() : undefined;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(nonce ? { nonce } : {}),
  });
  const browser = new Browser(sim.issuer);
  return { config, browser, loginPage: await browser.get(url.href), verifier, state, ...(nonce ? { nonce } : {}) };
}

/** Picks a citizen on the login page; returns the URL the browser is sent back to. */
async function choose(flow: Flow, citizen: Citizen): Promise<URL> {
  const end = await flow.browser.submit(flow.loginPage, { national_id: citizen.nationalId }, '/choose');
  assert.ok(
    end.url.startsWith(REDIRECT_URI),
    `expected the redirect_uri, got ${end.status} ${end.url}\n${end.html.slice(0, 400)}`,
  );
  return new URL(end.url);
}

function redeem(flow: Flow, callback: URL) {
  return oidc.authorizationCodeGrant(flow.config, callback, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    ...(flow.nonce ? { expectedNonce: flow.nonce } : {}),
  });
}

async function signIn(citizen: Citizen, opts: { scope?: string; config?: oidc.Configuration } = {}) {
  const flow = await startFlow(opts.config ?? (await discover()), opts.scope);
  const callback = await choose(flow, citizen);
  return { flow, callback, tokens: await redeem(flow, callback) };
}

function citizenApi(token?: string) {
  return fetch(new URL('/api/citizen', sim.issuer), token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

// ---------------------------------------------------------------------------------------------------------------

describe('VNeID simulator', () => {
  test('login page lists the citizens (masked PIN, level) with stable attributes, escaped, under a CSP', async () => {
    const { loginPage } = await startFlow(await discover());
    assert.equal(loginPage.status, 200);
    assert.match(loginPage.html, /Định danh điện tử VNeID \(giả lập\)/);
    assert.match(loginPage.html, /VNeID simulator/);
    assert.match(loginPage.html, /name="viewport"/);
    for (const c of DEFAULT_CITIZENS)
      assert.ok(loginPage.html.includes(`data-national-id="${c.nationalId}"`), c.nationalId);
    assert.ok(loginPage.html.includes('001•••345'));
    assert.ok(loginPage.html.includes('Mức độ 2') && loginPage.html.includes('Mức độ 1'));
    assert.ok(loginPage.html.includes('data-action="cancel"'));
    assert.ok(loginPage.html.includes('Đỗ &#60;b&#62;&#34;Thử&#34;&#60;/b&#62; &#38; Co'));
    assert.ok(!loginPage.html.includes('<b>"Thử"'));
    assert.match(loginPage.headers.get('content-security-policy') ?? '', /style-src 'unsafe-inline'/);
  });

  test('standard claims: ID token carries PIN, name, ISO birthdate and numeric level; sub is opaque; iss on callback', async () => {
    const config = await discover({ nonRepudiation: true });
    const metadata = config.serverMetadata();
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.ok(metadata.end_session_endpoint, 'rp-initiated logout is advertised');
    const { callback, tokens } = await signIn(AN, { config });
    assert.equal(callback.searchParams.get('iss'), sim.issuer);
    const claims = tokens.claims()!;
    assert.equal(claims.sub, citizenSubject(AN));
    assert.notEqual(claims.sub, AN.nationalId);
    assert.equal(claims.citizenPid, AN.nationalId);
    assert.equal(claims.fullName, AN.fullName);
    assert.equal(claims.birthdate, '1990-05-15');
    assert.equal(claims.identificationLevel, 2);
    assert.equal(claims.SoDinhDanh, undefined);
    // The citizen API answers an openid-scope access token too.
    const res = await citizenApi(tokens.access_token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      sub: citizenSubject(AN),
      citizenPid: AN.nationalId,
      fullName: AN.fullName,
      birthdate: AN.birthdate,
      identificationLevel: 2,
    });
  });

  test('legacy claims: SoDinhDanh, HoVaTen, NgaySinh as YYYYMMDD, MucDoDinhDanh as a string', async () => {
    sim.setBehaviour({ claims: 'legacy' });
    const claims = (await signIn(BINH)).tokens.claims()!;
    assert.equal(claims.SoDinhDanh, BINH.nationalId);
    assert.equal(claims.HoVaTen, BINH.fullName);
    assert.equal(claims.NgaySinh, '19851102');
    assert.equal(claims.MucDoDinhDanh, '1');
    assert.equal(claims.citizenPid, undefined);
    assert.equal(claims.birthdate, undefined);
  });

  test('userinfoOnly: scope citizen gives no ID token; GET /api/citizen gives the identity; 401 without a valid token', async () => {
    sim.setBehaviour({ userinfoOnly: true });
    const { tokens } = await signIn(AN, { scope: 'citizen' });
    assert.equal(tokens.id_token, undefined);
    assert.equal(tokens.scope, 'citizen');
    const res = await citizenApi(tokens.access_token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), {
      sub: citizenSubject(AN),
      citizenPid: AN.nationalId,
      fullName: AN.fullName,
      birthdate: AN.birthdate,
      identificationLevel: 2,
    });
    for (const bad of [undefined, 'not-a-token']) {
      const denied = await citizenApi(bad);
      assert.equal(denied.status, 401);
      assert.deepEqual(await denied.json(), { error: 'invalid_token' });
    }
    // Even an openid request gets no identity in its ID token in this mode.
    const openid = (await signIn(AN)).tokens.claims()!;
    assert.equal(openid.citizenPid, undefined);
  });

  test('issParameter false: no iss on the callback and not advertised; the code still redeems', async () => {
    sim.setBehaviour({ issParameter: false });
    const config = await discover();
    assert.equal(config.serverMetadata().authorization_response_iss_parameter_supported, undefined);
    const { callback, tokens } = await signIn(AN, { config });
    assert.equal(callback.searchParams.has('iss'), false);
    assert.ok(callback.searchParams.get('code'));
    assert.equal(tokens.claims()!.citizenPid, AN.nationalId);
  });

  /** The check that must catch each tampering. */
  const TAMPER_REJECTION = {
    nonce: /"nonce" claim/,
    audience: /"aud" \(audience\)/,
    issuer: /"iss" \(issuer\)/,
    signature: /signature verification failed/,
  } as const;
  for (const tamper of ['nonce', 'audience', 'issuer', 'signature'] as const) {
    test(`tamper ${tamper}: openid-client rejects the token response`, async () => {
      // Signatures of ID tokens from the token endpoint are only checked with non-repudiation checks on.
      const config = await discover({ nonRepudiation: tamper === 'signature' });
      sim.setBehaviour({ tamper });
      const flow = await startFlow(config);
      const callback = await choose(flow, AN);
      await assert.rejects(redeem(flow, callback), (err: Error) => {
        // openid-client wraps the failed check; its cause names it.
        assert.match((err.cause as Error).message, TAMPER_REJECTION[tamper]);
        return true;
      });
    });
  }

  test('failure down: every request, discovery included, gets 503', async () => {
    sim.setBehaviour({ failure: 'down' });
    const res = await fetch(new URL('/.well-known/openid-configuration', sim.issuer));
    assert.equal(res.status, 503);
    await assert.rejects(discover());
  });

  test('failure error: the authorization endpoint redirects back with error=server_error and the state', async () => {
    const config = await discover();
    sim.setBehaviour({ failure: 'error' });
    const { loginPage, state } = await startFlow(config);
    const callback = new URL(loginPage.url);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
    assert.equal(callback.searchParams.get('error'), 'server_error');
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('iss'), sim.issuer);
  });

  test('failure error: an unregistered redirect_uri is not redirected to', async () => {
    sim.setBehaviour({ failure: 'error' });
    const url = new URL('/auth', sim.issuer);
    url.search = new URLSearchParams({
      client_id: SECRET_CLIENT,
      redirect_uri: 'https://evil.example/cb',
      response_type: 'code',
      state: 's',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
  });

  test('failure slow: a request takes at least delayMs', async () => {
    sim.setBehaviour({ failure: 'slow', delayMs: 200 });
    const started = performance.now();
    const res = await fetch(new URL('/.well-known/openid-configuration', sim.issuer));
    assert.equal(res.status, 200);
    assert.ok(performance.now() - started >= 190, 'delayed');
  });

  test('cancel sends the browser back with error=access_denied', async () => {
    const flow = await startFlow(await discover());
    const end = await flow.browser.submit(flow.loginPage, {}, '/cancel');
    const callback = new URL(end.url);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('error_description'), 'citizen cancelled');
    assert.equal(callback.searchParams.get('state'), flow.state);
  });

  test('private_key_jwt client authentication works', async () => {
    const { tokens } = await signIn(DEFAULT_CITIZENS[2]!, { config: await discover({ jwt: true }) });
    assert.equal(tokens.claims()!.citizenPid, DEFAULT_CITIZENS[2]!.nationalId);
  });

  test('setBehaviour rejects unknown values and keeps the current behaviour', () => {
    assert.throws(() => sim.setBehaviour({ failure: 'broken' as never }), /failure/);
    assert.throws(() => sim.setBehaviour({ delayMs: -1 }), /delayMs/);
    assert.deepEqual(sim.behaviour, RESET);
  });
});
