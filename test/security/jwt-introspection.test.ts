// Finding 12 of issue 12: /token/introspection answers RFC 7662 for our RFC 9068 JWT access tokens: active for our
// own live tokens (our signature, not expired, grant not revoked), `{ active: false }` for anything else.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, signIn, signInOnPage } from '../helpers/oidc.js';
import { randomPassword, startTestServer, testClock, type TestServer } from '../helpers/server.js';

const REDIRECT_URI = 'https://rp.example.vn/auth/callback';
const API = 'https://api.example.vn';

function webClient(overrides: Partial<ClientMetadata> = {}): ClientMetadata {
  return {
    client_id: `portal-${crypto.randomBytes(4).toString('hex')}`,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    ...overrides,
  };
}

/** Posts to the introspection endpoint as `clientId`; returns the status and the JSON body. */
async function introspect(url: string, auth: { clientId: string; clientSecret: string }, token: string) {
  const res = await fetch(`${url}/token/introspection`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ token }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('introspection of JWT access tokens (RFC 7662 for RFC 9068 tokens)', () => {
  const clock = testClock();
  let t: TestServer;
  let member: { id: string; bhxhNumber: string; password: string };
  let portal: { clientId: string; clientSecret: string; config: oidc.Configuration };

  before(async () => {
    t = await startTestServer({ clock });
    await t.server.deps.resourceServers.upsert({ identifier: API, scope: 'claims:read', accessTokenTtl: 300 });
    member = await t.createMember();
    const { clientId, clientSecret } = await t.createClient(webClient(), { firstParty: true });
    portal = {
      clientId,
      clientSecret: clientSecret!,
      config: await discover(t.url, clientId, oidc.ClientSecretBasic(clientSecret!)),
    };
  });
  after(() => t?.close());

  const signInForApi = () =>
    signIn(t.url, portal.config, member, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access claims:read',
      resource: API,
      prompt: 'consent',
    });

  it('answers active with the token members for a live JWT access token issued for a resource server', async () => {
    const { tokens } = await signInForApi();
    assert.equal(jose.decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
    const claims = jose.decodeJwt(tokens.access_token);

    const result = await oidc.tokenIntrospection(portal.config, tokens.access_token);
    assert.equal(result.active, true);
    assert.equal(result.client_id, portal.clientId);
    assert.equal(result.sub, member.id);
    assert.equal(result.iss, t.url);
    assert.equal(result.aud, API);
    assert.equal(result.exp, claims.exp);
    assert.equal(result.iat, claims.iat);
    assert.equal(result.token_type, 'Bearer');
    assert.ok(String(result.scope).split(' ').includes('claims:read'), `scope ${String(result.scope)}`);
  });

  it('answers active for a JWT client-credentials token, with a hint too', async () => {
    const { clientId, clientSecret } = await t.createClient(
      webClient({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }),
    );
    const service = await discover(t.url, clientId, oidc.ClientSecretBasic(clientSecret!));
    const { access_token } = await oidc.clientCredentialsGrant(service, { resource: API, scope: 'claims:read' });
    const result = await oidc.tokenIntrospection(portal.config, access_token, { token_type_hint: 'access_token' });
    assert.equal(result.active, true);
    assert.equal(result.client_id, clientId);
    assert.equal(result.scope, 'claims:read');
  });

  it('answers inactive once the grant is revoked through the refresh token', async () => {
    const { tokens } = await signInForApi();
    assert.equal((await oidc.tokenIntrospection(portal.config, tokens.access_token)).active, true);
    await oidc.tokenRevocation(portal.config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    assert.deepEqual(await oidc.tokenIntrospection(portal.config, tokens.access_token), { active: false });
  });

  it('answers inactive once the member changes her password', async () => {
    const holder = await t.createMember();
    const { tokens } = await signIn(t.url, portal.config, holder, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid claims:read',
      resource: API,
    });
    assert.equal((await oidc.tokenIntrospection(portal.config, tokens.access_token)).active, true);

    // A temporary password (what the SMS keyword, the hotline or an office issues) leads to choosing a new one.
    const { password: temporary } = await t.server.deps.temporaryPasswords.issue(holder.id);
    const browser = new Browser(t.url);
    const request = await authorizationRequest(portal.config, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    const page = await signInOnPage(browser, request, holder.bhxhNumber, temporary);
    assert.match(page.html, /name="new_password"/, 'the new-password step');
    const chosen = randomPassword();
    const done = await browser.submit(page, { new_password: chosen, confirm_password: chosen }, '/password');
    assert.ok(done.url.startsWith(REDIRECT_URI), done.url);

    assert.deepEqual(await oidc.tokenIntrospection(portal.config, tokens.access_token), { active: false });
  });

  it('answers inactive for an expired JWT access token', async () => {
    const { tokens } = await signInForApi();
    clock.advance(301);
    try {
      assert.deepEqual(await oidc.tokenIntrospection(portal.config, tokens.access_token), { active: false });
    } finally {
      clock.advance(-301);
    }
  });

  it('answers inactive for a token signed by a key revoked since (it left the key set)', async () => {
    const { tokens } = await signInForApi();
    const { kid } = jose.decodeProtectedHeader(tokens.access_token);
    await t.server.deps.keyLifecycle!.revoke(kid!, { via: 'test', reason: 'key seen in a leaked backup' });
    await t.server.keys.watcher.check();
    assert.deepEqual(await oidc.tokenIntrospection(portal.config, tokens.access_token), { active: false });
  });

  it('answers 200 inactive for a forged, a foreign and a random JWT-shaped token', async () => {
    const { tokens } = await signInForApi();
    const header = jose.decodeProtectedHeader(tokens.access_token);
    const claims = jose.decodeJwt(tokens.access_token);

    // The same claims and kid, signed with a key of the attacker's.
    const { privateKey } = await jose.generateKeyPair('ES256');
    const forged = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid! })
      .sign(privateKey);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    // Our token with its payload changed (a longer life), keeping our signature.
    const [h, , s] = tokens.access_token.split('.');
    const tampered = `${h}.${b64({ ...claims, exp: claims.exp! + 86_400 })}.${s}`;
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`;

    const other = await startTestServer();
    let foreign: string;
    try {
      await other.server.deps.resourceServers.upsert({ identifier: API, scope: 'claims:read', accessTokenTtl: 300 });
      const { clientId, clientSecret } = await other.createClient(
        webClient({
          client_id: portal.clientId,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        }),
      );
      const otherConfig = await discover(other.url, clientId, oidc.ClientSecretBasic(clientSecret!));
      foreign = (await oidc.clientCredentialsGrant(otherConfig, { resource: API, scope: 'claims:read' })).access_token;
    } finally {
      await other.close();
    }

    for (const [what, token] of Object.entries({
      forged,
      tampered,
      unsigned,
      foreign,
      random: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
      header: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    })) {
      const { status, body } = await introspect(t.url, portal, token);
      assert.equal(status, 200, `${what}: status ${status} ${JSON.stringify(body)}`);
      assert.deepEqual(body, { active: false }, what);
    }
  });

  it('keeps introspection to confidential clients, JWT tokens included', async () => {
    const { tokens } = await signInForApi();
    const publicId = `public-${crypto.randomBytes(4).toString('hex')}`;
    await t.createClient(
      {
        client_id: publicId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
      { firstParty: true },
    );
    const publicConfig = await discover(t.url, publicId);
    assert.deepEqual(await oidc.tokenIntrospection(publicConfig, tokens.access_token), { active: false });

    const unauthenticated = await fetch(`${t.url}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token, client_id: portal.clientId }),
    });
    assert.equal(unauthenticated.status, 401);
  });
});
