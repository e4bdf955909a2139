// Three server processes (src/main.ts) on one PostgreSQL database behind the round-robin balancer of
// bench/cluster-lib.ts: a sign-in, refresh-token rotation and a password reset by email code complete although every
// request of a flow is answered by a different node than the one before. PostgreSQL only: PGlite is one process.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../../bench/cluster-lib.js';
import { createAccountRepository } from '../../src/accounts/account-repository.js';
import { createClientRepository } from '../../src/clients/client-repository.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { createSealer } from '../../src/keys/sealer.js';
import { createPasswordHasher } from '../../src/methods/password/hasher.js';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem, signIn, signInOnPage } from '../helpers/oidc.js';
import { choosePassword, enterCode, requestCode } from '../helpers/recovery.js';
import { createTestDatabase, randomBhxhNumber, randomPassword, usingPostgres } from '../helpers/server.js';
import { codeIn, startInbox, type Inbox } from '../helpers/smtp.js';

const REDIRECT_URI = 'http://127.0.0.1/callback';

/** Every request the test makes to the balancer (the browser's and openid-client's), with the node that answered. */
interface Hop {
  method: string;
  path: string;
  status: number;
  node: string | null;
}

function assertAlternating(hops: Hop[], what: string) {
  const trail = hops.map((h) => `${h.method} ${h.path} → ${h.status} ${h.node}`).join('\n  ');
  assert.ok(hops.length >= 3, `${what}: expected several requests, got\n  ${trail}`);
  assert.ok(
    hops.every((h) => h.node),
    `${what}: every answer names its node\n  ${trail}`,
  );
  for (let i = 1; i < hops.length; i++)
    assert.notEqual(hops[i]!.node, hops[i - 1]!.node, `${what}: two consecutive requests on one node\n  ${trail}`);
  assert.ok(new Set(hops.map((h) => h.node)).size >= 2, `${what}: at least two nodes\n  ${trail}`);
}

