// While PostgreSQL cannot be reached, requests fail fast with 503 and Retry-After (not a 500 after a long wait), and
// the same server serves again by itself once the database is back. The server reaches PostgreSQL through a TCP
// proxy started here, which the test cuts (every connection closed, the port refused) and restores.
// PostgreSQL only: PGlite runs inside the process and cannot go away.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { demoClients } from '../../src/dev/seed-demo.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, type oidc, signIn } from '../helpers/oidc.js';
import { createTestDatabase, freePort, startTestServer, usingPostgres, type TestServer } from '../helpers/server.js';

const REDIRECT_URI = 'http://127.0.0.1/callback';

/** A TCP proxy on a fixed loopback port to the real PostgreSQL, which can be cut and restored. */
async function startProxy(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const open = (mode: 'forward' | 'blackhole' = 'forward') =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        if (mode === 'blackhole') {
          // Accepts the connection and never answers: a database host that hangs rather than refuses.
          sockets.add(client);
          client.on('close', () => sockets.delete(client));
          client.on('error', () => client.destroy());
          client.resume();
          return;
        }
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await open();
  return {
    port,
    /** Refuses new connections and breaks every open one, as a stopped database host would. */
    async cut() {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: () => open('forward'),
    /** Accepts connections but never answers (after a cut). */
    hang: () => open('blackhole'),
    async close() {
      for (const s of sockets) s.destroy();
      if (server?.listening) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

interface Probe {
  status: number;
  ms: number;
  retryAfter: string | null;
  type: string | null;
  body: string;
}

describe('the database goes away and comes back (PostgreSQL)', {
  skip: usingPostgres ? false : 'needs PostgreSQL (TEST_DATABASE_URL): PGlite cannot be cut off',
}, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let proxiedDb: Db;
  let t: TestServer;
  let config: oidc.Configuration;
  let refreshToken: string;
  let interactionUrl: string;
  let browser: Browser;

  before(async () => {
    database = await createTestDatabase();
    const real = new URL(database.url!);
    proxy = await startProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const proxied = new URL(database.url!);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    // The server's pool is the production one (src/db/database.ts), only pointed at the proxy.
    proxiedDb = openDatabase({ kind: 'postgres', url: proxied.href, poolMax: 5 });
    t = await startTestServer({ db: proxiedDb });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
    const member = await t.createMember();
    refreshToken = (
      await signIn(t.url, config, member, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid offline_access',
        prompt: 'consent',
      })
    ).tokens.refresh_token!;
    // A sign-in page the member has open when the database goes away.
    browser = new Browser(t.url);
    const page = await browser.get((await authorizationRequest(config, { redirect_uri: REDIRECT_URI })).url.href);
    assert.match(page.html, /name="bhxh_number"/);
    interactionUrl = page.url;
  });

  after(async () => {
    await t?.close();
    await proxiedDb?.destroy();
    await proxy?.close();
    await database?.drop();
  });

  async function probe(run: () => Promise<Response>): Promise<Probe> {
    const started = performance.now();
    const res = await run();
    const body = await res.text();
    return {
      status: res.status,
      ms: performance.now() - started,
      retryAfter: res.headers.get('retry-after'),
      type: res.headers.get('content-type'),
      body,
    };
  }

  // The three requests: a new authorization (oidc-provider's /auth), the sign-in page of an open interaction (our
  // route) and a refresh at the token endpoint (JSON).
  const authorize = async () =>
    fetch((await authorizationRequest(config, { redirect_uri: REDIRECT_URI })).url, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
  const signInPage = () =>
    fetch(interactionUrl, { headers: { cookie: browser.cookieHeader(interactionUrl), accept: 'text/html' } });
  const refresh = () =>
    fetch(`${t.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'vssid', refresh_token: refreshToken }),
    });

  it('answers 503 with Retry-After within seconds while the database is unreachable, then recovers by itself', async () => {
    await proxy.cut();

    for (const [name, run] of [
      ['authorization', authorize],
      ['sign-in page', signInPage],
      ['token', refresh],
    ] as const) {
      const p = await probe(run);
      assert.equal(p.status, 503, `${name}: ${p.status} ${p.body.slice(0, 300)}`);
      assert.ok(p.ms < 6000, `${name}: answered in ${Math.round(p.ms)} ms`);
      assert.equal(p.retryAfter, '5', `${name}: Retry-After`);
      if (name === 'token') {
        assert.match(p.type ?? '', /json/);
        assert.equal(JSON.parse(p.body).error, 'temporarily_unavailable');
      } else {
        assert.match(p.type ?? '', /html/);
        assert.match(p.body, /Vui lòng thử lại sau/);
      }
    }
    const ready = await probe(() => fetch(`${t.url}/readyz`));
    assert.equal(ready.status, 503);
    assert.ok(ready.ms < 6000, `readyz in ${Math.round(ready.ms)} ms`);
    assert.equal((await probe(() => fetch(`${t.url}/healthz`))).status, 200, 'the process itself is fine');

    // The database returns: the same server serves the same requests again within 10 s, without a restart.
    await proxy.restore();
    const back = performance.now();
    const firstAnswer = async (run: () => Promise<Response>) => {
      for (;;) {
        const p = await probe(run);
        if (p.status !== 503) return { ...p, after: performance.now() - back };
        assert.ok(performance.now() - back < 10_000, 'still 503 ten seconds after the database returned');
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const auth = await firstAnswer(authorize);
    assert.equal(auth.status, 303, auth.body.slice(0, 300));
    const page = await firstAnswer(signInPage);
    assert.equal(page.status, 200);
    assert.match(page.body, /name="bhxh_number"/);
    const token = await firstAnswer(refresh);
    assert.equal(token.status, 200, token.body);
    assert.ok(
      JSON.parse(token.body).refresh_token,
      'the refresh token from before the outage still works (it rotated now)',
    );
    assert.equal((await probe(() => fetch(`${t.url}/readyz`))).status, 200);
    assert.ok(token.after < 10_000);
    refreshToken = JSON.parse(token.body).refresh_token;
  });

  it('answers 503 within seconds when the database host accepts connections but never answers', async () => {
    await proxy.cut();
    await proxy.hang();
    // Connecting gives up after the pool's connect timeout (2 s; /auth looks the client up twice), well before anything like a hang.
    const [auth, token] = await Promise.all([probe(authorize), probe(refresh)]);
    for (const [name, p] of [
      ['authorization', auth],
      ['token', token],
    ] as const) {
      assert.equal(p.status, 503, `${name}: ${p.status} ${p.body.slice(0, 300)}`);
      assert.ok(p.ms < 6000, `${name}: answered in ${Math.round(p.ms)} ms`);
      assert.equal(p.retryAfter, '5');
    }
    await proxy.cut();
    await proxy.restore();
    const back = performance.now();
    for (;;) {
      const p = await probe(refresh);
      if (p.status === 200) break;
      assert.equal(p.status, 503, p.body);
      assert.ok(performance.now() - back < 10_000, 'still 503 ten seconds after the database returned');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
