// The 1900 9068 assistant through the running server: the platform's webhook, the temporary password read aloud (or
// texted), then an ordinary OIDC sign-in that forces a new password.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, redeem, type oidc } from '../helpers/oidc.js';
import { randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { playDevCall } from '../../src/dev/dev-call.js';
import { MISMATCH_SENTENCE, SPOKEN_CHARACTERS, type VoiceReply } from '../../src/channels/voice-password-reset.js';
import { runCli } from '../../src/cli/main.js';

const redirect_uri = 'http://127.0.0.1:47123/callback';

/** Turns the spoken spelling back into the password (the platform's speech engine reads what we return). */
function unspell(spoken: string): string {
  const byWord = new Map(Object.entries(SPOKEN_CHARACTERS).map(([c, w]) => [w.toLowerCase(), c]));
  return spoken
    .split(',')
    .map((w) => byWord.get(w.trim().toLowerCase()))
    .filter((c): c is string => Boolean(c))
    .join('');
}

describe('hotline virtual assistant (1900 9068, key 8)', () => {
  let t: TestServer;
  let config: oidc.Configuration;
  const secret = crypto.randomBytes(24).toString('base64url');

  before(async () => {
    t = await startTestServer({ env: { VOICE_WEBHOOK_SECRET: secret } });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(() => t.close());

  async function signInForcingNewPassword(bhxhNumber: string, temporary: string) {
    const browser = new Browser(t.url);
    const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
    const login = await browser.get(request.url.href);
    const prompt = await browser.submit(login, { bhxh_number: bhxhNumber, password: temporary }, '/login');
    assert.match(prompt.html, /name="new_password"/);
    const chosen = randomPassword();
    const done = await browser.submit(prompt, { new_password: chosen, confirm_password: chosen }, '/password');
    return redeem(config, request, done.url);
  }

  it('reads the temporary password twice to a verified caller; it signs in once and forces a new password', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000901' });
    const steps = await playDevCall({
      baseUrl: t.url,
      secret,
      caller: '0912000901',
      callerVerified: true,
      entries: [`${member.bhxhNumber}#`],
    });
    const last = steps.at(-1)!.reply as VoiceReply;
    assert.equal(last.next.action, 'hangup');
    const [, first, second] = last.say.match(/là: (.+?)\. Mật khẩu sẽ được nhắc lại một lần\. (.+?)\. /)!;
    const temporary = unspell(first!);
    assert.match(temporary, /^[a-z0-9]{10}$/, `spoken: ${last.say}`);
    assert.equal(unspell(second!), temporary, 'repeated once');
    const tokens = await signInForcingNewPassword(member.bhxhNumber, temporary);
    assert.equal(tokens.claims()!.sub, member.id);
  });

  it('texts the password to the number on file when the caller ID is not verified, and says so', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000902' });
    let out = '';
    const code = await runCli(['dev', 'call', '--caller', '0912000902', '--digits', `${member.bhxhNumber}#`], {
      out: (s) => void (out += s),
      err: () => {},
      env: { ISSUER: t.url, VOICE_WEBHOOK_SECRET: secret },
    });
    assert.equal(code, 0);
    const { steps } = JSON.parse(out) as { steps: Array<{ reply: { say: string } }> };
    assert.match(steps.at(-1)!.reply.say, /tin nhắn|SMS/i);
    await t.server.outboxWorker.runOnce();
    const texts = (await t.server.devMailbox!.list()).filter((m) => m.channel === 'sms' && m.to === '+84912000902');
    assert.equal(texts.length, 1);
    assert.ok(
      !steps.at(-1)!.reply.say.includes(texts[0]!.text.match(/tam thoi ([a-z0-9]{10})/)![1]!),
      'nothing secret spoken',
    );
  });

  it('answers a caller whose number does not match with the exact sentence and hangs up', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000903' });
    const steps = await playDevCall({
      baseUrl: t.url,
      secret,
      caller: '0912000999',
      callerVerified: true,
      entries: [`${member.bhxhNumber}#`],
    });
    const last = steps.at(-1)!.reply as VoiceReply;
    assert.ok(last.say.includes(MISMATCH_SENTENCE));
    assert.equal(last.next.action, 'hangup');
    const row = await t.db('accounts').where({ id: member.id }).first('temporary_password_hash');
    assert.equal(row.temporary_password_hash, null);
  });
});
