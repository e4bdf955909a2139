// The VNeID simulator in the encrypted OAuth 2.0 profile (issue 15), driven over real HTTP with plain fetch (the
// profile is not one openid-client speaks): each quirk on its own — an unencoded `+` in codes, encrypt_key, client
// secret in the token request's body, {data, key} token and userinfo bodies, no ID token, no nonce, no iss, the
// profile's claim names — and the tampering switch.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.js';
import { DEFAULT_CITIZENS } from '../../src/dev/vneid-sim/citizens.js';
import { startVneidSimulator, type VneidSimulator } from '../../src/dev/vneid-sim/simulator.js';
import { decryptBody, decryptCode, EnvelopeError, loadEnvelopeKey } from '../../src/methods/vneid/encrypted-profile.js';
import { rawQueryParams } from '../../src/methods/vneid/upstream-client.js';

const REDIRECT_URI = 'https://rp.example/federation/vneid/callback';
const CLIENT = 'bhxh-id';
const AN = DEFAULT_CITIZENS[0]!; // level 2

const rsa = crypto.generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const key = loadEnvelopeKey(rsa.privateKey);
const secret = crypto.randomBytes(24).toString('base64url');
let sim: VneidSimulator;

before(async () => {
  sim = await startVneidSimulator({
    clients: [
      { client_id: CLIENT, client_secret: secret, redirect_uris: [REDIRECT_URI], rsa_public_key: rsa.publicKey },
    ],
    behaviour: { profile: 'encrypted-oauth2' },
  });
});
after(() => sim.close());
beforeEach(() => sim.setBehaviour({ tamper: 'none', encryptCode: true }));

/** Authorization without nonce (scope citizen, state, PKCE); returns the raw callback query and the verifier. */
async function authorize() {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = new URL('/auth', sim.issuer);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT_URI,
    scope: 'citizen',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  const browser = new Browser(sim.issuer);
  const login = await browser.get(url.href);
  const end = await browser.submit(login, { national_id: AN.nationalId }, '/choose');
  assert.ok(end.url.startsWith(REDIRECT_URI), `${end.status} ${end.url}`);
  const search = new URL(end.url).search;
  const params = rawQueryParams(search);
  assert.equal(params.get('state'), state);
  return { search, params, verifier };
}

function token(form: Record<string, string>) {
  return fetch(new URL('/token', sim.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT,
      ...form,
    }),
  });
}

async function redeem(flow: Awaited<ReturnType<typeof authorize>>) {
  const encryptKey = flow.params.get('encrypt_key');
  const code = encryptKey ? decryptCode(key, flow.params.get('code')!, encryptKey) : flow.params.get('code')!;
  return token({
    code,
    client_secret: secret,
    code_verifier: flow.verifier,
    ...(encryptKey ? { encrypt_key: encryptKey } : {}),
  });
}

describe('VNeID simulator: the encrypted OAuth 2.0 profile', () => {
  test('the authorization response: an encrypted code with a raw +, encrypt_key, no iss', async () => {
    const { search, params } = await authorize();
    assert.match(search, /[?&]code=[^&]*\+/, search);
    assert.ok(params.get('encrypt_key'));
    assert.equal(params.get('iss'), undefined);
    // The code only opens with our private key.
    assert.ok(decryptCode(key, params.get('code')!, params.get('encrypt_key')!).length > 10);
  });

  test('the token response is a {data, key} envelope, with no ID token; client_secret goes in the body', async () => {
    const response = await redeem(await authorize());
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['data', 'key']);
    const tokens = decryptBody(key, body);
    assert.equal(typeof tokens.access_token, 'string');
    assert.equal(tokens.id_token, undefined);
  });

  test('the token request must echo the encrypt_key and carry the secret', async () => {
    const flow = await authorize();
    const code = decryptCode(key, flow.params.get('code')!, flow.params.get('encrypt_key')!);
    const noKey = await token({ code, client_secret: secret, code_verifier: flow.verifier });
    assert.equal(noKey.status, 400);
    assert.equal(((await noKey.json()) as { error: string }).error, 'invalid_grant');
    const noSecret = await token({ code, code_verifier: flow.verifier, encrypt_key: flow.params.get('encrypt_key')! });
    assert.equal(noSecret.status, 401);
  });

  test('userinfo (the citizen API, named in discovery) is an envelope with the profile claim names', async () => {
    const discovery = (await (await fetch(new URL('/.well-known/openid-configuration', sim.issuer))).json()) as {
      userinfo_endpoint: string;
    };
    assert.equal(discovery.userinfo_endpoint, `${sim.issuer}/api/citizen`);
    const tokens = decryptBody(key, await (await redeem(await authorize())).json());
    const response = await fetch(discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const [y, m, d] = AN.birthdate.split('-');
    assert.deepEqual(decryptBody(key, await response.json()), {
      citizenPid: AN.nationalId,
      fullName: AN.fullName,
      birthDate: `${d}/${m}/${y}`,
      accountType: '1',
      accountLevel: '2',
    });
  });

  test('unencrypted codes (encryptCode false) still carry a raw +, and redeem as received', async () => {
    sim.setBehaviour({ encryptCode: false });
    const flow = await authorize();
    assert.match(flow.search, /[?&]code=[^&]*\+/);
    assert.equal(flow.params.get('encrypt_key'), undefined);
    assert.equal((await redeem(flow)).status, 200);
    // Read with a form decoder, the + is a space, and the code is unknown.
    const spaced = new URLSearchParams(flow.search).get('code')!;
    assert.ok(spaced.includes(' '));
  });

  for (const [tamper, where] of [
    ['data', 'payload'],
    ['key', 'key_unwrap'],
  ] as const) {
    test(`tamper '${tamper}' corrupts the token and userinfo envelopes`, async () => {
      const flow = await authorize();
      sim.setBehaviour({ tamper });
      const body = await (await redeem(flow)).json();
      assert.throws(
        () => decryptBody(key, body),
        (e) => e instanceof EnvelopeError && e.reason === where,
      );
    });
  }

  test("tamper 'encrypt_key' corrupts the key sent with the code", async () => {
    sim.setBehaviour({ tamper: 'encrypt_key' });
    const { params } = await authorize();
    assert.throws(
      () => decryptCode(key, params.get('code')!, params.get('encrypt_key')!),
      (e) => e instanceof EnvelopeError,
    );
  });

  test('the profile is fixed at start and needs the client public key', async () => {
    assert.throws(() => sim.setBehaviour({ profile: 'oidc' }), /fixed at start/);
    await assert.rejects(
      startVneidSimulator({
        clients: [{ client_id: 'x', client_secret: 's', redirect_uris: [REDIRECT_URI] }],
        behaviour: { profile: 'encrypted-oauth2' },
      }),
      /rsa_public_key/,
    );
  });
});
