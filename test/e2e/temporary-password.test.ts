// A temporary password (from the SMS keyword, the hotline or an office) signs in once, within 10 minutes, and leads
// straight to choosing a new password during an ordinary OIDC sign-in; the member's own password keeps working until then.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem, signIn } from '../helpers/oidc.js';
import { randomPassword, startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import {
  TEMPORARY_ALPHABET,
  generateTemporaryPassword,
} from '../../src/methods/temporary-password/temporary-passwords.js';

const redirect_uri = 'http://127.0.0.1:45123/callback';

describe('temporary passwords', () => {
  let t: TestServer;
  let config: oidc.Configuration;
  const clock = testClock();

  before(async () => {
    t = await startTestServer({ clock });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(() => t.close());

  async function loginWith(bhxhNumber: string, password: string) {
    const browser = new Browser(t.url);
    const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
    const login = await browser.get(request.url.href);
    const page = await browser.submit(login, { bhxh_number: bhxhNumber, password }, '/login');
    return { browser, request, page };
  }

  it('are 10 characters without look-alikes', () => {
    for (let i = 0; i < 200; i++) {
      const p = generateTemporaryPassword();
      assert.equal(p.length, 10);
      assert.ok([...p].every((c) => TEMPORARY_ALPHABET.includes(c)));
      assert.doesNotMatch(p, /[01ilo]/);
    }
  });

  it('sign in once, force a new password, and the new password then works through openid-client', async () => {
    const member = await t.createMember({ email: 'temp@example.vn' });
    const held = await signIn(t.url, config, member, {
      redirect_uri,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const { password: temporary } = await t.server.deps.temporaryPasswords.issue(member.id);
    const stored = await t.db('accounts').where({ id: member.id }).first('temporary_password_hash', 'password_hash');
    assert.match(stored.temporary_password_hash, /^\$argon2id\$/);
    assert.ok(!JSON.stringify(stored).includes(temporary), 'only a hash is stored');

    // The member's own password still works while a temporary one is pending (a request nobody asked for locks no one out).
    await signIn(t.url, config, member, { redirect_uri, scope: 'openid' });

    const { browser, request, page } = await loginWith(member.bhxhNumber, temporary);
    assert.match(page.html, /name="new_password"/, 'the new-password step');
    const chosen = randomPassword();
    const done = await browser.submit(page, { new_password: chosen, confirm_password: chosen }, '/password');
    assert.ok(done.url.startsWith(redirect_uri), done.url);
    const tokens = await redeem(config, request, done.url);
    assert.equal(tokens.claims()!.sub, member.id);

    // Single use, and the change ended what the account held before; the new password works, the old does not.
    assert.equal((await loginWith(member.bhxhNumber, temporary)).page.status, 400);
    await assert.rejects(
      oidc.refreshTokenGrant(config, held.tokens.refresh_token!),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
    assert.equal((await loginWith(member.bhxhNumber, member.password)).page.status, 400);
    await signIn(t.url, config, { bhxhNumber: member.bhxhNumber, password: chosen }, { redirect_uri, scope: 'openid' });
    const notices = await t.db('outbox').where({ purpose: 'password_changed' });
    assert.ok(
      notices.some((r) => r.recipient === 'temp@example.vn'),
      'email notice',
    );
    assert.ok(
      notices.some((r) => r.recipient === '+84912000111'),
      'SMS notice to the phone on file',
    );
  });

  it('are used up by the first sign-in even if the new password is never chosen', async () => {
    const member = await t.createMember();
    const { password: temporary } = await t.server.deps.temporaryPasswords.issue(member.id);
    assert.match((await loginWith(member.bhxhNumber, temporary)).page.html, /name="new_password"/);
    assert.equal((await loginWith(member.bhxhNumber, temporary)).page.status, 400);
  });

  it('expire after 10 minutes', async () => {
    const member = await t.createMember();
    const { password: temporary } = await t.server.deps.temporaryPasswords.issue(member.id);
    clock.advance(601);
    const { page } = await loginWith(member.bhxhNumber, temporary);
    assert.equal(page.status, 400);
    assert.match(page.html, /Mã số BHXH hoặc mật khẩu không đúng/);
  });

  it('do nothing for a disabled account', async () => {
    const member = await t.createMember();
    const { password: temporary } = await t.server.deps.temporaryPasswords.issue(member.id);
    await t.server.deps.accounts.setStatus(member.id, 'disabled');
    assert.equal((await loginWith(member.bhxhNumber, temporary)).page.status, 400);
  });
});
