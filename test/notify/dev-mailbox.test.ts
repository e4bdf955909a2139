// The dev mailbox: messages of the embedded mode land as files under the data folder and show at /dev/mailbox.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { pino } from 'pino';
import request from 'supertest';
import { securityHeaders } from '../../src/http/security-headers.js';
import { createSealer } from '../../src/keys/sealer.js';
import { registerDevMailboxRoutes } from '../../src/dev/mailbox-routes.js';
import { createDevMailbox, type DevMailbox } from '../../src/dev/mailbox.js';
import { createOutbox, createOutboxWorker } from '../../src/notify/outbox.js';
import { recoveryCodeEmail, recoveryCodeSms } from '../../src/notify/templates.js';
import { createTestDatabase, testClock } from '../helpers/server.js';

const ISSUER = 'https://id.bhxh.test';

describe('dev mailbox', () => {
  let dataDir: string;
  let dir: string;
  let clock: ReturnType<typeof testClock>;
  let mailbox: DevMailbox;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-mailbox-'));
    dir = path.join(dataDir, 'mailbox');
    clock = testClock(new Date('2026-11-22T00:00:00Z'));
    mailbox = createDevMailbox(dir, clock);
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('writes each message as a JSON file only its owner can read', async () => {
    await mailbox.email.send({
      to: 'member@example.vn',
      ...recoveryCodeEmail({ code: '482913', minutes: 10, issuer: ISSUER }),
    });
    await mailbox.sms.send({ to: '+84912000111', ...recoveryCodeSms({ code: '771204', minutes: 10 }) });
    const files = fs.readdirSync(dir).sort();
    assert.equal(files.length, 2);
    for (const file of files) {
      assert.match(file, /^\d{13}-\d{6}-[0-9a-f]{8}\.json$/);
      assert.equal(fs.statSync(path.join(dir, file)).mode & 0o777, 0o600);
    }
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    const email = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), 'utf8'));
    assert.deepEqual(Object.keys(email).sort(), ['at', 'channel', 'html', 'id', 'subject', 'text', 'to']);
    assert.equal(email.channel, 'email');
    assert.equal(email.at, '2026-11-22T00:00:00.000Z');
    assert.ok(email.text.includes('482913') && email.html.includes('482913'));
    const sms = JSON.parse(fs.readFileSync(path.join(dir, files[1]!), 'utf8'));
    assert.equal(sms.channel, 'sms');
    assert.equal(sms.to, '+84912000111');
    assert.ok(sms.text.includes('771204'));
  });

  it('lists the newest first and reads one by id', async () => {
    assert.deepEqual(await mailbox.list(), []);
    await mailbox.sms.send({ to: '+84912000111', text: 'first' });
    clock.advance(60);
    await mailbox.sms.send({ to: '+84912000111', text: 'second' });
    await mailbox.sms.send({ to: '+84912000111', text: 'third, same millisecond' });
    const list = await mailbox.list();
    assert.deepEqual(
      list.map((e) => e.text),
      ['third, same millisecond', 'second', 'first'],
    );
    assert.deepEqual(await mailbox.read(list[1]!.id), list[1]);
    assert.equal(await mailbox.read('9999999999999-000001-0000abcd'), undefined);
  });

  it('refuses ids that are not mailbox ids, so nothing outside the folder is read', async () => {
    fs.writeFileSync(path.join(dataDir, 'x.json'), JSON.stringify({ id: 'x', text: 'outside' }));
    await mailbox.sms.send({ to: '+84912000111', text: 'inside' });
    const [entry] = await mailbox.list();
    for (const id of [
      '../x',
      '..%2Fx',
      `${entry!.id}/../../x`,
      `../mailbox/${entry!.id}`,
      `${entry!.id}.json`,
      '',
      '.',
      '..',
      `${entry!.id}\u0000`,
      ` ${entry!.id}`,
    ]) {
      assert.equal(await mailbox.read(id), undefined, id);
    }
  });

  it('receives what the outbox worker delivers, by email and by SMS', async () => {
    const { db, drop } = await createTestDatabase();
    try {
      const sealer = createSealer(crypto.randomBytes(32));
      const outbox = createOutbox(db, sealer, clock);
      await outbox.enqueue({
        channel: 'email',
        to: 'member@example.vn',
        purpose: 'recovery_code',
        ...recoveryCodeEmail({ code: '482913', minutes: 10, issuer: ISSUER }),
      });
      await outbox.enqueue({
        channel: 'sms',
        to: '+84912000111',
        purpose: 'recovery_code',
        ...recoveryCodeSms({ code: '482913', minutes: 10 }),
      });
      const worker = createOutboxWorker({
        db,
        sealer,
        clock,
        senders: { email: mailbox.email, sms: mailbox.sms },
        logger: pino({ level: 'silent' }),
      });
      assert.deepEqual(await worker.runOnce(), { sent: 2, retried: 0, failed: 0 });
      assert.deepEqual(
        (await mailbox.list()).map((e) => [e.channel, e.to]),
        [
          ['sms', '+84912000111'],
          ['email', 'member@example.vn'],
        ],
      );
    } finally {
      await drop();
    }
  });
});

