// The outbox: enqueued with the change that causes it, delivered by a worker with retries, once, through a real SMTP
// server. Time is the injected clock; waits on the SMTP server are bounded promises.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Db } from '../../src/db/database.js';
import { createSealer, type Sealer } from '../../src/keys/sealer.js';
import { createSmtpSender, type EmailSender } from '../../src/notify/email-senders.js';
import type { MessagePurpose } from '../../src/notify/catalogue.js';
import type { EmailMessage } from '../../src/notify/messages.js';
import {
  backoffSeconds,
  createOutbox,
  createOutboxWorker,
  errorClass,
  sweepFinishedOutbox,
  type Outbox,
  type OutboxWorkerOptions,
} from '../../src/notify/outbox.js';
import { recoveryCodeEmail } from '../../src/notify/templates.js';
import { createTestDatabase, freePort, testClock, usingPostgres } from '../helpers/server.js';
import { startInbox as startSmtpCapture, type Inbox as SmtpCapture } from '../helpers/smtp.js';

const ISSUER = 'https://id.bhxh.test';
const FROM = 'BHXH ID <no-reply@bhxh.test>';
const OPTIONS: Partial<OutboxWorkerOptions> = {
  batchSize: 10,
  maxAttempts: 3,
  leaseSeconds: 60,
  baseBackoffSeconds: 30,
  maxBackoffSeconds: 600,
  pollIntervalMs: 10,
};

/** A 6-digit code generated at run time. */
const newCode = () => String(crypto.randomInt(100000, 1000000));

const recoveryMail = (to: string, code: string) => ({
  channel: 'email' as const,
  to,
  purpose: 'recovery_code' as const,
  ...recoveryCodeEmail({ code, minutes: 10, issuer: ISSUER }),
});

