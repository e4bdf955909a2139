// What a careful operator expects of a deployment (issue 12, findings 9, 10, 11): official pages never link off-site,
// the dev mailbox (which shows codes and passwords) exists only where nothing could be delivered anyway, /metrics
// needs a credential in production, demo data never reaches production, and the upstream ID token kept for VNeID
// logout is sealed and lives no longer than the session.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { sweepOrphanUpstreamSessions } from '../../src/flows/federation/upstream-logout.js';
import { selfLink } from '../../src/core/self-link.js';
import { HOTLINE_HREF } from '../../src/core/hotline.js';
import { redeem } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';
import {
  authorize,
  federatedBrowser,
  signInWithVneid,
  startFederatedPair,
  type FederatedPair,
} from '../helpers/vneid.js';

/** GET with the path sent exactly as written (fetch would normalise `/./` and `//` away). */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

const productionEnv = (extra: Record<string, string> = {}) => ({
  NODE_ENV: 'production',
  ALLOW_EMBEDDED_IN_PRODUCTION: 'true',
  SMTP_URL: 'smtp://127.0.0.1:9',
  MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>',
  SMS_GATEWAY_URL: 'http://127.0.0.1:9/send',
  SMS_GATEWAY_SECRET: crypto.randomBytes(24).toString('base64url'),
  DEV_MAILBOX: '',
  ...extra,
});

function refused(env: Record<string, string | undefined>, variable: string) {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith(`${variable}:`)),
  );
}

describe('self-links never leave the site', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  for (const path of [
    '/.//evil.example/',
    '/.//evil.example/x?y=1',
    '/./\\evil.example/',
    '/%2F%2Fevil.example/',
    '/interaction/..//evil.example',
  ]) {
    it(`the page for ${path} links only to this site`, async () => {
      const res = await rawGet(t.url, path);
      assert.equal(res.status, 404);
      const links = hrefs(res.body);
      assert.ok(links.length > 0);
      for (const link of links) {
        if (link.startsWith('#')) continue; // the skip link to the content
        if (link === HOTLINE_HREF) continue; // the hotline, dialled (src/core/hotline.ts)
        assert.ok(link.startsWith('/') && !/^\/[/\\]/.test(link), `off-site link ${link} on ${path}`);
        assert.equal(new URL(link, t.url).origin, t.url);
      }
    });
  }

  for (const path of ['//[x', 'http://a:b', 'http://%zz/', '/%']) {
    it(`answers ${path}, which is no URL, with a page and not a 500`, async () => {
      const res = await rawGet(t.url, path);
      assert.ok(res.status === 404 || res.status === 400, `status ${res.status}`);
      assert.doesNotMatch(res.body, /at .*\.ts:\d+/, 'no stack trace');
    });
  }

  it('selfLink keeps a path on the site whatever it is given', () => {
    assert.equal(selfLink('/recovery/abc', '?lang=en'), '/recovery/abc?lang=en');
    assert.equal(selfLink('//evil.example/', '?lang=en'), '/evil.example/?lang=en');
    assert.equal(selfLink('/\\evil.example'), '/evil.example');
    assert.equal(selfLink('\\\\evil.example', 'lang=vi'), '/evil.example?lang=vi');
    assert.equal(selfLink('https://evil.example/'), '/https://evil.example/');
  });
});

describe('the dev mailbox exists only when asked for, never in production', () => {
  it('is on by default only in the pure embedded development default', () => {
    assert.equal(loadConfig({ NODE_ENV: 'development' }).devMailbox, true);
    assert.equal(loadConfig({ NODE_ENV: 'development', SMTP_URL: 'smtp://mail.example.vn' }).devMailbox, false);
    assert.equal(
      loadConfig({
        NODE_ENV: 'development',
        SMS_GATEWAY_URL: 'https://sms.example.vn',
        SMS_GATEWAY_SECRET: 'x'.repeat(20),
      }).devMailbox,
      false,
    );
    assert.equal(loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'postgres://db/x' }).devMailbox, false);
    assert.equal(loadConfig({ NODE_ENV: 'test' }).devMailbox, false);
    assert.equal(
      loadConfig({ NODE_ENV: 'development', SMTP_URL: 'smtp://mail.example.vn', DEV_MAILBOX: 'true' }).devMailbox,
      true,
    );
  });

  it('production refuses DEV_MAILBOX=true', () => {
    refused(productionEnv({ DEV_MAILBOX: 'true' }), 'DEV_MAILBOX');
  });

  it('with SMTP configured and no SMS gateway, /dev/mailbox does not exist and keeps no SMS', async () => {
    const t = await startTestServer({ env: { SMTP_URL: 'smtp://127.0.0.1:9', DEV_MAILBOX: '' } });
    try {
      assert.equal(t.server.devMailbox, undefined);
      const member = await t.createMember();
      // An office reset by SMS: the temporary password waits in the outbox (sealed), nowhere readable.
      await t.server.deps.temporaryPasswords.issue(member.id);
      for (const path of ['/dev/mailbox', '/dev/mailbox/1']) assert.equal((await fetch(`${t.url}${path}`)).status, 404);
    } finally {
      await t.close();
    }
  });
});

