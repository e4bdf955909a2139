// Finding 4 of issue 12: per-address limits hold behind a trusted proxy. The proxy appends the address it saw to
// X-Forwarded-For (rightmost); everything to its left is written by the client and must not pick the budget. IPv6
// addresses count per /64. Driven over HTTP as an attacker would: a client that rewrites the leftmost entry on every
// request, and a client that walks through the addresses of its /64.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, type oidc } from '../helpers/oidc.js';
import { solveCaptcha } from '../helpers/recovery.js';
import { randomBhxhNumber, randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { addressBucket, clientAddressFrom } from '../../src/security/client-address.js';

const redirect_uri = 'http://127.0.0.1:53123/callback';
const randomV4 = () =>
  `${crypto.randomInt(1, 224)}.${crypto.randomInt(0, 256)}.${crypto.randomInt(0, 256)}.${crypto.randomInt(1, 255)}`;
const randomGroup = () => crypto.randomInt(0, 0x10000).toString(16);
let realAddressCounter = 0;
/** A fresh "real" address per test (the one the proxy sees), so tests do not share budgets. */
const realAddress = () => `203.0.113.${++realAddressCounter}`;

/** A browser behind our proxy whose client writes a new leftmost X-Forwarded-For entry on every request. */
function rotatingClient(origin: string, real: string): Browser {
  const browser = new Browser(origin);
  browser.headers = () => ({ 'x-forwarded-for': `${randomV4()}, ${real}` });
  return browser;
}

describe('client addresses behind a trusted proxy (TRUSTED_PROXY_HOPS=1)', () => {
  let t: TestServer;
  let config: oidc.Configuration;

  before(async () => {
    t = await startTestServer({
      env: {
        // TRUST_PROXY=true is the deprecated spelling of one hop; both are given so the test also runs against it.
        TRUST_PROXY: 'true',
        TRUSTED_PROXY_HOPS: '1',
        CAPTCHA_NOJS_PER_IP_PER_HOUR: '2',
        RECOVERY_CODES_PER_IP_PER_HOUR: '3',
        LOGIN_IP_MAX_FAILURES_PER_HOUR: '3',
      },
    });
    const [vssid] = demoClients(t.url);
    await t.createClient(vssid!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(() => t.close());

  async function addressPage(browser: Browser): Promise<Page> {
    const page = await browser.get('/recovery');
    assert.equal(page.status, 200, page.html.slice(0, 300));
    return page;
  }

  async function loginPage(browser: Browser): Promise<Page> {
    const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
    const page = await browser.get(request.url.href);
    assert.ok(page.html.includes('name="bhxh_number"'), `the sign-in page, got ${page.status}`);
    return page;
  }

  it("sets up oidc-provider's own Koa app to derive the address the same way", () => {
    const provider = t.server.deps.provider();
    assert.equal(provider.proxy, true);
    assert.equal(provider.maxIpsCount, 1);
  });

  it('keeps the no-JavaScript captcha budget per real address when the client rotates the leftmost entry', async () => {
    const browser = rotatingClient(t.url, realAddress());
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await addressPage(browser);
      const answer = await browser.submit(
        page,
        { bhxh_number: randomBhxhNumber(), email: `nobody${i}@example.vn` },
        '/address',
      );
      statuses.push(answer.status);
    }
    assert.deepEqual(statuses, [200, 200, 429, 429, 429]);
  });

  it('keeps the codes-per-address limit per real address when the client rotates the leftmost entry', async () => {
    const browser = rotatingClient(t.url, realAddress());
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await addressPage(browser);
      const answer = await browser.submit(
        page,
        { bhxh_number: randomBhxhNumber(), email: `nobody${i}@example.vn`, altcha: await solveCaptcha(t.url) },
        '/address',
      );
      statuses.push(answer.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });

  it('keeps the sign-in failures per real address when the client rotates the leftmost entry', async () => {
    const browser = rotatingClient(t.url, realAddress());
    const page = await loginPage(browser);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await browser.submit(page, { bhxh_number: randomBhxhNumber(), password: randomPassword() }, '/login')).status,
      );
    assert.deepEqual(statuses, [400, 400, 400, 429, 429]);
  });

  it('counts 24 requests from different addresses of one IPv6 /64 against one budget', async () => {
    const prefix = `2001:db8:${randomGroup()}:${randomGroup()}`;
    const browser = new Browser(t.url);
    browser.headers = () => ({
      'x-forwarded-for': `${prefix}:${randomGroup()}:${randomGroup()}:${randomGroup()}:${randomGroup()}`,
    });
    const page = await loginPage(browser);
    const answers = await Promise.all(
      Array.from({ length: 24 }, () =>
        browser.submit(page, { bhxh_number: randomBhxhNumber(), password: randomPassword() }, '/login'),
      ),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 400).length, 3, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 21);
  });
});

describe('how a client address is derived and bucketed', () => {
  it('takes the entry the outermost trusted proxy appended, counting hops from the right', () => {
    assert.equal(clientAddressFrom('6.6.6.6, 203.0.113.9', '10.0.0.1', 1), '203.0.113.9');
    assert.equal(clientAddressFrom('6.6.6.6, 203.0.113.9, 10.0.0.2', '10.0.0.1', 2), '203.0.113.9');
    assert.equal(clientAddressFrom('6.6.6.6, 203.0.113.9', '10.0.0.1', 0), '10.0.0.1', 'no hop trusted: the socket');
    assert.equal(clientAddressFrom(undefined, '10.0.0.1', 1), '10.0.0.1', 'no header: the socket');
  });

  it('buckets IPv6 by /64 and IPv4-mapped IPv6 as IPv4', () => {
    assert.equal(addressBucket('2001:db8:1:2:aaaa::1'), addressBucket('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    assert.notEqual(addressBucket('2001:db8:1:2::1'), addressBucket('2001:db8:1:3::1'));
    assert.equal(addressBucket('::ffff:198.51.100.7'), '198.51.100.7');
    assert.equal(addressBucket('198.51.100.7'), '198.51.100.7');
  });
});
