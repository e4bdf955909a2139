// Finding 1 of issue 12: who may obtain which scope. Admin scopes (admin:keys) go only to a client an operator
// registered with `bhxh-id clients create --admin`; every other relying party gets the member-facing scopes at most,
// whatever its metadata says, and /admin/* checks the token's client is an admin client now.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { createCliSandbox, type CliSandbox } from '../helpers/cli.js';
import { discover, oidc } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function keyPair() {
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256');
  const kid = crypto.randomUUID();
  return { privateKey, kid, publicJwk: { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

/** Metadata of a private_key_jwt relying party using only the client-credentials grant. */
function serviceClient(publicJwk: jose.JWK, extra: Record<string, unknown> = {}) {
  return {
    client_id: `service-${crypto.randomBytes(4).toString('hex')}`,
    client_name: 'Some agency service',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [publicJwk] },
    ...extra,
  };
}

/** The OAuth error of a refused token request. */
async function oauthErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof oidc.ResponseBodyError) return err.error;
    throw err;
  }
  return 'granted';
}

async function call(url: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

describe('admin scopes go only to admin clients', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({ env: { KEY_STAGING_SECONDS: '600' } });
  });
  after(() => t?.close());

  /** Registers `metadata` as an ordinary relying party and returns its openid-client configuration. */
  async function ordinaryClient(extra: Record<string, unknown> = {}) {
    const key = await keyPair();
    const { clientId } = await t.createClient(serviceClient(key.publicJwk, extra) as never);
    return discover(t.url, clientId, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));
  }

  /** What an attacker holding `token` gets from the key operations: never a 200. */
  async function assertKeyOperationsRefused(token: string) {
    const listed = await call(t.url, token, 'GET', '/admin/keys');
    assert.ok([401, 403].includes(listed.status), `GET /admin/keys answered ${listed.status}`);
    const rotated = await call(t.url, token, 'POST', '/admin/keys/rotate', { reason: 'attacker' });
    assert.ok([401, 403].includes(rotated.status), `rotate answered ${rotated.status}`);
    const active = (await t.db('keys').where({ use: 'sig', state: 'active' }).first('kid')) as { kid: string };
    const revoked = await call(t.url, token, 'POST', `/admin/keys/${active.kid}/revoke`, {
      reason: 'attacker',
      revoke_tokens: true,
    });
    assert.ok([401, 403].includes(revoked.status), `revoke answered ${revoked.status}`);
    assert.equal(
      await t
        .db('keys')
        .where({ state: 'staged' })
        .count({ n: '*' })
        .first()
        .then((r) => Number(r!.n)),
      0,
      'nothing was staged',
    );
  }

  it('refuses admin:keys to an ordinary private_key_jwt client registered without a scope list', async () => {
    const config = await ordinaryClient();
    const asked = oidc.clientCredentialsGrant(config, { scope: 'admin:keys' });
    const error = await oauthErrorOf(asked);
    if (error === 'granted') await assertKeyOperationsRefused((await asked).access_token);
    assert.equal(error, 'invalid_scope');
  });

  it('gives an ordinary client without a scope list only the member-facing scopes', async () => {
    const config = await ordinaryClient();
    const plain = await oidc.clientCredentialsGrant(config, {});
    assert.doesNotMatch(String(plain.scope ?? ''), /admin/);
    await assertKeyOperationsRefused(plain.access_token);
    const member = await oidc.clientCredentialsGrant(config, { scope: 'profile' });
    assert.equal(member.scope, 'profile');
  });

  it('refuses admin:keys to an ordinary client whose stored metadata lists it', async () => {
    // A row written before `clients.admin` existed (or by hand): the metadata alone never makes a client an admin.
    const config = await ordinaryClient({ scope: 'admin:keys' });
    const asked = oidc.clientCredentialsGrant(config, { scope: 'admin:keys' });
    const error = await oauthErrorOf(asked);
    if (error === 'granted') await assertKeyOperationsRefused((await asked).access_token);
    assert.equal(error, 'invalid_scope');
  });

  it('refuses admin:keys at the authorization endpoint to a client without a scope list', async () => {
    const redirectUri = 'https://rp.example.vn/cb';
    const { clientId, clientSecret } = await t.createClient({
      client_id: `web-${crypto.randomBytes(4).toString('hex')}`,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    });
    const config = await discover(t.url, clientId, oidc.ClientSecretBasic(clientSecret!));
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid admin:keys',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!, t.url);
    assert.equal(location.origin + location.pathname, redirectUri);
    assert.equal(location.searchParams.get('error'), 'invalid_scope');
  });

  it('refuses a client flagged admin that does not authenticate with private_key_jwt', async () => {
    // Only the CLI sets the flag, and it refuses this; a row edited by hand must not become an admin either.
    const { clientId, clientSecret } = await t.createClient(
      {
        client_id: `shared-${crypto.randomBytes(4).toString('hex')}`,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { admin: true },
    );
    const config = await discover(t.url, clientId, oidc.ClientSecretBasic(clientSecret!));
    const asked = oidc.clientCredentialsGrant(config, { scope: 'admin:keys' });
    const error = await oauthErrorOf(asked);
    if (error === 'granted') await assertKeyOperationsRefused((await asked).access_token);
    assert.equal(error, 'invalid_scope');
  });

  it('ends a token minted for an admin client at /admin once the client is deleted or re-registered as ordinary', async () => {
    const key = await keyPair();
    const metadata = serviceClient(key.publicJwk);
    const { clientId } = await t.createClient(metadata as never, { admin: true });
    const config = await discover(t.url, clientId, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }));
    const first = await oidc.clientCredentialsGrant(config, { scope: 'admin:keys' });
    assert.equal((await call(t.url, first.access_token, 'GET', '/admin/keys')).status, 200);

    await t.server.deps.clients.delete(clientId);
    assert.equal(
      (await call(t.url, first.access_token, 'GET', '/admin/keys')).status,
      401,
      'a deleted client loses access at once',
    );

    // Demoted: the same client id registered again, now as an ordinary client. The old token must not carry over.
    await t.createClient(metadata as never);
    await assertKeyOperationsRefused(first.access_token);
    assert.equal(await oauthErrorOf(oidc.clientCredentialsGrant(config, { scope: 'admin:keys' })), 'invalid_scope');
  });
});

