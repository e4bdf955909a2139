// Issue 14, item 2: a second SMS code request within the cooldown sends nothing, and must say so truthfully; the code
// the member already has must keep working, in the flow of the second request too. Also what an attacker can and
// cannot do with that: parallel requests for one number send one code, a browser cannot use a code another browser
// asked for, the reply is the same for a matching and a non-matching number, and a continued code still dies with a
// credential change. Item 3: the number is shown masked, in the form the member typed it, with advice for SMS.
//
// Time is the server's injected clock; SMS are read from the dev mailbox after an explicit outbox run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser, type Page } from '../helpers/browser.js';
import { enterCode, formOf, normalise, postForm, solveCaptcha } from '../helpers/recovery.js';
import { randomBhxhNumber, randomPassword, startTestServer, testClock, type TestServer } from '../helpers/server.js';
import { translator } from '../../src/core/i18n.js';

const vi = translator('vi');
/** The page keeps a number on one line: its spaces are no-break spaces. */
const nb = (text: string) => text.replace(/ /g, '\u00a0');
const TEXT = {
  codeTitle: vi('recovery.code.title'),
  repeat: 'Bạn vừa yêu cầu mã cách đây chưa đầy 60 giây nên chúng tôi không gửi mã mới.',
  wrong: vi('recovery.code.error.wrong'),
  startAgain: vi('error.credentials_changed'),
  smsAdvice: vi('recovery.code.resend_hint_sms'),
  emailAdvice: vi('recovery.code.resend_hint_email'),
};

