// "BH MK <mã số BHXH>" to 8079 through the running server: a signed inbound SMS, a temporary password texted back
// to the phone on file, then an ordinary OIDC sign-in that forces a new password.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { authorizationRequest, discover, redeem, type oidc } from '../helpers/oidc.js';
import { randomPassword, startTestServer, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { sendDevSms } from '../../src/dev/dev-sms.js';
import { runCli } from '../../src/cli/main.js';

const redirect_uri = 'http://127.0.0.1:46123/callback';

describe('SMS keyword BH MK to 8079', () => {
  let t: TestServer;
  let config: oidc.Configuration;
  const secret = crypto.randomBytes(24).toString('base64url');

  before(async () => {
    t = await startTestServer({ env: { SMS_INBOUND_SECRET: secret } });
    await t.createClient(demoClients(t.url)[0]!.metadata, { firstParty: true });
    config = await discover(t.url, 'vssid');
  });
  after(() => t.close());

  async function textsTo(phone: string) {
    await t.server.outboxWorker.runOnce();
    return (await t.server.devMailbox!.list()).filter((m) => m.channel === 'sms' && m.to === phone).map((m) => m.text);
  }

  it('texts a temporary password to the registered sender, which signs in once and forces a new password', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000444' });
    const sent = await sendDevSms({
      baseUrl: t.url,
      secret,
      sender: '0912 000 444',
      text: `bh mk ${member.bhxhNumber}`,
    });
    assert.equal(sent.status, 200);
    const [reply] = await textsTo('+84912000444');
    const temporary = reply!.match(/tam thoi ([a-z0-9]{10})/)![1]!;

    const browser = new Browser(t.url);
    const request = await authorizationRequest(config, { redirect_uri, scope: 'openid' });
    const login = await browser.get(request.url.href);
    const prompt = await browser.submit(login, { bhxh_number: member.bhxhNumber, password: temporary }, '/login');
    assert.match(prompt.html, /name="new_password"/);
    const chosen = randomPassword();
    const done = await browser.submit(prompt, { new_password: chosen, confirm_password: chosen }, '/password');
    const tokens = await redeem(config, request, done.url);
    assert.equal(tokens.claims()!.sub, member.id);
  });

  it('answers a spoofed sender with the mismatch text and issues nothing', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000555' });
    const sent = await sendDevSms({ baseUrl: t.url, secret, sender: '+84912000666', text: `BHMK${member.bhxhNumber}` });
    assert.equal(sent.status, 200);
    const [reply] = await textsTo('+84912000666');
    assert.match(reply!, /khong khop hoac chua dang ky voi co quan BHXH/);
    assert.equal((await textsTo('+84912000555')).length, 0, 'nothing to the member');
    const row = await t.db('accounts').where({ id: member.id }).first('temporary_password_hash');
    assert.equal(row.temporary_password_hash, null);
  });

  it('can be tried from the CLI against the running server (bhxh-id dev sms)', async () => {
    const member = await t.createMember({ phoneNumber: '+84912000888' });
    let out = '';
    let err = '';
    const code = await runCli(['dev', 'sms', '--from', '0912000888', '--text', `BH MK ${member.bhxhNumber}`], {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      env: { ISSUER: t.url, SMS_INBOUND_SECRET: secret },
    });
    assert.equal(code, 0, err);
    assert.equal(JSON.parse(out).sent, true);
    const [reply] = await textsTo('+84912000888');
    assert.match(reply!, /Mat khau tam thoi [a-z0-9]{10}/);
  });

  it('refuses an unsigned request and is off without a secret', async () => {
    const res = await fetch(`${t.url}/channels/sms/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sender: '+84912000777', recipient: '8079', text: 'BH MK 0123456789', messageId: 'x1' }),
    });
    assert.equal(res.status, 401);
    const off = await startTestServer();
    try {
      const res2 = await fetch(`${off.url}/channels/sms/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(res2.status, 404);
    } finally {
      await off.close();
    }
  });
});
