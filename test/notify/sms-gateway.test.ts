// The HTTP SMS gateway adapter against a real node:http server on 127.0.0.1: the signed JSON body, the short failure
// codes (never the number or the text), and delivery through the outbox worker exactly once, retried until it works.
// Time in the messages is the injected clock; the only real waits are the adapter's own (small) deadlines.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/core/webhook-signature.js';
import type { Db } from '../../src/db/database.js';
import { createSealer, type Sealer } from '../../src/keys/sealer.js';
import type { EmailSender } from '../../src/notify/email-senders.js';
import type { SmsMessage } from '../../src/notify/messages.js';
import {
  backoffSeconds,
  createOutbox,
  createOutboxWorker,
  errorClass,
  type OutboxWorkerOptions,
} from '../../src/notify/outbox.js';
import { createHttpSmsGateway, smsRequestId, type HttpSmsGatewayOptions } from '../../src/notify/sms-gateway.js';
import { recoveryCodeSms } from '../../src/notify/templates.js';
import { createTestDatabase, freePort, testClock } from '../helpers/server.js';

const START = new Date('2026-11-22T00:00:00Z');
const OPTIONS: Partial<OutboxWorkerOptions> = {
  batchSize: 10,
  maxAttempts: 3,
  leaseSeconds: 60,
  baseBackoffSeconds: 30,
  maxBackoffSeconds: 600,
  pollIntervalMs: 10,
};

/** A 6-digit code and a Vietnamese mobile number generated at run time. */
const newCode = () => String(crypto.randomInt(100000, 1000000));
const newPhone = () => `+849${crypto.randomInt(10000000, 100000000)}`;
const newSecret = () => crypto.randomBytes(24).toString('base64url');

interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: Received, res: http.ServerResponse) => void;