describe('a cluster of three processes behind a load balancer (PostgreSQL)', {
  skip: usingPostgres ? false : 'needs PostgreSQL (TEST_DATABASE_URL): PGlite is a single process',
}, () => {
  const encryptionKey = crypto.randomBytes(32);
  const hasher = createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let cluster: Cluster;
  let inbox: Inbox;
  let dataDir: string;
  let config: oidc.Configuration;
  const realFetch = globalThis.fetch;
  let hops: Hop[] = [];

  async function createMember(email: string) {
    const member = { bhxhNumber: randomBhxhNumber(), password: randomPassword(), email };
    const account = await createAccountRepository(database.db).create({
      bhxhNumber: member.bhxhNumber,
      fullName: 'Nguyễn Thị Cụm',
      birthdate: '1992-03-04',
      email,
      emailVerified: true,
      passwordHash: await hasher.hash(member.password),
    });
    return { ...member, id: account.id };
  }

  /** Runs `fn` and returns the hops it made through the balancer. */
  async function recording(fn: () => Promise<void>): Promise<Hop[]> {
    hops = [];
    await fn();
    return hops;
  }

  before(async () => {
    database = await createTestDatabase();
    inbox = await startInbox();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-cluster-'));
    await createClientRepository(database.db, createSealer(encryptionKey)).create(demoClients('')[0]!.metadata, {
      firstParty: true,
    });
    cluster = await startCluster({
      nodes: 3,
      databaseUrl: database.url!,
      env: {
        KEYS_ENCRYPTION_KEY: encryptionKey.toString('base64'),
        DATA_DIR: dataDir,
        DATABASE_POOL_MAX: '4',
        SMTP_URL: inbox.url,
        SMTP_REQUIRE_TLS: 'false',
        MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>',
        OUTBOX_POLL_MS: '200',
        CAPTCHA_MAX_NUMBER: '1000',
        LOGIN_DELAY_BASE_MS: '0',
      },
    });
    globalThis.fetch = async (input, init) => {
      const res = await realFetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.origin === cluster.url) {
        hops.push({
          method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
          path: url.pathname,
          status: res.status,
          node: res.headers.get('x-served-by'),
        });
      }
      return res;
    };
    config = await discover(cluster.url, 'vssid');
  });

  after(async () => {
    globalThis.fetch = realFetch;
    await cluster?.close();
    await inbox?.close();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs a member in with every hop of the flow on a different node than the one before', async () => {
    const member = await createMember('cluster.signin@example.vn');
    let sub: string | undefined;
    const trail = await recording(async () => {
      const browser = new Browser(cluster.url);
      const request = await authorizationRequest(await discover(cluster.url, 'vssid'), {
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
      });
      const end = await signInOnPage(browser, request, member.bhxhNumber, member.password);
      assert.ok(end.url.startsWith(REDIRECT_URI), `${end.status} ${end.url}`);
      const tokens = await redeem(config, request, end.url);
      sub = tokens.claims()!.sub;
      assert.equal(tokens.claims()!.iss, cluster.url, 'the balancer is the issuer');
    });
    assert.equal(sub, member.id);
    assert.deepEqual(
      trail.map((h) => h.path.replace(/\/(interaction|auth)\/[^/]+/, '/$1/UID')),
      [
        '/.well-known/openid-configuration',
        '/auth',
        '/interaction/UID',
        '/interaction/UID/login',
        '/auth/UID',
        '/token',
      ],
    );
    assertAlternating(trail, 'sign-in');
    assert.equal(new Set(trail.map((h) => h.node)).size, 3, 'all three nodes took part');
  });

  it('rotates refresh tokens across the nodes, and a replayed one still revokes the grant everywhere', async () => {
    const member = await createMember('cluster.refresh@example.vn');
    const { tokens } = await signIn(cluster.url, config, member, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const first = tokens.refresh_token!;
    assert.ok(first);
    let current = first;
    const seen = new Set([first]);
    const trail = await recording(async () => {
      for (let i = 0; i < 4; i++) {
        const next = await oidc.refreshTokenGrant(config, current);
        assert.ok(next.refresh_token && !seen.has(next.refresh_token), 'a new refresh token each time');
        seen.add(next.refresh_token);
        current = next.refresh_token;
        const info = await oidc.fetchUserInfo(config, next.access_token, member.id);
        assert.equal(info.sub, member.id);
      }
    });
    assertAlternating(trail, 'refresh');
    const tokenNodes = new Set(trail.filter((h) => h.path === '/token').map((h) => h.node));
    assert.ok(tokenNodes.size >= 2, `refreshes answered by ${[...tokenNodes].join(', ')}`);

    // The first (rotated) token presented again, on whichever node: the grant ends, the latest token with it.
    await assert.rejects(
      oidc.refreshTokenGrant(config, first),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
    await assert.rejects(
      oidc.refreshTokenGrant(config, current),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
  });

  it('resets a password by email code across the nodes, then signs in with the new one', async () => {
    const email = 'cluster.reset@example.vn';
    const member = await createMember(email);
    const newPassword = randomPassword();
    const trail = await recording(async () => {
      const browser = new Browser(cluster.url);
      const addressPage = await browser.get('/recovery');
      assert.equal(addressPage.status, 200);
      // The captcha challenge comes from one node and its solution is checked by another.
      const codePage = await requestCode(browser, cluster.url, addressPage, member.bhxhNumber, email);
      assert.equal(codePage.status, 200, codePage.html.slice(0, 500));
      assert.match(codePage.html, /name="code"/);
      // Whichever node's outbox worker claims the message sends it.
      const passwordPage = await enterCode(browser, codePage, codeIn(await inbox.next(email, 20_000)));
      assert.match(passwordPage.html, /name="new_password"/);
      const done = await choosePassword(browser, passwordPage, newPassword);
      assert.equal(done.status, 200);
      assert.match(done.html, /Đã đổi mật khẩu/);
    });
    assertAlternating(trail, 'password reset');

    await assert.rejects(
      signIn(cluster.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' }),
      /expected a redirect to the client/,
    );
    const { tokens } = await signIn(
      cluster.url,
      config,
      { ...member, password: newPassword },
      { redirect_uri: REDIRECT_URI, scope: 'openid' },
    );
    assert.equal(tokens.claims()!.sub, member.id);
    const notice = await inbox.next(email, 20_000);
    assert.doesNotMatch(notice.text ?? '', new RegExp(newPassword));
    assert.equal(inbox.for(email).length, 2, 'the code and the "password changed" notice, once each');
  });

  it('spreads the requests over every node', () => {
    const stats = cluster.stats();
    for (const node of cluster.nodes)
      assert.ok((stats.byNode[node.name] ?? 0) > 3, `${node.name}: ${stats.byNode[node.name]} requests`);
    assert.equal(stats.badGateway + stats.noNode, 0);
  });
});
