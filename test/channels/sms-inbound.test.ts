// The inbound SMS keyword channel (BH MK <mã số BHXH> to 8079): signed webhook, one processing per message id,
// temporary password only to the phone on file, the same reply for every mismatch, help for anything else, hourly
// limits per sender and per number with no reply past them, and JSON answers for anything malformed.
// Time is the injected clock: requests are signed with the clock's time and the limits follow it.
import { createThrottle } from '../../src/security/throttle.js';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { pino } from 'pino';
import request from 'supertest';
import { createAccountRepository, type AccountRepository } from '../../src/accounts/account-repository.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { signedInboundSms } from '../../src/dev/dev-sms.js';
import {
  registerSmsInboundRoutes,
  SMS_INBOUND_PATH,
  type SmsInboundRouteDeps,
} from '../../src/channels/sms-inbound-routes.js';
import {
  parseSmsKeyword,
  parseSmsSender,
  smsHelpReply,
  smsMismatchReply,
  sweepSmsInbound,
  temporaryPasswordSms,
  type InboundSms,
} from '../../src/channels/sms-inbound.js';
import { signWebhook } from '../../src/core/webhook-signature.js';
import { loadConfig } from '../../src/config/config.js';
import type { Db } from '../../src/db/database.js';
import { createSealer, type Sealer } from '../../src/keys/sealer.js';
import { createPasswordHasher } from '../../src/methods/password/hasher.js';
import {
  createTemporaryPasswords,
  generateTemporaryPassword,
  TEMPORARY_ALPHABET,
  TEMPORARY_LENGTH,
  type TemporaryPasswords,
} from '../../src/methods/temporary-password/temporary-passwords.js';
import { createOutbox } from '../../src/notify/outbox.js';
import { fitsOneSmsSegment } from '../../src/notify/templates.js';
import { createTestDatabase, randomBhxhNumber, randomPassword, testClock, usingPostgres } from '../helpers/server.js';
import { createChannelRequests } from '../../src/channels/channel-requests.js';

const hasher = createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
const SECRET = crypto.randomBytes(24).toString('base64url');
const START = new Date('2026-11-22T03:00:00Z');

let phoneCounter = 0;
/** A distinct valid Vietnamese mobile number per call, in E.164 and in the local form a carrier may send. */
function newPhone(): { e164: string; local: string } {
  phoneCounter += 1;
  const rest = `${String(crypto.randomInt(0, 1000)).padStart(3, '0')}${String(phoneCounter).padStart(4, '0')}`;
  return { e164: `+8491${rest}`, local: `091 ${rest.slice(0, 3)} ${rest.slice(3)}` };
}

interface OutboxSms {
  recipient: string;
  purpose: string;
  text: string;
}

