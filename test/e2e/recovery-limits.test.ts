// The limits of the password reset by email code, over HTTP against a real server and a real SMTP inbox: code expiry,
// single use, five tries per code (also under 20 parallel guesses), resend cooldown, codes per account and per
// address per hour, the no-JavaScript captcha budget, revocation with back-channel logout, English pages, and bad
// input that must never become a 500.
//
// Time is the server's injected clock (testClock): the code store, the flows and the outbox follow it, so nothing here
// waits on the wall clock. Mail is delivered explicitly with outboxWorker.runOnce(); waits on other processes (the
// back-channel receiver) are bounded promises. Passwords are generated at run time.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { Browser, type Page } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, signIn } from '../helpers/oidc.js';
import {
  choosePassword,
  enterCode,
  formOf,
  normalise,
  postForm,
  requestCode,
  solveCaptcha,
} from '../helpers/recovery.js';
import { randomBhxhNumber, randomPassword, startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { codeIn, startInbox } from '../helpers/smtp.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { withTimeout } from '../helpers/until.js';

const MAIL_FROM = 'BHXH ID <no-reply@baohiemxahoi.gov.vn>';
const REDIRECT_URI = 'http://127.0.0.1:43210/callback';
const TTL_SECONDS = 600; // RECOVERY_CODE_TTL_SECONDS default
const COOLDOWN_SECONDS = 60; // RECOVERY_CODE_COOLDOWN_SECONDS default

/** What the pages say (Vietnamese unless noted). */
const TEXT = {
  addressTitle: 'Lấy lại mật khẩu',
  codeTitle: 'Nhập mã xác thực (OTP)',
  wrong: 'Mã xác thực không đúng.',
  dead: 'Mã xác thực đã hết hạn, đã được thay bằng mã mới hơn hoặc đã bị nhập sai quá nhiều lần. Vui lòng gửi lại mã mới.',
  resent: 'Nếu thông tin khớp với một tài khoản và giới hạn bên dưới cho phép, một mã mới đã được gửi',
  repeat: 'Bạn vừa yêu cầu mã cách đây chưa đầy 60 giây nên chúng tôi không gửi mã mới.',
  ipLimit: 'Có quá nhiều yêu cầu từ mạng của bạn. Vui lòng thử lại sau một giờ hoặc dùng cách khác bên dưới.',
  captcha: 'Không xác minh được bạn không phải là máy. Vui lòng thử lại.',
  sessionExpired:
    'Vì lý do an toàn, mỗi lần đăng nhập chỉ có hiệu lực trong một thời gian giới hạn. Vui lòng quay lại ứng dụng và đăng nhập lại.',
  emailFormat: 'Địa chỉ email không hợp lệ. Vui lòng kiểm tra lại.',
  numberFormat: 'Mã số BHXH gồm đúng 10 chữ số. Vui lòng kiểm tra lại.',
  csrf: 'Biểu mẫu đã hết hạn hoặc không hợp lệ.',
  generic500: 'Đã xảy ra lỗi. Vui lòng thử lại sau.',
} as const;

/** A unique address per test, so counting mail for it counts only that test's mail. */
function uniqueEmail(label: string): string {
  return `${label}.${crypto.randomBytes(4).toString('hex')}@example.vn`;
}

/** `n` six-digit codes, all different from `right`. */
function wrongCodes(right: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'));
}

function flowIdOf(url: string): string {
  const id = new URL(url).pathname.match(/^\/recovery\/([A-Za-z0-9_-]+)/)?.[1];
  assert.ok(id, `a recovery flow URL: ${url}`);
  return id;
}

/** POSTs a form body as `browser` (with its cookies) without following the redirect. */
function rawPost(browser: Browser, url: string, body: URLSearchParams | string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

/** A page a person can read: HTML, a heading, and never the 500 page. */
function assertReadable(
  page: { status: number; html: string; headers: Headers },
  status: number | number[],
  what: string,
) {
  const allowed = Array.isArray(status) ? status : [status];
  assert.ok(
    allowed.includes(page.status),
    `${what}: status ${page.status}, expected ${allowed.join(' or ')}\n${page.html.slice(0, 600)}`,
  );
  assert.match(page.headers.get('content-type') ?? '', /text\/html/, `${what}: an HTML page`);
  assert.match(page.html, /<h1>[^<]+<\/h1>/, `${what}: a page with a heading`);
  assert.ok(!page.html.includes(TEXT.generic500), `${what}: not the "something went wrong" page`);
}

/** A server with its own clock and SMTP inbox, and the helpers every test here uses. */
async function startRig(env: Record<string, string> = {}) {
  const inbox = await startInbox();
  const clock = testClock();
  const t = await startTestServer({ env: { SMTP_URL: inbox.url, MAIL_FROM, ...env }, clock });

  /** Runs the outbox until nothing more is due. */
  async function drain(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const r = await t.server.outboxWorker.runOnce();
      if (r.sent + r.retried + r.failed < t.server.config.outbox.batchSize) return;
    }
    throw new Error('the outbox did not drain');
  }

  /** Delivers what is due and returns the recovery codes that reached `email` in this delivery. */
  async function deliveredCodes(email: string): Promise<string[]> {
    const before = inbox.for(email).length;
    await drain();
    const pending = await t.db('outbox').where({ recipient: email, status: 'pending' }).count({ n: '*' });
    assert.equal(Number(pending[0]!.n), 0, `nothing left pending for ${email}`);
    return inbox
      .for(email)
      .slice(before)
      .filter((m) => /Mã xác thực/.test(m.subject ?? ''))
      .map(codeIn);
  }

  /** Exactly one new code reached `email`. */
  async function oneCode(email: string): Promise<string> {
    const codes = await deliveredCodes(email);
    assert.equal(codes.length, 1, `exactly one code mailed to ${email} (got ${codes.length})`);
    return codes[0]!;
  }

  /** No new code reached `email` (and none is waiting in the outbox). */
  async function noCode(email: string, why: string): Promise<void> {
    assert.deepEqual(await deliveredCodes(email), [], `no code mailed: ${why}`);
  }

  /** A new browser on the address page of a new flow (started directly). */
  async function newFlow(): Promise<{ browser: Browser; page: Page; flowId: string }> {
    const browser = new Browser(t.url);
    const page = await browser.get('/recovery');
    assert.equal(page.status, 200);
    assert.ok(page.html.includes(TEXT.addressTitle), 'the address page');
    return { browser, page, flowId: flowIdOf(page.url) };
  }

  /** A new flow up to the code page for this number and address (with a solved captcha). */
  async function codePageFor(bhxhNumber: string, email: string) {
    const flow = await newFlow();
    const codePage = await requestCode(flow.browser, t.url, flow.page, bhxhNumber, email);
    assert.equal(codePage.status, 200, codePage.html.slice(0, 500));
    assert.ok(codePage.html.includes(TEXT.codeTitle), 'the code page');
    return { ...flow, codePage };
  }

  /** The flow's code rows, oldest first. */
  const codeRows = (flowId: string) =>
    t
      .db('verification_codes')
      .where({ flow_id: flowId })
      .orderBy('created_at', 'asc')
      .select('id', 'account_id', 'attempts', 'max_attempts', 'consumed_at');
  const flowState = async (flowId: string) =>
    (
      await t
        .db('flows')
        .where({ id: `recovery:${flowId}`, kind: 'recovery' })
        .first('state')
    )?.state as string | undefined;
  const passwordHash = async (accountId: string) =>
    (await t.db('accounts').where({ id: accountId }).first('password_hash')).password_hash as string;

  return {
    t,
    inbox,
    clock,
    drain,
    deliveredCodes,
    oneCode,
    noCode,
    newFlow,
    codePageFor,
    codeRows,
    flowState,
    passwordHash,
    async close() {
      await t.close();
      await inbox.close();
    },
  };
}
type Rig = Awaited<ReturnType<typeof startRig>>;

describe('password reset by email code: limits', () => {
  let rig: Rig;
  let t: TestServer;

  before(async () => {
    // The per-address budget is tested on its own server below; here it must not get in the way of the other tests.
    rig = await startRig({ RECOVERY_CODES_PER_IP_PER_HOUR: '1000' });
    t = rig.t;
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
  });
  after(() => rig?.close());

  describe('code lifetime', () => {
    it('still accepts the code just before RECOVERY_CODE_TTL_SECONDS', async () => {
      const email = uniqueEmail('ttl-edge');
      const member = await t.createMember({ email });
      const { browser, codePage } = await rig.codePageFor(member.bhxhNumber, email);
      const code = await rig.oneCode(email);
      rig.clock.advance(TTL_SECONDS - 5);
      const passwordPage = await enterCode(browser, codePage, code);
      assert.equal(passwordPage.status, 200);
      assert.match(passwordPage.html, /name="new_password"/);
    });

    it('refuses the right code once it has expired ("expired or too many tries", 400); a resent code works', async () => {
      const email = uniqueEmail('expiry');
      const member = await t.createMember({ email });
      const { browser, codePage, flowId } = await rig.codePageFor(member.bhxhNumber, email);
      const code = await rig.oneCode(email);

      rig.clock.advance(TTL_SECONDS + 1);
      const refused = await enterCode(browser, codePage, code);
      assertReadable(refused, 400, 'expired code');
      assert.ok(refused.html.includes(TEXT.dead), 'the "expired or too many tries" message');
      assert.ok(refused.html.includes('name="code"'), 'the code form is shown again');
      assert.equal(await rig.flowState(flowId), 'awaiting_code');

      const resent = await browser.submit(refused, {}, '/resend');
      assertReadable(resent, 200, 'resend after expiry');
      assert.ok(resent.html.includes(TEXT.resent));
      const fresh = await rig.oneCode(email);
      const passwordPage = await enterCode(browser, resent, fresh);
      assert.equal(passwordPage.status, 200);
      assert.match(passwordPage.html, /name="new_password"/);
      assert.equal(await rig.flowState(flowId), 'awaiting_password');
    });
  });

  describe('single use', () => {
    it('does not take a used code again: the flow has moved on, and posting it again only shows the current step', async () => {
      const email = uniqueEmail('reuse');
      const member = await t.createMember({ email });
      const { browser, codePage, flowId } = await rig.codePageFor(member.bhxhNumber, email);
      const code = await rig.oneCode(email);
      const passwordPage = await enterCode(browser, codePage, code);
      assert.match(passwordPage.html, /name="new_password"/);
      const [row] = await rig.codeRows(flowId);
      assert.ok(row!.consumed_at, 'the code is used up');
      assert.equal(row!.attempts, 1);

      // The back button: the old code page's form, the same code.
      const again = await postForm(browser, codePage, '/code', { code });
      assert.equal(again.status, 303);
      assert.equal(new URL(again.location!, t.url).pathname, `/recovery/${flowId}`, 'back to the step the flow is at');
      const followed = await browser.get(again.location!);
      assert.match(followed.html, /name="new_password"/, 'still the new-password step, nothing else happened');
      assert.equal((await rig.codeRows(flowId))[0]!.attempts, 1, 'the second post was not even evaluated');

      // After the password is set the code is no use either.
      const done = await choosePassword(browser, passwordPage, randomPassword());
      assert.equal(done.status, 200);
      const afterDone = await postForm(browser, codePage, '/code', { code });
      assert.equal(afterDone.status, 303);
      const donePage = await browser.get(afterDone.location!);
      assert.match(donePage.html, /Đã đổi mật khẩu/);
      assert.doesNotMatch(donePage.html, /name="(code|new_password)"/);
    });

    it("does not accept one flow's code in another flow (another account, or another browser)", async () => {
      const emailA = uniqueEmail('flow-a');
      const emailB = uniqueEmail('flow-b');
      const a = await t.createMember({ email: emailA });
      const b = await t.createMember({ email: emailB });
      const flowA = await rig.codePageFor(a.bhxhNumber, emailA);
      const codeA = await rig.oneCode(emailA);
      const flowB = await rig.codePageFor(b.bhxhNumber, emailB);
      const codeB = await rig.oneCode(emailB);

      if (codeA !== codeB) {
        const refused = await enterCode(flowB.browser, flowB.codePage, codeA);
        assertReadable(refused, 400, "A's code in B's flow");
        assert.ok(refused.html.includes(TEXT.wrong));
      }
      // B's browser posting straight to A's flow (with its own valid CSRF token) is refused: a flow belongs to the
      // browser that began it.
      const csrfB = formOf(flowB.codePage, '/code').hidden.csrf!;
      const foreign = await rawPost(
        flowB.browser,
        formOf(flowA.codePage, '/code').action,
        new URLSearchParams({ csrf: csrfB, code: codeA }),
      );
      assert.equal(foreign.status, 400);
      assert.ok((await foreign.text()).includes(TEXT.sessionExpired));
      assert.equal((await rig.codeRows(flowA.flowId))[0]!.attempts, 0, "A's code was not tried by the other browser");

      // Each code still works in its own flow.
      assert.match((await enterCode(flowA.browser, flowA.codePage, codeA)).html, /name="new_password"/);
      assert.match((await enterCode(flowB.browser, flowB.codePage, codeB)).html, /name="new_password"/);
    });
  });

  describe('tries per code', () => {
    it('kills the code after five wrong tries: the right code is then refused; a resent code works and the old one stays dead', async () => {
      const email = uniqueEmail('five');
      const member = await t.createMember({ email });
      const { browser, codePage, flowId } = await rig.codePageFor(member.bhxhNumber, email);
      const code = await rig.oneCode(email);

      let page = codePage;
      for (const [i, wrong] of wrongCodes(code, 5).entries()) {
        page = await enterCode(browser, page, wrong);
        assertReadable(page, 400, `wrong try ${i + 1}`);
        assert.ok(page.html.includes(TEXT.wrong), `try ${i + 1} says "wrong"`);
      }
      const sixth = await enterCode(browser, page, code);
      assertReadable(sixth, 400, 'the right code after five wrong tries');
      assert.ok(sixth.html.includes(TEXT.dead), 'the code is dead');
      const [row] = await rig.codeRows(flowId);
      assert.equal(row!.attempts, 5, 'the sixth try was not evaluated');
      assert.equal(row!.max_attempts, 5);

      rig.clock.advance(COOLDOWN_SECONDS + 1);
      const resent = await browser.submit(sixth, {}, '/resend');
      assert.ok(resent.html.includes(TEXT.resent));
      const fresh = await rig.oneCode(email);
      if (fresh !== code) {
        const old = await enterCode(browser, resent, code);
        assertReadable(old, 400, 'the old code after a resend');
      }
      const passwordPage = await enterCode(browser, resent, fresh);
      assert.match(passwordPage.html, /name="new_password"/);
      const rows = await rig.codeRows(flowId);
      assert.equal(rows.length, 2);
      assert.equal(rows[0]!.attempts, 5, 'the old code was never tried again');
    });

    // Sent all at once; the order only makes one outcome likelier (the right code last: refused once the budget is
    // spent; first: accepted), the assertions hold for any order the server sees.
    for (const [label, right] of [
      ['20 wrong', 'none'],
      ['19 wrong, then the right one', 'last'],
      ['the right one, then 19 wrong', 'first'],
    ] as const) {
      const includeRight = right !== 'none';
      it(`evaluates at most five of 20 parallel guesses on one flow (${label})`, async (ctx) => {
        const email = uniqueEmail(`parallel-${right}`);
        const member = await t.createMember({ email });
        const { browser, codePage, flowId } = await rig.codePageFor(member.bhxhNumber, email);
        const code = await rig.oneCode(email);
        const guesses =
          right === 'none'
            ? wrongCodes(code, 20)
            : right === 'last'
              ? [...wrongCodes(code, 19), code]
              : [code, ...wrongCodes(code, 19)];

        const answers = await Promise.all(
          guesses.map((guess) => postForm(browser, codePage, '/code', { code: guess })),
        );
        const [row] = await rig.codeRows(flowId);
        const wrong = answers.filter((a) => a.status === 400 && a.html.includes(TEXT.wrong)).length;
        const dead = answers.filter((a) => a.status === 400 && a.html.includes(TEXT.dead)).length;
        const redirected = answers.filter((a) => a.status === 303).length;
        const succeeded = (await rig.flowState(flowId)) === 'awaiting_password';
        const summary = `attempts ${row!.attempts}, wrong ${wrong}, dead ${dead}, 303 ${redirected}, succeeded ${succeeded}`;
        ctx.diagnostic(summary);

        assert.equal(
          wrong + dead + redirected,
          20,
          `every answer is one of these (${summary}); statuses ${answers.map((a) => a.status).join(',')}`,
        );
        assert.ok(row!.attempts <= row!.max_attempts && row!.attempts <= 5, `at most five evaluated (${summary})`);
        assert.equal(
          row!.attempts,
          wrong + (succeeded ? 1 : 0),
          `each evaluated guess got an answer of its own (${summary})`,
        );
        if (!includeRight) {
          assert.equal(row!.attempts, 5, summary);
          assert.equal(succeeded, false);
          assert.equal(redirected, 0);
        } else if (succeeded) {
          assert.ok(redirected >= 1, `the right code's answer is the redirect to the next step (${summary})`);
          const [after] = await rig.codeRows(flowId);
          assert.ok(after!.consumed_at, 'the code is used up');
        }
        // Whatever the order was, the right code cannot be had after the budget is spent.
        if (!succeeded) {
          const late = await enterCode(browser, codePage, code);
          assertReadable(late, 400, 'the right code after the parallel guesses');
          assert.ok(late.html.includes(TEXT.dead));
          assert.equal((await rig.codeRows(flowId))[0]!.attempts, row!.attempts, 'no further try was counted');
        }
        const account = await t.server.deps.accounts.findById(member.id);
        assert.ok(
          await t.server.deps.hasher.verify(account!.passwordHash!, member.password),
          'the password is unchanged',
        );
      });
    }
  });

  describe('resend', () => {
    it('sends nothing for a resend within the cooldown, says so with the wait that remains, and the current code keeps working', async () => {
      const email = uniqueEmail('cooldown-keep');
      const member = await t.createMember({ email });
      const { browser, codePage } = await rig.codePageFor(member.bhxhNumber, email);
      const code = await rig.oneCode(email);

      rig.clock.advance(30);
      const early = await browser.submit(codePage, {}, '/resend');
      assertReadable(early, 200, 'resend in the cooldown');
      assert.ok(early.html.includes(TEXT.repeat), 'the page says no new code was sent');
      assert.ok(early.html.includes('Bạn có thể yêu cầu mã mới sau 30 giây.'), 'and how long to wait');
      assert.ok(!early.html.includes(TEXT.resent), 'not the "a new code has been sent" notice');
      await rig.noCode(email, 'resend within 60 s');

      const passwordPage = await enterCode(browser, early, code);
      assert.match(passwordPage.html, /name="new_password"/, 'a refused resend does not kill the code the member has');
    });

    it('sends nothing for a second request within 60 s, then after 61 s sends a new code and the previous one stops working', async () => {
      const email = uniqueEmail('cooldown');
      const member = await t.createMember({ email });
      const { browser, codePage, flowId } = await rig.codePageFor(member.bhxhNumber, email);
      const first = await rig.oneCode(email);

      rig.clock.advance(30);
      const early = await browser.submit(codePage, {}, '/resend');
      assert.ok(early.html.includes(TEXT.repeat));
      await rig.noCode(email, 'resend within 60 s');
      // A second flow for the same account within the cooldown, in another browser, looks like a first request and
      // sends nothing either.
      const other = await rig.codePageFor(member.bhxhNumber, email);
      await rig.noCode(email, 'a second flow within 60 s');
      assert.equal(normalise(other.codePage.html), normalise(codePage.html), 'the same code page as the first request');

      rig.clock.advance(COOLDOWN_SECONDS - 30 + 1);
      const late = await browser.submit(early, {}, '/resend');
      const second = await rig.oneCode(email);
      assert.ok(late.html.includes(TEXT.resent), 'the "a new code has been sent" notice');
      assert.ok(!late.html.includes(TEXT.repeat));

      if (second !== first) {
        const old = await enterCode(browser, late, first);
        assertReadable(old, 400, 'the previous code after a resend');
        assert.ok(old.html.includes(TEXT.wrong));
      }
      const rows = await rig.codeRows(flowId);
      assert.equal(rows.length, 2);
      assert.ok(rows[0]!.consumed_at, 'the previous code was killed by the new one');
      const passwordPage = await enterCode(browser, late, second);
      assert.match(passwordPage.html, /name="new_password"/);
    });

    it('sends at most five codes per account per hour; the sixth request sends nothing and looks the same', async () => {
      const email = uniqueEmail('per-account');
      const member = await t.createMember({ email });
      const { browser, codePage } = await rig.codePageFor(member.bhxhNumber, email);
      const codes = [await rig.oneCode(email)];
      let page = codePage;
      for (let i = 2; i <= 5; i++) {
        rig.clock.advance(COOLDOWN_SECONDS + 1);
        page = await browser.submit(page, {}, '/resend');
        assert.equal(page.status, 200);
        codes.push(await rig.oneCode(email));
      }
      const fifthPage = page;

      rig.clock.advance(COOLDOWN_SECONDS + 1);
      const sixth = await browser.submit(page, {}, '/resend');
      assertReadable(sixth, 200, 'the sixth request in the hour');
      assert.equal(normalise(sixth.html), normalise(fifthPage.html), 'the same page as a resend that sent a code');
      await rig.noCode(email, 'the sixth code in an hour');
      // Nor does a new flow for the same account get one.
      const other = await rig.codePageFor(member.bhxhNumber, email);
      assert.equal(normalise(other.codePage.html), normalise(codePage.html));
      await rig.noCode(email, 'a new flow over the hourly limit');
      const issued = await t.db('verification_codes').where({ account_id: member.id }).count({ n: '*' });
      assert.equal(Number(issued[0]!.n), 5, 'five codes issued for the account');

      // The fifth code still works.
      const passwordPage = await enterCode(browser, sixth, codes[4]!);
      assert.match(passwordPage.html, /name="new_password"/);

      // An hour after the first code, the account may get a code again.
      rig.clock.advance(3600 - 5 * (COOLDOWN_SECONDS + 1) + 1);
      await rig.codePageFor(member.bhxhNumber, email);
      await rig.oneCode(email);
    });

    it('answers the same at the code step for a matching and a non-matching pair with the same history (second request within the cooldown)', async () => {
      const email = uniqueEmail('oracle');
      const member = await t.createMember({ email });
      await rig.codePageFor(member.bhxhNumber, email); // a first request: the account's cooldown starts
      await rig.oneCode(email);

      const matching = await rig.codePageFor(member.bhxhNumber, email); // within the cooldown
      // The same history for a pair that matches nothing: a first request, then a second within 60 s.
      const unknownNumber = randomBhxhNumber();
      await rig.codePageFor(unknownNumber, email);
      const nothing = await rig.codePageFor(unknownNumber, email);
      const a = await enterCode(matching.browser, matching.codePage, '000000');
      const b = await enterCode(nothing.browser, nothing.codePage, '000000');
      assert.equal(a.status, b.status);
      assert.equal(
        normalise(a.html),
        normalise(b.html),
        'the code step must not tell a matching pair from a non-matching one',
      );
    });
  });

  describe('until the new password is set', () => {
    it('keeps the old password working after the code is verified, until the new one is chosen', async () => {
      const email = uniqueEmail('old-password');
      const member = await t.createMember({ email });
      const config = await discover(t.url, 'vssid');
      const { browser, codePage } = await rig.codePageFor(member.bhxhNumber, email);
      const passwordPage = await enterCode(browser, codePage, await rig.oneCode(email));
      assert.match(passwordPage.html, /name="new_password"/);

      const before = await signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      assert.equal(before.tokens.claims()!.sub, member.id, 'the old password still signs in');

      const newPassword = randomPassword();
      await choosePassword(browser, passwordPage, newPassword);
      await assert.rejects(
        signIn(t.url, config, member, { redirect_uri: REDIRECT_URI, scope: 'openid' }),
        /expected a redirect to the client/,
      );
      const after = await signIn(
        t.url,
        config,
        { bhxhNumber: member.bhxhNumber, password: newPassword },
        { redirect_uri: REDIRECT_URI, scope: 'openid' },
      );
      assert.equal(after.tokens.claims()!.sub, member.id);
    });
  });

  describe('after the reset', () => {
    let receiver: http.Server;
    let receiverUrl: string;
    const received: Array<{ path: string; body: string }> = [];
    let waiters: Array<() => void> = [];

    /** Resolves when the receiver has recorded at least `count` POSTs. */
    function receivedCount(count: number): Promise<void> {
      return new Promise((resolve) => {
        const check = () => (received.length >= count ? resolve() : void waiters.push(check));
        check();
      });
    }

    before(async () => {
      receiver = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (req.method === 'POST') {
            received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
            const pending = waiters;
            waiters = [];
            for (const w of pending) w();
          }
          res.writeHead(req.method === 'POST' ? 200 : 405, { 'cache-control': 'no-store' }).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    });
    after(
      () =>
        new Promise<void>((resolve) => {
          receiver.close(() => resolve());
          receiver.closeAllConnections();
        }),
    );

    it("sends back-channel logout to a relying party that registered for it, for the member's earlier session", async () => {
      const email = uniqueEmail('backchannel');
      const member = await t.createMember({ email });
      const clientId = `dichvucong-reset-${crypto.randomBytes(4).toString('hex')}`;
      const { clientSecret } = await t.createClient(
        {
          client_id: clientId,
          client_name: 'Cổng dịch vụ công BHXH (test)',
          application_type: 'web',
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: ['https://dichvucong.example.vn/auth/callback'],
          backchannel_logout_uri: `${receiverUrl}/auth/backchannel-logout`,
          backchannel_logout_session_required: true,
        },
        { firstParty: true },
      );
      const config = await discover(t.url, clientId, oidc.ClientSecretBasic(clientSecret!));
      const earlier = await signIn(t.url, config, member, {
        redirect_uri: 'https://dichvucong.example.vn/auth/callback',
        scope: 'openid',
      });
      const sid = earlier.tokens.claims()!.sid;
      assert.equal(typeof sid, 'string');

      const provider = t.server.deps.provider();
      let onError: (...args: unknown[]) => void = () => {};
      const failed = new Promise<never>((_, reject) => {
        onError = (_ctx, err, client) => {
          if ((client as { clientId: string }).clientId === clientId)
            reject(new Error(`back-channel logout failed: ${String(err)}`));
        };
      });
      failed.catch(() => {});
      provider.on('backchannel.error', onError);
      try {
        const before = received.length;
        const { browser, codePage } = await rig.codePageFor(member.bhxhNumber, email);
        const passwordPage = await enterCode(browser, codePage, await rig.oneCode(email));
        assert.equal(received.length, before, 'nothing is sent before the password is changed');
        const done = await choosePassword(browser, passwordPage, randomPassword());
        assert.equal(done.status, 200);

        await withTimeout(Promise.race([receivedCount(before + 1), failed]), 5_000, 'the back-channel logout request');
        const call = received[before]!;
        assert.equal(call.path, '/auth/backchannel-logout');
        const logoutToken = new URLSearchParams(call.body).get('logout_token');
        assert.ok(logoutToken, `a logout_token in ${call.body}`);
        const jwks = jose.createRemoteJWKSet(new URL(`${t.url}/jwks`));
        const { payload, protectedHeader } = await jose.jwtVerify(logoutToken, jwks, {
          issuer: t.url,
          audience: clientId,
        });
        assert.equal(protectedHeader.typ, 'logout+jwt');
        assert.equal(payload.sub, member.id, "the logout token names the member's sub");
        assert.equal(payload.sid, sid, 'and the session that ended');
        assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
      } finally {
        provider.off('backchannel.error', onError);
      }

      // The session in the member's other browser is gone: a new authorization asks for the password again.
      const again = await earlier.browser.get(
        (await authorizationRequest(config, { redirect_uri: 'https://dichvucong.example.vn/auth/callback' })).url.href,
      );
      assert.ok(again.html.includes('name="bhxh_number"'), 'the sign-in page is shown again');
    });
  });

  describe('back on the sign-in page of the same request', () => {
    /** Opens an authorization request's sign-in page in a new browser; returns the browser, page and interaction uid. */
    async function signInPage() {
      const config = await discover(t.url, 'vssid');
      const browser = new Browser(t.url);
      const request = await authorizationRequest(config, { redirect_uri: REDIRECT_URI });
      const login = await browser.get(request.url.href);
      assert.ok(login.html.includes('name="bhxh_number"'));
      return { browser, login, uid: new URL(login.url).pathname.split('/')[2]! };
    }

    /** Resets `member`'s password from the request's "Quên mật khẩu?" link; returns the page it ends on. */
    async function resetFrom(browser: Browser, uid: string, member: { bhxhNumber: string }, email: string) {
      const address = await browser.get(`/interaction/${uid}/recovery`);
      const codePage = await requestCode(browser, t.url, address, member.bhxhNumber, email);
      const passwordPage = await enterCode(browser, codePage, await rig.oneCode(email));
      return choosePassword(browser, passwordPage, randomPassword());
    }

    it('shows the notice after a reset begun when a temporary password had been asked for on the same request', async () => {
      const email = uniqueEmail('temp-then-reset');
      const member = await t.createMember({ email, mustChangePassword: true });
      const { browser, login, uid } = await signInPage();
      const prompt = await browser.submit(
        login,
        { bhxh_number: member.bhxhNumber, password: member.password },
        '/login',
      );
      assert.match(prompt.html, /name="new_password"/, 'the temporary password asks for a new one');
      // The member leaves that page for "Quên mật khẩu?" instead.
      const back = await resetFrom(browser, uid, member, email);
      assert.ok(back.url.includes(`/interaction/${uid}`), back.url);
      assert.match(back.html, /id="login-notice"/, 'the "password changed" notice');
    });

    it('lets a member with a temporary password finish on a request where another member reset a password', async () => {
      const emailA = uniqueEmail('reset-then-temp');
      const a = await t.createMember({ email: emailA });
      const b = await t.createMember({ email: uniqueEmail('temp'), mustChangePassword: true });
      const { browser, uid } = await signInPage();
      const back = await resetFrom(browser, uid, a, emailA);
      assert.match(back.html, /id="login-notice"/);
      const prompt = await browser.submit(back, { bhxh_number: b.bhxhNumber, password: b.password }, '/login');
      assert.match(prompt.html, /name="new_password"/);
      const chosen = randomPassword();
      const done = await browser.submit(prompt, { new_password: chosen, confirm_password: chosen });
      assert.ok(
        done.url.startsWith(REDIRECT_URI),
        `back to the app, not ${done.status} ${done.url}\n${done.html.match(/<main[\s\S]*<\/main>/)?.[0]}`,
      );
    });
  });

  describe('in English', () => {
    it('shows the address page, the other ways and the code page in English with ?lang=en', async () => {
      const email = uniqueEmail('english');
      const member = await t.createMember({ email });
      const { browser, flowId } = await rig.newFlow();
      const page = await browser.get(`/recovery/${flowId}?lang=en`);
      assert.equal(page.status, 200);
      assert.match(page.html, /<html lang="en">/);
      assert.ok(page.html.includes('<h1>Recover your password</h1>'));
      assert.ok(page.html.includes('Other ways to recover your password'));
      assert.ok(page.html.includes('Text BH MK'), 'SMS way in English');
      assert.ok(page.html.includes('Call 1900 9068, press 8'), 'hotline way in English');
      assert.ok(page.html.includes('Visit your nearest social insurance office'), 'office way in English');
      assert.ok(page.html.includes('Registered email'));
      assert.ok(page.html.includes('>Send the code</button>'));
      assert.ok(page.html.includes('language="en"'), 'the captcha widget speaks English too');
      assert.ok(!page.html.includes(TEXT.addressTitle), 'no Vietnamese title left');

      // The choice sticks for the rest of the flow.
      const codePage = await requestCode(browser, t.url, page, member.bhxhNumber, email);
      assert.ok(codePage.html.includes('Enter the verification code (OTP)'));
      assert.ok(codePage.html.includes('If the details you entered match an account'));
      assert.ok(codePage.html.includes('Send a new code'));
      const wrong = await enterCode(browser, codePage, wrongCodes(await rig.oneCode(email), 1)[0]!);
      assert.equal(wrong.status, 400);
      assert.ok(wrong.html.includes('The code is not correct.'));
    });

    it('follows ui_locales=en from the authorization request, with a way back to sign in', async () => {
      const config = await discover(t.url, 'vssid');
      const browser = new Browser(t.url);
      const request = await authorizationRequest(config, { redirect_uri: REDIRECT_URI, ui_locales: 'en' });
      const login = await browser.get(request.url.href);
      assert.ok(login.html.includes('Forgot password?'), login.html.slice(0, 800));
      const forgot = login.html.match(/href="([^"]+\/recovery)"/)![1]!;
      const page = await browser.get(forgot);
      assert.ok(page.html.includes('<h1>Recover your password</h1>'));
      assert.ok(page.html.includes('Back to sign in'));

      // ?lang=en on the sign-in page's recovery link works as well.
      const other = new Browser(t.url);
      const vi = await other.get((await authorizationRequest(config, { redirect_uri: REDIRECT_URI })).url.href);
      const link = vi.html.match(/href="([^"]+\/recovery)"/)![1]!;
      const en = await other.get(`${link}?lang=en`);
      assert.ok(en.html.includes('<h1>Recover your password</h1>'), en.html.match(/<h1>[^<]*<\/h1>/)?.[0]);
    });

    it('keeps the language switch working on a page answered to a POST (wrong code, bad address)', async () => {
      const email = uniqueEmail('switch');
      const member = await t.createMember({ email });
      const { browser, page } = await rig.newFlow();
      const badAddress = await browser.submit(
        page,
        { bhxh_number: member.bhxhNumber, email: 'not-an-email', altcha: await solveCaptcha(t.url) },
        '/address',
      );
      assert.equal(badAddress.status, 400);
      const switchHref = (p: Page) => p.html.match(/<a class="lang" href="([^"]+)"/)![1]!.replace(/&amp;/g, '&');
      const english = await browser.get(switchHref(badAddress));
      assert.equal(english.status, 200, `the switch link ${switchHref(badAddress)} works`);
      assert.ok(english.html.includes('Recover your password'));
      const codePage = await requestCode(browser, t.url, english, member.bhxhNumber, email);
      const wrong = await enterCode(browser, codePage, wrongCodes(await rig.oneCode(email), 1)[0]!);
      const vietnamese = await browser.get(switchHref(wrong));
      assert.equal(vietnamese.status, 200, `the switch link ${switchHref(wrong)} works`);
      assert.ok(vietnamese.html.includes(TEXT.codeTitle));
    });

    it('honours ?lang=en on the /recovery entry link', async () => {
      const browser = new Browser(t.url);
      const page = await browser.get('/recovery?lang=en');
      assert.ok(page.html.includes('<h1>Recover your password</h1>'), page.html.match(/<h1>[^<]*<\/h1>/)?.[0]);
    });
  });

  describe('bad input never becomes a 500', () => {
    it('answers an unknown or expired flow id with a readable 400 page', async () => {
      const browser = new Browser(t.url);
      const unknown = await browser.get(`/recovery/${crypto.randomBytes(16).toString('base64url')}`);
      assertReadable(unknown, 400, 'unknown flow id');
      assert.ok(unknown.html.includes(TEXT.sessionExpired));
      for (const path of [
        '/recovery/x',
        `/recovery/${'a'.repeat(5000)}`,
        '/recovery/%E0%A4%A',
        '/recovery/..%2F..%2Fetc',
      ]) {
        const res = await browser.get(path);
        assert.ok(res.status >= 400 && res.status < 500, `${path.slice(0, 40)}: ${res.status}`);
        assert.ok(!res.html.includes(TEXT.generic500), `${path.slice(0, 40)}: not the 500 page`);
      }
      // A POST to an unknown flow, with a valid CSRF token of this browser.
      const csrf = formOf(await browser.get('/recovery'), '/address').hidden.csrf!;
      const res = await rawPost(
        browser,
        `${t.url}/recovery/${crypto.randomBytes(16).toString('base64url')}/code`,
        new URLSearchParams({ csrf, code: '123456' }),
      );
      assert.equal(res.status, 400);
      assert.ok((await res.text()).includes(TEXT.sessionExpired));

      // A flow past its 30 minutes.
      const old = await rig.newFlow();
      rig.clock.advance(30 * 60 + 1);
      const expired = await old.browser.get(old.page.url);
      assertReadable(expired, 400, 'expired flow');
      assert.ok(expired.html.includes(TEXT.sessionExpired));
    });

    it('answers a flow id with a NUL byte with a 400 page', async () => {
      const res = await new Browser(t.url).get('/recovery/%00');
      assertReadable(res, 400, 'NUL in the flow id');
    });

    it('answers oversized, malformed and empty forms with readable 4xx pages, and sends nothing', async () => {
      const email = uniqueEmail('bad-input');
      const member = await t.createMember({ email });
      const { browser, page, flowId } = await rig.newFlow();

      // A 1 MB email: refused by the body limit before anything else runs.
      const huge = await browser.submit(
        page,
        { bhxh_number: member.bhxhNumber, email: `${'a'.repeat(1024 * 1024)}@example.vn` },
        '/address',
      );
      assertReadable(huge, [400, 413], '1 MB email');
      // A long one within the body limit: the format message, and the echo is cut short.
      const long = await browser.submit(
        page,
        { bhxh_number: member.bhxhNumber, email: `${'b'.repeat(5000)}@example.vn`, altcha: await solveCaptcha(t.url) },
        '/address',
      );
      assertReadable(long, 400, '5 kB email');
      assert.ok(long.html.includes(TEXT.emailFormat));
      assert.ok(!long.html.includes('b'.repeat(300)), 'the echoed address is cut short');
      // Fields given twice, and odd characters.
      const twice = await postForm(browser, page, '/address', {
        bhxh_number: [member.bhxhNumber, member.bhxhNumber],
        email: [email, email],
      });
      assertReadable(twice, 400, 'repeated fields');
      const odd = await postForm(browser, page, '/address', {
        bhxh_number: '<script>x</script>',
        email: '"><img src=x>@example.vn',
        altcha: 'x',
      });
      assertReadable(odd, 400, 'markup in the fields');
      assert.ok(
        !odd.html.includes('<script>x</script>') && !odd.html.includes('<img src=x>'),
        'echoed values are escaped',
      );
      const { action: addressAction, hidden } = formOf(page, '/address');
      const badEscape = await rawPost(
        browser,
        addressAction,
        `csrf=${encodeURIComponent(hidden.csrf!)}&bhxh_number=%E0%A4%A&email=%ZZ`,
      );
      assert.ok(badEscape.status >= 400 && badEscape.status < 500, `broken percent-encoding: ${badEscape.status}`);

      // Empty forms: without the CSRF token (403), and with nothing but the token (400).
      for (const action of ['/address', '/code', '/resend', '/password']) {
        const res = await rawPost(browser, `${t.url}/recovery/${flowId}${action}`, '');
        assert.equal(res.status, 403, `empty POST ${action}`);
        assert.ok((await res.text()).includes(TEXT.csrf));
      }
      const onlyToken = await postForm(browser, page, '/address', {});
      assertReadable(onlyToken, 400, 'address form with only the token');
      assert.ok(onlyToken.html.includes(TEXT.numberFormat));

      // A POST to a step the flow is not at goes back to the step it is at (303), and does nothing.
      for (const action of ['/code', '/resend', '/password']) {
        const body = new URLSearchParams({ ...hidden, code: '123456', new_password: randomPassword() });
        const res = await rawPost(browser, `${t.url}/recovery/${flowId}${action}`, body);
        assert.equal(res.status, 303, `POST ${action} while awaiting the address`);
        assert.equal(new URL(res.headers.get('location')!, t.url).pathname, `/recovery/${flowId}`);
      }
      assert.equal((await rig.codeRows(flowId)).length, 0, 'no code was issued');

      const codePage = await requestCode(browser, t.url, page, member.bhxhNumber, email);
      const code = await rig.oneCode(email);
      // A non-digit code and an empty one: "wrong" (each counts as a try).
      const letters = await enterCode(browser, codePage, 'abcdef');
      assertReadable(letters, 400, 'non-digit code');
      assert.ok(letters.html.includes(TEXT.wrong));
      const empty = await postForm(browser, codePage, '/code', {});
      assertReadable(empty, 400, 'empty code');
      const longCode = await postForm(browser, codePage, '/code', { code: '1'.repeat(10_000) });
      assertReadable(longCode, 400, 'long code');
      const array = await postForm(browser, codePage, '/code', { code: [code, code] });
      assertReadable(array, 400, 'the code twice');
      assert.equal((await rig.codeRows(flowId))[0]!.attempts, 4);

      // While awaiting the code, the address and password steps send the member back here, and nothing is sent.
      for (const action of ['/address', '/password']) {
        const body = new URLSearchParams({
          ...formOf(codePage, '/code').hidden,
          bhxh_number: member.bhxhNumber,
          email,
          new_password: randomPassword(),
        });
        const res = await rawPost(browser, `${t.url}/recovery/${flowId}${action}`, body);
        assert.equal(res.status, 303, `POST ${action} while awaiting the code`);
        assert.equal(new URL(res.headers.get('location')!, t.url).pathname, `/recovery/${flowId}`);
      }
      await rig.noCode(email, 'out-of-step posts');
      assert.equal((await rig.codeRows(flowId)).length, 1);
      const account = await t.server.deps.accounts.findById(member.id);
      assert.ok(
        await t.server.deps.hasher.verify(account!.passwordHash!, member.password),
        'the password is unchanged',
      );
    });

    it('answers an email with a NUL byte with the format message', async () => {
      const member = await t.createMember({ email: uniqueEmail('nul') });
      const { browser, page } = await rig.newFlow();
      const res = await browser.submit(
        page,
        { bhxh_number: member.bhxhNumber, email: 'a\u0000b@example.vn', altcha: await solveCaptcha(t.url) },
        '/address',
      );
      assertReadable(res, 400, 'NUL in the email');
      assert.ok(res.html.includes(TEXT.emailFormat));
    });
  });
});

