// Signing-key lifecycle with two server processes' worth of nodes sharing one database: rotation while members sign
// in and refresh on both nodes, tokens verifying through JWKS across the change, removal, emergency revocation, the
// schedule racing on two nodes, and the CLI. Time is the injected clock; the nodes watch the keys table (polling every
// 100 ms here; LISTEN on PostgreSQL).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { runCli } from '../../src/cli/main.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { discover, oidc, signIn } from '../helpers/oidc.js';
import {
  createTestDatabase,
  randomPassword,
  startTestServer,
  testClock,
  usingPostgres,
  type TestServer,
} from '../helpers/server.js';
import { until } from '../helpers/until.js';

const STAGING = 600;
const REDIRECT_URI = 'http://127.0.0.1/callback';

async function activeKids(t: TestServer): Promise<{ ES256?: string; RS256?: string }> {
  const out: Record<string, string> = {};
  for (const key of t.server.keys.current().jwks.keys) if (key.alg && !out[key.alg]) out[key.alg] = key.kid!;
  return out;
}

/** Verifies through the node's published JWKS, fetched fresh (no cache between checks). */
async function verifies(t: TestServer, idToken: string): Promise<boolean> {
  const jwks = jose.createLocalJWKSet((await (await fetch(`${t.url}/jwks`)).json()) as jose.JSONWebKeySet);
  return jose.jwtVerify(idToken, jwks).then(
    () => true,
    () => false,
  );
}

