// Nodes keep relying parties in memory (src/clients/client-cache.ts). A client deleted on one node must stop working
// on every node at once, long before the cache lifetime (an hour here): on this node directly, on the others through
// NOTIFY bhxh_clients (PostgreSQL only: PGlite runs one node).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, startTestServer, usingPostgres, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

async function clientCredentials(t: TestServer, clientId: string, secret: string) {
  const res = await fetch(`${t.url}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; error?: string } };
}

describe('client cache across nodes', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestServer;
  let b: TestServer;
  const env = { KEYS_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'), CLIENT_CACHE_SECONDS: '3600' };
  const metadata = (clientId: string) => ({
    client_id: clientId,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic' as const,
  });

  before(async () => {
    database = await createTestDatabase();
    a = await startTestServer({ db: database.db, env });
    b = await startTestServer({ db: database.db, env });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('a client deleted on this node is refused at once', async () => {
    const { clientSecret } = await a.createClient(metadata('svc-local'));
    assert.equal((await clientCredentials(a, 'svc-local', clientSecret!)).status, 200);
    assert.equal((await clientCredentials(a, 'svc-local', clientSecret!)).status, 200, 'served from the cache');
    await a.server.deps.clients.delete('svc-local');
    const after = await clientCredentials(a, 'svc-local', clientSecret!);
    assert.equal(after.status, 401);
    assert.equal(after.body.error, 'invalid_client');
  });

  it('a client re-created with a new secret on this node takes the new secret at once', async () => {
    const first = await a.createClient(metadata('svc-renew'));
    assert.equal((await clientCredentials(a, 'svc-renew', first.clientSecret!)).status, 200);
    await a.server.deps.clients.delete('svc-renew');
    const second = await a.createClient(metadata('svc-renew'));
    assert.equal((await clientCredentials(a, 'svc-renew', second.clientSecret!)).status, 200);
    assert.equal((await clientCredentials(a, 'svc-renew', first.clientSecret!)).status, 401);
  });

  it('a client deleted on another node is refused within moments (NOTIFY)', {
    skip: !usingPostgres && 'PGlite runs one node',
  }, async () => {
    const { clientSecret } = await a.createClient(metadata('svc-shared'));
    assert.equal((await clientCredentials(a, 'svc-shared', clientSecret!)).status, 200);
    assert.equal((await clientCredentials(b, 'svc-shared', clientSecret!)).status, 200);
    await b.server.deps.clients.delete('svc-shared');
    await until(
      'node A to refuse the deleted client',
      async () => (await clientCredentials(a, 'svc-shared', clientSecret!)).status === 401,
    );
  });
});