/** A gateway on 127.0.0.1 that records every request and answers with `handler` (which may never answer). */
async function startGateway(initial: Handler = (_req, res) => res.writeHead(202).end('{"status":"queued"}')) {
  const received: Received[] = [];
  let handler = initial;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/sms`,
    received,
    answer(next: Handler) {
      handler = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Gateway = Awaited<ReturnType<typeof startGateway>>;

const status =
  (code: number): Handler =>
  (_req, res) =>
    res.writeHead(code, { 'content-type': 'application/json' }).end('{}');
const neverAnswer: Handler = () => {};

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err as Error & { code?: unknown };
  }
  assert.fail('expected a rejection');
}

/** Nothing about the message may be in the error: not its message, its code, its class, nor its own properties. */
function assertSafe(err: Error & { code?: unknown }, message: SmsMessage) {
  const seen = [
    err.message,
    String(err),
    String(err.stack),
    errorClass(err),
    JSON.stringify(err),
    JSON.stringify(Object.entries(err)),
  ].join('\n');
  for (const secret of [message.to, message.to.slice(1), message.text, message.text.slice(0, 20)])
    assert.ok(!seen.includes(secret), 'the error names neither the number nor the text');
  assert.match(String(err.code), /^[A-Z][A-Z0-9_]{1,39}$/);
  assert.equal(errorClass(err), err.code);
}

describe('HTTP SMS gateway', () => {
  let gateway: Gateway;
  let clock: ReturnType<typeof testClock>;
  let secret: string;

  beforeEach(async () => {
    clock = testClock(START);
    secret = newSecret();
    gateway = await startGateway();
  });
  afterEach(() => gateway.close());

  const adapter = (options: Partial<HttpSmsGatewayOptions> = {}) =>
    createHttpSmsGateway({ url: gateway.url, secret, timeoutMs: 2000, clock, ...options });
  const message = (): SmsMessage => ({ to: newPhone(), ...recoveryCodeSms({ code: newCode(), minutes: 10 }) });

  it('POSTs the message as JSON with a timestamp and an HMAC-SHA256 signature over "<timestamp>.<body>"', async () => {
    const sms = message();
    await adapter().send(sms);
    assert.equal(gateway.received.length, 1);
    const [req] = gateway.received;
    assert.equal(req!.method, 'POST');
    assert.equal(req!.path, '/v1/sms');
    assert.equal(req!.headers['content-type'], 'application/json');

    const body = JSON.parse(req!.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['id', 'text', 'to']);
    assert.equal(body.to, sms.to);
    assert.equal(body.text, sms.text);
    assert.match(String(body.id), /^[0-9a-f]{64}$/);

    // The timestamp is the injected clock's, in unix seconds; the signature verifies with a separate computation.
    const timestamp = req!.headers[TIMESTAMP_HEADER];
    assert.equal(timestamp, String(START.getTime() / 1000));
    const expected = `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${req!.body}`).digest('hex')}`;
    assert.equal(req!.headers[SIGNATURE_HEADER], expected);
    // …and not with another secret or another body.
    assert.notEqual(
      req!.headers[SIGNATURE_HEADER],
      `sha256=${crypto.createHmac('sha256', newSecret()).update(`${timestamp}.${req!.body}`).digest('hex')}`,
    );
    assert.notEqual(
      req!.headers[SIGNATURE_HEADER],
      `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${req!.body} `).digest('hex')}`,
    );
  });

  it('sends the same request id for the same message on every attempt, and a different one for another key or message', async () => {
    const sms = message();
    const gw = adapter();
    await gw.send(sms);
    clock.advance(60);
    await gw.send(sms);
    await gw.send(sms, { idempotencyKey: 'outbox:1' });
    await gw.send(sms, { idempotencyKey: 'outbox:1' });
    await gw.send(sms, { idempotencyKey: 'outbox:2' });
    await gw.send({ ...sms, to: newPhone() });
    const ids = gateway.received.map((r) => (JSON.parse(r.body) as { id: string }).id);
    assert.equal(ids[0], ids[1], 'a retry of the same message carries the same id');
    assert.equal(ids[2], ids[3], 'the same caller key gives the same id');
    assert.equal(new Set([ids[0], ids[2], ids[4], ids[5]]).size, 4);
    assert.equal(ids[2], smsRequestId(secret, sms, 'outbox:1'));
    // The id is keyed by the secret: it does not let anyone else test a guess of the code.
    assert.notEqual(smsRequestId(newSecret(), sms, 'outbox:1'), ids[2]);
    // The retry a minute later is signed afresh.
    assert.equal(gateway.received[1]!.headers[TIMESTAMP_HEADER], String(START.getTime() / 1000 + 60));
  });

  it('fails with ETIMEDOUT when the gateway never answers', async () => {
    gateway.answer(neverAnswer);
    const sms = message();
    const err = await rejection(adapter({ timeoutMs: 50 }).send(sms));
    assert.equal(err.code, 'ETIMEDOUT');
    assertSafe(err, sms);
    assert.equal(gateway.received.length, 1);
  });

  for (const code of [500, 503, 400, 404]) {
    it(`fails with HTTP_${code} when the gateway answers ${code}`, async () => {
      gateway.answer((req, res) =>
        res
          .writeHead(code, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'rejected', echo: req.body })),
      );
      const sms = message();
      const err = await rejection(adapter().send(sms));
      assert.equal(err.code, `HTTP_${code}`);
      assertSafe(err, sms);
    });
  }

  it('treats a redirect as a failure and does not follow it', async () => {
    const target = await startGateway();
    try {
      gateway.answer((_req, res) => res.writeHead(307, { location: target.url }).end());
      const sms = message();
      const err = await rejection(adapter().send(sms));
      assert.equal(err.code, 'HTTP_307');
      assertSafe(err, sms);
      assert.equal(target.received.length, 0, 'the signed message went to the configured endpoint only');
    } finally {
      await target.close();
    }
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const sms = message();
    const err = await rejection(adapter({ url: `http://127.0.0.1:${await freePort()}/v1/sms` }).send(sms));
    assert.equal(err.code, 'ECONNREFUSED');
    assertSafe(err, sms);
  });

  it('refuses a recipient that is not E.164 without calling the gateway', async () => {
    const err = await rejection(adapter().send({ to: '0912345678', text: 'BHXH: test' }));
    assert.equal(err.code, 'INVALID_RECIPIENT');
    assert.equal(gateway.received.length, 0);
  });

  it('refuses a configuration without a secret, an http(s) URL or a sane timeout', () => {
    assert.throws(() => createHttpSmsGateway({ url: gateway.url, secret: '' }), /secret/);
    assert.throws(() => createHttpSmsGateway({ url: 'ftp://127.0.0.1/sms', secret }), /https/);
    assert.throws(() => createHttpSmsGateway({ url: gateway.url, secret, timeoutMs: 0 }), /timeoutMs/);
  });
});