describe('production hygiene', () => {
  it('refuses SEED_DEMO=true in production', () => {
    refused(
      {
        ...productionEnv(),
        KEYS_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
        ISSUER: 'https://id.baohiemxahoi.gov.vn',
        SEED_DEMO: 'true',
      },
      'SEED_DEMO',
    );
  });

  it('/metrics in production answers only with METRICS_TOKEN, and not at all without one configured', async () => {
    const token = crypto.randomBytes(32).toString('base64url');
    const t = await startTestServer({ env: productionEnv({ METRICS_TOKEN: token }) });
    try {
      assert.equal((await fetch(`${t.url}/metrics`)).status, 401);
      assert.equal((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status, 401);
      assert.equal((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer ' } })).status, 401);
      const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /http_request_duration_seconds/);
    } finally {
      await t.close();
    }
    const closed = await startTestServer({ env: productionEnv() });
    try {
      const res = await fetch(`${closed.url}/metrics`);
      assert.equal(res.status, 404);
      assert.doesNotMatch(await res.text(), /process_cpu/);
    } finally {
      await closed.close();
    }
  });
});

describe('the upstream ID token kept for VNeID logout', () => {
  let pair: FederatedPair;
  let member: { id: string };
  before(async () => {
    pair = await startFederatedPair();
    member = await pair.t.createMember({ nationalId: pair.citizens.level2.nationalId });
  });
  after(() => pair.close());

  it('is sealed at rest and kept no longer than the session', async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const end = await signInWithVneid(pair, browser, request, pair.citizens.level2);
    await redeem(pair.rp, request, end.url);
    const rows = () => pair.t.db('flows').where({ kind: 'vneid_session' });
    await until('the upstream session is handed over to our session', async () => (await rows()).length === 1);
    const [row] = await rows();
    const text = JSON.stringify(row.data);
    assert.doesNotMatch(text, /eyJ/, 'no JWT in clear');
    assert.ok(!text.includes(pair.citizens.level2.nationalId), 'no national ID in clear');
    assert.ok((typeof row.data === 'string' ? JSON.parse(row.data) : row.data).idTokenSealed);
    const session = await pair.t.db('oidc_payloads').where({ model: 'Session', account_id: member.id }).first();
    assert.ok(
      new Date(row.expires_at).getTime() <= new Date(session.expires_at).getTime() + 1000,
      'expires with the session',
    );
    // The session ends some other way (a password change revokes every session): the sealed token goes too.
    await pair.t.db('oidc_payloads').where({ model: 'Session', account_id: member.id }).delete();
    assert.equal(await sweepOrphanUpstreamSessions(pair.t.db), 1);
    assert.equal((await rows()).length, 0);
  });

  it('is no longer kept in clear from before the upgrade (the migration drops clear copies)', async () => {
    const { up } = await import('../../migrations/20261203000500_seal_upstream_id_tokens.js');
    const expires_at = new Date(Date.now() + 3600_000);
    await pair.t.db('flows').insert([
      {
        id: 'vneid_session:old-1',
        kind: 'vneid_session',
        state: 'signed_in',
        data: JSON.stringify({ issuer: 'x', idToken: 'eyJold.token.here' }),
        expires_at,
      },
      {
        id: 'vneid_logout:keep-1',
        kind: 'vneid_logout',
        state: 'awaiting_return',
        data: JSON.stringify({ returnTo: '/' }),
        expires_at,
      },
    ]);
    await up(pair.t.db);
    const old = await pair.t.db('flows').where({ id: 'vneid_session:old-1' }).first();
    assert.deepEqual(typeof old.data === 'string' ? JSON.parse(old.data) : old.data, { issuer: 'x' });
    assert.ok(await pair.t.db('flows').where({ id: 'vneid_logout:keep-1' }).first(), 'other flows are untouched');
  });

  it('is sealed too while a VNeID identity waits for a password sign-in to link it', async () => {
    const browser = federatedBrowser(pair);
    const page = await signInWithVneid(pair, browser, await authorize(pair), pair.citizens.stranger);
    assert.equal(page.status, 200);
    const [pending] = await pair.t.db('flows').where({ kind: 'vneid_pending' });
    const data = typeof pending.data === 'string' ? JSON.parse(pending.data) : pending.data;
    assert.ok(data.idTokenSealed);
    assert.doesNotMatch(JSON.stringify(data), /eyJ/, 'no JWT in clear');
  });
});