describe('bhxh-id clients create --admin', () => {
  let sandbox: CliSandbox;
  const encryptionKey = crypto.randomBytes(32).toString('base64');

  before(async () => {
    sandbox = await createCliSandbox('admin-scopes');
    sandbox.env.KEYS_ENCRYPTION_KEY = encryptionKey;
  });
  after(() => sandbox?.close());

  async function create(metadata: unknown, flags: string[] = []) {
    const file = path.join(sandbox.dataDir, `client-${crypto.randomBytes(4).toString('hex')}.json`);
    fs.writeFileSync(file, JSON.stringify(metadata));
    return sandbox.run(['clients', 'create', '--file', file, ...flags]);
  }

  it('refuses `admin` inside the metadata file, and admin:keys for a client registered without --admin', async () => {
    const key = await keyPair();
    const inFile = await create({ ...serviceClient(key.publicJwk), admin: true });
    assert.equal(inFile.code, 1);
    assert.match(inFile.err, /--admin/);
    const listed = await create(serviceClient(key.publicJwk, { scope: 'admin:keys' }));
    assert.equal(listed.code, 1);
    assert.match(listed.err, /admin:keys.*--admin/);
  });

  it('refuses --admin for a client that is not private_key_jwt with only the client-credentials grant', async () => {
    const key = await keyPair();
    const shared = await create(
      { ...serviceClient(key.publicJwk), token_endpoint_auth_method: 'client_secret_basic', jwks: undefined },
      ['--admin'],
    );
    assert.equal(shared.code, 1);
    assert.match(shared.err, /private_key_jwt/);
    const web = await create(
      {
        ...serviceClient(key.publicJwk),
        grant_types: ['client_credentials', 'authorization_code'],
        response_types: ['code'],
        redirect_uris: ['https://x.example.vn/cb'],
      },
      ['--admin'],
    );
    assert.equal(web.code, 1);
    assert.match(web.err, /client_credentials/);
    const memberScopes = await create(serviceClient(key.publicJwk, { scope: 'openid admin:keys' }), ['--admin']);
    assert.equal(memberScopes.code, 1);
    assert.match(memberScopes.err, /openid/);
  });

  it('registers an admin client that obtains admin:keys and rotates the keys over HTTP', async () => {
    const key = await keyPair();
    const created = await create(serviceClient(key.publicJwk), ['--admin']);
    assert.equal(created.code, 0, created.err);
    assert.equal(created.json.client.admin, true);
    assert.equal(created.json.client.scope, 'admin:keys');
    const shown = await sandbox.run(['clients', 'show', created.json.client.client_id]);
    assert.equal(shown.json.client.admin, true);

    const db = sandbox.openDb();
    const t = await startTestServer({ db, env: { KEYS_ENCRYPTION_KEY: encryptionKey, KEY_STAGING_SECONDS: '600' } });
    try {
      const config = await discover(
        t.url,
        created.json.client.client_id,
        oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
      );
      const { access_token, scope } = await oidc.clientCredentialsGrant(config, { scope: 'admin:keys' });
      assert.equal(scope, 'admin:keys');
      const rotated = await call(t.url, access_token, 'POST', '/admin/keys/rotate', { reason: 'quarterly rotation' });
      assert.equal(rotated.status, 200);
      assert.equal(rotated.body.staged.length, 3);
    } finally {
      await t.close();
      await db.destroy();
    }
  });
});
