// Issue 12, findings 5 and 8, attacked as an outsider would: the reset pages over HTTP, the operator CLI.
// 5: a code or a temporary password goes only to an address the account holds as verified; an unverified address
//    is answered exactly like a non-match. 8: every address the one email rule accepts works end to end, and nothing
//    done only for a match (the message) can make its reply differ from a non-match's.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { createCliSandbox, type CliSandbox } from '../helpers/cli.js';
import { authorizationRequest, discover, type oidc, redeem } from '../helpers/oidc.js';
import { choosePassword, enterCode, normalise, postForm, solveCaptcha } from '../helpers/recovery.js';
import { randomBhxhNumber, randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { codeIn, startInbox, type Inbox } from '../helpers/smtp.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import type { Outbox } from '../../src/notify/outbox.js';

const redirect_uri = 'http://127.0.0.1:43219/callback';
const ONEIL = "o'neil@example.vn";

describe('reset codes and valid emails (issue 12: findings 5 and 8)', () => {
  let t: TestServer;
  let inbox: Inbox;
  let config: oidc.Configuration;

  before(async () => {
    inbox = await startInbox();
    t = await startTestServer({
      env: {
        SMTP_URL: inbox.url,
        MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>',
        RECOVERY_CODES_PER_IP_PER_HOUR: '100',
      },
    });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(async () => {
    await t.close();
    await inbox.close();
  });

  /** One reset request from a fresh browser: the raw answer to the POST, then the page it leads to. */
  async function askForCode(method: 'email' | 'sms', bhxhNumber: string, address: string) {
    const browser = new Browser(t.url);
    let form = await browser.get('/recovery');
    if (method === 'sms') form = await browser.submit(form, { method: 'sms-code' }, '/method');
    const reply = await postForm(browser, form, '/address', {
      bhxh_number: bhxhNumber,
      [method === 'sms' ? 'phone' : 'email']: address,
      altcha: await solveCaptcha(t.url),
    });
    const next = reply.status === 303 && reply.location ? await browser.get(reply.location) : undefined;
    return {
      status: reply.status,
      location: reply.location,
      page: next,
      shown: normalise(next?.html ?? reply.html),
      browser,
    };
  }

  /** The reply to a request that matches no account, typed with the same address. */
  const nonMatch = (method: 'email' | 'sms', address: string) => askForCode(method, randomBhxhNumber(), address);

  const queued = (recipient: string, purpose: string) => t.db('outbox').where({ recipient, purpose }).select('id');

  describe('codes go only to verified addresses', () => {
    it('answers an email reset for an unverified email exactly like a non-match, and no mail reaches the inbox', async () => {
      const email = 'unverified.mail@example.vn';
      const member = await t.createMember({ email, emailVerified: false });
      const asked = await askForCode('email', member.bhxhNumber, email);
      const other = await nonMatch('email', email);
      assert.equal(asked.status, 303);
      assert.equal(asked.status, other.status);
      assert.equal(asked.page?.status, other.page?.status);
      assert.equal(asked.shown, other.shown, 'the same page');
      assert.equal((await queued(email, 'recovery_code')).length, 0, 'no code queued');
      await t.server.outboxWorker.runOnce();
      assert.equal(inbox.for(email).length, 0, 'no mail reaches the address');
      const [event] = await t
        .db('audit_events')
        .where({ account_id: member.id, type: 'recovery.code_requested' })
        .select('outcome', 'detail');
      assert.equal(event?.outcome, 'failure');
      assert.equal(
        (typeof event!.detail === 'string' ? JSON.parse(event!.detail) : event!.detail).reason,
        'address_unverified',
        'operators can see why',
      );
    });

    it('answers an SMS reset for an unverified phone exactly like a non-match, and texts nobody', async () => {
      const phone = '+84912777001';
      const member = await t.createMember({ phoneNumber: phone, phoneNumberVerified: false });
      const asked = await askForCode('sms', member.bhxhNumber, '0912 777 001');
      const other = await nonMatch('sms', '0912 777 001');
      assert.equal(asked.status, 303);
      assert.equal(asked.status, other.status);
      assert.equal(asked.shown, other.shown, 'the same page');
      assert.equal((await queued(phone, 'recovery_code')).length, 0, 'no code queued for the phone');
    });

    it('still sends the code to a verified phone (the rule refuses only what nobody verified)', async () => {
      const phone = '+84912777002';
      const member = await t.createMember({ phoneNumber: phone });
      const asked = await askForCode('sms', member.bhxhNumber, '0912777002');
      assert.equal(asked.status, 303);
      assert.equal((await queued(phone, 'recovery_code')).length, 1);
    });
  });

  describe('every valid email works, and a reset never tells a match', () => {
    it(`lets a member whose email is ${ONEIL} reset by email end to end, and tells her`, async () => {
      const member = await t.createMember({ email: ONEIL });
      const asked = await askForCode('email', member.bhxhNumber, "O'Neil@Example.VN");
      assert.equal(asked.status, 303);
      await t.server.outboxWorker.runOnce();
      const mail = await inbox.next(ONEIL);
      const passwordPage = await enterCode(asked.browser, asked.page!, codeIn(mail));
      assert.match(passwordPage.html, /name="new_password"/);
      const done = await choosePassword(asked.browser, passwordPage, randomPassword());
      assert.equal(done.status, 200);
      assert.match(done.html, /Đã đổi mật khẩu/);
      await t.server.outboxWorker.runOnce();
      const notice = await inbox.next(ONEIL);
      assert.match(notice.subject ?? '', /thay đổi/);
    });

    it('gives a matching and a non-matching request the same status and the same page', async () => {
      const email = "d'arcy+bhxh@example.vn";
      const member = await t.createMember({ email });
      const asked = await askForCode('email', member.bhxhNumber, email);
      const other = await nonMatch('email', email);
      assert.equal(asked.status, 303);
      assert.equal(other.status, 303);
      assert.equal(asked.page?.status, 200);
      assert.equal(asked.shown, other.shown);
    });

    for (const [how, fail] of [
      ['an outbox that throws', async () => Promise.reject(new Error('refused'))],
      [
        'an outbox whose statement fails in the database',
        async (trx: Parameters<Outbox['enqueue']>[1]) => void (await trx!.raw('select 1/0')),
      ],
    ] as const) {
      it(`answers like a non-match when the work done only for a match fails (${how})`, async () => {
        const email = `outbox.down.${crypto.randomBytes(3).toString('hex')}@example.vn`;
        const member = await t.createMember({ email });
        const outbox = t.server.deps.outbox as Outbox;
        const enqueue = outbox.enqueue;
        outbox.enqueue = async (message, trx) =>
          message.purpose === 'recovery_code' ? fail(trx) : enqueue(message, trx);
        try {
          const asked = await askForCode('email', member.bhxhNumber, email);
          const other = await nonMatch('email', email);
          assert.equal(asked.status, 303, 'not a 500');
          assert.equal(asked.status, other.status);
          assert.equal(asked.shown, other.shown);
        } finally {
          outbox.enqueue = enqueue;
        }
        const [event] = await t
          .db('audit_events')
          .where({ account_id: member.id, type: 'recovery.code_requested' })
          .select('outcome', 'detail');
        assert.equal(event?.outcome, 'failure');
        const detail = typeof event!.detail === 'string' ? JSON.parse(event!.detail) : event!.detail;
        assert.equal(detail.reason, 'delivery_failed');
        assert.ok(!JSON.stringify(detail).includes(email), 'no address in the audit trail');
      });
    }

    it(`lets a member whose email is ${ONEIL} choose the required new password`, async () => {
      const member = await t.createMember({ email: ONEIL, mustChangePassword: true });
      const browser = new Browser(t.url);
      const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
      const login = await browser.get(request.url.href);
      const step = await browser.submit(login, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');
      assert.match(step.html, /name="new_password"/);
      const newPassword = randomPassword();
      const end = await browser.submit(step, { new_password: newPassword, confirm_password: newPassword }, '/password');
      assert.ok(end.url.startsWith(redirect_uri), `${end.status} ${end.url}`);
      assert.equal((await redeem(config, request, end.url)).claims()!.sub, member.id);
    });
  });
});

describe('the operator CLI and verified addresses (issue 12: findings 5 and 8)', () => {
  let sandbox: CliSandbox;
  before(async () => {
    sandbox = await createCliSandbox('addresses');
    sandbox.env.KEYS_ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
    assert.equal((await sandbox.run(['migrate'])).code, 0);
  });
  after(() => sandbox.close());

  const create = (bhxh: string, ...flags: string[]) =>
    sandbox.run([
      'accounts',
      'create',
      '--bhxh',
      bhxh,
      '--name',
      'Lê Văn Kiểm',
      '--birthdate',
      '1980-01-02',
      '--phone',
      '0912 888 001',
      '--email',
      ONEIL,
      ...flags,
      '--temporary',
    ]);
  const reset = (bhxh: string, deliver: string) =>
    sandbox.run(['accounts', 'reset-password', '--bhxh', bhxh, '--operator', 'HN-0421', '--deliver', deliver]);

  it('stores addresses unverified unless the operator attests them, and refuses to deliver to an unverified one', async () => {
    const created = await create('0123400001');
    assert.equal(created.code, 0, created.err);
    assert.equal(created.json.account.email, ONEIL);
    assert.equal(created.json.account.email_verified, false);
    assert.equal(created.json.account.phone_number_verified, false);
    for (const deliver of ['sms', 'email']) {
      const refused = await reset('0123400001', deliver);
      assert.equal(refused.code, 1, `--deliver ${deliver}: ${refused.out}`);
      assert.equal(refused.err.trim().split('\n').length, 1);
      assert.match(refused.err, /not verified/);
      assert.equal(refused.json.temporary_password, undefined);
    }
  });

  it(`delivers to addresses the operator attested, ${ONEIL} included`, async () => {
    const created = await create('0123400002', '--email-verified', '--phone-verified');
    assert.equal(created.code, 0, created.err);
    assert.equal(created.json.account.email_verified, true);
    assert.equal(created.json.account.phone_number_verified, true);
    for (const deliver of ['sms', 'email']) {
      const delivered = await reset('0123400002', deliver);
      assert.equal(delivered.code, 0, delivered.err);
      assert.equal(delivered.json.delivered, deliver);
    }
  });

  it('refuses an attestation for an address it was not given', async () => {
    const r = await sandbox.run([
      'accounts',
      'create',
      '--bhxh',
      '0123400003',
      '--name',
      'X',
      '--birthdate',
      '1980-01-02',
      '--email-verified',
      '--temporary',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--email-verified/);
  });
});
