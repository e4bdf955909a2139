// Issue 14, item 4: an account holds one temporary password at a time, so a newer one from any channel (SMS keyword,
// hotline, office) ends the one before it; the newer one's message says so when the earlier one was still live, and
// says nothing of the kind when there was none (expired or used).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, type oidc } from '../helpers/oidc.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { sendDevSms } from '../../src/dev/dev-sms.js';
import { playDevCall } from '../../src/dev/dev-call.js';
import { SPOKEN_CHARACTERS, type VoiceReply } from '../../src/channels/voice-password-reset.js';

const redirect_uri = 'http://127.0.0.1:45129/callback';
const SMS_NOTICE = 'MK tam truoc do het hieu luc';
const SPOKEN_NOTICE = 'Mật khẩu tạm thời cấp trước đó không còn dùng được.';

function unspell(spoken: string): string {
  const byWord = new Map(Object.entries(SPOKEN_CHARACTERS).map(([c, w]) => [w.toLowerCase(), c]));
  return spoken
    .split(',')
    .map((w) => byWord.get(w.trim().toLowerCase()))
    .filter((c): c is string => Boolean(c))
    .join('');
}

describe('a newer temporary password ends the earlier one, and says so', () => {
  let t: TestServer;
  let config: oidc.Configuration;
  const clock = testClock();
  const smsSecret = crypto.randomBytes(24).toString('base64url');
  const voiceSecret = crypto.randomBytes(24).toString('base64url');
  const unix = () => Math.floor(clock.now().getTime() / 1000);

  before(async () => {
    t = await startTestServer({
      clock,
      env: { SMS_INBOUND_SECRET: smsSecret, VOICE_WEBHOOK_SECRET: voiceSecret },
    });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(() => t.close());

  /** The SMS texted to `phone` (E.164), newest first. */
  const textsTo = async (phone: string) =>
    (await t.server.devMailbox!.list()).filter((m) => m.channel === 'sms' && m.to === phone).map((m) => m.text);

  /** Texts BH MK from `phone` and returns the reply texted back. */
  async function keyword(phone: string, bhxhNumber: string): Promise<string> {
    const e164 = `+84${phone.slice(1)}`;
    const before = (await textsTo(e164)).length;
    const sent = await sendDevSms({
      baseUrl: t.url,
      secret: smsSecret,
      sender: phone,
      text: `BH MK ${bhxhNumber}`,
      timestamp: unix(),
    });
    assert.equal(sent.status, 200);
    await t.server.outboxWorker.runOnce();
    const replies = await textsTo(e164);
    assert.equal(replies.length, before + 1, 'one reply');
    return replies[0]!;
  }
  const passwordIn = (sms: string) => sms.match(/tam thoi ([a-z0-9]{10})/)![1]!;

  /** Calls the hotline from `phone` (caller ID verified) and returns what the assistant says last. */
  async function call(phone: string, bhxhNumber: string): Promise<string> {
    const steps = await playDevCall({
      baseUrl: t.url,
      secret: voiceSecret,
      caller: phone,
      callerVerified: true,
      entries: [`${bhxhNumber}#`],
      now: () => clock.now(),
    });
    return (steps.at(-1)!.reply as VoiceReply).say;
  }
  const spokenPassword = (say: string) => unspell(say.match(/là: (.+?)\. Mật khẩu sẽ/)![1]!);

  /** The sign-in page's answer to this password: the new-password step, or a refusal (400). */
  async function signIn(bhxhNumber: string, password: string) {
    const browser = new Browser(t.url);
    const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
    const login = await browser.get(request.url.href);
    return browser.submit(login, { bhxh_number: bhxhNumber, password }, '/login');
  }

  it('the hotline after the SMS keyword says the texted one no longer works, and it does not', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000931' });
    const first = await keyword('0912000931', member.bhxhNumber);
    assert.ok(!first.includes(SMS_NOTICE), 'the first says nothing about an earlier one');
    clock.advance(120);
    const say = await call('0912000931', member.bhxhNumber);
    assert.ok(say.includes(SPOKEN_NOTICE), say);
    assert.equal((await signIn(member.bhxhNumber, passwordIn(first))).status, 400, 'the texted one is refused');
    assert.match((await signIn(member.bhxhNumber, spokenPassword(say))).html, /name="new_password"/);
  });

  it('the SMS keyword after the hotline says the spoken one no longer works, and it does not', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000932' });
    const say = await call('0912000932', member.bhxhNumber);
    assert.ok(!say.includes(SPOKEN_NOTICE), 'the first says nothing about an earlier one');
    clock.advance(60);
    const reply = await keyword('0912000932', member.bhxhNumber);
    assert.ok(reply.includes(SMS_NOTICE), reply);
    assert.equal((await signIn(member.bhxhNumber, spokenPassword(say))).status, 400, 'the spoken one is refused');
    assert.match((await signIn(member.bhxhNumber, passwordIn(reply))).html, /name="new_password"/);
  });

  it('the office reset by email after the SMS keyword says so (the one function every channel calls)', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000933', email: 'office.replaced@example.vn' });
    const texted = await keyword('0912000933', member.bhxhNumber);
    const issued = await t.db.transaction((trx) =>
      t.server.deps.temporaryPasswords.issueAndDeliver(
        member.id,
        { channel: 'email', to: 'office.replaced@example.vn' },
        trx,
      ),
    );
    assert.equal(issued.replaced, true, 'the office desk is told too (the CLI prints replaced_earlier)');
    await t.server.outboxWorker.runOnce();
    const mail = (await t.server.devMailbox!.list()).find(
      (m) => m.channel === 'email' && m.to === 'office.replaced@example.vn',
    );
    assert.ok(mail && 'text' in mail);
    assert.match(mail.text, /Mật khẩu tạm thời cấp trước đó không còn dùng được\./);
    assert.match(mail.text, /The temporary password issued before this one no longer works\./);
    assert.equal((await signIn(member.bhxhNumber, passwordIn(texted))).status, 400);
  });

  it('says nothing of an earlier one that had expired or been used', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000934' });
    const first = await keyword('0912000934', member.bhxhNumber);
    clock.advance(601); // past TEMPORARY_PASSWORD_TTL_SECONDS
    const second = await keyword('0912000934', member.bhxhNumber);
    assert.ok(!second.includes(SMS_NOTICE), `after an expired one: ${second}`);
    assert.notEqual(passwordIn(second), passwordIn(first));
    assert.match((await signIn(member.bhxhNumber, passwordIn(second))).html, /name="new_password"/, 'used');
    clock.advance(60);
    const third = await keyword('0912000934', member.bhxhNumber);
    assert.ok(!third.includes(SMS_NOTICE), `after a used one: ${third}`);
  });
});