describe('HTTP SMS gateway through the outbox', () => {
  let db: Db;
  let drop: () => Promise<void>;
  let sealer: Sealer;
  let clock: ReturnType<typeof testClock>;
  let gateway: Gateway;
  let secret: string;

  before(async () => {
    ({ db, drop } = await createTestDatabase());
  });
  after(() => drop?.());

  beforeEach(async () => {
    await db('outbox').delete();
    sealer = createSealer(crypto.randomBytes(32));
    clock = testClock(START);
    secret = newSecret();
    gateway = await startGateway();
  });
  afterEach(() => gateway.close());

  const noEmail: EmailSender = {
    send: async () => assert.fail('no email in these tests'),
  };

  const worker = (timeoutMs = 2000) =>
    createOutboxWorker({
      db,
      sealer,
      clock,
      senders: { email: noEmail, sms: createHttpSmsGateway({ url: gateway.url, secret, timeoutMs, clock }) },
      logger: pino({ level: 'silent' }),
      options: OPTIONS,
    });

  async function enqueueRecoverySms() {
    const sms: SmsMessage = { to: newPhone(), ...recoveryCodeSms({ code: newCode(), minutes: 10 }) };
    await db.transaction(async (trx) => {
      await createOutbox(db, sealer, clock).enqueue({ channel: 'sms', purpose: 'recovery_code', ...sms }, trx);
    });
    return sms;
  }

  const rows = () => db('outbox').select('*').orderBy('id');
  const bodies = () => gateway.received.map((r) => JSON.parse(r.body) as { to: string; text: string; id: string });

  it('delivers a committed SMS exactly once', async () => {
    const sms = await enqueueRecoverySms();
    const w = worker();
    assert.deepEqual(await w.runOnce(), { sent: 1, retried: 0, failed: 0 });
    assert.equal(gateway.received.length, 1);
    const [body] = bodies();
    assert.equal(body!.to, sms.to);
    assert.equal(body!.text, sms.text);

    const [row] = await rows();
    assert.equal(row.status, 'sent');
    assert.equal(row.payload_sealed, null);
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, null);

    assert.deepEqual(await w.runOnce(), { sent: 0, retried: 0, failed: 0 });
    clock.advance(3600);
    assert.deepEqual(await w.runOnce(), { sent: 0, retried: 0, failed: 0 });
    assert.equal(gateway.received.length, 1);
  });

  it('retries after the gateway fails, then delivers once it works, with the same request id', async () => {
    const sms = await enqueueRecoverySms();
    gateway.answer(status(503));
    const w = worker();
    assert.deepEqual(await w.runOnce(), { sent: 0, retried: 1, failed: 0 });
    let [row] = await rows();
    assert.equal(row.status, 'pending');
    assert.equal(row.last_error, 'HTTP_503');
    assert.ok(!JSON.stringify(row).includes(sms.text), 'the text stays sealed');

    // Not before the backoff, even though the gateway is back.
    gateway.answer(status(200));
    assert.deepEqual(await w.runOnce(), { sent: 0, retried: 0, failed: 0 });
    assert.equal(gateway.received.length, 1);

    clock.advance(backoffSeconds(1, { baseBackoffSeconds: 30, maxBackoffSeconds: 600 }));
    assert.deepEqual(await w.runOnce(), { sent: 1, retried: 0, failed: 0 });
    [row] = await rows();
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 2);
    assert.equal(row.last_error, null);

    clock.advance(3600);
    assert.deepEqual(await w.runOnce(), { sent: 0, retried: 0, failed: 0 });
    const [first, second] = bodies();
    assert.equal(gateway.received.length, 2);
    assert.equal(second!.text, sms.text);
    assert.equal(first!.id, second!.id, 'the retry can be recognised by the gateway');
  });

  it('does not send twice when the gateway accepted a message but its reply came too late', async () => {
    // A gateway that dedupes on the id, as it is asked to: the first request is accepted but never answered.
    const handed: string[] = [];
    gateway.answer((req, res) => {
      const { id } = JSON.parse(req.body) as { id: string };
      const duplicate = handed.includes(id);
      if (!duplicate) handed.push(id);
      if (gateway.received.length === 1) return; // accepted, but the reply is lost
      res.writeHead(duplicate ? 200 : 202).end();
    });
    await enqueueRecoverySms();
    const w = worker(100);
    assert.deepEqual(await w.runOnce(), { sent: 0, retried: 1, failed: 0 });
    assert.equal((await rows())[0].last_error, 'ETIMEDOUT');

    clock.advance(30);
    assert.deepEqual(await w.runOnce(), { sent: 1, retried: 0, failed: 0 });
    assert.equal(gateway.received.length, 2, 'the worker retried');
    assert.equal(handed.length, 1, 'the gateway handed the message on once');
  });

  it('gives up after the last attempt with the last short error, and keeps nothing of the message', async () => {
    const sms = await enqueueRecoverySms();
    gateway.answer(status(500));
    const w = worker();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const result = await w.runOnce();
      assert.deepEqual(result, attempt < 3 ? { sent: 0, retried: 1, failed: 0 } : { sent: 0, retried: 0, failed: 1 });
      clock.advance(600);
    }
    const [row] = await rows();
    assert.equal(row.status, 'failed');
    assert.equal(row.last_error, 'HTTP_500');
    assert.equal(row.payload_sealed, null);
    assert.ok(!JSON.stringify(row).includes(sms.text));
    assert.equal(gateway.received.length, 3);
  });
});
