// The admin API for security teams: /admin/keys with a client-credentials token (scope admin:keys) of an admin client
// (registered with --admin, private_key_jwt).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { discover, oidc } from '../helpers/oidc.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';

async function keyPair() {
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
  const kid = crypto.randomUUID();
  return { privateKey, kid, publicJwk: { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

const serviceClient = (extra: Record<string, unknown>) => ({
  client_id: `security-${crypto.randomBytes(4).toString('hex')}`,
  client_name: 'Security team',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  ...extra,
});

describe('admin API /admin/keys', () => {
  const clock = testClock();
  let t: TestServer;
  let admin: oidc.Configuration;
  let adminClientId: string;

  async function call(token: string | undefined, method: string, path: string, body?: unknown) {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: res.status,
      body: (await res.json().catch(() => ({}))) as Record<string, any>,
      headers: res.headers,
    };
  }

  before(async () => {
    t = await startTestServer({ clock, env: { KEY_STAGING_SECONDS: '600', JWKS_MAX_AGE_SECONDS: '300' } });
    const key = await keyPair();
    const metadata = serviceClient({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key.publicJwk] },
      scope: 'admin:keys',
    });
    adminClientId = (await t.createClient(metadata as never, { admin: true })).clientId;
    admin = await discover(t.url, adminClientId, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));
  });
  after(() => t?.close());

  it('lists, rotates and revokes with a token carrying admin:keys, each call audited with the client and reason', async () => {
    const { access_token } = await oidc.clientCredentialsGrant(admin, { scope: 'admin:keys' });
    const listed = await call(access_token, 'GET', '/admin/keys');
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('cache-control'), 'no-store');
    assert.ok(listed.body.keys.some((k: { use: string; state: string }) => k.use === 'sig' && k.state === 'active'));
    assert.doesNotMatch(JSON.stringify(listed.body), /"d":|private/, 'no private key material');

    const rotated = await call(access_token, 'POST', '/admin/keys/rotate', { reason: 'quarterly rotation' });
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.staged.length, 3);

    const active = listed.body.keys.find(
      (k: { use: string; alg: string; state: string }) => k.use === 'sig' && k.alg === 'ES256' && k.state === 'active',
    );
    const revoked = await call(access_token, 'POST', `/admin/keys/${active.kid}/revoke`, {
      reason: 'key seen in a leaked backup',
      revoke_tokens: true,
    });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.revoked, active.kid);
    assert.deepEqual(revoked.body.activated, [rotated.body.staged[0]], 'the staged ES256 key takes over at once');
    await t.server.keys.watcher.check();
    const jwks = (await (await fetch(`${t.url}/jwks`)).json()) as jose.JSONWebKeySet;
    assert.ok(!jwks.keys.some((k) => k.kid === active.kid));

    const events = await t.db('audit_events').where({ type: 'admin.keys', client_id: adminClientId }).orderBy('id');
    const detail = (e: { detail: unknown }) =>
      (typeof e.detail === 'string' ? JSON.parse(e.detail) : e.detail) as Record<string, unknown>;
    assert.deepEqual(
      events.map((e: { detail: unknown }) => detail(e).operation),
      ['list', 'rotate', 'revoke'],
    );
    assert.equal(detail(events[2]).reason, 'key seen in a leaked backup');

    const missing = await call(access_token, 'POST', '/admin/keys/no-such-kid/revoke', { reason: 'typo' });
    assert.equal(missing.status, 404);
    const noReason = await call(access_token, 'POST', '/admin/keys/rotate', {});
    assert.equal(noReason.status, 400);
    const badJson = await fetch(`${t.url}/admin/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    assert.equal(badJson.status, 400);
    assert.doesNotMatch(await badJson.text(), /at .*\.ts|stack/i);
  });

  it('refuses no token, a token without the scope, and an expired token', async () => {
    assert.equal((await call(undefined, 'GET', '/admin/keys')).status, 401);
    const withoutScope = await oidc.clientCredentialsGrant(admin, {});
    const refused = await call(withoutScope.access_token, 'GET', '/admin/keys');
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('www-authenticate') ?? '', /insufficient_scope/);

    const { access_token } = await oidc.clientCredentialsGrant(admin, { scope: 'admin:keys' });
    clock.advance(601);
    const expired = await call(access_token, 'GET', '/admin/keys');
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate') ?? '', /invalid_token/);
  });

  it('refuses a token from another issuer and a token of a client that authenticates with a shared secret', async () => {
    const other = await startTestServer();
    try {
      const key = await keyPair();
      const otherClient = serviceClient({
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] },
        scope: 'admin:keys',
      });
      const { clientId } = await other.createClient(otherClient as never, { admin: true });
      const config = await discover(other.url, clientId, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));
      const foreign = await oidc.clientCredentialsGrant(config, { scope: 'admin:keys' });
      assert.equal((await call(foreign.access_token, 'GET', '/admin/keys')).status, 401);
    } finally {
      await other.close();
    }
    // A shared-secret client is never an admin client (even flagged so by hand): no admin:keys token, and its tokens
    // are refused at /admin.
    const { clientId, clientSecret } = await t.createClient(
      serviceClient({ token_endpoint_auth_method: 'client_secret_basic', scope: 'admin:keys' }) as never,
      { admin: true },
    );
    const basic = await discover(t.url, clientId, oidc.ClientSecretBasic(clientSecret!));
    await assert.rejects(
      oidc.clientCredentialsGrant(basic, { scope: 'admin:keys' }),
      (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'invalid_scope',
    );
    const token = await oidc.clientCredentialsGrant(basic, {});
    assert.equal((await call(token.access_token, 'GET', '/admin/keys')).status, 401);
  });
});
