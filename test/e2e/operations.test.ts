// What an operator relies on: health, readiness, metrics, the audit trail, security headers, graceful shutdown.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, signIn } from '../helpers/oidc.js';
import { randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';

const redirect_uri = 'http://127.0.0.1:41000/callback';

describe('operations', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
  });
  after(() => t.close());

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${t.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });

  it('exposes Prometheus metrics, including sign-in outcomes', async () => {
    const member = await t.createMember();
    await signIn(t.url, await discover(t.url, 'vssid'), member, { redirect_uri });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(text, /http_request_duration_seconds_bucket\{/);
    assert.match(text, /bhxh_sign_in_attempts_total\{outcome="success"\} [1-9]/);
    assert.match(text, /process_cpu_seconds_total/);
  });

  it('writes an audit event for sign-in success and failure without any secret', async () => {
    const member = await t.createMember();
    const config = await discover(t.url, 'vssid');
    const browser = new Browser(t.url);
    const request = await authorizationRequest(config, { redirect_uri });
    const page = await browser.get(request.url.href);
    const wrong = randomPassword();
    await browser.submit(page, { bhxh_number: member.bhxhNumber, password: wrong }, '/login');
    const again = await browser.get(page.url);
    await browser.submit(again, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');

    const rows = await t.db('audit_events').where({ type: 'sign_in' }).orderBy('id');
    const failure = rows.find(
      (r) => r.outcome === 'failure' && (r.detail as { reason?: string }).reason === 'wrong_password',
    );
    const success = rows.find((r) => r.outcome === 'success' && r.account_id === member.id);
    assert.ok(failure, 'a failure row');
    assert.ok(success, 'a success row');
    const dump = JSON.stringify(await t.db('audit_events').select('*'));
    assert.ok(!dump.includes(wrong) && !dump.includes(member.password), 'no password in the audit trail');
    assert.ok(!dump.includes(member.bhxhNumber), 'the audit trail names accounts by opaque id');
  });

  it('sends security headers on pages and a request id on every response', async () => {
    const res = await fetch(`${t.url}/`);
    assert.match(res.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('strict-transport-security'), null, 'no HSTS over http');
    assert.match(res.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
    const jwks = await fetch(`${t.url}/jwks`);
    assert.match(jwks.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
  });

  it('marks its cookies HttpOnly and SameSite', async () => {
    const config = await discover(t.url, 'vssid');
    const request = await authorizationRequest(config, { redirect_uri });
    const res = await fetch(request.url, { redirect: 'manual' });
    const cookies = res.headers.getSetCookie();
    assert.ok(cookies.length > 0);
    for (const cookie of cookies) {
      assert.match(cookie, /httponly/i, cookie);
      assert.match(cookie, /samesite=lax/i, cookie);
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight before closing', async () => {
    // The progressive delay is the injected sleep: it holds a sign-in request inside the server until released.
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const t = await startTestServer({
      env: { LOGIN_FREE_FAILURES: '0', LOGIN_DELAY_BASE_MS: '1' },
      sleep: () =>
        new Promise<void>((resolve) => {
          release = resolve;
          entered();
        }),
    });
    let closed = false;
    try {
      await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
      const member = await t.createMember();
      const config = await discover(t.url, 'vssid');
      const browser = new Browser(t.url);
      const request = await authorizationRequest(config, { redirect_uri });
      // First a failure (no delay yet), so the next attempt waits in the injected sleep.
      const page = await browser.get(request.url.href);
      await browser.submit(page, { bhxh_number: member.bhxhNumber, password: randomPassword() }, '/login');
      const form = await browser.get(page.url);
      const csrf = form.html.match(/name="csrf" value="([^"]+)"/)![1]!;
      const action = new URL(form.html.match(/action="([^"]+\/login)"/)![1]!, t.url).href;
      // The request itself, without following its redirect (the next request would go to another node).
      const pending = fetch(action, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, bhxh_number: member.bhxhNumber, password: member.password }).toString(),
      });
      await inside;
      const closing = t.server.close().then(() => (closed = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(closed, false, 'close waits for the request in flight');
      release();
      const end = await pending;
      assert.equal(end.status, 303, 'the sign-in completed normally');
      assert.match(end.headers.get('location')!, /\/auth\//);
      await closing;
      assert.equal(closed, true);
    } finally {
      if (!closed) await t.server.close();
      await t.close().catch(() => {});
    }
  });
});
