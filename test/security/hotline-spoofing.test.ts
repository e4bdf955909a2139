// Security review after issue 12 (H6, problem B): a call whose caller ID is not network-verified may name a member's
// number and show her phone as caller ID. It is counted with everybody else (the number's non-owner budget, and a
// per-caller budget of unverified calls), so spoofed calls cannot use up the budgets of the owner's own verified calls.
// Limits used: VOICE_PER_NUMBER_PER_HOUR=3 and VOICE_PER_CALLER_PER_HOUR=3, so 3 spoofed calls fill both budgets.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { VoiceReply } from '../../src/channels/voice-password-reset.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { voiceStepper } from '../helpers/voice.js';

const READ_ALOUD = 'Mật khẩu tạm thời của quý khách là';
const SENT_BY_SMS = 'đã được gửi bằng tin nhắn SMS';
const THROTTLED = /quá nhiều lần/;
const LIMIT = 3;

describe(`hotline calls with a spoofed caller ID (VOICE_PER_NUMBER_PER_HOUR=${LIMIT}, VOICE_PER_CALLER_PER_HOUR=${LIMIT})`, () => {
  const secret = crypto.randomBytes(24).toString('base64url');
  const clock = testClock();
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      env: {
        VOICE_WEBHOOK_SECRET: secret,
        VOICE_PER_NUMBER_PER_HOUR: String(LIMIT),
        VOICE_PER_CALLER_PER_HOUR: String(LIMIT),
      },
      clock,
    });
  });
  after(() => t.close());

  const step = voiceStepper(() => t.url, secret, clock);
  /** A whole call that types one BHXH number; returns the last reply. */
  async function call(caller: string, callerVerified: boolean, bhxhNumber: string): Promise<VoiceReply> {
    const callId = `call-${crypto.randomUUID()}`;
    await step({ callId, caller, callerVerified });
    return step({ callId, caller, callerVerified, digits: `${bhxhNumber}#` });
  }

  it("spoofed calls naming the owner's number from her phone do not stop her own verified call from hearing the password", async () => {
    const phone = '+84913000501';
    const owner = await t.createMember({ phoneNumber: phone });

    // The documented behaviour stays: a matching but unverified caller gets the password by SMS to the number on file,
    // but only within the budget everybody else shares; past it the spoofer is refused.
    for (let i = 0; i < LIMIT; i += 1)
      assert.ok((await call(phone, false, owner.bhxhNumber)).say.includes(SENT_BY_SMS));
    assert.match(
      (await call(phone, false, owner.bhxhNumber)).say,
      THROTTLED,
      'the spoofer is past the budget of unverified calls',
    );
    const sms = await t.db('outbox').where({ channel: 'sms', recipient: phone, purpose: 'temporary_password' });
    assert.equal(sms.length, LIMIT, 'no more temporary passwords than the non-owner budget');

    const reply = await call(phone, true, owner.bhxhNumber);
    assert.ok(reply.say.includes(READ_ALOUD), `the owner's verified call is answered: ${reply.say}`);
  });
});
