// The protocol rules every client follows: what discovery and the JWKS publish, exact redirect URI matching (loopback
// ports excepted for native apps), PKCE with S256 only, code flow only, and error/404 pages that leak nothing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, signIn, signInOnPage } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';

/** What a browser sends when it navigates (oidc-provider answers JSON errors to clients that prefer JSON). */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const WEB_REDIRECT = 'https://rp.example.vn/callback';
const NATIVE_LOOPBACK = 'http://127.0.0.1/callback';
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

interface Fetched {
  res: Response;
  body: string;
}

/** One request like a browser navigation, without following redirects. */
async function navigate(url: string | URL, init: { cookie?: string } = {}): Promise<Fetched> {
  const res = await fetch(url, {
    redirect: 'manual',
    headers: { accept: BROWSER_ACCEPT, ...(init.cookie ? { cookie: init.cookie } : {}) },
  });
  return { res, body: await res.text() };
}

/** The protective headers every page carries. */
function assertSecurityHeaders(res: Response) {
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.ok(
    csp
      .split(';')
      .map((d) => d.trim())
      .includes("frame-ancestors 'none'"),
    `CSP: ${csp}`,
  );
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
}

/** A page that shows nothing of the implementation: no stack frames, no file paths. */
function assertNoInternals(body: string) {
  assert.doesNotMatch(body, /^\s*at\s/m, 'no stack trace lines');
  assert.doesNotMatch(body, /\bat\s+[\w.<>$]+\s+\(/, 'no stack frames');
  assert.doesNotMatch(
    body,
    /(\/work\/|\/home\/|\/app\/|node_modules|file:\/\/|[\w-]+\.(ts|js|mjs):\d+)/,
    'no file paths',
  );
  assert.doesNotMatch(body, /\b(Error|TypeError|ReferenceError):\s/, 'no exception messages');
}

/** An error page: HTML, the given status, no redirect anywhere, nothing internal. */
function assertErrorPage({ res, body }: Fetched, status: number, label = '') {
  try {
    assert.equal(res.status, status, body.slice(0, 600));
    assert.equal(res.headers.get('location'), null, 'no redirect');
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(body.includes('<html lang="vi">'), 'our Vietnamese page');
    assertSecurityHeaders(res);
    assertNoInternals(body);
  } catch (err) {
    if (label && err instanceof assert.AssertionError) err.message = `${label}: ${err.message}`;
    throw err;
  }
}

describe('protocol rules', () => {
  let t: TestServer;
  let member: { id: string; bhxhNumber: string; password: string };
  let webId: string;
  let webConfig: oidc.Configuration;
  let nativeConfig: oidc.Configuration;
  let authorizationEndpoint: string;

  /** An authorization URL with every parameter a good request has; `undefined` in overrides removes one. */
  function authorizeUrl(clientId: string, overrides: Record<string, string | undefined> = {}): URL {
    const params: Record<string, string | undefined> = {
      client_id: clientId,
      response_type: 'code',
      scope: 'openid',
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      // Any valid S256 challenge will do where the code is never redeemed.
      code_challenge: crypto.createHash('sha256').update(oidc.randomPKCECodeVerifier()).digest('base64url'),
      code_challenge_method: 'S256',
      ...overrides,
    };
    const url = new URL(authorizationEndpoint);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  before(async () => {
    t = await startTestServer();
    member = await t.createMember();
    const [vssid] = demoClients(t.url);
    await t.createClient(vssid!.metadata, { firstParty: true });
    const web = await t.createClient(
      {
        client_id: 'rules-web',
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [WEB_REDIRECT],
      },
      { firstParty: true },
    );
    webId = web.clientId;
    webConfig = await discover(t.url, webId, oidc.ClientSecretBasic(web.clientSecret!));
    nativeConfig = await discover(t.url, 'vssid');
    authorizationEndpoint = webConfig.serverMetadata().authorization_endpoint!;
  });
  after(() => t.close());

  describe('discovery and keys', () => {
    it('publishes the metadata relying parties rely on', async () => {
      const res = await fetch(`${t.url}/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const meta = (await res.json()) as Record<string, unknown>;
      assert.equal(meta.issuer, t.url);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(meta.response_types_supported, ['code']);
      assert.equal(meta.authorization_response_iss_parameter_supported, true);
      const algs = meta.id_token_signing_alg_values_supported as string[];
      assert.ok(algs.includes('ES256') && algs.includes('RS256'), `id_token algs ${algs}`);
      const scopes = meta.scopes_supported as string[];
      for (const scope of ['openid', 'profile', 'phone', 'email', 'bhxh', 'offline_access'])
        assert.ok(scopes.includes(scope), `scope ${scope} in ${scopes}`);
      const claims = meta.claims_supported as string[];
      for (const claim of ['sub', 'bhxh_number', 'name', 'birthdate', 'phone_number', 'email'])
        assert.ok(claims.includes(claim), `claim ${claim} in ${claims}`);
      for (const endpoint of [
        'authorization_endpoint',
        'token_endpoint',
        'userinfo_endpoint',
        'jwks_uri',
        'introspection_endpoint',
        'revocation_endpoint',
        'end_session_endpoint',
      ]) {
        assert.equal(typeof meta[endpoint], 'string', endpoint);
        assert.ok((meta[endpoint] as string).startsWith(`${t.url}/`), `${endpoint} on the issuer`);
      }
      assert.ok(!(meta.grant_types_supported as string[]).includes('password'));
      assert.ok(!(meta.grant_types_supported as string[]).includes('implicit'));
    });

    it('publishes an EC P-256 and an RSA signing key, and no private key material', async () => {
      const res = await fetch(webConfig.serverMetadata().jwks_uri!);
      assert.equal(res.status, 200);
      const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
      assert.ok(
        keys.some((k) => k.kty === 'EC' && k.crv === 'P-256'),
        'an EC P-256 key',
      );
      assert.ok(
        keys.some((k) => k.kty === 'RSA'),
        'an RSA key',
      );
      for (const key of keys) {
        assert.ok(key.kid, 'every key has a kid');
        assert.notEqual(key.kty, 'oct', 'no symmetric key');
        for (const member of PRIVATE_JWK_MEMBERS)
          assert.equal(key[member], undefined, `key ${String(key.kid)} exposes ${member}`);
      }
    });

    // Both documents are served from memory after the provider's first answer (src/http/provider-documents.ts).
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      it(`answers ${path} the same every time, with CORS for the asking origin`, async () => {
        const servedBefore = t.server.deps.documents.served();
        const answers = [];
        for (const origin of [undefined, 'https://rp.example.vn', 'https://other.example.vn']) {
          const res = await fetch(`${t.url}${path}`, { headers: origin ? { origin } : {} });
          assert.equal(res.status, 200);
          assert.equal(res.headers.get('access-control-allow-origin'), origin ?? '*');
          assert.match(res.headers.get('vary') ?? '', /Origin/);
          assert.ok(res.headers.get('x-content-type-options'), 'our security headers too');
          assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
          answers.push({
            type: res.headers.get('content-type'),
            cache: res.headers.get('cache-control'),
            body: await res.text(),
          });
        }
        assert.ok(t.server.deps.documents.served() - servedBefore >= 2, 'the later answers came from memory');
        assert.deepEqual(answers[1], answers[0]);
        assert.deepEqual(answers[2], answers[0]);
        if (path === '/jwks') assert.match(answers[0]!.cache ?? '', /max-age=/);
        const head = await fetch(`${t.url}${path}`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-type'), answers[0]!.type);
        assert.equal(await head.text(), '');
      });
    }

    it('writes discovery for the host a request names, and the issuer host still gets its own', async () => {
      const viaOtherHost = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const url = new URL(`${t.url}/.well-known/openid-configuration`);
        http
          .get(
            { host: url.hostname, port: url.port, path: url.pathname, headers: { host: 'idp.other.example:8443' } },
            (res) => {
              let body = '';
              res.on('data', (chunk) => (body += chunk));
              res.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
            },
          )
          .on('error', reject);
      });
      assert.equal(viaOtherHost.token_endpoint, 'http://idp.other.example:8443/token');
      const meta = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.equal(meta.token_endpoint, `${t.url}/token`);
    });
  });

  it('puts iss in the authorization response', async () => {
    const { callbackUrl, tokens } = await signIn(t.url, nativeConfig, member, {
      redirect_uri: 'http://127.0.0.1:53123/callback',
      scope: 'openid',
    });
    const params = new URL(callbackUrl).searchParams;
    assert.equal(params.get('iss'), t.url);
    assert.ok(params.get('code'));
    assert.equal(tokens.claims()!.iss, t.url);
  });

  describe('redirect URI matching', () => {
    const webVariants: Array<[string, string]> = [
      ['an unregistered URI', 'https://evil.example.com/callback'],
      ['a different path', 'https://rp.example.vn/other'],
      ['a trailing slash added', 'https://rp.example.vn/callback/'],
      ['an added query', 'https://rp.example.vn/callback?next=%2Fadmin'],
      ['http instead of https', 'http://rp.example.vn/callback'],
      ['a different host', 'https://rp.example.vn.evil.example.com/callback'],
      ['a different port', 'https://rp.example.vn:8443/callback'],
    ];
    for (const [what, redirectUri] of webVariants) {
      it(`rejects ${what} with an error page and no redirect (web client)`, async () => {
        const page = await navigate(authorizeUrl(webId, { redirect_uri: redirectUri }));
        assertErrorPage(page, 400);
        assert.ok(page.body.includes('redirect_uri'), page.body.slice(0, 600));
        assert.ok(!page.body.includes(`href="${redirectUri}`), 'the rejected URI is not offered as a link');
      });
    }

    const nativeVariants: Array<[string, string]> = [
      ['localhost instead of 127.0.0.1', 'http://localhost:53123/callback'],
      ['localhost without a port', 'http://localhost/callback'],
      ['[::1] instead of 127.0.0.1', 'http://[::1]:53123/callback'],
      ['https on the loopback', 'https://127.0.0.1:53123/callback'],
      ['a different loopback path', 'http://127.0.0.1:53123/other'],
      ['a trailing slash on the loopback path', 'http://127.0.0.1:53123/callback/'],
      ['an added query on the loopback', 'http://127.0.0.1:53123/callback?x=1'],
      ['a different custom-scheme path', 'vn.gov.baohiemxahoi.vssid:/other'],
      ['a different custom scheme', 'vn.gov.baohiemxahoi.evil:/oauth2redirect'],
    ];
    for (const [what, redirectUri] of nativeVariants) {
      it(`rejects ${what} with an error page and no redirect (native client)`, async () => {
        assertErrorPage(await navigate(authorizeUrl('vssid', { redirect_uri: redirectUri })), 400);
      });
    }

    it('rejects a request without redirect_uri even though the native client registers several', async () => {
      assertErrorPage(await navigate(authorizeUrl('vssid', {})), 400);
    });

    it('rejects an unknown client_id with an error page', async () => {
      assertErrorPage(await navigate(authorizeUrl('no-such-client', { redirect_uri: WEB_REDIRECT })), 400);
    });

    it('accepts the exact registered URIs, and the native loopback on any port', async () => {
      const accepted: Array<[string, string]> = [
        [webId, WEB_REDIRECT],
        ['vssid', 'vn.gov.baohiemxahoi.vssid:/oauth2redirect'],
        ['vssid', NATIVE_LOOPBACK],
        ['vssid', 'http://127.0.0.1:1024/callback'],
        ['vssid', 'http://127.0.0.1:53123/callback'],
        ['vssid', 'http://127.0.0.1:65535/callback'],
      ];
      for (const [clientId, redirectUri] of accepted) {
        const { res } = await navigate(authorizeUrl(clientId, { redirect_uri: redirectUri }));
        assert.equal(res.status, 303, `${clientId} ${redirectUri}`);
        assert.match(
          res.headers.get('location') ?? '',
          /^\/interaction\/[\w-]+$/,
          `${clientId} ${redirectUri} goes to the sign-in page`,
        );
      }
      // And the whole flow completes on an arbitrary loopback port.
      const { callbackUrl } = await signIn(t.url, nativeConfig, member, {
        redirect_uri: 'http://127.0.0.1:41999/callback',
        scope: 'openid',
      });
      assert.ok(callbackUrl.startsWith('http://127.0.0.1:41999/callback?'));
    });
  });

  describe('PKCE', () => {
    /** The request is refused back to the (valid) redirect URI with an error and no code. */
    async function assertRefusedToClient(
      url: URL,
      redirectUri: string,
      error: string,
      where: 'query' | 'fragment' = 'query',
    ) {
      const { res } = await navigate(url);
      assert.equal(res.status, 303);
      const location = new URL(res.headers.get('location') ?? '');
      assert.equal(`${location.origin}${location.pathname}`, redirectUri);
      const params = new URLSearchParams(where === 'query' ? location.search : location.hash.slice(1));
      assert.equal(params.get('error'), error, location.href);
      assert.equal(params.get('code'), null);
      assert.equal(params.get('access_token'), null);
      assert.equal(params.get('id_token'), null);
      assert.equal(params.get('state'), url.searchParams.get('state'));
      assert.equal(params.get('iss'), t.url, 'error responses carry iss too');
    }

    it('rejects an authorization request without code_challenge', async () => {
      for (const clientId of [webId, 'vssid']) {
        const redirectUri = clientId === 'vssid' ? NATIVE_LOOPBACK : WEB_REDIRECT;
        await assertRefusedToClient(
          authorizeUrl(clientId, {
            redirect_uri: redirectUri,
            code_challenge: undefined,
            code_challenge_method: undefined,
          }),
          redirectUri,
          'invalid_request',
        );
      }
    });

    it('rejects code_challenge_method=plain', async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      await assertRefusedToClient(
        authorizeUrl(webId, { redirect_uri: WEB_REDIRECT, code_challenge: verifier, code_challenge_method: 'plain' }),
        WEB_REDIRECT,
        'invalid_request',
      );
    });

    it('refuses the code with a wrong code_verifier (invalid_grant)', async () => {
      const browser = new Browser(t.url);
      const request = await authorizationRequest(webConfig, { redirect_uri: WEB_REDIRECT, scope: 'openid' });
      const end = await signInOnPage(browser, request, member.bhxhNumber, member.password);
      assert.ok(end.url.startsWith(WEB_REDIRECT), end.url);
      const callback = new URL(end.url);
      await assert.rejects(
        oidc.authorizationCodeGrant(webConfig, callback, {
          pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
          expectedState: request.state,
          expectedNonce: request.nonce,
        }),
        (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'invalid_grant',
      );
      // A verifier of the wrong length/alphabet is refused as well (never compared as plain).
      const challenge = new URL(request.url).searchParams.get('code_challenge')!;
      await assert.rejects(
        oidc.authorizationCodeGrant(webConfig, callback, {
          pkceCodeVerifier: challenge,
          expectedState: request.state,
          expectedNonce: request.nonce,
        }),
        (err: unknown) =>
          err instanceof oidc.ResponseBodyError && ['invalid_grant', 'invalid_request'].includes(err.error),
      );
    });
  });

  describe('code flow only', () => {
    for (const responseType of ['token', 'id_token token', 'id_token', 'code id_token']) {
      it(`rejects response_type=${responseType}`, async () => {
        const url = authorizeUrl(webId, { redirect_uri: WEB_REDIRECT, response_type: responseType });
        const { res, body } = await navigate(url);
        const location = res.headers.get('location');
        if (location === null) {
          assertErrorPage({ res, body }, 400);
          return;
        }
        // Errors to a valid redirect URI go back to the client (in the fragment for these response types): no tokens.
        assert.equal(res.status, 303);
        const back = new URL(location);
        assert.equal(`${back.origin}${back.pathname}`, WEB_REDIRECT);
        const params = new URLSearchParams(back.hash ? back.hash.slice(1) : back.search);
        assert.equal(params.get('error'), 'unsupported_response_type', location);
        for (const leaked of ['code', 'access_token', 'id_token'])
          assert.equal(params.get(leaked), null, `${leaked} in ${location}`);
      });
    }

    it('does not support the password grant', async () => {
      await assert.rejects(
        oidc.genericGrantRequest(webConfig, 'password', {
          username: member.bhxhNumber,
          password: member.password,
          scope: 'openid',
        }),
        (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'unsupported_grant_type',
      );
    });
  });

  describe('error and 404 pages', () => {
    it('never show a stack trace, and carry CSP frame-ancestors none and no-referrer', async () => {
      const pages: Array<[string, Fetched, number]> = [
        ['unknown client', await navigate(authorizeUrl('no-such-client', { redirect_uri: WEB_REDIRECT })), 400],
        ['bad redirect_uri', await navigate(authorizeUrl(webId, { redirect_uri: 'https://evil.example.com/' })), 400],
        [
          'malformed request',
          await navigate(
            `${authorizationEndpoint}?client_id=${webId}&client_id=${webId}&redirect_uri=${encodeURIComponent(WEB_REDIRECT)}`,
          ),
          400,
        ],
        [
          'garbage id_token_hint',
          await navigate(`${webConfig.serverMetadata().end_session_endpoint}?id_token_hint=not.a.jwt`),
          400,
        ],
        [
          'unknown interaction',
          await navigate(`${t.url}/interaction/${crypto.randomBytes(16).toString('base64url')}`),
          400,
        ],
      ];
      for (const [what, page, status] of pages) assertErrorPage(page, status, what);
    });

    it('the sign-in page carries the same protective headers', async () => {
      const browser = new Browser(t.url);
      const request = await authorizationRequest(nativeConfig, { redirect_uri: NATIVE_LOOPBACK });
      const login = await browser.get(request.url.href);
      assert.equal(login.status, 200);
      assert.ok(login.html.includes('name="bhxh_number"'));
      assertSecurityHeaders(new Response(null, { headers: login.headers }));
    });

    for (const path of ['/khong-ton-tai', '/api/v1/users', '/.well-known/does-not-exist', '/static/missing.css']) {
      it(`answers ${path} with our Vietnamese 404 page`, async () => {
        const page = await navigate(`${t.url}${path}`);
        assertErrorPage(page, 404);
        assert.ok(page.body.includes('Không tìm thấy trang'), page.body.slice(0, 600));
      });
    }
  });
});
