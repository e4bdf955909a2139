// Issue 12, finding 2: a credential change ends every step begun before it. An attacker who signed in with a
// temporary password (or an account's must_change_password step) and stopped on the new-password page cannot finish
// after the member reset her password by email; a reset flow finished elsewhere ends too; racing requests: one wins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, type oidc, signIn } from '../helpers/oidc.js';
import { enterCode, postForm, requestCode } from '../helpers/recovery.js';
import { randomPassword, startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { codeIn, startInbox, type Inbox } from '../helpers/smtp.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { translator, type MessageId } from '../../src/core/i18n.js';

const redirect_uri = 'http://127.0.0.1:45124/callback';
/** The "start again" page's text (looked up defensively so this file also runs against code without the message). */
const START_AGAIN = (() => {
  try {
    return translator('vi')('error.credentials_changed' as MessageId);
  } catch {
    return 'error.credentials_changed';
  }
})();

describe('a credential change ends the steps begun before it', () => {
  let t: TestServer;
  let inbox: Inbox;
  let config: oidc.Configuration;
  const clock = testClock();
  let n = 0;

  before(async () => {
    inbox = await startInbox();
    t = await startTestServer({
      clock,
      env: { SMTP_URL: inbox.url, MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>' },
    });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(async () => {
    await t.close();
    await inbox.close();
  });

  const newMember = (extra: { mustChangePassword?: boolean } = {}) => {
    n += 1;
    return t
      .createMember({ email: `victim.${n}@example.vn`, ...extra })
      .then((m) => ({ ...m, email: `victim.${n}@example.vn` }));
  };

  /** The attacker's browser, signed in with `password`, stopped on the new-password page. */
  async function stopOnNewPasswordPage(bhxhNumber: string, password: string) {
    const browser = new Browser(t.url);
    const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
    const login = await browser.get(request.url.href);
    const page = await browser.submit(login, { bhxh_number: bhxhNumber, password }, '/login');
    assert.match(page.html, /name="new_password"/, 'the attacker reached the new-password page');
    return { browser, page };
  }

  /** The member's reset by email, up to the new-password page (code from the captured mail). */
  async function resetUpToNewPassword(member: { bhxhNumber: string; email: string }) {
    const browser = new Browser(t.url);
    const addressPage = await browser.get('/recovery');
    const codePage = await requestCode(browser, t.url, addressPage, member.bhxhNumber, member.email);
    await t.server.outboxWorker.runOnce();
    const code = codeIn(await inbox.next(member.email));
    const passwordPage = await enterCode(browser, codePage, code);
    assert.match(passwordPage.html, /name="new_password"/, 'the member reached her new-password page');
    return { browser, passwordPage };
  }

  async function resetByEmail(member: { bhxhNumber: string; email: string }): Promise<string> {
    const { browser, passwordPage } = await resetUpToNewPassword(member);
    const fresh = randomPassword();
    const done = await postForm(browser, passwordPage, '/password', { new_password: fresh, confirm_password: fresh });
    assert.equal(done.status, 303, 'the member finished her reset');
    return fresh;
  }

  function assertStartAgain(answer: { status: number; location?: string | null; html: string }, what: string) {
    assert.ok(answer.status >= 400 && answer.status < 500, `${what}: a readable refusal, got ${answer.status}`);
    assert.equal(answer.location ?? null, null, `${what}: no redirect (no code, no tokens)`);
    assert.ok(answer.html.includes(START_AGAIN), `${what}: the page says to start again`);
    assert.doesNotMatch(answer.html, /stack|Error:/);
  }

  /** The attacker's sign-in is decided (the interaction holds its result) but the browser has not come back yet. */
  async function decideSignInAndStop(member: { bhxhNumber: string; password: string }) {
    const browser = new Browser(t.url);
    const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
    const login = await browser.get(request.url.href);
    browser.stopAt = (url) => url.pathname.startsWith('/auth/');
    const decided = await browser.submit(
      login,
      { bhxh_number: member.bhxhNumber, password: member.password },
      '/login',
    );
    assert.match(decided.url, /\/auth\//, `stopped before the resume: ${decided.status} ${decided.url}`);
    return { browser, decided };
  }

  async function assertSignsIn(bhxhNumber: string, password: string) {
    const { tokens } = await signIn(t.url, config, { bhxhNumber, password }, { redirect_uri, scope: 'openid' });
    assert.ok(tokens.id_token);
  }

  it("a temporary-password step cannot choose a new password after the member's email reset", async () => {
    const member = await newMember();
    const { password: temporary } = await t.server.deps.temporaryPasswords.issue(member.id);
    const attacker = await stopOnNewPasswordPage(member.bhxhNumber, temporary);

    const fresh = await resetByEmail(member);

    const mine = randomPassword();
    const answer = await postForm(attacker.browser, attacker.page, '/password', {
      new_password: mine,
      confirm_password: mine,
    });
    assertStartAgain(answer, "the attacker's new password");
    assert.equal(
      (await attacker.browser.get(attacker.page.url)).html.includes('name="new_password"'),
      false,
      'the step is gone',
    );
    await assertSignsIn(member.bhxhNumber, fresh);
  });

  it("a must_change_password step cannot choose a new password after the member's email reset", async () => {
    const member = await newMember({ mustChangePassword: true });
    const attacker = await stopOnNewPasswordPage(member.bhxhNumber, member.password);

    const fresh = await resetByEmail(member);

    const mine = randomPassword();
    assertStartAgain(
      await postForm(attacker.browser, attacker.page, '/password', { new_password: mine, confirm_password: mine }),
      "the attacker's new password",
    );
    await assertSignsIn(member.bhxhNumber, fresh);
  });

  it('a newer temporary password ends a step begun with an older one', async () => {
    const member = await newMember();
    const { password: older } = await t.server.deps.temporaryPasswords.issue(member.id);
    const attacker = await stopOnNewPasswordPage(member.bhxhNumber, older);
    await t.server.deps.temporaryPasswords.issue(member.id);
    const mine = randomPassword();
    assertStartAgain(
      await postForm(attacker.browser, attacker.page, '/password', { new_password: mine, confirm_password: mine }),
      'the older step',
    );
    await assertSignsIn(member.bhxhNumber, member.password);
  });

  it('a reset flow ends when another reset finished first', async () => {
    const member = await newMember();
    const first = await resetUpToNewPassword(member);
    clock.advance(61); // past the resend cooldown, so the second flow gets its own code
    const fresh = await resetByEmail(member);
    const late = randomPassword();
    assertStartAgain(
      await postForm(first.browser, first.passwordPage, '/password', { new_password: late, confirm_password: late }),
      'the stale reset',
    );
    await assertSignsIn(member.bhxhNumber, fresh);
  });

  it('a sign-in decided just before a reset cannot become a session after it', async () => {
    const member = await newMember();
    const { browser, decided } = await decideSignInAndStop(member);

    const fresh = await resetByEmail(member);

    browser.stopAt = () => false;
    const resumed = await browser.get(decided.url);
    assert.ok(!resumed.url.startsWith(redirect_uri), `no code after the reset: ${resumed.status} ${resumed.url}`);
    assert.ok(resumed.status >= 400 && resumed.status < 500, `a readable refusal, got ${resumed.status}`);
    assert.doesNotMatch(resumed.html, /stack|Error:/);
    await assertSignsIn(member.bhxhNumber, fresh);
  });

  it('a refused resend does not make an older code answer to newer credentials', async () => {
    const member = await newMember();
    const browser = new Browser(t.url);
    const codePage = await requestCode(browser, t.url, await browser.get('/recovery'), member.bhxhNumber, member.email);
    await t.server.outboxWorker.runOnce();
    const code = codeIn(await inbox.next(member.email));
    // Someone gets a temporary password for her (it moves the credential version, and does not kill reset codes)…
    await t.server.deps.temporaryPasswords.issue(member.id);
    // …then asks to resend within the cooldown: no new code, the old one stays live.
    const resent = await postForm(browser, codePage, '/resend', {});
    assert.equal(resent.status, 200);
    const answer = await postForm(browser, codePage, '/code', { code });
    const page = answer.status === 303 ? await browser.get(answer.location!) : answer;
    assert.doesNotMatch(page.html, /name="new_password"/, 'the old code does not lead to a new password');
  });

  it('a sign-in whose resume saves its session after the reset revoked everything gets no code (the resume checks again)', async () => {
    const member = await newMember();
    const { browser, decided } = await decideSignInAndStop(member);
    // The reset's commit lands, but its deletion of sessions and codes has already run past this interaction: the
    // order a resume racing the reset sees. Here: the version moves and nothing is deleted.
    await t
      .db('accounts')
      .where({ id: member.id })
      .update({ credential_version: t.db.raw('credential_version + 1') });

    browser.stopAt = () => false;
    const resumed = await browser.get(decided.url);
    assert.ok(!resumed.url.startsWith(redirect_uri), `no code after the change: ${resumed.status} ${resumed.url}`);
    assertStartAgain({ status: resumed.status, location: null, html: resumed.html }, 'the raced resume');
    const left = await t
      .db('oidc_payloads')
      .where({ account_id: member.id })
      .whereIn('model', ['Session', 'AuthorizationCode', 'Grant'])
      .count({ n: '*' });
    assert.equal(Number(left[0]!.n), 0, 'what the resume saved is gone');
  });

  it("racing the member's reset with parallel new-password posts: exactly one change wins, the others start again", async () => {
    const member = await newMember();
    const { password: temporary } = await t.server.deps.temporaryPasswords.issue(member.id);
    const attacker = await stopOnNewPasswordPage(member.bhxhNumber, temporary);
    const reset = await resetUpToNewPassword(member);
    const before = (await t.db('audit_events').where({ type: 'password.changed', account_id: member.id })).length;

    const fresh = randomPassword();
    const mine = Array.from({ length: 5 }, () => randomPassword());
    const [memberAnswer, ...attackerAnswers] = await Promise.all([
      postForm(reset.browser, reset.passwordPage, '/password', { new_password: fresh, confirm_password: fresh }),
      ...mine.map((p) =>
        postForm(attacker.browser, attacker.page, '/password', { new_password: p, confirm_password: p }),
      ),
    ]);

    const changes =
      (await t.db('audit_events').where({ type: 'password.changed', account_id: member.id })).length - before;
    assert.equal(changes, 1, 'exactly one password change went through');
    const memberWon = memberAnswer!.status === 303;
    const attackerWins = attackerAnswers.filter((a) => a.status === 303);
    if (memberWon) {
      assert.equal(attackerWins.length, 0, 'no attacker post wins once the member did');
      for (const a of attackerAnswers) assertStartAgain(a, 'an attacker post');
      await assertSignsIn(member.bhxhNumber, fresh);
    } else {
      // The attacker's step was older than the reset and reached the database first: the member is told to start again.
      assert.equal(attackerWins.length, 1);
      assertStartAgain(memberAnswer!, "the member's late post");
    }
  });
});
