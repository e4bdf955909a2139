// Finding 6 of issue 12: nobody can lock a member out by typing wrong passwords for her number. Past the per-number
// failures the sign-in page asks for a captcha (and keeps the progressive delay), but the right password with a
// solved captcha signs in; a password reset clears the number's failures; a temporary password works on a hot number.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, type oidc } from '../helpers/oidc.js';
import { choosePassword, enterCode, requestCode, solveCaptcha } from '../helpers/recovery.js';
import { randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { codeIn, startInbox, type Inbox } from '../helpers/smtp.js';
import { demoClients } from '../../src/dev/seed-demo.js';

const redirect_uri = 'http://127.0.0.1:53123/callback';

async function startWithVssid(env: Record<string, string>): Promise<{ t: TestServer; config: oidc.Configuration }> {
  const t = await startTestServer({ env });
  const [vssid] = demoClients(t.url);
  await t.createClient(vssid!.metadata, { firstParty: true });
  return { t, config: await discover(t.url, 'vssid') };
}

async function openLogin(config: oidc.Configuration, browser: Browser): Promise<Page> {
  const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
  const page = await browser.get(request.url.href);
  assert.ok(page.html.includes('name="bhxh_number"'), `the sign-in page, got ${page.status}`);
  return page;
}

const signedIn = (page: Page) => page.url.startsWith(redirect_uri) && new URL(page.url).searchParams.has('code');
const asksForCaptcha = (page: Page) => page.html.includes('<altcha-widget');

/** `n` wrong passwords for a number, `parallel` at a time, each from a new browser (an attacker's). */
async function hammer(
  t: TestServer,
  config: oidc.Configuration,
  bhxhNumber: string,
  n: number,
  parallel: number,
): Promise<number[]> {
  const statuses: number[] = [];
  for (let done = 0; done < n; done += parallel) {
    const batch = Array.from({ length: Math.min(parallel, n - done) }, async () => {
      const browser = new Browser(t.url);
      const page = await openLogin(config, browser);
      return (await browser.submit(page, { bhxh_number: bhxhNumber, password: randomPassword() }, '/login')).status;
    });
    statuses.push(...(await Promise.all(batch)));
  }
  return statuses;
}

describe('no lock-out by number (default limits)', () => {
  let t: TestServer;
  let config: oidc.Configuration;
  before(async () => {
    ({ t, config } = await startWithVssid({ LOGIN_DELAY_BASE_MS: '500' }));
  });
  after(() => t.close());

  it('signs the member in with the right password and a solved captcha after 101 wrong passwords (25 in parallel)', async () => {
    const member = await t.createMember();
    const statuses = await hammer(t, config, member.bhxhNumber, 101, 25);
    assert.ok(
      statuses.every((s) => s === 400),
      `wrong passwords answer 400, never 429: ${statuses.join(',')}`,
    );

    const browser = new Browser(t.url);
    const page = await openLogin(config, browser);
    const withoutCaptcha = await browser.submit(
      page,
      { bhxh_number: member.bhxhNumber, password: member.password },
      '/login',
    );
    assert.notEqual(withoutCaptcha.status, 429, 'not refused for an hour');
    assert.equal(withoutCaptcha.headers.get('retry-after'), null);
    assert.ok(asksForCaptcha(withoutCaptcha), 'the page asks for the captcha');
    assert.ok(!signedIn(withoutCaptcha), 'no sign-in without the captcha on a hot number');

    const right = await browser.submit(
      withoutCaptcha,
      { bhxh_number: member.bhxhNumber, password: member.password, altcha: await solveCaptcha(t.url) },
      '/login',
    );
    assert.ok(signedIn(right), `signed in, got ${right.status} ${right.url}`);
    assert.equal(
      t.sleeps.at(-1),
      t.server.config.loginThrottle.delayMaxMs,
      'the progressive delay is kept (recorded, not slept)',
    );
  });
});

describe('no lock-out by number (LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR=5)', () => {
  let t: TestServer;
  let config: oidc.Configuration;
  let inbox: Inbox;
  before(async () => {
    inbox = await startInbox();
    ({ t, config } = await startWithVssid({
      LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR: '5',
      SMTP_URL: inbox.url,
      MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>',
    }));
  });
  after(async () => {
    await t.close();
    await inbox.close();
  });

  it('lifts the number’s failures once the member has reset her password', async () => {
    const email = `reset.${crypto.randomBytes(4).toString('hex')}@example.vn`;
    const member = await t.createMember({ email, emailVerified: true });
    await hammer(t, config, member.bhxhNumber, 8, 4);

    const reset = new Browser(t.url);
    const address = await reset.get('/recovery');
    const codePage = await requestCode(reset, t.url, address, member.bhxhNumber, email);
    await t.server.outboxWorker.runOnce();
    const code = codeIn(
      inbox
        .for(email)
        .filter((m) => /Mã xác thực/.test(m.subject ?? ''))
        .at(-1)!,
    );
    const passwordPage = await enterCode(reset, codePage, code);
    const chosen = randomPassword();
    const done = await choosePassword(reset, passwordPage, chosen);
    assert.equal(done.status, 200, done.html.slice(0, 300));

    const browser = new Browser(t.url);
    const page = await openLogin(config, browser);
    const answer = await browser.submit(page, { bhxh_number: member.bhxhNumber, password: chosen }, '/login');
    assert.ok(signedIn(answer), `signed in without a captcha after the reset, got ${answer.status}`);
  });

  it('takes a temporary password while the number is hot', async () => {
    const member = await t.createMember();
    await hammer(t, config, member.bhxhNumber, 8, 4);
    const { password: temporary } = await t.server.deps.temporaryPasswords.issue(member.id);

    const browser = new Browser(t.url);
    const page = await openLogin(config, browser);
    const answer = await browser.submit(
      page,
      { bhxh_number: member.bhxhNumber, password: temporary, altcha: await solveCaptcha(t.url) },
      '/login',
    );
    assert.notEqual(answer.status, 429);
    assert.ok(answer.html.includes('name="new_password"'), `the new-password step, got ${answer.status}`);
  });
});
