// The hotline's virtual assistant (1900 9068, key 8) through its signed webhook, on a small Koa app with the real
// services and database. Time is the injected clock: signatures, limits and expiry never depend on the wall clock.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { pino } from 'pino';
import request from 'supertest';
import { createAccountRepository, type AccountRepository } from '../../src/accounts/account-repository.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import {
  createVoicePasswordReset,
  MISMATCH_SENTENCE,
  spellForSpeech,
  SPOKEN_CHARACTERS,
  sweepVoiceCalls,
  type VoiceReply,
} from '../../src/channels/voice-password-reset.js';
import { playDevCall } from '../../src/dev/dev-call.js';
import { registerVoiceRoutes, VOICE_PASSWORD_RESET_PATH } from '../../src/channels/voice-routes.js';
import { signWebhook } from '../../src/core/webhook-signature.js';
import { loadConfig } from '../../src/config/config.js';
import type { Db } from '../../src/db/database.js';
import { createSealer, type Sealer } from '../../src/keys/sealer.js';
import {
  createTemporaryPasswords,
  TEMPORARY_ALPHABET,
} from '../../src/methods/temporary-password/temporary-passwords.js';
import { createPasswordHasher } from '../../src/methods/password/hasher.js';
import { createOutbox } from '../../src/notify/outbox.js';
import { createTestDatabase, randomBhxhNumber, testClock } from '../helpers/server.js';
import { createChannelRequests } from '../../src/channels/channel-requests.js';
import { createThrottle } from '../../src/security/throttle.js';

const SECRET = crypto.randomBytes(24).toString('base64url');
const hasher = createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
const REPEATED = 'Mật khẩu sẽ được nhắc lại một lần.';
const SENT_BY_SMS = 'đã được gửi bằng tin nhắn SMS';

/** A random Vinaphone number (+8491 and 7 digits), unique enough for one run. */
const randomPhone = () => `+8491${String(crypto.randomInt(0, 10_000_000)).padStart(7, '0')}`;
/** The same number the way a platform may pass it: 0912345678. */
const national = (e164: string) => `0${e164.slice(3)}`;
const newCallId = () => `call-${crypto.randomBytes(8).toString('hex')}`;

const WORD_TO_CHARACTER = new Map(Object.entries(SPOKEN_CHARACTERS).map(([c, word]) => [word, c]));
/** The two spellings of the password in a read-aloud reply, turned back into characters. */
function spokenPasswords(say: string): [string, string] {
  const match = /là: (.+?)\. Mật khẩu sẽ được nhắc lại một lần\. (.+?)\. Mật khẩu có hiệu lực/.exec(say);
  assert.ok(match, `no spelled password in: ${say}`);
  const decode = (spelled: string) =>
    spelled
      .split(', ')
      .map((word) => {
        const c = WORD_TO_CHARACTER.get(word);
        assert.ok(c, `unknown spoken character "${word}"`);
        return c;
      })
      .join('');
  return [decode(match[1]!), decode(match[2]!)];
}

interface HarnessOptions {
  enabled?: boolean;
  readAloud?: boolean;
  perCallerPerHour?: number;
  perNumberPerHour?: number;
}