function captureLogger() {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** A sender that waits until released, to hold a worker in the middle of a send. */
function heldSender() {
  const calls: EmailMessage[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const firstCall = new Promise<void>((resolve) => (started = resolve));
  const sender: EmailSender = {
    async send(m) {
      calls.push(m);
      started();
      await released;
    },
  };
  return { sender, calls, release, firstCall };
}

function recordingSender(): EmailSender & { calls: EmailMessage[] } {
  const calls: EmailMessage[] = [];
  return { calls, send: async (m) => void calls.push(m) };
}

describe('outbox', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let sealer: Sealer;
  let clock: ReturnType<typeof testClock>;
  let outbox: Outbox;
  let smtp: SmtpCapture;
  let log: ReturnType<typeof captureLogger>;

  before(async () => {
    ({ db, drop } = await createTestDatabase());
  });
  after(() => drop?.());

  beforeEach(async () => {
    await db('outbox').delete();
    sealer = createSealer(crypto.randomBytes(32));
    clock = testClock(new Date('2026-11-22T00:00:00Z'));
    outbox = createOutbox(db, sealer, clock);
    smtp = await startSmtpCapture();
    log = captureLogger();
  });
  afterEach(() => smtp.close());

  const smtpWorker = (url = smtp.url, options: Partial<OutboxWorkerOptions> = {}) =>
    createOutboxWorker({
      db,
      sealer,
      clock,
      senders: { email: createSmtpSender({ smtpUrl: url, from: FROM, timeoutMs: 2000 }) },
      logger: log.logger,
      options: { ...OPTIONS, ...options },
    });

  const rows = () => db('outbox').select('*').orderBy('id');

  it('sends nothing when the transaction that enqueued the message is rolled back', async () => {
    await assert.rejects(
      db.transaction(async (trx) => {
        await outbox.enqueue(recoveryMail('member@example.vn', newCode()), trx);
        assert.equal(Number((await trx('outbox').count({ n: '*' }))[0]!.n), 1);
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    assert.deepEqual(await rows(), []);
    assert.deepEqual(await smtpWorker().runOnce(), { sent: 0, retried: 0, failed: 0 });
    assert.equal(smtp.received.length, 0);
  });

  it('sends a committed message exactly once, with a text and an HTML part, Vietnamese then English', async () => {
    const code = newCode();
    await db.transaction(async (trx) => {
      await outbox.enqueue(recoveryMail('member@example.vn', code), trx);
    });
    const worker = smtpWorker();
    assert.deepEqual(await worker.runOnce(), { sent: 1, retried: 0, failed: 0 });
    const [mail] = await smtp.waitFor(1);
    assert.equal(mail!.subject, '[BHXH] Mã xác thực đặt lại mật khẩu / Password reset code');
    assert.deepEqual(
      (Array.isArray(mail!.to) ? mail!.to : [mail!.to]).flatMap((a) => a!.value.map((v) => v.address)),
      ['member@example.vn'],
    );
    assert.equal(mail!.from?.value[0]?.address, 'no-reply@bhxh.test');
    const text = mail!.text ?? '';
    const htmlPart = typeof mail!.html === 'string' ? mail!.html : '';
    assert.ok(text.includes(code) && htmlPart.includes(code), 'the code is in both parts');
    for (const part of [text, htmlPart]) {
      const vi = part.indexOf('có hiệu lực trong 10 phút');
      const en = part.indexOf('valid for 10 minutes');
      assert.ok(vi >= 0 && en > vi, 'Vietnamese comes first, English below');
    }

    const [row] = await rows();
    assert.equal(row.status, 'sent');
    assert.equal(row.payload_sealed, null);
    assert.equal(row.attempts, 1);
    assert.equal(new Date(row.sent_at).getTime(), clock.now().getTime());
    assert.equal(row.last_error, null);

    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 0, failed: 0 });
    clock.advance(3600);
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 0, failed: 0 });
    assert.equal(smtp.received.length, 1);
  });

  it('never keeps the code in clear in the outbox table, even before sending', async () => {
    const code = newCode();
    await outbox.enqueue(recoveryMail('member@example.vn', code));
    const [row] = await rows();
    assert.equal(row.status, 'pending');
    assert.equal(row.purpose, 'recovery_code');
    assert.equal(row.recipient, 'member@example.vn');
    assert.match(row.payload_sealed, /^v1\./);
    const { payload_sealed: sealed, ...rest } = row;
    assert.ok(!JSON.stringify(rest).includes(code));
    // The sealed payload is ciphertext: neither its text form nor its decoded bytes hold the code or the wording.
    const bytes = Buffer.concat(
      String(sealed)
        .split('.')
        .slice(2)
        .map((p) => Buffer.from(p, 'base64url')),
    );
    for (const clear of [code, 'Password reset', 'member@example.vn'])
      assert.equal(bytes.indexOf(Buffer.from(clear)), -1);
    // It opens only under its purpose.
    assert.throws(() => sealer.open(sealed, 'outbox:password_changed'));
    assert.ok(sealer.open(sealed, 'outbox:recovery_code').includes(code));
  });

  it('keeps mail through an SMTP outage and delivers it, once, when the server is back', async () => {
    const port = await freePort();
    const worker = smtpWorker(`smtp://127.0.0.1:${port}`);
    const code = newCode();
    await outbox.enqueue(recoveryMail('member@example.vn', code));

    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 1, failed: 0 });
    let [row] = await rows();
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 1);
    assert.equal(row.locked_until, null);
    assert.equal(new Date(row.next_attempt_at).getTime(), clock.now().getTime() + 30_000);
    assert.match(row.last_error, /^E[A-Z]+(\/[A-Z]+)*$/);
    assert.match(row.payload_sealed, /^v1\./);
    const warning = log.lines.find((l) => l.msg.includes('will retry'));
    assert.equal(warning?.level, 40);
    assert.ok(!JSON.stringify(log.lines).includes('member@example.vn') && !JSON.stringify(log.lines).includes(code));

    // Not due yet: nothing is tried.
    clock.advance(29);
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 0, failed: 0 });

    const back = await startSmtpCapture(port);
    try {
      clock.advance(1);
      assert.deepEqual(await worker.runOnce(), { sent: 1, retried: 0, failed: 0 });
      const [mail] = await back.waitFor(1);
      assert.ok(mail!.text?.includes(code));
      [row] = await rows();
      assert.equal(row.status, 'sent');
      assert.equal(row.attempts, 2);
      assert.equal(row.payload_sealed, null);
      clock.advance(3600);
      assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 0, failed: 0 });
      assert.equal(back.received.length, 1);
    } finally {
      await back.close();
    }
  });

  it('backs off exponentially and gives up after maxAttempts, logging an error without content', async () => {
    const port = await freePort();
    const worker = smtpWorker(`smtp://127.0.0.1:${port}`);
    const code = newCode();
    await outbox.enqueue(recoveryMail('member@example.vn', code));

    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 1, failed: 0 });
    clock.advance(30);
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 1, failed: 0 });
    let [row] = await rows();
    assert.equal(new Date(row.next_attempt_at).getTime(), clock.now().getTime() + 60_000);
    clock.advance(60);
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 0, failed: 1 });

    [row] = await rows();
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 3);
    assert.equal(row.payload_sealed, null);
    assert.equal(row.sent_at, null);
    assert.match(row.last_error, /^E[A-Z]+/);
    const error = log.lines.find((l) => l.level === 50);
    assert.equal(error?.outboxId, String(row.id));
    assert.equal(error?.purpose, 'recovery_code');
    assert.ok(!JSON.stringify(log.lines).includes('member@example.vn') && !JSON.stringify(log.lines).includes(code));

    clock.advance(24 * 3600);
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 0, failed: 0 });
  });

  it(`delivers each message exactly once with several workers running at the same time${usingPostgres ? '' : ' (PGlite serialises them)'}`, async () => {
    const codes = Array.from({ length: 30 }, (_, i) => String(100000 + i));
    for (const [i, code] of codes.entries()) await outbox.enqueue(recoveryMail(`member${i}@example.vn`, code));
    const workers = [1, 2, 3].map(() => smtpWorker(smtp.url, { batchSize: 4 }));
    let sent = 0;
    for (let round = 0; round < 20 && sent < codes.length; round += 1) {
      const results = await Promise.all(workers.flatMap((w) => [w.runOnce(), w.runOnce()]));
      // Six claims of 4 out of 30 rows: each gets 4 rows of its own, none waits for another's.
      if (round === 0)
        assert.deepEqual(
          results.map((r) => r.sent),
          [4, 4, 4, 4, 4, 4],
        );
      sent += results.reduce((n, r) => n + r.sent, 0);
    }
    assert.equal(sent, codes.length);
    await smtp.waitFor(codes.length);
    const received = smtp.received.map((m) => m.text?.match(/\b(\d{6})\b/)?.[1]);
    assert.equal(received.length, codes.length);
    assert.deepEqual([...received].sort(), codes);
    assert.deepEqual(
      (await rows()).map((r) => [r.status, r.attempts]),
      codes.map(() => ['sent', 1]),
    );
  });

  it('lets no worker send the rest of a batch whose lease another worker took over', async () => {
    await outbox.enqueue(recoveryMail('first@example.vn', newCode()));
    await outbox.enqueue(recoveryMail('second@example.vn', newCode()));
    const slow = heldSender();
    const workerA = createOutboxWorker({
      db,
      sealer,
      clock,
      senders: { email: slow.sender },
      logger: log.logger,
      options: OPTIONS,
    });
    const fast = recordingSender();
    const workerB = createOutboxWorker({
      db,
      sealer,
      clock,
      senders: { email: fast },
      logger: log.logger,
      options: OPTIONS,
    });

    const runA = workerA.runOnce();
    await slow.firstCall; // A claimed both rows and is stuck sending the first
    clock.advance(61); // its lease runs out
    assert.deepEqual(await workerB.runOnce(), { sent: 2, retried: 0, failed: 0 });
    slow.release();
    assert.deepEqual(await runA, { sent: 0, retried: 0, failed: 0 });

    assert.deepEqual(
      slow.calls.map((m) => m.to),
      ['first@example.vn'],
    );
    assert.deepEqual(
      fast.calls.map((m) => m.to),
      ['first@example.vn', 'second@example.vn'],
    );
    assert.deepEqual(
      (await rows()).map((r) => [r.status, r.attempts]),
      [
        ['sent', 2],
        ['sent', 2],
      ],
    );
    assert.equal(log.lines.filter((l) => l.level === 40).length, 2);
  });

  it('delivers nothing when a row was pointed at another recipient (the recipient is sealed with the message)', async () => {
    await outbox.enqueue(recoveryMail('member@example.vn', newCode()));
    await db('outbox').update({ recipient: 'attacker@example.com' });
    const sender = recordingSender();
    const worker = createOutboxWorker({
      db,
      sealer,
      clock,
      senders: { email: sender },
      logger: log.logger,
      options: OPTIONS,
    });
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 1, failed: 0 });
    assert.equal(sender.calls.length, 0);
    assert.equal((await rows())[0].last_error, 'payload_mismatch');
  });

  it('retries an SMS while no SMS gateway is configured', async () => {
    await outbox.enqueue({ channel: 'sms', to: '+84912000111', purpose: 'recovery_code', text: 'BHXH: Ma 123456' });
    const worker = createOutboxWorker({
      db,
      sealer,
      clock,
      senders: { email: recordingSender() },
      logger: log.logger,
      options: OPTIONS,
    });
    assert.deepEqual(await worker.runOnce(), { sent: 0, retried: 1, failed: 0 });
    const [row] = await rows();
    assert.equal(row.channel, 'sms');
    assert.equal(row.last_error, 'no_sms_sender');
  });

  it('refuses a recipient list, a display name, a malformed number or purpose', async () => {
    const content = recoveryCodeEmail({ code: newCode(), minutes: 10, issuer: ISSUER });
    for (const to of [
      'a@example.vn, b@example.vn',
      'Member <a@example.vn>',
      'a@example.vn\r\nBcc: b@example.vn',
      'not-an-address',
    ]) {
      await assert.rejects(outbox.enqueue({ channel: 'email', to, purpose: 'recovery_code', ...content }), /recipient/);
    }
    await assert.rejects(
      outbox.enqueue({ channel: 'sms', to: '0912000111', purpose: 'recovery_code', text: 'x' }),
      /E\.164/,
    );
    await assert.rejects(
      // A purpose outside the catalogue, as a caller that is not type-checked could pass.
      outbox.enqueue({ channel: 'email', to: 'a@example.vn', purpose: 'Recovery Code' as MessagePurpose, ...content }),
      /purpose/,
    );
    assert.deepEqual(await rows(), []);
  });

  it('polls when started, never overlaps runs, and stop() waits for the run in progress', async () => {
    const held = heldSender();
    const worker = createOutboxWorker({
      db,
      sealer,
      clock,
      senders: { email: held.sender },
      logger: log.logger,
      options: OPTIONS,
    });
    await outbox.enqueue(recoveryMail('member@example.vn', newCode()));
    worker.start();
    worker.start(); // a second start is ignored
    await held.firstCall;
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false);
    held.release();
    await stopping;
    assert.equal(held.calls.length, 1);
    assert.equal((await rows())[0].status, 'sent');
  });

  it('sweeps finished rows after their retention, never pending ones', async () => {
    const sender = recordingSender();
    const worker = createOutboxWorker({
      db,
      sealer,
      clock,
      senders: { email: sender },
      logger: log.logger,
      options: OPTIONS,
    });
    await outbox.enqueue(recoveryMail('sent@example.vn', newCode()));
    await outbox.enqueue({ channel: 'sms', to: '+84912000111', purpose: 'recovery_code', text: 'BHXH: Ma 123456' }); // no SMS sender: stays pending
    await worker.runOnce();
    clock.advance(29 * 24 * 3600);
    assert.equal(await sweepFinishedOutbox(db, clock), 0);
    clock.advance(2 * 24 * 3600);
    assert.equal(await sweepFinishedOutbox(db, clock), 1);
    assert.deepEqual(
      (await rows()).map((r) => [r.channel, r.status]),
      [['sms', 'pending']],
    );
  });

  it('delivers through the polling loop with a real SMTP server', async () => {
    const worker = smtpWorker();
    worker.start();
    try {
      const code = newCode();
      await outbox.enqueue(recoveryMail('member@example.vn', code));
      const [mail] = await smtp.waitFor(1);
      assert.ok(mail!.text?.includes(code));
    } finally {
      await worker.stop();
    }
    assert.equal((await rows())[0].status, 'sent');
  });
});

describe('outbox helpers', () => {
  it('computes a deterministic exponential backoff with a ceiling', () => {
    const o = { baseBackoffSeconds: 30, maxBackoffSeconds: 600 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 10].map((n) => backoffSeconds(n, o)),
      [30, 60, 120, 240, 480, 600, 600],
    );
  });

  it('names an error by its codes, never by its message', () => {
    const err = Object.assign(new Error('550 <member@example.vn> rejected: code 123456'), {
      code: 'EENVELOPE',
      responseCode: 550,
    });
    assert.equal(errorClass(err), 'EENVELOPE/550');
    assert.equal(
      errorClass(Object.assign(new Error('x'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' })),
      'ESOCKET/ECONNREFUSED',
    );
    assert.equal(errorClass(new TypeError('member@example.vn')), 'TypeError');
    assert.equal(errorClass(Object.assign(new Error('x'), { code: 'has spaces <a@b>' })), 'Error');
    assert.equal(errorClass('a string'), 'Error');
  });
});