describe('key lifecycle across two nodes', () => {
  const clock = testClock();
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestServer;
  let b: TestServer;
  let member: { id: string; bhxhNumber: string; password: string };
  // Nodes of one deployment share the encryption key (the key store is sealed with it).
  const env = {
    KEYS_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    KEY_POLL_MS: '100',
    KEY_STAGING_SECONDS: String(STAGING),
    JWKS_MAX_AGE_SECONDS: '300',
    KEY_ROTATION_INTERVAL_DAYS: '90',
    ARGON2_MEMORY_KIB: '19456',
  };

  before(async () => {
    database = await createTestDatabase();
    a = await startTestServer({ db: database.db, clock, env });
    b = await startTestServer({ db: database.db, clock, env });
    const [vssid] = demoClients(a.url);
    await a.createClient(vssid!.metadata, { firstParty: true });
    member = await a.createMember({ password: randomPassword() });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  /** Signs the member in on one node and refreshes on the other, as a phone behind a load balancer would. */
  async function signInAndRefresh(signOn: TestServer, refreshOn: TestServer) {
    const { tokens } = await signIn(signOn.url, await discover(signOn.url, 'vssid'), member, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const refreshed = await oidc.refreshTokenGrant(await discover(refreshOn.url, 'vssid'), tokens.refresh_token!);
    return { tokens, refreshed };
  }

  it('publishes JWKS with Cache-Control max-age', async () => {
    const res = await fetch(`${a.url}/jwks`);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
  });

  it('rotates with zero failed requests while members sign in and refresh on both nodes', async () => {
    const before = await activeKids(a);
    const beforeToken = (await signInAndRefresh(a, b)).tokens.id_token!;
    let failures = 0;
    let requests = 0;
    let running = true;
    // The injected clock moves only between two sign-ins: a code issued under the old time would otherwise expire in
    // flight (the adapter keeps time with the test clock), which says nothing about the rotation.
    let gate: Promise<void> | undefined;
    let onIdle: (() => void) | undefined;
    const betweenRequests = async <T>(fn: () => Promise<T>): Promise<T> => {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      await new Promise<void>((resolve) => (onIdle = resolve));
      try {
        return await fn();
      } finally {
        gate = undefined;
        onIdle = undefined;
        open();
      }
    };
    const load = (async () => {
      for (let i = 0; running; i++) {
        if (gate) {
          onIdle?.();
          await gate;
        }
        try {
          await (i % 2 ? signInAndRefresh(a, b) : signInAndRefresh(b, a));
          requests += 1;
        } catch (err) {
          failures += 1;
          console.error('request failed during rotation:', err);
        }
      }
    })();

    const rotated = await runRotate(a);
    assert.equal(rotated.length, 3, 'ES256, RS256 and a cookie secret are staged together');
    // Staged keys are published at once but do not sign yet.
    await until('both nodes publish the staged keys', async () =>
      (
        await Promise.all(
          [a, b].map(async (n) =>
            ((await (await fetch(`${n.url}/jwks`)).json()) as jose.JSONWebKeySet).keys.map((k) => k.kid),
          ),
        )
      ).every((kids) => rotated.slice(0, 2).every((k) => kids.includes(k))),
    );
    assert.deepEqual(await activeKids(a), before);

    const steps = await betweenRequests(() => {
      clock.advance(STAGING + 1);
      return a.server.keys.lifecycle.tick();
    });
    assert.deepEqual(
      steps.map((s) => s.step),
      ['activated'],
    );
    const started = Date.now();
    await until('both nodes sign with the new keys', async () => {
      const [ka, kb] = await Promise.all([activeKids(a), activeKids(b)]);
      return ka.ES256 === rotated[0] && kb.ES256 === rotated[0] && ka.RS256 === rotated[1] && kb.RS256 === rotated[1];
    });
    const pickedUpMs = Date.now() - started;
    // New sign-ins on either node carry the new kid.
    for (const node of [a, b]) {
      const { tokens } = await signInAndRefresh(node, node === a ? b : a);
      assert.equal(jose.decodeProtectedHeader(tokens.id_token!).kid, rotated[0]);
    }
    running = false;
    await load;
    assert.equal(failures, 0, `${failures} of ${requests + failures} requests failed`);
    assert.ok(requests > 0);
    assert.ok(pickedUpMs < 5000, `picked up in ${pickedUpMs} ms`);

    // The token issued before the rotation still verifies through JWKS (its key is retired, still published).
    assert.ok(await verifies(a, beforeToken));
    assert.ok(await verifies(b, beforeToken));

    // Once nothing it signed can be alive, the retired key is removed: the old token no longer verifies.
    clock.advance(2 * 3600 + 1);
    const removal = await b.server.keys.lifecycle.tick();
    assert.ok(removal.some((s) => s.step === 'removed' && s.kids.includes(before.ES256!)));
    await until(
      'both nodes stop publishing the removed key',
      async () => !(await verifies(a, beforeToken)) && !(await verifies(b, beforeToken)),
    );
    const removed = await database.db('keys').where({ kid: before.ES256 }).first();
    assert.equal(removed.state, 'removed');
    assert.equal(removed.private_encrypted, '', 'the private part of a removed key is wiped');
  });

  it('keeps sessions alive across a cookie-key rotation (old cookies still verify)', async () => {
    const config = await discover(a.url, 'vssid');
    const { browser } = await signIn(a.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    const kids = await runRotate(a);
    clock.advance(STAGING + 1);
    await b.server.keys.lifecycle.tick();
    await until('both nodes have the new cookie key', async () =>
      [a, b].every((n) => n.server.keys.current().fingerprint.includes(`${kids[2]}:active`)),
    );
    // prompt=none succeeds on the other node with the session cookie signed by the retired cookie key.
    const silent = await oidc.buildAuthorizationUrl(await discover(b.url, 'vssid'), {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      prompt: 'none',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const page = await browser.get(silent.href.replace(a.url, b.url));
    assert.ok(new URL(page.url).searchParams.get('code'), `expected a code, got ${page.url}`);
  });

  it('emergency revocation: the key leaves JWKS at once, a fresh one signs, and its tokens are revoked', async () => {
    const { tokens, refreshed } = await signInAndRefresh(a, b);
    const victim = jose.decodeProtectedHeader(tokens.id_token!).kid!;
    const out = await b.server.keys.lifecycle.revoke(victim, {
      via: 'test',
      reason: 'suspected compromise',
      revokeTokens: true,
    });
    assert.equal(out.activated.length, 1);
    assert.ok(out.tokensRevoked > 0);
    await until(
      'both nodes drop the revoked key',
      async () => !(await verifies(a, tokens.id_token!)) && !(await verifies(b, tokens.id_token!)),
    );
    for (const node of [a, b]) {
      await assert.rejects(
        oidc.refreshTokenGrant(await discover(node.url, 'vssid'), refreshed.refresh_token!),
        (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
      );
      const { tokens: fresh } = await signInAndRefresh(node, node);
      assert.equal(jose.decodeProtectedHeader(fresh.id_token!).kid, out.activated[0]);
      assert.ok(await verifies(node, fresh.id_token!));
    }
    const audit = await database.db('audit_events').where({ type: 'key.revoked' });
    assert.equal(audit.length, 1);
    assert.match(JSON.stringify(audit[0].detail), /suspected compromise/);
    await assert.rejects(b.server.keys.lifecycle.revoke(victim, { via: 'test', reason: 'again' }), {
      name: 'KeyNotFoundError',
    });
  });

  it('the schedule performs each step exactly once with two nodes racing', async () => {
    const count = async (type: string) =>
      Number((await database.db('audit_events').where({ type }).count({ n: '*' }).first())!.n);
    // Whatever was already due (removals from earlier tests) happens first.
    await a.server.keys.lifecycle.tick();
    clock.advance(91 * 86400);
    await a.server.keys.lifecycle.tick().then((steps) => assert.ok(steps.some((s) => s.step === 'staged')));
    await database.db('keys').where({ state: 'staged' }).delete(); // start the race from a clean slate
    const [staged0, activated0] = [await count('key.staged'), await count('key.activated')];
    const first = await Promise.all([a.server.keys.lifecycle.tick(), b.server.keys.lifecycle.tick()]);
    assert.equal(first.flat().filter((s) => s.step === 'staged').length, 1);
    assert.equal(await count('key.staged'), staged0 + 1);
    clock.advance(STAGING + 1);
    const second = await Promise.all([
      a.server.keys.lifecycle.tick(),
      b.server.keys.lifecycle.tick(),
      a.server.keys.lifecycle.tick(),
    ]);
    assert.equal(second.flat().filter((s) => s.step === 'activated').length, 1);
    assert.equal(await count('key.activated'), activated0 + 1);
    const removed0 = await count('key.removed');
    clock.advance(15 * 86400);
    const third = await Promise.all([a.server.keys.lifecycle.tick(), b.server.keys.lifecycle.tick()]);
    assert.equal(third.flat().filter((s) => s.step === 'removed').length, 1);
    assert.equal(await count('key.removed'), removed0 + 1);
    // Nothing further is due.
    assert.deepEqual(await Promise.all([a.server.keys.lifecycle.tick(), b.server.keys.lifecycle.tick()]), [[], []]);
  });

  /** `bhxh-id keys rotate` against the shared PostgreSQL database; with PGlite (in this process) the same module. */
  async function runRotate(node: TestServer): Promise<string[]> {
    if (!usingPostgres) return (await node.server.keys.lifecycle.rotate({ via: 'test', reason: 'routine' })).staged;
    let out = '';
    let err = '';
    const code = await runCli(['keys', 'rotate', '--reason', 'routine'], {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      env: {
        DATABASE_URL: database.url,
        KEYS_ENCRYPTION_KEY: node.server.config.keysEncryptionKey!.toString('base64'),
        LOG_LEVEL: 'silent',
        KEY_STAGING_SECONDS: String(STAGING),
        JWKS_MAX_AGE_SECONDS: '300',
      },
      stdin: async () => '',
    });
    assert.equal(code, 0, err);
    assert.doesNotMatch(out, /"d"\s*:/, 'no private key material in the output');
    const staged = (JSON.parse(out) as { staged: string[] }).staged;
    // The CLI stamps real time; bring the staged rows onto the test clock so the schedule sees the same period.
    await database.db('keys').whereIn('kid', staged).update({ created_at: clock.now() });
    return staged;
  }
});
