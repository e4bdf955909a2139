// The account page's password section (issue 16, item 6): the current password checked like a sign-in (and counted
// by the sign-in throttle), the new one under the one policy, the change through security/credential-change.ts —
// every other session, grant and token ends while this browser stays signed in — a notice on every channel, a
// recent sign-in required, and of two racing posts exactly one wins.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { confirmIdentity, signInToAccount } from '../helpers/account.js';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem, signIn } from '../helpers/oidc.js';
import { randomPassword, startTestServer, testClock, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://dichvucong.example.vn/auth/callback';

describe('account page: password', () => {
  let t: TestServer;
  const clock = testClock();
  let portal: oidc.Configuration;

  before(async () => {
    t = await startTestServer({
      clock,
      env: {
        ACCOUNT_REAUTH_SECONDS: '300',
        LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR: '4',
        LOGIN_FREE_FAILURES: '2',
        // Delays are recorded, not slept (startTestServer's sleep); a base above 0 makes answers "slowed".
        LOGIN_DELAY_BASE_MS: '100',
      },
    });
    const client = await t.createClient(
      {
        client_id: 'dichvucong-password',
        client_name: 'Cổng dịch vụ công (test)',
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT],
      },
      { firstParty: true },
    );
    portal = await discover(t.url, 'dichvucong-password', oidc.ClientSecretBasic(client.clientSecret!));
  });
  after(() => t.close());

  const unique = () => crypto.randomBytes(4).toString('hex');
  async function member() {
    const tag = unique();
    return t.createMember({
      email: `pw.${tag}@example.vn`,
      phoneNumber: `+8491${String(crypto.randomInt(0, 10_000_000)).padStart(7, '0')}`,
    });
  }

  async function passwordPage(m: { bhxhNumber: string; password: string }) {
    const { browser } = await signInToAccount(t, m, { path: '/account/password' });
    const page = await browser.get('/account/password');
    assert.equal(page.status, 200);
    assert.match(page.html, /name="current_password"/);
    return { browser, page };
  }

  const change = (browser: Browser, page: Page, fields: Record<string, string>) =>
    browser.submit(page, fields, '/account/password');

  /** Whether the number and password sign in on a fresh browser (the account page's own sign-in). */
  async function signsIn(bhxhNumber: string, password: string): Promise<boolean> {
    const browser = new Browser(t.url);
    const login = await browser.get('/account');
    const page = await browser.submit(login, { bhxh_number: bhxhNumber, password }, '/login');
    return new URL(page.url).pathname === '/account' && page.status === 200 && !page.html.includes('name="password"');
  }

  it('changes the password, keeps this browser signed in and ends every other session, grant and token', async () => {
    const m = await member();
    const account = (await t.server.deps.accounts.findById(m.id))!;
    // Elsewhere: another browser on the account page, and a relying party with a refresh token.
    const other = await signInToAccount(t, m);
    const app = await signIn(t.url, portal, m, {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    assert.ok(app.tokens.refresh_token);
    // In this browser too, a relying party signed in beside the account page: it loses its grant, not the browser.
    const { browser, page } = await passwordPage(m);
    const here = await authorizationRequest(portal, {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const hereTokens = await redeem(portal, here, (await browser.get(here.url.href)).url);
    assert.ok(hereTokens.refresh_token);
    const next = randomPassword();
    const done = await change(browser, page, {
      current_password: m.password,
      new_password: next,
      confirm_password: next,
    });
    assert.equal(done.status, 200);
    assert.equal(new URL(done.url).pathname, '/account/password');
    assert.equal(new URL(done.url).searchParams.get('done'), 'password', 'post/redirect/get');
    assert.match(done.html, /Đã đổi mật khẩu/);

    // This browser stays signed in: the account page answers without a sign-in.
    const still = await browser.get('/account');
    assert.equal(still.status, 200);
    assert.match(still.html, /id="sections"/);
    // The other browser's account page asks for the password again; the app's refresh token is dead.
    const gone = await other.browser.get('/account');
    assert.match(gone.html, /name="bhxh_number"/);
    for (const refreshToken of [app.tokens.refresh_token!, hereTokens.refresh_token!])
      await assert.rejects(
        oidc.refreshTokenGrant(portal, refreshToken),
        (err: { error?: string }) => err.error === 'invalid_grant',
      );
    // Only this browser's session is left, with the account page in it.
    const sessions = await t.db('oidc_payloads').where({ model: 'Session', account_id: m.id }).select('payload');
    assert.equal(sessions.length, 1);
    const payload = (
      typeof sessions[0].payload === 'string' ? JSON.parse(sessions[0].payload) : sessions[0].payload
    ) as {
      authorizations: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(payload.authorizations), ['bhxh-account']);

    assert.equal(await signsIn(m.bhxhNumber, m.password), false, 'the old password no longer works');
    assert.equal(await signsIn(m.bhxhNumber, next), true, 'the new one does');

    const changed = (await t.server.deps.accounts.findById(m.id))!;
    assert.equal(changed.credentialVersion, account.credentialVersion + 1, 'the credential version moved');
    const notices = await t
      .db('outbox')
      .where({ purpose: 'password_changed' })
      .whereIn('recipient', [account.email!, account.phoneNumber!])
      .select('channel');
    assert.deepEqual(notices.map((n: { channel: string }) => n.channel).sort(), ['email', 'sms']);
    const audit = await t.db('audit_events').where({ account_id: m.id, type: 'password.changed', outcome: 'success' });
    assert.equal(audit.length, 1);
    const detail = typeof audit[0].detail === 'string' ? JSON.parse(audit[0].detail) : audit[0].detail;
    assert.equal(detail.via, 'account');
    assert.ok(!JSON.stringify(audit).includes(next), 'no password in the audit trail');
  });

  it('refuses bad input with the field marked and nothing changed', async () => {
    const m = await member();
    const { browser, page } = await passwordPage(m);
    const cases: Array<[Record<string, string>, number, RegExp, string[]]> = [
      [
        { current_password: '', new_password: 'một câu dài đủ', confirm_password: 'một câu dài đủ' },
        400,
        /Vui lòng nhập mật khẩu hiện tại/,
        ['current_password'],
      ],
      [
        { current_password: m.password, new_password: 'ngắn', confirm_password: 'ngắn' },
        400,
        /ít nhất 8 ký tự/,
        ['new_password'],
      ],
      [
        { current_password: m.password, new_password: 'matkhau123', confirm_password: 'matkhau123' },
        400,
        /quá phổ biến/,
        ['new_password'],
      ],
      [
        { current_password: m.password, new_password: `so ${m.bhxhNumber}`, confirm_password: `so ${m.bhxhNumber}` },
        400,
        /không được chứa mã số BHXH/,
        ['new_password'],
      ],
      [
        { current_password: m.password, new_password: 'một câu dài đủ', confirm_password: 'một câu khác hẳn' },
        400,
        /Hai mật khẩu không giống nhau/,
        ['new_password', 'confirm_password'],
      ],
      [
        { current_password: 'not the password', new_password: 'một câu dài đủ', confirm_password: 'một câu dài đủ' },
        400,
        /Mật khẩu hiện tại không đúng/,
        ['current_password'],
      ],
      [
        { current_password: m.password, new_password: m.password, confirm_password: m.password },
        400,
        /phải khác mật khẩu hiện tại/,
        ['new_password'],
      ],
    ];
    for (const [fields, status, message, marked] of cases) {
      const answer = await change(browser, page, fields);
      assert.equal(answer.status, status, `${JSON.stringify(fields)}: ${answer.html.slice(0, 300)}`);
      assert.match(answer.html, message);
      for (const name of ['current_password', 'new_password', 'confirm_password']) {
        const input = new RegExp(`<input[^>]*id="${name}"[^>]*>`).exec(answer.html)![0];
        assert.equal(input.includes('aria-invalid="true"'), marked.includes(name), `${name} in ${message}`);
      }
      assert.ok(!answer.html.includes(m.password) || fields.current_password === '', 'no password echoed');
    }
    assert.equal(await signsIn(m.bhxhNumber, m.password), true, 'nothing changed');
    // A forged post (no CSRF token) changes nothing either.
    const forged = await browser.request('/account/password', {
      form: { current_password: m.password, new_password: 'một câu dài đủ', confirm_password: 'một câu dài đủ' },
    });
    assert.ok(forged.status >= 400 && forged.status < 500, `CSRF refused: ${forged.status}`);
    assert.equal(await signsIn(m.bhxhNumber, m.password), true);
  });

  it('counts a wrong current password as a failed sign-in of the number', async () => {
    const m = await member();
    const { browser, page } = await passwordPage(m);
    const wrong = {
      current_password: 'sai mật khẩu rồi',
      new_password: 'một câu dài đủ',
      confirm_password: 'một câu dài đủ',
    };
    // LOGIN_FREE_FAILURES=2: the third failure says answers are slowed.
    await change(browser, page, wrong);
    await change(browser, page, wrong);
    const slowed = await change(browser, page, wrong);
    assert.equal(slowed.status, 400);
    assert.match(slowed.html, /trả lời chậm hơn/);
    // The sign-in page of the same number is slowed too: one throttle, not a copy.
    const elsewhere = new Browser(t.url);
    const login = await elsewhere.get('/account');
    const signInAnswer = await elsewhere.submit(login, { bhxh_number: m.bhxhNumber, password: 'sai nữa' }, '/login');
    assert.match(signInAnswer.html, /trả lời chậm hơn|xác minh/);
    // Past LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR (4) the form asks for the captcha, even with the right password.
    const captcha = await change(browser, page, {
      current_password: m.password,
      new_password: 'một câu dài đủ',
      confirm_password: 'một câu dài đủ',
    });
    assert.equal(captcha.status, 400);
    assert.match(captcha.html, /altcha/);
    const failures = await t
      .db('audit_events')
      .where({ account_id: m.id, type: 'password.changed', outcome: 'failure' });
    assert.ok(failures.length >= 3);
  });

  it('needs a recent sign-in: an old one changes nothing and the page asks to confirm it is you', async () => {
    const m = await member();
    const { browser, page } = await passwordPage(m);
    clock.advance(301);
    const next = randomPassword();
    const refused = await change(browser, page, {
      current_password: m.password,
      new_password: next,
      confirm_password: next,
    });
    assert.equal(new URL(refused.url).searchParams.get('confirm'), '1');
    assert.match(refused.html, /id="confirm-identity"/);
    assert.match(refused.html, /Chưa có thay đổi nào được lưu/);
    assert.ok(!refused.html.includes('name="current_password"'), 'the form waits for the confirmation');
    assert.equal(await signsIn(m.bhxhNumber, m.password), true, 'nothing changed');

    const confirmed = await confirmIdentity(browser, m, '/account/password');
    assert.equal(new URL(confirmed.url).pathname, '/account/password');
    assert.match(confirmed.html, /name="current_password"/);
    const done = await change(browser, confirmed, {
      current_password: m.password,
      new_password: next,
      confirm_password: next,
    });
    assert.equal(new URL(done.url).searchParams.get('done'), 'password');
  });

  it('lets exactly one of two parallel changes with the same current password win', async () => {
    const m = await member();
    const { browser, page } = await passwordPage(m);
    const [a, b] = [randomPassword(), randomPassword()];
    const answers = await Promise.all([
      change(browser, page, { current_password: m.password, new_password: a, confirm_password: a }),
      change(browser, page, { current_password: m.password, new_password: b, confirm_password: b }),
    ]);
    const won = answers.filter((p) => new URL(p.url).searchParams.get('done') === 'password');
    assert.equal(won.length, 1, answers.map((p) => `${p.status} ${p.url}`).join(', '));
    const lost = answers.find((p) => !won.includes(p))!;
    assert.ok([400, 409].includes(lost.status), `the other is refused: ${lost.status}`);
    const winner = answers[0] === won[0] ? a : b;
    assert.equal(await signsIn(m.bhxhNumber, winner), true);
    assert.equal(await signsIn(m.bhxhNumber, winner === a ? b : a), false);
    const changes = await t
      .db('audit_events')
      .where({ account_id: m.id, type: 'password.changed', outcome: 'success' });
    assert.equal(changes.length, 1);
  });
});