describe('password reset by email code: codes per client address (RECOVERY_CODES_PER_IP_PER_HOUR=3)', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ RECOVERY_CODES_PER_IP_PER_HOUR: '3' });
  });
  after(() => rig?.close());

  it('takes three requests an hour from one address, then answers 429 with the ip-limit message and sends nothing', async () => {
    const { t } = rig;
    assert.equal(t.server.config.recovery.perIpPerHour, 3);
    const emailA = uniqueEmail('ip-a');
    const emailB = uniqueEmail('ip-b');
    const a = await t.createMember({ email: emailA });
    const b = await t.createMember({ email: emailB });

    // Three requests (one matching, two matching nothing: both count).
    const first = await rig.codePageFor(a.bhxhNumber, emailA);
    await rig.oneCode(emailA);
    await rig.codePageFor(randomBhxhNumber(), uniqueEmail('nobody'));
    await rig.codePageFor(randomBhxhNumber(), uniqueEmail('nobody'));

    const fourth = await rig.newFlow();
    const refused = await requestCode(fourth.browser, t.url, fourth.page, b.bhxhNumber, emailB);
    assertReadable(refused, 429, 'the fourth request');
    assert.ok(refused.html.includes(TEXT.ipLimit), 'the ip-limit message');
    assert.ok(refused.html.includes(`value="${b.bhxhNumber}"`), 'the number is kept');
    assert.ok(refused.html.includes('8079') && refused.html.includes('1900 9068'), 'the other ways are shown');
    assert.equal(await rig.flowState(fourth.flowId), 'awaiting_address', 'the flow stays at the address step');
    await rig.noCode(emailB, 'over the per-address limit');

    // A resend on an earlier flow is refused the same way.
    rig.clock.advance(COOLDOWN_SECONDS + 1);
    const resent = await first.browser.submit(first.codePage, {}, '/resend');
    assertReadable(resent, 429, 'a resend over the per-address limit');
    assert.ok(resent.html.includes(TEXT.ipLimit));
    assert.ok(resent.html.includes('name="code"'), 'still the code page');
    await rig.noCode(emailA, 'resend over the per-address limit');

    // An hour later the address may ask again.
    rig.clock.advance(3600);
    await rig.codePageFor(b.bhxhNumber, emailB);
    await rig.oneCode(emailB);
  });
});