describe('password reset by SMS code: a second request within the cooldown', () => {
  let t: TestServer;
  const clock = testClock();

  before(async () => {
    // Every request here comes from 127.0.0.1: the per-address budget is tested elsewhere.
    t = await startTestServer({ clock, env: { RECOVERY_CODES_PER_IP_PER_HOUR: '1000' } });
  });
  after(() => t.close());

  async function smsTo(phone: string): Promise<string[]> {
    await t.server.outboxWorker.runOnce();
    return (await t.server.devMailbox!.list())
      .filter((m) => m.channel === 'sms' && m.to === phone && /Ma dat lai mat khau/.test(m.text))
      .map((m) => m.text.match(/\b(\d{6})\b/)![1]!);
  }

  /** A new flow in `browser`, switched to SMS: the address page. */
  async function phonePage(browser: Browser): Promise<Page> {
    const email = await browser.get('/recovery');
    return browser.submit(email, { method: 'sms-code' }, '/method');
  }

  /** A new flow in `browser` up to the code page for this number and phone (typed as given). */
  async function request(browser: Browser, bhxhNumber: string, phone: string, altcha?: string): Promise<Page> {
    const page = await phonePage(browser);
    const codePage = await browser.submit(
      page,
      { bhxh_number: bhxhNumber, phone, altcha: altcha ?? (await solveCaptcha(t.url)) },
      '/address',
    );
    assert.equal(codePage.status, 200, codePage.html.slice(0, 400));
    assert.ok(codePage.html.includes(TEXT.codeTitle), 'the code page');
    return codePage;
  }

  const flowIdOf = (page: Page) => new URL(page.url).pathname.split('/')[2]!;
  const codeRows = (accountId: string) =>
    t.db('verification_codes').where({ account_id: accountId }).select('id', 'flow_id', 'attempts', 'consumed_at');

  it('requests an SMS code twice within the cooldown and then uses the first code', async () => {
    const member = await t.createMember({ phoneNumber: '+84387654321' });
    const browser = new Browser(t.url);
    const first = await request(browser, member.bhxhNumber, '0168 765 4321');
    const [code] = await smsTo('+84387654321');
    assert.ok(code, 'the first request texts a code');

    // The member does not see it yet, goes back and asks again 20 s later: a new flow, in the same browser.
    clock.advance(20);
    const second = await request(browser, member.bhxhNumber, '0168 765 4321');
    assert.notEqual(flowIdOf(second), flowIdOf(first), 'a new flow');
    assert.ok(second.html.includes(TEXT.repeat), 'the page says no new code was sent');
    assert.ok(
      second.html.includes(`mã đã gửi tới ${nb('0168 ••• •321')} khi đó vẫn dùng được`),
      'and that the code still works',
    );
    assert.ok(second.html.includes('Bạn có thể yêu cầu mã mới sau 40 giây.'), 'and the wait that remains');
    assert.deepEqual(await smsTo('+84387654321'), [code], 'no second SMS');

    // "Gửi lại mã" 30 s later still within the cooldown of the first code: the same truth, 10 s left.
    clock.advance(30);
    const resent = await browser.submit(second, {}, '/resend');
    assert.ok(resent.html.includes('Bạn có thể yêu cầu mã mới sau 10 giây.'), resent.html.slice(0, 2000));
    assert.deepEqual(await smsTo('+84387654321'), [code], 'still one SMS');

    // Once the wait is over, the page no longer says "just now".
    clock.advance(11);
    const later = await browser.get(`/recovery/${flowIdOf(second)}`);
    assert.ok(!later.html.includes(TEXT.repeat), 'the usual page after the wait');
    assert.ok(later.html.includes(`đã được gửi tới ${nb('0168 ••• •321')}.`));

    // The first code works in the second flow, and the reset completes.
    const passwordPage = await enterCode(browser, later, code);
    assert.match(passwordPage.html, /name="new_password"/, 'the first code is accepted in the second flow');
    const chosen = randomPassword();
    const done = await browser.submit(passwordPage, { new_password: chosen, confirm_password: chosen }, '/password');
    assert.match(done.html, /Đã đổi mật khẩu/);
    const account = await t.server.deps.accounts.findById(member.id);
    assert.ok(await t.server.deps.hasher.verify(account!.passwordHash!, chosen));

    // Used once: the first flow cannot use it again.
    const again = await enterCode(browser, first, code);
    assert.equal(again.status, 400);
    assert.equal((await codeRows(member.id)).length, 1, 'one code was ever issued');
  });

  it('answers a matching and a non-matching number alike, at each step of the same history', async () => {
    const member = await t.createMember({ phoneNumber: '+84391112233' });
    const stranger = randomBhxhNumber();
    const matching = new Browser(t.url);
    const nothing = new Browser(t.url);
    const pages = async (fn: (browser: Browser, bhxhNumber: string) => Promise<Page>) => {
      const [a, b] = [await fn(matching, member.bhxhNumber), await fn(nothing, stranger)];
      assert.equal(a.status, b.status);
      assert.equal(normalise(a.html), normalise(b.html));
      return [a, b] as const;
    };
    await pages((browser, n) => request(browser, n, '0169 111 2233'));
    clock.advance(15);
    const [a, b] = await pages((browser, n) => request(browser, n, '0169 111 2233'));
    assert.ok(a.html.includes(TEXT.repeat) && a.html.includes('sau 45 giây'));
    clock.advance(15);
    const [c, d] = await pages(async (browser) => browser.submit(browser === matching ? a : b, {}, '/resend'));
    assert.ok(c.html.includes('sau 30 giây'));
    await pages(async (browser) => enterCode(browser, browser === matching ? c : d, '000000'));
    // Past the cooldown both get the usual "sent" page again.
    clock.advance(31);
    const [e] = await pages(async (browser) => browser.submit(browser === matching ? c : d, {}, '/resend'));
    assert.ok(!e.html.includes(TEXT.repeat));
    assert.equal((await smsTo('+84391112233')).length, 2, 'the member got the first code and the one after the wait');
  });

  it("does not let another browser use a code it did not ask for, nor spend that code's tries", async () => {
    const member = await t.createMember({ phoneNumber: '+84392223344' });
    const owner = new Browser(t.url);
    const ownerPage = await request(owner, member.bhxhNumber, '0392 223 344');
    const [code] = await smsTo('+84392223344');

    // Someone who knows her number and phone asks too, within the cooldown, in another browser.
    clock.advance(10);
    const attacker = new Browser(t.url);
    const attackerPage = await request(attacker, member.bhxhNumber, '0392 223 344');
    assert.equal(
      normalise(attackerPage.html),
      normalise(ownerPage.html),
      'the usual page: nothing tells him a code is pending',
    );
    assert.deepEqual(await smsTo('+84392223344'), [code], 'no second SMS');
    // He got the code somehow (over her shoulder): it does not work in his flow, and his tries are not on her code.
    for (let i = 0; i < 5; i++) {
      const refused = await enterCode(attacker, attackerPage, code!);
      assert.equal(refused.status, 400);
      assert.doesNotMatch(refused.html, /name="new_password"/);
    }
    const [row] = await codeRows(member.id);
    assert.equal(row!.attempts, 0, "her code's tries are untouched");
    assert.equal(row!.consumed_at, null);
    // Nor can his browser post to her flow (with his own valid form token).
    const posted = await fetch(`${t.url}/recovery/${flowIdOf(ownerPage)}/code`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: attacker.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: formOf(attackerPage, '/code').hidden.csrf!, code: code! }),
    });
    assert.equal(posted.status, 400, 'her flow belongs to her browser');
    assert.match(await posted.text(), new RegExp(vi('error.session_expired').slice(0, 30)));

    assert.match((await enterCode(owner, ownerPage, code!)).html, /name="new_password"/, 'her code still works');
  });

  it('sends one code for parallel requests from several browsers; only the browser that got it can use it', async () => {
    const member = await t.createMember({ phoneNumber: '+84393334455' });
    const browsers = [new Browser(t.url), new Browser(t.url), new Browser(t.url)];
    // Two flows in each browser (two tabs, opened one after the other), then all posted at once.
    const starts: Array<{ browser: Browser; page: Page }> = [];
    for (const browser of browsers)
      for (let tab = 0; tab < 2; tab++) starts.push({ browser, page: await phonePage(browser) });
    const captchas = await Promise.all(starts.map(() => solveCaptcha(t.url)));
    const answers = await Promise.all(
      starts.map(({ browser, page }, i) =>
        browser.submit(page, { bhxh_number: member.bhxhNumber, phone: '0393334455', altcha: captchas[i]! }, '/address'),
      ),
    );
    for (const answer of answers) assert.equal(answer.status, 200);
    const codes = await smsTo('+84393334455');
    assert.equal(codes.length, 1, 'one SMS for six parallel requests');
    const rows = await codeRows(member.id);
    assert.equal(rows.length, 1, 'one code issued');
    const winner = starts[answers.findIndex((a) => flowIdOf(a) === rows[0]!.flow_id)]!.browser;

    // The other browsers' flows refuse the code (and their tries do not count on it)…
    for (const [i, { browser }] of starts.entries()) {
      if (browser === winner) continue;
      const refused = await enterCode(browser, answers[i]!, codes[0]!);
      assert.equal(refused.status, 400, 'a browser that did not get the code cannot use it');
    }
    assert.equal((await codeRows(member.id))[0]!.attempts, 0);
    // …and in the winning browser, its other tab continues the same code and can use it.
    const winners = starts.flatMap(({ browser }, i) => (browser === winner ? [answers[i]!] : []));
    assert.equal(winners.length, 2);
    const other = winners.find((page) => flowIdOf(page) !== rows[0]!.flow_id)!;
    assert.ok(other.html.includes(TEXT.repeat), 'the other tab was told the code it has still works');
    assert.match((await enterCode(winner, other, codes[0]!)).html, /name="new_password"/);
  });

  it('ends a flow that continues a code issued before a credential change ("start again")', async () => {
    const member = await t.createMember({ phoneNumber: '+84394445566' });
    const browser = new Browser(t.url);
    await request(browser, member.bhxhNumber, '0394445566');
    const [code] = await smsTo('+84394445566');
    // A temporary password moves the credential version (and does not kill reset codes)…
    await t.server.deps.temporaryPasswords.issue(member.id);
    // …then a second request within the cooldown continues the earlier code: it answers to the credentials it was
    // issued under, so it cannot lead to a new password now.
    clock.advance(5);
    const second = await request(browser, member.bhxhNumber, '0394445566');
    assert.ok(second.html.includes(TEXT.repeat));
    const answer = await postForm(browser, second, '/code', { code: code! });
    const page = answer.status === 303 ? await browser.get(answer.location!) : answer;
    assert.equal(page.status, 409);
    assert.ok(page.html.includes(TEXT.startAgain), page.html.slice(0, 800));
    assert.doesNotMatch(page.html, /name="new_password"/);
  });

  it('shows the number masked in the form the member typed it, with advice for SMS, in Vietnamese and English', async () => {
    const member = await t.createMember({ phoneNumber: '+84395556677' });
    for (const [typed, shown] of [
      ['0395.556.677', '0395.•••.677'],
      ['+84 395 556 677', '+84 39• ••• 677'],
    ] as const) {
      clock.advance(61);
      const page = await request(new Browser(t.url), member.bhxhNumber, typed);
      assert.ok(page.html.includes(`đã được gửi tới ${nb(shown)}.`), `${typed} shown as ${shown}`);
      assert.ok(!/395[ .]556/.test(page.html), 'the middle digits are not on the page');
      assert.ok(page.html.includes(TEXT.smsAdvice.replace(/"/g, '&quot;')), 'SMS advice');
      assert.doesNotMatch(page.html, /thư rác|spam/i, 'no email advice for an SMS code');
    }
    clock.advance(61);
    const english = new Browser(t.url);
    const start = await english.get('/recovery?lang=en');
    const phone = await english.submit(start, { method: 'sms-code' }, '/method');
    const page = await english.submit(
      phone,
      { bhxh_number: member.bhxhNumber, phone: '0395 556 677', altcha: await solveCaptcha(t.url) },
      '/address',
    );
    assert.ok(page.html.includes(`a 6-digit code has been sent to ${nb('0395 ••• 677')}.`));
    assert.match(page.html, /No text message yet\? Check the number above/);
    assert.doesNotMatch(page.html, /spam/i);
  });

  it('keeps the spam-folder advice for an emailed code', async () => {
    const browser = new Browser(t.url);
    const start = await browser.get('/recovery');
    const page = await browser.submit(
      start,
      { bhxh_number: randomBhxhNumber(), email: 'someone@example.vn', altcha: await solveCaptcha(t.url) },
      '/address',
    );
    assert.ok(page.html.includes(TEXT.emailAdvice.replace(/"/g, '&quot;')));
    assert.ok(page.html.includes('someone@example.vn'));
  });
});
