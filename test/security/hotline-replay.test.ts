// Finding 7 of issue 12: a finished hotline call's reply (the temporary password read aloud) is repeated only to the
// same network-verified caller, within VOICE_REPLAY_SECONDS; anyone else with the call id hears that the call has
// ended, and once the window has passed the stored row holds no sealed password. Time is the injected clock.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sweepVoiceCalls } from '../../src/channels/voice-password-reset.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { voiceStepper } from '../helpers/voice.js';

const READ_ALOUD = 'Mật khẩu tạm thời của quý khách là';

describe('hotline replays (VOICE_REPLAY_SECONDS=120)', () => {
  const secret = crypto.randomBytes(24).toString('base64url');
  const clock = testClock();
  let t: TestServer;
  let phoneCounter = 0;

  before(async () => {
    t = await startTestServer({ env: { VOICE_WEBHOOK_SECRET: secret, VOICE_REPLAY_SECONDS: '120' }, clock });
  });
  after(() => t.close());

  const step = voiceStepper(() => t.url, secret, clock);

  /** The owner calls from her verified phone and hears her temporary password. */
  async function finishedCall() {
    const phone = `+8491300${String(++phoneCounter).padStart(4, '0')}`;
    const member = await t.createMember({ phoneNumber: phone });
    const callId = `call-${crypto.randomUUID()}`;
    await step({ callId, caller: phone, callerVerified: true });
    const last = await step({ callId, caller: phone, callerVerified: true, digits: `${member.bhxhNumber}#` });
    assert.ok(last.say.includes(READ_ALOUD), last.say);
    return { callId, phone, last };
  }

  it('tells an anonymous caller with the same call id that the call has ended, without the password', async () => {
    const { callId } = await finishedCall();
    const reply = await step({ callId, caller: 'anonymous', callerVerified: false });
    assert.ok(!reply.say.includes(READ_ALOUD), reply.say);
    assert.deepEqual(reply.next, { action: 'hangup' });
  });

  it('tells the same number without network verification that the call has ended, without the password', async () => {
    const { callId, phone } = await finishedCall();
    const reply = await step({ callId, caller: phone, callerVerified: false });
    assert.ok(!reply.say.includes(READ_ALOUD), reply.say);
  });

  it('tells another verified caller with the same call id that the call has ended, without the password', async () => {
    const { callId } = await finishedCall();
    const reply = await step({ callId, caller: '+84913999999', callerVerified: true, digits: '0123456789#' });
    assert.ok(!reply.say.includes(READ_ALOUD), reply.say);
  });

  it('repeats the password to the same verified caller within the window', async () => {
    const { callId, phone, last } = await finishedCall();
    clock.advance(60);
    assert.deepEqual(await step({ callId, caller: phone, callerVerified: true }), last);
  });

  it('keeps no sealed password once the window has passed, neither in the reply nor in the row', async () => {
    const { callId, phone, last } = await finishedCall();
    clock.advance(121);
    const reply = await step({ callId, caller: phone, callerVerified: true });
    assert.ok(!reply.say.includes(READ_ALOUD), reply.say);

    const another = await finishedCall();
    clock.advance(121);
    await sweepVoiceCalls(t.db, clock);
    for (const id of [callId, another.callId]) {
      const row = await t.db('channel_requests').where({ channel: 'voice', request_id: id }).first('state');
      const state = (typeof row.state === 'string' ? JSON.parse(row.state) : row.state) as Record<string, unknown>;
      assert.equal(state.step, 'done');
      assert.equal(state.sealedReply, undefined, `no sealed reply left for ${id}: ${JSON.stringify(state)}`);
      assert.ok(!JSON.stringify(state).includes(last.say.slice(0, 40)));
    }
  });
});