describe('password reset by email code: without JavaScript (CAPTCHA_NOJS_PER_IP_PER_HOUR=2)', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ CAPTCHA_NOJS_PER_IP_PER_HOUR: '2' });
  });
  after(() => rig?.close());

  it('takes two requests without a captcha solution, then answers 429; a bad solution gets 400; neither sends mail or changes a password', async () => {
    const { t } = rig;
    const members = await Promise.all(
      ['nojs-a', 'nojs-b', 'nojs-c'].map(async (label) => {
        const email = uniqueEmail(label);
        return { email, ...(await t.createMember({ email })) };
      }),
    );
    const [a, b, c] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    const hashes = await Promise.all(members.map((m) => rig.passwordHash(m.id)));

    // No `altcha` field at all (the form as a browser without JavaScript posts it), then an empty one.
    const one = await rig.newFlow();
    const noField = await one.browser.submit(one.page, { bhxh_number: a.bhxhNumber, email: a.email }, '/address');
    assert.equal(noField.status, 200);
    assert.ok(noField.html.includes(TEXT.codeTitle));
    await rig.oneCode(a.email);
    const two = await rig.newFlow();
    const emptyField = await requestCode(two.browser, t.url, two.page, b.bhxhNumber, b.email, { captcha: '' });
    assert.ok(emptyField.html.includes(TEXT.codeTitle));
    await rig.oneCode(b.email);

    // The third is over the budget.
    const three = await rig.newFlow();
    const throttled = await three.browser.submit(three.page, { bhxh_number: c.bhxhNumber, email: c.email }, '/address');
    assertReadable(throttled, 429, 'the third request without JavaScript');
    assert.ok(throttled.html.includes(TEXT.ipLimit));
    assert.ok(throttled.html.includes(`value="${c.bhxhNumber}"`), 'the number is kept');
    assert.equal(await rig.flowState(three.flowId), 'awaiting_address');

    // Garbage and replays get the captcha message, whatever the no-JavaScript budget says.
    const solved = await solveCaptcha(t.url);
    // (The derived key is the proof of work; the counter beside it is not checked by the library's fast path.)
    const decoded = JSON.parse(Buffer.from(solved, 'base64').toString('utf8')) as { solution: { derivedKey: string } };
    const key = decoded.solution.derivedKey;
    const flipped = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    const tampered = Buffer.from(
      JSON.stringify({ ...decoded, solution: { ...decoded.solution, derivedKey: flipped } }),
    ).toString('base64');
    for (const [what, altcha] of [
      ['plain garbage', 'garbage'],
      ['base64 of other JSON', Buffer.from('{"x":1}').toString('base64')],
      ['base64 of not JSON', Buffer.from('not json').toString('base64')],
      ['a very long value', 'A'.repeat(10_000)],
      ['a solution with another derived key', tampered],
      ['twice', [solved, solved]],
    ] as const) {
      const res = await postForm(three.browser, three.page, '/address', {
        bhxh_number: c.bhxhNumber,
        email: c.email,
        altcha: altcha as string | string[],
      });
      assertReadable(res, 400, `altcha: ${what}`);
      assert.ok(res.html.includes(TEXT.captcha), `${what}: the captcha message`);
    }
    // A real solution is still fine (the budget is for requests without one), and only once.
    const nobody = await rig.newFlow();
    const ok = await postForm(nobody.browser, nobody.page, '/address', {
      bhxh_number: randomBhxhNumber(),
      email: uniqueEmail('nobody'),
      altcha: solved,
    });
    assert.equal(ok.status, 303);
    const replay = await postForm(three.browser, three.page, '/address', {
      bhxh_number: c.bhxhNumber,
      email: c.email,
      altcha: solved,
    });
    assertReadable(replay, 400, 'a replayed solution');
    assert.ok(replay.html.includes(TEXT.captcha));

    await rig.noCode(c.email, 'throttled or bad captcha');
    const rows = await t.db('outbox').where({ recipient: c.email }).count({ n: '*' });
    assert.equal(Number(rows[0]!.n), 0, 'nothing was queued for C');
    assert.equal(
      await t.db('verification_codes').where({ account_id: c.id }).first(),
      undefined,
      'no code was issued for C',
    );
    assert.deepEqual(await Promise.all(members.map((m) => rig.passwordHash(m.id))), hashes, 'no password changed');
  });
});