describe('hotline password reset webhook', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let accounts: AccountRepository;
  let sealer: Sealer;

  before(async () => {
    ({ db, drop } = await createTestDatabase());
    accounts = createAccountRepository(db);
    sealer = createSealer(crypto.randomBytes(32));
  });
  after(async () => {
    await drop();
  });

  /** A Koa app with the voice routes and real services, its own clock and limits, and a captured log. */
  function harness(options: HarnessOptions = {}) {
    const clock = testClock(new Date('2026-11-22T08:00:00Z'));
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      VOICE_ENABLED: String(options.enabled ?? true),
      VOICE_READ_ALOUD: String(options.readAloud ?? true),
      VOICE_WEBHOOK_SECRET: SECRET,
      VOICE_PER_CALLER_PER_HOUR: String(options.perCallerPerHour ?? 5),
      VOICE_PER_NUMBER_PER_HOUR: String(options.perNumberPerHour ?? 5),
    });
    const logLines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
    const router = new Router();
    const outbox = createOutbox(db, sealer, clock);
    const voiceKey = crypto.randomBytes(32);
    registerVoiceRoutes(router, {
      config,
      clock,
      logger,
      voice: createVoicePasswordReset({
        clock,
        accounts: createAccountRepository(db),
        channelRequests: createChannelRequests(db, clock),
        temporaryPasswords: createTemporaryPasswords(
          createAccountRepository(db),
          hasher,
          clock,
          { ttlSeconds: 600 },
          { outbox, issuer: 'http://localhost' },
        ),
        audit: createAuditLog(db),
        sealer,
        key: voiceKey,
        options: config.voice,
        throttle: createThrottle({ key: voiceKey, clock }),
        phoneCoolingSeconds: config.account.phoneCoolingSeconds,
      }),
    });
    const app = new Koa();
    app.use(router.routes());
    const server = app.callback();

    /** Posts a raw body, signed with the clock's time unless told otherwise. */
    function postRaw(body: string, sign: { secret?: string; timestamp?: number; contentType?: string } = {}) {
      const timestamp = sign.timestamp ?? Math.floor(clock.now().getTime() / 1000);
      return request(server)
        .post(VOICE_PASSWORD_RESET_PATH)
        .set(signWebhook(sign.secret ?? SECRET, body, timestamp))
        .set('Content-Type', sign.contentType ?? 'application/json')
        .send(body);
    }
    /** One webhook of a call; asserts a 200 JSON reply. */
    async function step(callId: string, caller: string, callerVerified: boolean, digits?: string): Promise<VoiceReply> {
      const res = await postRaw(
        JSON.stringify({ callId, caller, callerVerified, ...(digits === undefined ? {} : { digits }) }),
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.match(res.headers['content-type'] ?? '', /application\/json/);
      return res.body as VoiceReply;
    }
    /** A whole call: the first webhook, then one per entry typed. Returns every reply. */
    async function call(
      caller: string,
      callerVerified: boolean,
      ...entries: string[]
    ): Promise<{ callId: string; replies: VoiceReply[]; last: VoiceReply }> {
      const callId = newCallId();
      const replies = [await step(callId, caller, callerVerified)];
      for (const digits of entries) replies.push(await step(callId, caller, callerVerified, digits));
      return { callId, replies, last: replies.at(-1)! };
    }
    return { clock, logLines, server, postRaw, step, call };
  }

  async function member(input: { phone?: string | null; phoneVerified?: boolean } = {}) {
    const phone = input.phone === undefined ? randomPhone() : input.phone;
    const account = await accounts.create({
      bhxhNumber: randomBhxhNumber(),
      fullName: 'Nguyễn Thị Test',
      birthdate: '1991-02-03',
      phoneNumber: phone,
      // The member's real phone unless a test says otherwise (codes go to verified phones only).
      phoneNumberVerified: input.phoneVerified ?? true,
    });
    return { id: account.id, bhxhNumber: account.bhxhNumber, phone: phone! };
  }

  const temporaryHash = async (accountId: string): Promise<string | null> =>
    (
      (await db('accounts').where({ id: accountId }).first('temporary_password_hash')) as {
        temporary_password_hash: string | null;
      }
    ).temporary_password_hash;

  /** The temporary password SMS queued for a number, opened. */
  async function smsTo(phone: string): Promise<string[]> {
    const rows = (await db('outbox')
      .where({ recipient: phone, purpose: 'temporary_password' })
      .orderBy('id')) as Array<{ payload_sealed: string; channel: string }>;
    return rows.map((row) => {
      assert.equal(row.channel, 'sms');
      return (JSON.parse(sealer.open(row.payload_sealed, 'outbox:temporary_password')) as { message: { text: string } })
        .message.text;
    });
  }
  const passwordIn = (smsText: string) => {
    const match = /Mat khau tam thoi ([a-z0-9]+),/.exec(smsText);
    assert.ok(match, smsText);
    return match[1]!;
  };
  const auditsOf = async (callId: string) =>
    (
      (await db('audit_events').where({ type: 'voice_reset' }).orderBy('id')) as Array<{
        outcome: string;
        account_id: string | null;
        detail: unknown;
      }>
    )
      .map((row) => ({
        ...row,
        detail: (typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail) as Record<string, unknown>,
      }))
      .filter((row) => row.detail.callId === callId);

  describe('speech', () => {
    it('names every character of the temporary password alphabet, each differently', () => {
      const names = [...TEMPORARY_ALPHABET].map((c) => SPOKEN_CHARACTERS[c]);
      assert.ok(names.every(Boolean));
      assert.equal(new Set(names).size, TEMPORARY_ALPHABET.length);
      assert.equal(spellForSpeech('ab35'), 'a, bê, ba, năm');
      assert.throws(() => spellForSpeech('0'));
      assert.throws(() => spellForSpeech('A'));
    });
  });

  describe('a caller whose number is on file', () => {
    it('greets and asks for the BHXH number ending with #', async () => {
      const h = harness();
      const { last } = await h.call(randomPhone(), true);
      assert.match(last.say, /mã số bảo hiểm xã hội gồm 10 chữ số, kết thúc bằng phím thăng/);
      assert.deepEqual(last.next, { action: 'collect_digits', finishOnKey: '#', maxDigits: 12, timeoutSeconds: 10 });
    });

    it('reads the password twice to a network-verified caller, and it is the stored temporary password', async () => {
      const h = harness();
      const m = await member();
      const { callId, last } = await h.call(m.phone, true, `${m.bhxhNumber}#`);
      assert.deepEqual(last.next, { action: 'hangup' });
      assert.ok(last.say.includes(REPEATED));
      const [first, second] = spokenPasswords(last.say);
      assert.equal(first, second);
      assert.equal(first.length, 10);
      const hash = await temporaryHash(m.id);
      assert.ok(hash && (await hasher.verify(hash, first)));
      assert.deepEqual(await smsTo(m.phone), []);

      // Nowhere in clear: not in the dialogue row, the audit trail or the log.
      const row = (await db('channel_requests').where({ channel: 'voice', request_id: callId }).first('state')) as {
        state: unknown;
      };
      assert.ok(!JSON.stringify(row.state).includes(first));
      assert.ok(!JSON.stringify(row.state).includes(spellForSpeech(first)));
      const audits = await auditsOf(callId);
      assert.deepEqual(
        audits.map((a) => [a.outcome, a.account_id, a.detail.result]),
        [['success', m.id, 'read_aloud']],
      );
      assert.ok(!JSON.stringify(audits).includes(first));
      assert.ok(!JSON.stringify(audits).includes(m.bhxhNumber));
      assert.ok(!JSON.stringify(audits).includes(m.phone.slice(3)));
      assert.ok(h.logLines.length > 0);
      assert.ok(!h.logLines.join('').includes(first));
      assert.ok(!h.logLines.join('').includes(spellForSpeech(first)));
    });

    it('matches a caller number given in the national format', async () => {
      const h = harness();
      const m = await member();
      const { last } = await h.call(national(m.phone), true, m.bhxhNumber);
      const [spoken] = spokenPasswords(last.say);
      assert.ok(await hasher.verify((await temporaryHash(m.id))!, spoken));
    });

    it('sends the password by SMS to the number on file when the caller ID is not verified, and says so', async () => {
      const h = harness();
      const m = await member();
      const { callId, last } = await h.call(m.phone, false, `${m.bhxhNumber}#`);
      assert.deepEqual(last.next, { action: 'hangup' });
      assert.ok(last.say.includes(SENT_BY_SMS), last.say);
      assert.ok(!last.say.includes(REPEATED));
      const texts = await smsTo(m.phone);
      assert.equal(texts.length, 1);
      const password = passwordIn(texts[0]!);
      assert.ok(await hasher.verify((await temporaryHash(m.id))!, password));
      assert.ok(!last.say.includes(password));
      assert.ok(!last.say.includes(spellForSpeech(password)));
      assert.ok(!last.say.includes(spellForSpeech(password.slice(0, 3))));
      assert.deepEqual(
        (await auditsOf(callId)).map((a) => a.detail.result),
        ['sms_sent'],
      );
    });

    it('always sends by SMS when reading aloud is switched off', async () => {
      const h = harness({ readAloud: false });
      const m = await member();
      const { last } = await h.call(m.phone, true, m.bhxhNumber);
      assert.ok(last.say.includes(SENT_BY_SMS));
      const texts = await smsTo(m.phone);
      assert.equal(texts.length, 1);
      const password = passwordIn(texts[0]!);
      assert.ok(!last.say.includes(spellForSpeech(password)));
      assert.ok(await hasher.verify((await temporaryHash(m.id))!, password));
    });
  });

  describe('a number that is not the caller’s', () => {
    it('says the exact sentence and hangs up for a spoofed caller, storing and sending nothing', async () => {
      const h = harness();
      const m = await member();
      for (const verified of [true, false]) {
        const { callId, last } = await h.call(randomPhone(), verified, `${m.bhxhNumber}#`);
        assert.deepEqual(last, { say: MISMATCH_SENTENCE, next: { action: 'hangup' } });
        // The account named is in the audit trail (worth seeing), with the reason; the caller hears nothing of it.
        assert.deepEqual(
          (await auditsOf(callId)).map((a) => [a.outcome, a.account_id, a.detail.result, a.detail.reason]),
          [['failure', m.id, 'no_match', 'other_phone']],
        );
      }
      assert.equal(await temporaryHash(m.id), null);
      assert.deepEqual(await smsTo(m.phone), []);
    });

    it('answers the same for an unknown number, a disabled account, an unverified phone and a withheld caller ID', async () => {
      const h = harness();
      const unknown = await h.call(randomPhone(), true, randomBhxhNumber());
      assert.deepEqual(unknown.last, { say: MISMATCH_SENTENCE, next: { action: 'hangup' } });

      const disabled = await member();
      await accounts.setStatus(disabled.id, 'disabled');
      assert.deepEqual((await h.call(disabled.phone, true, disabled.bhxhNumber)).last.say, MISMATCH_SENTENCE);

      const unverified = await member({ phoneVerified: false });
      assert.deepEqual((await h.call(unverified.phone, false, unverified.bhxhNumber)).last.say, MISMATCH_SENTENCE);

      const noPhone = await member({ phone: null });
      assert.deepEqual((await h.call('anonymous', true, noPhone.bhxhNumber)).last.say, MISMATCH_SENTENCE);
      assert.deepEqual((await h.call('', false, noPhone.bhxhNumber)).last.say, MISMATCH_SENTENCE);

      for (const m of [disabled, unverified, noPhone]) assert.equal(await temporaryHash(m.id), null);
    });
  });

  describe('the number prompt', () => {
    it('re-asks on a wrong format and hangs up after the third', async () => {
      const h = harness();
      const m = await member();
      const { callId, replies } = await h.call(m.phone, true, '123#', '12345678901#', '*#');
      assert.deepEqual(
        replies.map((r) => r.next.action),
        ['collect_digits', 'collect_digits', 'collect_digits', 'hangup'],
      );
      assert.match(replies[1]!.say, /chưa đúng/);
      assert.match(replies[3]!.say, /nhập sai 3 lần/);
      assert.deepEqual(
        (await auditsOf(callId)).map((a) => a.detail.result),
        ['too_many_attempts'],
      );
      // The call is over: even the right number now changes nothing.
      assert.deepEqual(await h.step(callId, m.phone, true, m.bhxhNumber), replies[3]);
      assert.equal(await temporaryHash(m.id), null);
    });

    it('accepts the right number at the third attempt, and a webhook without digits does not count as one', async () => {
      const h = harness();
      const m = await member();
      const callId = newCallId();
      await h.step(callId, m.phone, true);
      assert.equal((await h.step(callId, m.phone, true, '')).next.action, 'collect_digits'); // timed out, nothing typed
      const again = await h.step(callId, m.phone, true); // a retry of the first webhook: the current prompt again
      assert.match(again.say, /chưa đúng/);
      assert.equal((await h.step(callId, m.phone, true, '99#')).next.action, 'collect_digits');
      const last = await h.step(callId, m.phone, true, `${m.bhxhNumber}#`);
      assert.equal(spokenPasswords(last.say)[0].length, 10);
    });

    it('checks nothing when the platform changes the calling number midway', async () => {
      const h = harness();
      const m = await member();
      const callId = newCallId();
      await h.step(callId, randomPhone(), true);
      const last = await h.step(callId, m.phone, true, m.bhxhNumber);
      assert.deepEqual(last.next, { action: 'hangup' });
      assert.ok(!last.say.includes(MISMATCH_SENTENCE));
      assert.equal(await temporaryHash(m.id), null);
    });
  });

  describe('retried webhooks', () => {
    it('answer a finished read-aloud call with the same reply and never issue a second password', async () => {
      const h = harness();
      const m = await member();
      const { callId, last } = await h.call(m.phone, true, m.bhxhNumber);
      const hash = await temporaryHash(m.id);
      h.clock.advance(30);
      assert.deepEqual(await h.step(callId, m.phone, true, m.bhxhNumber), last);
      assert.deepEqual(await h.step(callId, m.phone, true), last);
      // Issue 12, finding 7: anyone else with the call id hears only that the call has ended.
      const stranger = await h.step(callId, randomPhone(), false, randomBhxhNumber());
      assert.deepEqual(stranger.next, { action: 'hangup' });
      assert.ok(!stranger.say.includes(REPEATED), stranger.say);
      assert.equal(await temporaryHash(m.id), hash);
      assert.equal((await auditsOf(callId)).length, 1);
    });

    it('answer a finished SMS call with the same reply and never send a second SMS, even in parallel', async () => {
      const h = harness();
      const m = await member();
      const callId = newCallId();
      await h.step(callId, m.phone, false);
      const replies = await Promise.all([1, 2, 3].map(() => h.step(callId, m.phone, false, m.bhxhNumber)));
      assert.ok(replies[0]!.say.includes(SENT_BY_SMS));
      for (const r of replies) assert.deepEqual(r, replies[0]);
      const hash = await temporaryHash(m.id);
      assert.deepEqual(await h.step(callId, m.phone, false, m.bhxhNumber), replies[0]);
      assert.equal(await temporaryHash(m.id), hash);
      assert.equal((await smsTo(m.phone)).length, 1);
    });
  });

  describe('authentication', () => {
    const body = () => JSON.stringify({ callId: newCallId(), caller: randomPhone(), callerVerified: true });

    it('refuses a wrong signature, a missing one, and another secret', async () => {
      const h = harness();
      const raw = body();
      const tampered = await h.postRaw(raw).set('X-BHXH-Signature', `sha256=${'0'.repeat(64)}`);
      assert.equal(tampered.status, 401);
      assert.deepEqual(tampered.body, { error: 'invalid_signature' });
      assert.equal((await h.postRaw(raw, { secret: 'another secret of enough length' })).status, 401);
      const unsigned = await request(h.server)
        .post(VOICE_PASSWORD_RESET_PATH)
        .set('Content-Type', 'application/json')
        .send(raw);
      assert.equal(unsigned.status, 401);
    });

    it('refuses a timestamp outside the five-minute window, by the injected clock', async () => {
      const h = harness();
      const now = Math.floor(h.clock.now().getTime() / 1000);
      assert.equal((await h.postRaw(body(), { timestamp: now - 301 })).status, 401);
      assert.equal((await h.postRaw(body(), { timestamp: now + 301 })).status, 401);
      assert.equal((await h.postRaw(body(), { timestamp: now - 299 })).status, 200);
    });

    it('answers 404 when the hotline is switched off', async () => {
      const h = harness({ enabled: false });
      const res = await h.postRaw(body());
      assert.equal(res.status, 404);
      assert.equal(res.body.error, 'not_found');
    });
  });

  describe('the dev call player', () => {
    it('plays a call step by step against a listening server until the assistant hangs up', async () => {
      const h = harness();
      const m = await member();
      const listener = http.createServer(h.server);
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = listener.address() as { port: number };
        const steps = await playDevCall({
          baseUrl: `http://127.0.0.1:${port}/`,
          secret: SECRET,
          caller: m.phone,
          callerVerified: true,
          entries: ['12#', `${m.bhxhNumber}#`, 'never sent'],
          now: h.clock.now,
        });
        assert.deepEqual(
          steps.map((s) => [s.sent.digits, s.status, (s.reply as VoiceReply).next.action]),
          [
            [undefined, 200, 'collect_digits'],
            ['12#', 200, 'collect_digits'],
            [`${m.bhxhNumber}#`, 200, 'hangup'],
          ],
        );
        assert.ok(
          await hasher.verify((await temporaryHash(m.id))!, spokenPasswords((steps[2]!.reply as VoiceReply).say)[0]),
        );
      } finally {
        await new Promise((resolve) => listener.close(resolve));
      }
    });
  });

  describe('malformed bodies', () => {
    const BAD_BODIES = [
      'not json',
      '',
      'null',
      '42',
      '"text"',
      '[]',
      '{}',
      JSON.stringify({ caller: '0912345678', callerVerified: true }),
      JSON.stringify({ callId: '', caller: '0912345678', callerVerified: true }),
      JSON.stringify({ callId: 'a b', caller: '0912345678', callerVerified: true }),
      JSON.stringify({ callId: 'x'.repeat(129), caller: '0912345678', callerVerified: true }),
      JSON.stringify({ callId: 'c1', caller: 912345678, callerVerified: true }),
      JSON.stringify({ callId: 'c1', caller: '0912345678', callerVerified: 'true' }),
      JSON.stringify({ callId: 'c1', caller: '0912345678' }),
      JSON.stringify({ callId: 'c1', caller: '0912345678', callerVerified: true, digits: 1234567890 }),
      JSON.stringify({ callId: 'c1', caller: '0912345678', callerVerified: true, digits: '12345abcde' }),
      JSON.stringify({ callId: 'c1', caller: '0912345678', callerVerified: true, digits: '1'.repeat(33) }),
      JSON.stringify({ callId: 'c1', caller: 'x'.repeat(41), callerVerified: true }),
      JSON.stringify({ callId: 'c1', caller: 'Nguyễn', callerVerified: true }),
      JSON.stringify({ callId: ['c1'], caller: '0912345678', callerVerified: true }),
    ];

    it('answers 400 JSON for every one of them, never 500', async () => {
      const h = harness();
      for (const raw of BAD_BODIES) {
        const res = await h.postRaw(raw);
        assert.equal(res.status, 400, raw);
        assert.match(res.headers['content-type'] ?? '', /application\/json/, raw);
        assert.equal(res.body.error, 'invalid_request', raw);
      }
    });

    it('answers 415 JSON for another content type or charset, and 413 JSON for a body over 4 KiB', async () => {
      const h = harness();
      const raw = JSON.stringify({ callId: newCallId(), caller: randomPhone(), callerVerified: true });
      const form = await h.postRaw(raw, { contentType: 'application/x-www-form-urlencoded' });
      assert.equal(form.status, 415);
      assert.equal(form.body.error, 'unsupported_media_type');
      const latin1 = await h.postRaw(raw, { contentType: 'application/json; charset=iso-8859-1' });
      assert.equal(latin1.status, 415);
      assert.equal((await h.postRaw(raw, { contentType: 'application/json; charset=UTF-8' })).status, 200);
      const big = await h.postRaw(
        JSON.stringify({ callId: newCallId(), caller: randomPhone(), callerVerified: true, padding: 'x'.repeat(5000) }),
      );
      assert.equal(big.status, 413);
      assert.equal(big.body.error, 'payload_too_large');
    });
  });

  describe('throttling', () => {
    it('limits number checks per calling number, then lets the caller back in an hour later', async () => {
      const h = harness({ perCallerPerHour: 2 });
      const m = await member();
      assert.equal((await h.call(m.phone, true, randomBhxhNumber())).last.say, MISMATCH_SENTENCE);
      assert.equal((await h.call(national(m.phone), true, randomBhxhNumber())).last.say, MISMATCH_SENTENCE);

      // At the limit: told at once, before typing anything, and no password even for the right number.
      const { callId, last } = await h.call(m.phone, true);
      assert.deepEqual(last.next, { action: 'hangup' });
      assert.match(last.say, /quá nhiều lần/);
      assert.deepEqual(
        (await auditsOf(callId)).map((a) => [a.outcome, a.detail.result]),
        [['failure', 'throttled']],
      );
      assert.equal(await temporaryHash(m.id), null);

      h.clock.advance(3601);
      const later = await h.call(m.phone, true, m.bhxhNumber);
      assert.equal(spokenPasswords(later.last.say)[0].length, 10);
    });

    it('limits a caller reaching its limit during a call (two calls at once)', async () => {
      const h = harness({ perCallerPerHour: 1 });
      const m = await member();
      const first = newCallId();
      const second = newCallId();
      await h.step(first, m.phone, false);
      await h.step(second, m.phone, false);
      assert.ok((await h.step(first, m.phone, false, m.bhxhNumber)).say.includes(SENT_BY_SMS));
      assert.match((await h.step(second, m.phone, false, m.bhxhNumber)).say, /quá nhiều lần/);
      assert.equal((await smsTo(m.phone)).length, 1);
    });

    it('limits number checks per BHXH number, strangers and the owner apart', async () => {
      const h = harness({ perNumberPerHour: 2 });
      const m = await member();
      for (let i = 0; i < 2; i += 1)
        assert.equal((await h.call(randomPhone(), false, m.bhxhNumber)).last.say, MISMATCH_SENTENCE);
      const stranger = await h.call(randomPhone(), true, m.bhxhNumber);
      assert.match(stranger.last.say, /quá nhiều lần/);
      assert.deepEqual(stranger.last.next, { action: 'hangup' });
      assert.equal(await temporaryHash(m.id), null);

      // Strangers naming the number did not use up its owner's budget (her network-verified calls); a call from her
      // phone without network verification may be spoofed, so it counts with the strangers.
      assert.match((await h.call(m.phone, false, m.bhxhNumber)).last.say, /quá nhiều lần/);
      assert.ok((await h.call(m.phone, true, m.bhxhNumber)).last.say.includes(REPEATED));
      assert.ok((await h.call(m.phone, true, m.bhxhNumber)).last.say.includes(REPEATED));
      const owner = await h.call(m.phone, true, m.bhxhNumber);
      assert.match(owner.last.say, /quá nhiều lần/);
      assert.equal((await smsTo(m.phone)).length, 0);
      const hash = await temporaryHash(m.id);

      h.clock.advance(3601);
      const later = await h.call(m.phone, true, m.bhxhNumber);
      const [spoken] = spokenPasswords(later.last.say);
      const newHash = await temporaryHash(m.id);
      assert.notEqual(newHash, hash);
      assert.ok(await hasher.verify(newHash!, spoken));
    });

    it('sweeps number checks and finished calls older than a day', async () => {
      const h = harness();
      const { callId } = await h.call(randomPhone(), false, randomBhxhNumber());
      const exists = async () =>
        Boolean(await db('channel_requests').where({ channel: 'voice', request_id: callId }).first('request_id'));
      assert.ok(await exists());
      h.clock.advance(24 * 3600 + 1);
      assert.ok((await sweepVoiceCalls(db, h.clock)) >= 2);
      assert.equal(await exists(), false);
      assert.equal(await sweepVoiceCalls(db, h.clock), 0);
    });
  });
});