describe('inbound SMS keyword channel', { concurrency: false }, () => {
  let db: Db;
  let drop: () => Promise<void>;
  let sealer: Sealer;
  let clock: ReturnType<typeof testClock>;
  let accounts: AccountRepository;
  let temporaryPasswords: TemporaryPasswords;
  let ownHash: string;
  let ownPassword: string;

  before(async () => {
    ({ db, drop } = await createTestDatabase());
    accounts = createAccountRepository(db);
    ownPassword = randomPassword();
    ownHash = await hasher.hash(ownPassword);
  });
  after(() => drop?.());

  beforeEach(async () => {
    for (const table of ['outbox', 'channel_requests', 'sms_inbound_messages', 'throttle_hits', 'audit_events'])
      await db(table).delete();
    sealer = createSealer(crypto.randomBytes(32));
    clock = testClock(START);
    temporaryPasswords = createTemporaryPasswords(
      createAccountRepository(db),
      hasher,
      clock,
      { ttlSeconds: 600 },
      { outbox: createOutbox(db, sealer, clock), issuer: 'http://localhost' },
    );
  });

  /** A Koa app with only the SMS routes, on real services over the test database. */
  function app(env: Record<string, string> = {}) {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SMS_INBOUND_SECRET: SECRET, ...env });
    const deps: SmsInboundRouteDeps = {
      config,
      db,
      accounts: createAccountRepository(db),
      clock,
      logger: pino({ level: 'silent' }),
      outbox: createOutbox(db, sealer, clock),
      audit: createAuditLog(db),
      temporaryPasswords,
      channelRequests: createChannelRequests(db, clock),
      smsInboundKey: crypto.randomBytes(32),
      throttle: createThrottle({ key: crypto.randomBytes(32), clock }),
    };
    const koa = new Koa();
    const router = new Router();
    registerSmsInboundRoutes(router, deps);
    koa.use(router.routes());
    koa.use(router.allowedMethods());
    return koa.callback();
  }

  const now = () => Math.floor(clock.now().getTime() / 1000);
  const message = (sender: string, text: string, messageId: string = crypto.randomUUID()): InboundSms => ({
    sender,
    recipient: '8079',
    text,
    messageId,
  });

  /** Posts a message signed with the test clock's time (or the given timestamp / secret). */
  async function post(handler: ReturnType<typeof app>, msg: InboundSms, { timestamp = now(), secret = SECRET } = {}) {
    const { body, headers } = signedInboundSms(secret, msg, timestamp);
    return request(handler).post(SMS_INBOUND_PATH).set(headers).send(body);
  }

  async function outboxSms(): Promise<OutboxSms[]> {
    const rows = await db('outbox').orderBy('id').select('channel', 'recipient', 'purpose', 'payload_sealed');
    return rows.map((r) => {
      assert.equal(r.channel, 'sms');
      const payload = JSON.parse(sealer.open(r.payload_sealed, `outbox:${r.purpose}`)) as {
        message: { to: string; text: string };
      };
      assert.equal(payload.message.to, r.recipient, 'the sealed recipient is the row recipient');
      return { recipient: r.recipient, purpose: r.purpose, text: payload.message.text };
    });
  }

  async function createMember(overrides: { phone?: string | null; verified?: boolean; bhxhNumber?: string } = {}) {
    const phone = overrides.phone === undefined ? newPhone().e164 : overrides.phone;
    const account = await accounts.create({
      bhxhNumber: overrides.bhxhNumber ?? randomBhxhNumber(),
      fullName: 'Nguyễn Thị Tin Nhắn',
      birthdate: '1990-01-02',
      phoneNumber: phone,
      // The member's real phone unless a test says otherwise (codes go to verified phones only).
      phoneNumberVerified: overrides.verified ?? true,
      passwordHash: ownHash,
    });
    return account;
  }

  const accountRow = (id: string) => db('accounts').where({ id }).first();
  const passwordIn = (text: string) => /Mat khau tam thoi ([a-z0-9]+),/.exec(text)?.[1];

  it('a message from the phone on file gets a temporary password by SMS, and nothing else on the account changes', async () => {
    const handler = app();
    const phone = newPhone();
    const member = await createMember({ phone: phone.e164 });
    const res = await post(handler, message(phone.local, `BH MK ${member.bhxhNumber}`));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'accepted' });
    assert.match(String(res.headers['content-type']), /application\/json/);

    const sent = await outboxSms();
    assert.equal(sent.length, 1, 'one reply');
    assert.equal(sent[0]!.recipient, phone.e164, 'to the sender, in E.164');
    assert.equal(sent[0]!.purpose, 'temporary_password');
    const text = sent[0]!.text;
    assert.ok(fitsOneSmsSegment(text), 'one GSM-7 segment');
    assert.match(text, /hieu luc 10 phut/);
    assert.match(text, /doi mat khau khi dang nhap lan dau/);
    assert.match(text, /KHONG dua mat khau cho ai/);
    const password = passwordIn(text);
    assert.ok(password, 'the password is in the reply');
    assert.equal(password.length, TEMPORARY_LENGTH);
    assert.ok([...password].every((c) => TEMPORARY_ALPHABET.includes(c)));

    const row = await accountRow(member.id);
    assert.ok(row.temporary_password_hash, 'a temporary password is stored');
    assert.ok(
      await hasher.verify(row.temporary_password_hash, password),
      'the reply holds the stored temporary password',
    );
    assert.equal(new Date(row.temporary_password_expires_at).getTime(), START.getTime() + 600_000);
    // Nothing else is set: the member's own password still works and no change is forced on it.
    assert.equal(row.password_hash, ownHash);
    assert.equal(row.must_change_password, false);
    assert.equal(row.status, 'active');
    assert.ok(await hasher.verify(row.password_hash, ownPassword));
    // The temporary password signs in once.
    assert.equal(await temporaryPasswords.consume(member, password), true);
    assert.equal(await temporaryPasswords.consume(member, password), false, 'single use');

    const audit = await db('audit_events').select('type', 'outcome', 'account_id', 'detail');
    assert.equal(audit.length, 1);
    assert.equal(audit[0].type, 'sms_inbound');
    assert.equal(audit[0].outcome, 'success');
    assert.equal(audit[0].account_id, member.id);
    const detail = typeof audit[0].detail === 'string' ? JSON.parse(audit[0].detail) : audit[0].detail;
    assert.deepEqual(detail, { outcome: 'issued' });
    // No password, BHXH number or phone number kept anywhere but the sealed outbox payload.
    const kept = JSON.stringify([
      audit,
      await db('channel_requests').select(),
      await db('sms_inbound_messages').select(),
      await db('outbox').select('recipient', 'purpose'),
    ]);
    assert.ok(!kept.includes(password), 'no password in the audit, idempotency or limit rows');
    assert.ok(!kept.includes(member.bhxhNumber), 'no BHXH number in them either');
    assert.equal(kept.split(phone.e164).length - 1, 1, 'the phone appears only as the outbox recipient');
  });

  it('matches the keyword whatever the case and spacing', async () => {
    const handler = app();
    const phone = newPhone();
    await createMember({ phone: phone.e164, bhxhNumber: '0123456789' });
    const variants = [
      'bh mk 0123456789',
      'BHMK0123456789',
      '  Bh  Mk  0123 456 789 ',
      'BH MK 0123.456.789',
      'bH\tmK\n0123-456-789',
      'ＢＨ ＭＫ ０１２３４５６７８９',
    ];
    for (const text of variants) {
      clock.advance(3601); // a fresh hour each time: this test is about parsing, not limits
      await db('outbox').delete();
      const res = await post(handler, message(phone.e164, text));
      assert.deepEqual(res.body, { status: 'accepted' }, text);
      const sent = await outboxSms();
      assert.equal(sent.length, 1, text);
      assert.equal(sent[0]!.purpose, 'temporary_password', `${JSON.stringify(text)} is the keyword`);
    }
    assert.equal(parseSmsKeyword('bh mk 0123456789'), '0123456789');
    assert.equal(parseSmsKeyword('BHMK0123456789'), '0123456789');
    assert.equal(parseSmsKeyword('  Bh  Mk  0123 456 789 '), '0123456789');
    for (const other of [
      'BH MK 012345678',
      'BH MK 01234567890',
      'BH MKK 0123456789',
      'MK 0123456789',
      'BH 0123456789',
      'BH MK',
      'BH MK 012345678a',
      '',
      'xin chao',
    ]) {
      assert.equal(parseSmsKeyword(other), null, other);
    }
  });

  it('a sender that is not the phone on file gets the mismatch reply, and no temporary password is stored', async () => {
    const handler = app();
    const member = await createMember();
    const stranger = newPhone();
    const res = await post(handler, message(stranger.local, `BH MK ${member.bhxhNumber}`));
    assert.deepEqual(res.body, { status: 'accepted' });
    const sent = await outboxSms();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.recipient, stranger.e164, 'only to the sender, never to the phone on file');
    assert.equal(sent[0]!.text, smsMismatchReply().text);
    assert.match(sent[0]!.text, /So dien thoai va ma so bao hiem khong khop hoac chua dang ky voi co quan BHXH/);
    const row = await accountRow(member.id);
    assert.equal(row.temporary_password_hash, null);
    assert.equal(row.temporary_password_expires_at, null);
    assert.equal(row.password_hash, ownHash);
    const audit = await db('audit_events').first('outcome', 'account_id', 'detail');
    assert.equal(audit.outcome, 'failure');
    assert.equal(audit.account_id, member.id, 'a stranger asking for an account is on its trail');
  });

  it('an unknown number, a disabled account and an unverified phone get the very same mismatch reply', async () => {
    const handler = app();
    const unknownSender = newPhone();
    await post(handler, message(unknownSender.e164, `BH MK ${randomBhxhNumber()}`));

    const disabledPhone = newPhone();
    const disabled = await createMember({ phone: disabledPhone.e164 });
    await accounts.setStatus(disabled.id, 'disabled');
    await post(handler, message(disabledPhone.e164, `BH MK ${disabled.bhxhNumber}`));

    const unverifiedPhone = newPhone();
    const unverified = await createMember({ phone: unverifiedPhone.e164, verified: false });
    await post(handler, message(unverifiedPhone.e164, `BH MK ${unverified.bhxhNumber}`));

    const noPhone = await createMember({ phone: null });
    const anyone = newPhone();
    await post(handler, message(anyone.e164, `BH MK ${noPhone.bhxhNumber}`));

    const sent = await outboxSms();
    assert.deepEqual(
      sent.map((s) => s.recipient),
      [unknownSender.e164, disabledPhone.e164, unverifiedPhone.e164, anyone.e164],
    );
    assert.ok(sent.every((s) => s.text === smsMismatchReply().text && s.purpose === 'sms_inbound_mismatch'));
    for (const id of [disabled.id, unverified.id, noPhone.id])
      assert.equal((await accountRow(id)).temporary_password_hash, null);
    const reasons = (await db('audit_events').orderBy('id').select('detail')).map(
      (r) => (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail).reason,
    );
    assert.deepEqual(reasons, ['unknown_number', 'account_disabled', 'phone_unverified', 'no_phone']);
  });

  it('any other text gets the short help reply', async () => {
    const handler = app();
    const phone = newPhone();
    for (const text of ['xin chao', 'BH MK', 'MK 0123456789', '']) {
      await post(handler, message(phone.local, text));
    }
    const sent = await outboxSms();
    assert.equal(sent.length, 4);
    for (const s of sent) {
      assert.equal(s.recipient, phone.e164);
      assert.equal(s.text, smsHelpReply().text);
      assert.equal(s.purpose, 'sms_inbound_help');
    }
    assert.match(smsHelpReply().text, /BH MK <ma so BHXH> gui 8079/);
  });

  it('no reply to a sender that is not a Vietnamese phone number', async () => {
    const handler = app();
    for (const sender of ['VIETTEL', '+14155550123', '12345', '+84 0000']) {
      const res = await post(handler, message(sender, 'BH MK 0123456789'));
      assert.deepEqual(res.body, { status: 'accepted' }, sender);
    }
    assert.equal((await outboxSms()).length, 0);
    assert.equal(parseSmsSender('0168 123 4567'), '+84381234567', 'old 11-digit numbers are mapped');
    assert.equal(parseSmsSender('84912345678'), '+84912345678');
  });

  it('refuses a missing, wrong or stale signature with 401, storing nothing', async () => {
    const handler = app();
    const phone = newPhone();
    const member = await createMember({ phone: phone.e164 });
    const msg = message(phone.e164, `BH MK ${member.bhxhNumber}`);
    const body = JSON.stringify(msg);

    const unsigned = await request(handler).post(SMS_INBOUND_PATH).set('content-type', 'application/json').send(body);
    const wrongSecret = await post(handler, msg, { secret: crypto.randomBytes(24).toString('base64url') });
    const otherBody = await request(handler)
      .post(SMS_INBOUND_PATH)
      .set({
        'content-type': 'application/json',
        ...signWebhook(SECRET, JSON.stringify({ ...msg, text: 'xin chao' }), now()),
      })
      .send(body);
    const noTimestamp = await request(handler)
      .post(SMS_INBOUND_PATH)
      .set({
        'content-type': 'application/json',
        'x-bhxh-signature': signWebhook(SECRET, body, now())['x-bhxh-signature'],
      })
      .send(body);
    const stale = await post(handler, msg, { timestamp: now() - 6 * 60 });
    const future = await post(handler, msg, { timestamp: now() + 6 * 60 });
    for (const res of [unsigned, wrongSecret, otherBody, noTimestamp, stale, future]) {
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { error: 'invalid_signature' });
    }
    for (const table of ['outbox', 'channel_requests', 'sms_inbound_messages', 'audit_events']) {
      assert.equal((await db(table).select()).length, 0, `nothing in ${table}`);
    }
    assert.equal((await accountRow(member.id)).temporary_password_hash, null);

    // Within the window the same message goes through (the window is the clock's, not the wall clock's).
    const fresh = await post(handler, msg, { timestamp: now() - 4 * 60 });
    assert.deepEqual(fresh.body, { status: 'accepted' });
  });

  it('processes a message id once: a retry changes nothing and sends nothing', async () => {
    const handler = app();
    const phone = newPhone();
    const member = await createMember({ phone: phone.e164 });
    const msg = message(phone.e164, `BH MK ${member.bhxhNumber}`, 'aggregator-msg-0001');
    const first = await post(handler, msg);
    assert.deepEqual(first.body, { status: 'accepted' });
    const hashAfterFirst = (await accountRow(member.id)).temporary_password_hash;

    clock.advance(30);
    const retry = await post(handler, msg); // a retry, signed again
    assert.equal(retry.status, 200);
    assert.deepEqual(retry.body, { status: 'duplicate' });
    const sameIdOtherText = await post(handler, { ...msg, text: 'xin chao' });
    assert.deepEqual(sameIdOtherText.body, { status: 'duplicate' });

    assert.equal((await outboxSms()).length, 1, 'one reply');
    assert.equal((await accountRow(member.id)).temporary_password_hash, hashAfterFirst, 'no second temporary password');
    assert.equal((await db('audit_events').select()).length, 1);
    assert.equal((await db('sms_inbound_messages').select()).length, 1, 'counted once against the limits');

    // Parallel deliveries of one new message id: one is processed, the other waits and is told it is a duplicate.
    const parallel = message(phone.e164, 'xin chao', 'aggregator-msg-0002');
    const answers = await Promise.all([post(handler, parallel), post(handler, parallel), post(handler, parallel)]);
    assert.deepEqual(answers.map((a) => a.body.status).sort(), ['accepted', 'duplicate', 'duplicate']);
    assert.equal((await outboxSms()).length, 2);
  });

  it('throttles per sender: past the hourly limit no reply at all, still 200 to the aggregator', async () => {
    const handler = app({ SMS_INBOUND_PER_SENDER_PER_HOUR: '3', SMS_INBOUND_PER_NUMBER_PER_HOUR: '10' });
    const phone = newPhone();
    const member = await createMember({ phone: phone.e164 });
    for (let i = 0; i < 3; i += 1) await post(handler, message(phone.e164, 'xin chao'));
    assert.equal((await outboxSms()).length, 3);
    for (let i = 0; i < 4; i += 1) {
      clock.advance(60);
      const res = await post(handler, message(phone.e164, i % 2 ? 'xin chao' : `BH MK ${member.bhxhNumber}`));
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'accepted' });
    }
    assert.equal((await outboxSms()).length, 3, 'no more replies, not even the password');
    assert.equal(
      (await accountRow(member.id)).temporary_password_hash,
      null,
      'no temporary password issued while throttled',
    );
    const outcomes = (await db('sms_inbound_messages').orderBy('id').select('outcome')).map((r) => r.outcome);
    assert.deepEqual(outcomes, ['help', 'help', 'help', 'throttled', 'throttled', 'throttled', 'throttled']);

    // Another sender is not affected.
    const other = newPhone();
    await post(handler, message(other.e164, 'xin chao'));
    assert.equal((await outboxSms()).length, 4);

    // A sender who keeps sending stays silent; once a quiet hour has passed, it is answered again.
    clock.advance(3601);
    const res = await post(handler, message(phone.local, `bh mk ${member.bhxhNumber}`));
    assert.deepEqual(res.body, { status: 'accepted' });
    const sent = await outboxSms();
    assert.equal(sent.length, 5);
    assert.equal(sent[4]!.purpose, 'temporary_password');
  });

  it("throttles per BHXH number: strangers use up only their own budget for it, never the owner's", async () => {
    const handler = app({ SMS_INBOUND_PER_SENDER_PER_HOUR: '10', SMS_INBOUND_PER_NUMBER_PER_HOUR: '3' });
    const phone = newPhone();
    const member = await createMember({ phone: phone.e164 });
    const strangers = Array.from({ length: 5 }, () => newPhone());
    for (const s of strangers) await post(handler, message(s.e164, `BH MK ${member.bhxhNumber}`));
    const sent = await outboxSms();
    assert.equal(sent.length, 3, 'three mismatch replies for the number, then none');
    assert.deepEqual(
      sent.map((s) => s.recipient),
      strangers.slice(0, 3).map((s) => s.e164),
    );

    // The owner's own phone still gets its temporary password.
    await post(handler, message(phone.e164, `BH MK ${member.bhxhNumber}`));
    assert.equal((await outboxSms()).at(-1)!.purpose, 'temporary_password');
    assert.equal((await outboxSms()).length, 4);

    // An unknown number is limited too.
    const unknown = randomBhxhNumber();
    for (const s of strangers) await post(handler, message(s.e164, `BH MK ${unknown}`));
    assert.equal((await outboxSms()).length, 7);
  });

  it('holds the limits under parallel requests', async () => {
    const handler = app({ SMS_INBOUND_PER_SENDER_PER_HOUR: '3' });
    const phone = newPhone();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(handler, message(phone.e164, 'xin chao'))));
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(
      (await outboxSms()).length,
      3,
      usingPostgres ? 'advisory locks serialise the count' : 'one connection',
    );
  });

  it('answers malformed, incomplete, oversized or non-JSON requests with a JSON error, never 500, storing nothing', async () => {
    const handler = app();
    const sign = (body: string) => ({ 'content-type': 'application/json', ...signWebhook(SECRET, body, now()) });
    const send = (body: string, headers: Record<string, string> = sign(body)) =>
      request(handler).post(SMS_INBOUND_PATH).set(headers).send(body);

    const cases: Array<[string, Awaited<ReturnType<typeof send>>, number]> = [
      ['malformed JSON', await send('{"sender": "0912345678", '), 400],
      ['malformed JSON, unsigned', await send('{nope', { 'content-type': 'application/json' }), 400],
      ['a JSON string', await send('"BH MK 0123456789"'), 400],
      ['a JSON array', await send('[]'), 400],
      ['missing fields', await send(JSON.stringify({ sender: '0912345678', text: 'BH MK 0123456789' })), 400],
      [
        'wrong types',
        await send(JSON.stringify({ sender: 912345678, recipient: '8079', text: 'x', messageId: 'm1' })),
        400,
      ],
      [
        'empty message id',
        await send(JSON.stringify({ sender: '0912345678', recipient: '8079', text: 'x', messageId: '' })),
        400,
      ],
      [
        'message id with spaces',
        await send(JSON.stringify({ sender: '0912345678', recipient: '8079', text: 'x', messageId: 'a b' })),
        400,
      ],
      [
        'huge body',
        await send(
          JSON.stringify({ sender: '0912345678', recipient: '8079', text: 'x'.repeat(9000), messageId: 'm2' }),
        ),
        413,
      ],
      ['not JSON', await send('sender=0912345678', { 'content-type': 'application/x-www-form-urlencoded' }), 415],
    ];
    for (const [name, res, status] of cases) {
      assert.equal(res.status, status, name);
      assert.match(String(res.headers['content-type']), /application\/json/, name);
      assert.equal(typeof res.body.error, 'string', name);
    }
    for (const table of ['outbox', 'channel_requests', 'sms_inbound_messages', 'audit_events']) {
      assert.equal((await db(table).select()).length, 0, `nothing in ${table}`);
    }
  });

  it('answers 404 when the channel is switched off or has no secret', async () => {
    const switchedOff: Array<Record<string, string>> = [{ SMS_INBOUND_ENABLED: 'false' }, { SMS_INBOUND_SECRET: '' }];
    for (const env of switchedOff) {
      const res = await post(app(env), message(newPhone().e164, 'BH MK 0123456789'));
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { error: 'not_found' });
    }
    assert.equal((await db('channel_requests').select()).length, 0);
  });

  it('every reply is one GSM-7 segment without diacritics', () => {
    for (let i = 0; i < 50; i += 1) {
      for (const minutes of [1, 10, 999])
        assert.ok(fitsOneSmsSegment(temporaryPasswordSms({ password: generateTemporaryPassword(), minutes }).text));
    }
    assert.ok(fitsOneSmsSegment(smsMismatchReply().text));
    assert.ok(fitsOneSmsSegment(smsHelpReply().text));
    assert.throws(() => temporaryPasswordSms({ password: 'not a password!', minutes: 10 }));
  });

  it('sweeps old limit rows and old idempotency records', async () => {
    const handler = app();
    const phone = newPhone();
    await post(handler, message(phone.e164, 'xin chao'));
    assert.equal(await sweepSmsInbound(db, clock), 0);
    clock.advance(25 * 3600);
    assert.equal(await sweepSmsInbound(db, clock), 1, 'the limit row');
    clock.advance(7 * 24 * 3600);
    assert.equal(await sweepSmsInbound(db, clock), 1, 'the idempotency record');
    assert.equal((await db('channel_requests').select()).length, 0);
  });
});
