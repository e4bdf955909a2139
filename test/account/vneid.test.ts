// The account page's VNeID link: whether one exists, how it was made and what that means for level-2 apps; its
// removal behind "confirm it's you", through the one announcement path (federation.unlink + a notice on every
// channel), exactly once for parallel posts, and never of another member's link.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ageAccountSignIn, confirmIdentity, signInToAccount } from '../helpers/account.js';
import { postForm } from '../helpers/recovery.js';
import { randomNationalId } from '../helpers/vneid.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';

const ISSUER = 'https://vneid.example.gov.vn';

describe('account page: VNeID link', () => {
  let t: TestServer;
  const clock = testClock();

  before(async () => {
    t = await startTestServer({ clock, env: { ACCOUNT_REAUTH_SECONDS: '300' } });
  });
  after(() => t.close());

  /** A member with a link made the way `linkedBy` says (through the repository, as a VNeID sign-in makes it). */
  async function linkedMember(linkedBy: 'national_id' | 'password' | 'office') {
    const nationalId = randomNationalId();
    const m = await t.createMember(linkedBy === 'password' ? {} : { nationalId });
    const subject = `citizen-${nationalId}`;
    const made = await t.server.deps.federatedIdentities.link({
      issuer: ISSUER,
      subject,
      accountId: m.id,
      nationalId,
      linkedBy,
    });
    assert.ok(made.ok);
    return { ...m, subject, nationalId };
  }

  const links = (accountId: string) => t.db('federated_identities').where({ account_id: accountId });
  const unlinkEvents = (accountId: string) =>
    t.db('audit_events').where({ account_id: accountId, type: 'federation.unlink' });
  const notices = () => t.db('outbox').where({ purpose: 'vneid_unlinked' });

  it('without a link, says so and how to make one', async () => {
    const m = await t.createMember();
    const { page } = await signInToAccount(t, m, { path: '/account/vneid' });
    assert.equal(page.status, 200);
    assert.match(page.html, /id="vneid-none"/);
    assert.match(page.html, /Đăng nhập bằng tài khoản định danh điện tử VNeID/);
    assert.doesNotMatch(page.html, /action="\/account\/vneid\/unlink"/);
  });

  it('shows how each link was made and what it means for apps that ask for VNeID level 2', async () => {
    const byNumber = await linkedMember('national_id');
    const first = await signInToAccount(t, byNumber, { path: '/account/vneid' });
    assert.match(first.page.html, /Đã liên kết/);
    assert.match(first.page.html, /class="linked-by-national_id">Bằng số định danh đã xác minh</);
    assert.match(first.page.html, /VNeID mức độ 2 chấp nhận/);
    assert.match(first.page.html, /<dd>\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}<\/dd>/);
    assert.ok(!first.page.html.includes(byNumber.subject), 'the subject never goes into the page');
    assert.ok(!first.page.html.includes(byNumber.nationalId));

    const byPassword = await linkedMember('password');
    const second = await signInToAccount(t, byPassword, { path: '/account/vneid' });
    assert.match(second.page.html, /Bằng mật khẩu \(chỉ có mức đăng nhập mật khẩu\)/);
    assert.match(second.page.html, /ứng dụng yêu cầu VNeID mức độ 2 sẽ không chấp nhận/);

    const byOffice = await linkedMember('office');
    const third = await signInToAccount(t, byOffice, { path: '/account/vneid' });
    assert.match(third.page.html, /Xác nhận tại cơ quan BHXH/);
    const en = await third.browser.get('/account/vneid?lang=en');
    assert.match(en.html, /Confirmed at a BHXH office/);
  });

  it('removes a link after a recent sign-in: post/redirect/get, audited, a notice on every channel', async () => {
    const m = await linkedMember('national_id');
    const { browser, page } = await signInToAccount(t, m, { path: '/account/vneid' });
    const before = (await notices()).length;
    const done = await browser.submit(page, {}, '/account/vneid/unlink');
    assert.equal(done.status, 200);
    assert.equal(new URL(done.url).search, '?done=unlinked');
    assert.match(done.html, /Đã gỡ liên kết VNeID/);
    assert.match(done.html, /id="vneid-none"/);
    assert.equal((await links(m.id)).length, 0);

    const events = await unlinkEvents(m.id);
    assert.equal(events.length, 1);
    const detail = typeof events[0].detail === 'string' ? JSON.parse(events[0].detail) : events[0].detail;
    assert.deepEqual(detail, { via: 'account', issuer: ISSUER, linkedBy: 'national_id', reason: 'member' });
    assert.equal(events[0].ip, '127.0.0.1');
    const sent = (await notices()).slice(before);
    assert.deepEqual(sent.map((n: { channel: string }) => n.channel).sort(), ['email', 'sms']);

    // A reload of the result page changes nothing more.
    await browser.get(done.url);
    assert.equal((await unlinkEvents(m.id)).length, 1);
    // The activity says it in plain words.
    const activity = await browser.get('/account/activity');
    assert.match(activity.html, /Bạn đã gỡ liên kết VNeID/);
  });

  it('asks to confirm it is you when the sign-in is old, and a late post changes nothing', async () => {
    const m = await linkedMember('password');
    const { browser, page } = await signInToAccount(t, m, { path: '/account/vneid' });
    await ageAccountSignIn(t.db, m.id, 3600);
    const old = await browser.get('/account/vneid');
    assert.match(old.html, /id="confirm-identity"/);
    assert.match(old.html, /href="\/account\/sign-in\?reauth=1&amp;return=%2Faccount%2Fvneid"/);
    assert.doesNotMatch(old.html, /action="\/account\/vneid\/unlink"/);

    // The form from before the time ran out is refused without a change, and the page says why.
    const late = await browser.submit(page, {}, '/account/vneid/unlink');
    assert.equal(new URL(late.url).search, '?confirm=1');
    assert.match(late.html, /Chưa có thay đổi nào được lưu/);
    assert.equal((await links(m.id)).length, 1);
    assert.equal((await unlinkEvents(m.id)).length, 0);

    const back = await confirmIdentity(browser, m, '/account/vneid');
    assert.equal(new URL(back.url).pathname, '/account/vneid');
    const done = await browser.submit(back, {}, '/account/vneid/unlink');
    assert.equal(new URL(done.url).search, '?done=unlinked');
    assert.equal((await links(m.id)).length, 0);
  });

  it('of two parallel removals, exactly one removes and announces', async () => {
    const m = await linkedMember('national_id');
    const { browser, page } = await signInToAccount(t, m, { path: '/account/vneid' });
    const before = (await notices()).length;
    const answers = await Promise.all([
      postForm(browser, page, '/account/vneid/unlink', {}),
      postForm(browser, page, '/account/vneid/unlink', {}),
      postForm(browser, page, '/account/vneid/unlink', {}),
    ]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [303, 303, 303],
    );
    assert.deepEqual(answers.map((a) => a.location).sort(), [
      '/account/vneid?done=unlinked',
      '/account/vneid?gone=1',
      '/account/vneid?gone=1',
    ]);
    assert.equal((await unlinkEvents(m.id)).length, 1);
    assert.equal((await notices()).length - before, 2, 'one notice, on each of the two channels');
    const gone = await browser.get('/account/vneid?gone=1');
    assert.match(gone.html, /Liên kết này không còn nữa/);
  });

  it('never removes another member’s link, and refuses a malformed form with a 400 page or a missing token with 403', async () => {
    const victim = await linkedMember('national_id');
    const victimPage = await signInToAccount(t, victim, { path: '/account/vneid' });
    const victimRef = /name="link" value="([^"]+)"/.exec(victimPage.page.html)![1]!;

    const attacker = await linkedMember('password');
    const { browser, page } = await signInToAccount(t, attacker, { path: '/account/vneid' });
    const tried = await browser.submit(page, { link: victimRef }, '/account/vneid/unlink');
    assert.equal(new URL(tried.url).search, '?gone=1');
    assert.equal((await links(victim.id)).length, 1, 'the other member’s link stays');
    assert.equal((await links(attacker.id)).length, 1, 'and the attacker’s own is untouched');

    for (const link of ['', 'short', 'x'.repeat(23), '../../etc/passwd!!!!!!']) {
      const bad = await browser.submit(page, { link }, '/account/vneid/unlink');
      assert.equal(bad.status, 400, link);
      assert.match(bad.html, /id="vneid-error"/);
      assert.match(bad.html, /Không xác định được liên kết cần gỡ/);
    }
    const forged = await browser.request('/account/vneid/unlink', { method: 'POST', form: { link: victimRef } });
    assert.equal(forged.status, 403);
    assert.equal((await links(attacker.id)).length, 1);
    assert.equal((await unlinkEvents(victim.id)).length + (await unlinkEvents(attacker.id)).length, 0);
  });
});
