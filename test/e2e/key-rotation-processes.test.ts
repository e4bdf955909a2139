// Two real server processes (src/main.ts) on one PostgreSQL database: `bhxh-id keys rotate` while members sign in and
// refresh on both; the schedule in the processes activates the staged set, and both start signing with it, with no
// failed request. PostgreSQL only: PGlite is one process by design (key-rotation.test.ts covers it in-process).
//
// The processes keep real time, so the periods are a few seconds here (KEY_STAGING_SECONDS=2).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type * as jose from 'jose';
import { runCli } from '../../src/cli/main.js';
import { createClientRepository } from '../../src/clients/client-repository.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { createAccountRepository } from '../../src/accounts/account-repository.js';
import { createSealer } from '../../src/keys/sealer.js';
import { createPasswordHasher } from '../../src/methods/password/hasher.js';
import { discover, oidc, signIn } from '../helpers/oidc.js';
import { createTestDatabase, freePort, randomBhxhNumber, randomPassword, usingPostgres } from '../helpers/server.js';

const REDIRECT_URI = 'http://127.0.0.1/callback';

interface Node {
  url: string;
  process: ChildProcess;
  output: string[];
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      ISSUER: url,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr!.on('data', (d) => output.push(String(d)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${output.join('')}`)), 30_000);
    child.stdout!.on('data', (d) => {
      output.push(String(d));
      if (String(d).includes('BHXH ID is listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}:\n${output.join('')}`)));
  });
  return { url, process: child, output };
}

async function activeKid(url: string): Promise<string | undefined> {
  // The active ES256 key is the first ES256 key listed (active keys come first).
  const jwks = (await (await fetch(`${url}/jwks`)).json()) as jose.JSONWebKeySet;
  return jwks.keys.find((k) => k.alg === 'ES256')?.kid;
}

describe('key rotation across two server processes (PostgreSQL)', {
  skip: usingPostgres ? false : 'needs PostgreSQL (TEST_DATABASE_URL): PGlite is a single process',
}, () => {
  const encryptionKey = crypto.randomBytes(32);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let nodes: Node[] = [];
  const member = { bhxhNumber: randomBhxhNumber(), password: randomPassword() };
  const env = () => ({
    DATABASE_URL: database.url!,
    KEYS_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    KEY_POLL_MS: '500',
    KEY_LIFECYCLE_CHECK_SECONDS: '1',
    KEY_STAGING_SECONDS: '2',
    JWKS_MAX_AGE_SECONDS: '1',
    KEY_ROTATION_INTERVAL_DAYS: '0',
    LOGIN_DELAY_BASE_MS: '0',
  });

  before(async () => {
    database = await createTestDatabase();
    const sealer = createSealer(encryptionKey);
    // The first node creates the keys; the second finds them.
    nodes.push(await startNode(env()));
    nodes.push(await startNode(env()));
    await createClientRepository(database.db, sealer).create(demoClients('')[0]!.metadata, { firstParty: true });
    const hasher = createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    await createAccountRepository(database.db).create({
      bhxhNumber: member.bhxhNumber,
      fullName: 'Nguyễn Văn An',
      birthdate: '1990-05-15',
      passwordHash: await hasher.hash(member.password),
    });
  });

  after(async () => {
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise((resolve) => (n.process.exitCode !== null ? resolve(null) : n.process.once('exit', resolve))),
      ),
    );
    nodes = [];
    await database?.drop();
  });

  it('rotates through the CLI with zero failed sign-ins and refreshes on both processes', async () => {
    const [a, b] = nodes as [Node, Node];
    const before = await activeKid(a.url);
    assert.equal(await activeKid(b.url), before, 'both processes serve the same keys');
    let failures = 0;
    let requests = 0;
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const [signOn, refreshOn] = i % 2 ? [a, b] : [b, a];
        try {
          const { tokens } = await signIn(signOn.url, await discover(signOn.url, 'vssid'), member, {
            redirect_uri: REDIRECT_URI,
            scope: 'openid offline_access',
            prompt: 'consent',
          });
          await oidc.refreshTokenGrant(await discover(refreshOn.url, 'vssid'), tokens.refresh_token!);
          requests += 1;
        } catch (err) {
          failures += 1;
          console.error('failed during rotation:', err);
        }
      }
    })();

    let out = '';
    let err = '';
    const code = await runCli(['keys', 'rotate', '--reason', 'two-process test'], {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      env: env(),
      stdin: async () => '',
    });
    assert.equal(code, 0, err);
    const staged = (JSON.parse(out) as { staged: string[] }).staged;
    const started = Date.now();
    // Staging (2 s) + the schedule (every 1 s) + the watchers: both processes sign with the new key within seconds.
    for (;;) {
      const [ka, kb] = await Promise.all([activeKid(a.url), activeKid(b.url)]);
      if (ka === staged[0] && kb === staged[0]) break;
      assert.ok(Date.now() - started < 15_000, `both processes should sign with ${staged[0]} (now ${ka}, ${kb})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500)); // a few more requests on the new keys
    running = false;
    await load;
    assert.equal(failures, 0, `${failures} of ${requests + failures} requests failed`);
    assert.ok(requests >= 2, `requests during the rotation: ${requests}`);
    const activated = await database.db('audit_events').where({ type: 'key.activated' });
    assert.equal(activated.length, 1, 'one process performed the step');
    for (const node of nodes) assert.doesNotMatch(node.output.join(''), /"d":/, 'no private key material in the logs');
  });
});
