// The Cổng dịch vụ công portal (confidential web client): code + PKCE with client_secret_basic and private_key_jwt,
// RS256 ID tokens on request, introspection, revocation, RFC 9068 JWT access tokens for registered APIs, client
// credentials, RP-initiated logout on the hosted page and back-channel logout.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem, signIn, signInOnPage } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { withTimeout } from '../helpers/until.js';

const REDIRECT_URI = 'https://dichvucong.example.vn/auth/callback';
const POST_LOGOUT_URI = 'https://dichvucong.example.vn/da-dang-xuat';
const API = 'https://api.example.vn';
/** What a browser sends when it navigates (oidc-provider answers JSON errors to clients that prefer JSON). */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let clientCounter = 0;
function uniqueClientId(prefix: string): string {
  clientCounter += 1;
  return `${prefix}-${clientCounter}-${crypto.randomBytes(4).toString('hex')}`;
}

/** Metadata like the demo `dichvucong` client, with a unique client_id and test-only URIs. */
function webClientMetadata(overrides: Partial<ClientMetadata> = {}): ClientMetadata {
  return {
    client_id: uniqueClientId('dichvucong'),
    client_name: 'Cổng dịch vụ công BHXH (test)',
    application_type: 'web',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [POST_LOGOUT_URI],
    ...overrides,
  };
}

/** The OAuth error code of a failed openid-client call (from the JSON body, or the WWW-Authenticate challenge's body). */
async function oauthErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) return err.error;
    if (err instanceof oidc.WWWAuthenticateChallengeError) {
      const body = (await err.response.json()) as { error?: string };
      return body.error ?? String(err.cause[0]?.parameters.error);
    }
    throw err;
  }
  assert.fail('expected the request to be refused');
}