describe('/dev/mailbox pages', () => {
  let dataDir: string;
  let mailbox: DevMailbox;
  let app: Koa;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-mailbox-'));
    mailbox = createDevMailbox(path.join(dataDir, 'mailbox'));
    app = new Koa();
    const router = new Router();
    registerDevMailboxRoutes(router, mailbox);
    app.use(securityHeaders({ https: false }));
    app.use(router.routes());
    await mailbox.email.send({
      to: 'member@example.vn',
      subject: 'Subject <script>alert(1)</script>',
      text: 'Code 482913 <b>not bold</b>',
      html: '<p>Code <strong>482913</strong></p><script>alert("x")</script>',
    });
    await mailbox.sms.send({ to: '+84912000111', text: 'BHXH: Ma 771204' });
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('lists the messages, newest first, with every value escaped', async () => {
    const res = await request(app.callback()).get('/dev/mailbox').expect(200);
    assert.match(res.headers['content-type']!, /text\/html/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.headers['content-security-policy']!, /default-src 'self'/);
    assert.ok(!res.text.includes('<script>'));
    assert.ok(res.text.includes('Subject &lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(res.text.indexOf('+84912000111') < res.text.indexOf('member@example.vn'), 'newest first');
    const [sms, email] = await mailbox.list();
    assert.ok(
      res.text.includes(`href="/dev/mailbox/${sms!.id}"`) && res.text.includes(`href="/dev/mailbox/${email!.id}"`),
    );
  });

  it('shows the text part in <pre> and the HTML part in a sandboxed iframe, escaped', async () => {
    const [, email] = await mailbox.list();
    const res = await request(app.callback()).get(`/dev/mailbox/${email!.id}`).expect(200);
    assert.ok(res.text.includes('<pre class="wrap">Code 482913 &lt;b&gt;not bold&lt;/b&gt;</pre>'));
    assert.match(res.text, /<iframe sandbox srcdoc="&lt;p&gt;Code &lt;strong&gt;482913/);
    assert.ok(!res.text.includes('<script>'));
    assert.match(res.headers['content-security-policy']!, /default-src 'self'; script-src 'self'/);
  });

  it('shows an SMS', async () => {
    const [sms] = await mailbox.list();
    const res = await request(app.callback()).get(`/dev/mailbox/${sms!.id}`).expect(200);
    assert.ok(res.text.includes('<pre class="wrap">BHXH: Ma 771204</pre>'));
    assert.ok(!res.text.includes('<iframe'));
  });

  it('answers 404 for an unknown or malformed id', async () => {
    fs.writeFileSync(path.join(dataDir, 'x.json'), '{"text":"outside"}');
    for (const url of [
      '/dev/mailbox/9999999999999-000001-0000abcd',
      '/dev/mailbox/..%2Fx',
      '/dev/mailbox/%2E%2E%2Fx',
      '/dev/mailbox/nope',
    ]) {
      const res = await request(app.callback()).get(url);
      assert.equal(res.status, 404, url);
      assert.ok(!res.text.includes('outside'));
    }
  });
});