describe('Cổng dịch vụ công (confidential web client)', () => {
  let t: TestServer;
  let member: { id: string; bhxhNumber: string; password: string };
  let jwks: ReturnType<typeof jose.createRemoteJWKSet>;

  /** A first-party client_secret_basic client and its relying-party configuration. */
  async function secretBasicClient(
    overrides: Partial<ClientMetadata> = {},
    rpMetadata: Partial<oidc.ClientMetadata> = {},
  ) {
    const metadata = webClientMetadata(overrides);
    const { clientId, clientSecret } = await t.createClient(metadata, { firstParty: true });
    assert.ok(clientSecret, 'a secret is generated for client_secret_basic');
    const config = await discover(t.url, clientId, oidc.ClientSecretBasic(clientSecret), rpMetadata);
    return { clientId, clientSecret, config };
  }

  before(async () => {
    t = await startTestServer();
    member = await t.createMember({ fullName: 'Phạm Thị Dung', birthdate: '1992-09-09', email: 'dung@example.vn' });
    jwks = jose.createRemoteJWKSet(new URL(`${t.url}/jwks`));
  });
  after(() => t.close());

  it('signs in with authorization code + PKCE and client_secret_basic', async () => {
    const { clientId, config } = await secretBasicClient();
    const { tokens, callbackUrl } = await signIn(t.url, config, member, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile bhxh',
    });
    assert.equal(new URL(callbackUrl).searchParams.get('iss'), t.url);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(jose.decodeProtectedHeader(tokens.id_token!).alg, 'ES256');
    const { payload } = await jose.jwtVerify(tokens.id_token!, jwks, { issuer: t.url, audience: clientId });
    assert.equal(payload.sub, member.id);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, member.id);
    assert.equal(info.name, 'Phạm Thị Dung');
    assert.equal(info.bhxh_number, member.bhxhNumber);
  });

  it('rejects the token request when the client secret is wrong', async () => {
    const { clientId } = await secretBasicClient();
    const wrong = await discover(t.url, clientId, oidc.ClientSecretBasic(crypto.randomBytes(32).toString('base64url')));
    const browser = new Browser(t.url);
    const request = await authorizationRequest(wrong, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    const end = await signInOnPage(browser, request, member.bhxhNumber, member.password);
    assert.ok(end.url.startsWith(REDIRECT_URI));
    assert.equal(await oauthErrorOf(redeem(wrong, request, end.url)), 'invalid_client');
  });

  it('signs in with private_key_jwt (ES256 key generated at run time)', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
    const kid = crypto.randomUUID();
    const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    assert.equal((publicJwk as { d?: string }).d, undefined);
    const { clientId, clientSecret } = await t.createClient(
      webClientMetadata({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] } }),
      { firstParty: true },
    );
    assert.equal(clientSecret, undefined, 'no secret for private_key_jwt');
    const config = await discover(t.url, clientId, oidc.PrivateKeyJwt({ key: privateKey, kid }));
    const { tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    const { payload } = await jose.jwtVerify(tokens.id_token!, jwks, { issuer: t.url, audience: clientId });
    assert.equal(payload.sub, member.id);

    // An assertion signed with another key is refused.
    const other = await jose.generateKeyPair('ES256');
    const impostor = await discover(t.url, clientId, oidc.PrivateKeyJwt({ key: other.privateKey, kid }));
    assert.equal(await oauthErrorOf(oidc.refreshTokenGrant(impostor, 'not-a-token')), 'invalid_client');
  });

  it('issues RS256 ID tokens to a client registered with id_token_signed_response_alg RS256', async () => {
    const { clientId, config } = await secretBasicClient(
      { id_token_signed_response_alg: 'RS256' },
      { id_token_signed_response_alg: 'RS256' },
    );
    const { tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    assert.equal(jose.decodeProtectedHeader(tokens.id_token!).alg, 'RS256');
    const { payload } = await jose.jwtVerify(tokens.id_token!, jwks, {
      issuer: t.url,
      audience: clientId,
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, member.id);
  });

  it('answers introspection for a confidential client, and only active:false to a public one', async () => {
    const { clientId, config } = await secretBasicClient();
    const { tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid profile' });
    const result = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(result.active, true);
    assert.equal(result.sub, member.id);
    assert.equal(result.client_id, clientId);

    const garbage = await oidc.tokenIntrospection(config, crypto.randomBytes(32).toString('base64url'));
    assert.equal(garbage.active, false);

    // A public (native) client may not introspect, not even its own token.
    const publicId = uniqueClientId('public-app');
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
    const own = await signIn(t.url, publicConfig, member, {
      redirect_uri: 'http://127.0.0.1:50123/callback',
      scope: 'openid',
    });
    const denied = await oidc.tokenIntrospection(publicConfig, own.tokens.access_token);
    assert.deepEqual(denied, { active: false });
    const deniedOther = await oidc.tokenIntrospection(publicConfig, tokens.access_token);
    assert.deepEqual(deniedOther, { active: false });
  });

  it('revokes a refresh token so it can no longer be used', async () => {
    const { config } = await secretBasicClient();
    const { tokens } = await signIn(t.url, config, member, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    assert.ok(tokens.refresh_token, 'a refresh token is issued with offline_access');
    assert.equal((await oidc.tokenIntrospection(config, tokens.refresh_token!)).active, true);

    await oidc.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    assert.equal((await oidc.tokenIntrospection(config, tokens.refresh_token!)).active, false);
    assert.equal(await oauthErrorOf(oidc.refreshTokenGrant(config, tokens.refresh_token!)), 'invalid_grant');
  });

  describe('JWT access tokens (RFC 9068)', () => {
    before(() => t.server.deps.resourceServers.upsert({ identifier: API, scope: 'claims:read', accessTokenTtl: 300 }));

    it('issues an at+jwt access token for a registered resource server', async () => {
      const { clientId, config } = await secretBasicClient();
      const { tokens } = await signIn(t.url, config, member, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid claims:read',
        resource: API,
      });
      const header = jose.decodeProtectedHeader(tokens.access_token);
      assert.equal(header.typ, 'at+jwt');
      const { payload } = await jose.jwtVerify(tokens.access_token, jwks, {
        issuer: t.url,
        audience: API,
        typ: 'at+jwt',
      });
      assert.equal(payload.sub, member.id);
      assert.equal(payload.client_id, clientId);
      assert.ok(String(payload.scope).split(' ').includes('claims:read'), `scope ${String(payload.scope)}`);
      assert.ok(payload.jti);
      assert.ok(payload.exp! > payload.iat!);
      // The ID token is still for the client.
      await jose.jwtVerify(tokens.id_token!, jwks, { issuer: t.url, audience: clientId });
    });

    it('limits the access token to the resource server accessTokenTtl (300 s)', async () => {
      const { config } = await secretBasicClient();
      const { tokens } = await signIn(t.url, config, member, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid claims:read',
        resource: API,
      });
      const payload = jose.decodeJwt(tokens.access_token);
      assert.equal(payload.exp! - payload.iat!, 300);
      assert.ok(tokens.expires_in! <= 300, `expires_in ${tokens.expires_in}`);
    });

    it('issues an opaque access token when no resource is named', async () => {
      const { config } = await secretBasicClient();
      const { tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      assert.throws(() => jose.decodeJwt(tokens.access_token));
      assert.notEqual(tokens.access_token.split('.').length, 3);
    });

    it('grants client credentials for a registered resource server', async () => {
      const metadata = webClientMetadata({
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      });
      delete metadata.post_logout_redirect_uris;
      const { clientId, clientSecret } = await t.createClient(metadata, { firstParty: true });
      const config = await discover(t.url, clientId, oidc.ClientSecretBasic(clientSecret!));
      const tokens = await oidc.clientCredentialsGrant(config, { resource: API, scope: 'claims:read' });
      assert.equal(tokens.id_token, undefined);
      assert.equal(tokens.refresh_token, undefined);
      const { payload, protectedHeader } = await jose.jwtVerify(tokens.access_token, jwks, {
        issuer: t.url,
        audience: API,
        typ: 'at+jwt',
      });
      assert.equal(protectedHeader.typ, 'at+jwt');
      assert.equal(payload.client_id, clientId);
      assert.equal(payload.scope, 'claims:read');

      // A resource nobody registered is refused.
      assert.equal(
        await oauthErrorOf(
          oidc.clientCredentialsGrant(config, { resource: 'https://unknown.example.vn', scope: 'claims:read' }),
        ),
        'invalid_target',
      );

      // The grant is not available to a client registered without it (oidc-provider answers invalid_request).
      const { config: codeOnly } = await secretBasicClient();
      const refused = await oauthErrorOf(
        oidc.clientCredentialsGrant(codeOnly, { resource: API, scope: 'claims:read' }),
      );
      assert.ok(['invalid_request', 'unauthorized_client'].includes(refused), refused);
    });
  });

  describe('RP-initiated logout', () => {
    it('asks on the hosted page, then returns to the registered post_logout_redirect_uri with state', async () => {
      const { config } = await secretBasicClient();
      const { browser, tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      const state = oidc.randomState();
      const endSession = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: POST_LOGOUT_URI,
        state,
      });
      const confirm = await browser.get(endSession.href);
      assert.equal(confirm.status, 200);
      assert.match(confirm.headers.get('content-type') ?? '', /text\/html/);
      assert.ok(confirm.html.includes('Bạn có muốn đăng xuất khỏi BHXH ID không?'), confirm.html.slice(0, 800));
      assert.ok(confirm.html.includes('lang="vi"'));

      const done = await browser.submit(confirm, { logout: 'yes' });
      const back = new URL(done.url);
      assert.equal(`${back.origin}${back.pathname}`, POST_LOGOUT_URI);
      assert.equal(back.searchParams.get('state'), state);

      // The session is gone: a new authorization asks for the password again.
      const again = await browser.get((await authorizationRequest(config, { redirect_uri: REDIRECT_URI })).url.href);
      assert.ok(again.html.includes('name="bhxh_number"'), 'the sign-in page is shown again');
    });

    it("speaks the relying party's ui_locales on the sign-out page, as /auth does", async () => {
      const { config } = await secretBasicClient();
      const { browser, tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      const endSession = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: POST_LOGOUT_URI,
        ui_locales: 'en',
      });
      const confirm = await browser.get(endSession.href);
      assert.equal(confirm.status, 200);
      assert.ok(confirm.html.includes('Do you want to sign out of BHXH ID?'), confirm.html.slice(0, 800));
      assert.ok(confirm.html.includes('lang="en"'));
    });

    it("keeps the relying party's ui_locales on the signed-out page that follows the confirmation", async () => {
      const { config } = await secretBasicClient();
      const { browser, tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      // No post_logout_redirect_uri: the member ends on our "signed out" page.
      const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, ui_locales: 'en' });
      const confirm = await browser.get(endSession.href);
      const done = await browser.submit(confirm, { logout: 'yes' });
      assert.equal(new URL(done.url).pathname, '/session/end/success');
      assert.ok(done.html.includes('You have signed out.'), done.html.slice(0, 800));
      assert.ok(done.html.includes('lang="en"'));
      // Without ui_locales the page keeps the default language.
      const second = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      const plain = await second.browser.get(
        oidc.buildEndSessionUrl(config, { id_token_hint: second.tokens.id_token! }).href,
      );
      const vi = await second.browser.submit(plain, { logout: 'yes' });
      assert.ok(vi.html.includes('Bạn đã đăng xuất.'), vi.html.slice(0, 800));
    });

    it('shows an error page, without redirecting, for an unregistered post_logout_redirect_uri', async () => {
      const { config } = await secretBasicClient();
      const { browser, tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      const endSession = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'https://evil.example.com/logged-out',
        state: oidc.randomState(),
      });
      const res = await fetch(endSession, {
        redirect: 'manual',
        headers: { cookie: browser.cookieHeader(), accept: BROWSER_ACCEPT },
      });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const body = await res.text();
      // The app's mistake, in plain words; the OAuth detail only in the developer's collapsed block.
      assert.ok(body.includes('<h1>Ứng dụng đã gửi yêu cầu không hợp lệ</h1>'), body.slice(0, 800));
      const details = body.match(/<details class="technical"[\s\S]*?<\/details>/)?.[0] ?? '';
      assert.ok(details.includes('post_logout_redirect_uri'), body);
      assert.ok(!body.includes('evil.example.com/logged-out"'), 'the unregistered URI is not offered as a link');
    });
  });

  describe('back-channel logout', () => {
    let receiver: http.Server;
    let receiverUrl: string;
    const received: Array<{ path: string; contentType: string; body: string }> = [];
    let waiters: Array<() => void> = [];

    /** Resolves when the receiver has recorded at least `count` POSTs. */
    function receivedCount(count: number): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () => {
          if (received.length >= count) resolve();
          else waiters.push(check);
        };
        waiters.push(check);
      });
    }

    before(async () => {
      receiver = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (req.method === 'POST') {
            received.push({
              path: req.url ?? '',
              contentType: String(req.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            });
            const pending = waiters;
            waiters = [];
            for (const w of pending) w();
          }
          res.writeHead(req.method === 'POST' ? 200 : 405, { 'cache-control': 'no-store' });
          res.end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    });
    after(
      () =>
        new Promise<void>((resolve) => {
          receiver.close(() => resolve());
          receiver.closeAllConnections();
        }),
    );

    it('POSTs a verifiable logout_token with the events claim, sub and sid', async () => {
      const { clientId, config } = await secretBasicClient({
        backchannel_logout_uri: `${receiverUrl}/auth/backchannel-logout`,
        backchannel_logout_session_required: true,
      });
      const { browser, tokens } = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      const sid = tokens.claims()!.sid;
      assert.equal(typeof sid, 'string', 'the ID token carries sid for a client that requires it');

      // The provider reports a failed delivery as an event: fail at once with its cause instead of running into the timeout.
      const provider = t.server.deps.provider();
      let onError: (...args: unknown[]) => void = () => {};
      const failed = new Promise<never>((_, reject) => {
        onError = (_ctx, err, client) => {
          if ((client as { clientId: string }).clientId !== clientId) return;
          const cause = (err as { cause?: unknown }).cause;
          reject(new Error(`back-channel logout failed: ${String(err)}${cause ? ` (cause: ${String(cause)})` : ''}`));
        };
      });
      failed.catch(() => {}); // observed below
      provider.on('backchannel.error', onError);
      try {
        const before = received.length;
        const state = oidc.randomState();
        const confirm = await browser.get(
          oidc.buildEndSessionUrl(config, {
            id_token_hint: tokens.id_token!,
            post_logout_redirect_uri: POST_LOGOUT_URI,
            state,
          }).href,
        );
        const done = await browser.submit(confirm, { logout: 'yes' });
        assert.equal(new URL(done.url).searchParams.get('state'), state);

        await withTimeout(Promise.race([receivedCount(before + 1), failed]), 5_000, 'the back-channel logout request');
        const call = received[before]!;
        assert.equal(call.path, '/auth/backchannel-logout');
        assert.match(call.contentType, /application\/x-www-form-urlencoded/);
        const logoutToken = new URLSearchParams(call.body).get('logout_token');
        assert.ok(logoutToken, `a logout_token in ${call.body}`);

        const { payload, protectedHeader } = await jose.jwtVerify(logoutToken, jwks, {
          issuer: t.url,
          audience: clientId,
        });
        assert.equal(protectedHeader.typ, 'logout+jwt');
        assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
        assert.equal(payload.sub, member.id);
        assert.equal(payload.sid, sid);
        assert.ok(payload.jti);
        assert.equal(payload.nonce, undefined, 'a logout token never carries a nonce');
      } finally {
        provider.off('backchannel.error', onError);
      }
    });
  });
});
