// The account page's security activity: events made by real actions (a reset by email code, a failed sign-in, a
// sign-in) in plain words, newest first, with the app and the coarse network; only the member's own and only the last
// 90 days; paged by a plain link; a type nobody mapped yet gets a generic sentence; the stored detail is never shown.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signInToAccount } from '../helpers/account.js';
import { Browser } from '../helpers/browser.js';
import { choosePassword, enterCode, requestCode } from '../helpers/recovery.js';
import { randomPassword, startTestServer, testClock, type TestServer } from '../helpers/server.js';

describe('account page: security activity', () => {
  let t: TestServer;
  const clock = testClock();

  before(async () => {
    t = await startTestServer({ clock });
  });
  after(() => t.close());

  /** The sentences of the activity list, in page order. */
  const sentences = (html: string) =>
    [...html.matchAll(/<li(?: class="failed")?>\s*<p><strong>([^<]*)<\/strong>/g)].map((m) => m[1]!);

  it('says in plain words what real actions did: a reset by email code, a failed sign-in, a sign-in', async () => {
    const email = 'activity.member@example.vn';
    const m = await t.createMember({ email });

    // A reset by email code, begun from the start page's "Quên mật khẩu?".
    const browser = new Browser(t.url);
    const addressPage = await browser.get('/recovery');
    const codePage = await requestCode(browser, t.url, addressPage, m.bhxhNumber, email);
    await t.server.outboxWorker.runOnce();
    const mail = (await t.server.devMailbox!.list()).filter((x) => x.to === email).at(-1);
    const code = mail!.text.match(/\b(\d{6})\b/)![1]!;
    const password = randomPassword();
    await choosePassword(browser, await enterCode(browser, codePage, code), password);

    // A wrong password on the account page's sign-in, then the right one.
    const account = new Browser(t.url);
    const login = await account.get('/account/activity');
    const wrong = await account.submit(login, { bhxh_number: m.bhxhNumber, password: 'not-the-password' }, '/login');
    assert.equal(wrong.status, 400);
    const page = await account.submit(wrong, { bhxh_number: m.bhxhNumber, password }, '/login');
    assert.equal(new URL(page.url).pathname, '/account/activity');
    assert.equal(page.status, 200);

    const said = sentences(page.html);
    assert.deepEqual(said.slice(0, 5), [
      'Đăng nhập bằng mật khẩu',
      'Đăng nhập không thành công: sai mật khẩu',
      'Đặt lại mật khẩu bằng mã gửi qua email',
      'Nhập đúng mã lấy lại mật khẩu',
      'Yêu cầu mã lấy lại mật khẩu qua email',
    ]);
    // The app by name, the network coarse (the /24 of 127.0.0.1), the failure marked.
    assert.match(page.html, /Ứng dụng: Thông tin tài khoản BHXH ID/);
    assert.match(page.html, /Mạng: 127\.0\.0\.0\/24/);
    const list = /<ul class="items" id="activity">[\s\S]*?<\/ul>/.exec(page.html)![0];
    assert.doesNotMatch(list, /127\.0\.0\.1/, 'never the address itself');
    assert.match(page.html, /<li class="failed">[\s\S]*?sai mật khẩu[\s\S]*?Không thành công/);
    assert.match(page.html, /<time>\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}<\/time>/);
    // "This wasn't me": the password change and sign out everywhere.
    assert.match(page.html, /Đây không phải tôi\?/);
    assert.match(page.html, /href="\/account\/password" id="not-me-password"/);
    assert.match(page.html, /href="\/account\/sessions" id="not-me-sessions"/);

    // In English on request, the same events.
    const en = await account.get('/account/activity?lang=en');
    assert.deepEqual(sentences(en.html).slice(0, 3), [
      'Signed in with password',
      'Sign-in failed: wrong password',
      'Password reset with a code sent by email',
    ]);
  });

  it('shows only the member’s own events of the last 90 days, never the stored detail', async () => {
    const m = await t.createMember();
    const other = await t.createMember();
    const { browser } = await signInToAccount(t, m);
    const now = clock.now();
    await t.db('audit_events').insert([
      // Another member's event: never on this page.
      {
        type: 'password.changed',
        account_id: other.id,
        detail: JSON.stringify({ via: 'cli' }),
        at: now,
      },
      // Older than 90 days: gone from the list.
      {
        type: 'password.temporary_issued',
        account_id: m.id,
        detail: JSON.stringify({ via: 'office', operator: 'staff-7' }),
        at: new Date(now.getTime() - 91 * 24 * 3600 * 1000),
      },
      // A type added later by someone else, with detail nobody mapped: a generic sentence, the detail not shown.
      {
        type: 'something.new_kind',
        account_id: m.id,
        detail: JSON.stringify({ note: 'DETAIL-NEVER-SHOWN' }),
        ip: '2001:db8:abcd:12:1::7',
        at: now,
      },
      // A known type whose detail carries more than the sentence says.
      {
        type: 'voice_reset',
        account_id: m.id,
        outcome: 'failure',
        detail: JSON.stringify({ channel: 'voice', callId: 'CALL-ID-NEVER-SHOWN', result: 'mismatch' }),
        at: now,
      },
      // A type with characters that are not a type name: not echoed.
      { type: '<b>x</b>', account_id: m.id, at: now },
    ]);
    const page = await browser.get('/account/activity');
    assert.equal(page.status, 200);
    const said = sentences(page.html);
    assert.ok(said.includes('Hoạt động khác trên tài khoản (mã: something.new_kind)'), said.join('\n'));
    assert.ok(
      said.includes('Có cuộc gọi tới tổng đài yêu cầu lấy lại mật khẩu tài khoản này, nhưng không được chấp nhận'),
    );
    assert.ok(said.includes('Hoạt động khác trên tài khoản (mã: ?)'));
    assert.ok(!said.includes('Cán bộ BHXH đã đặt lại mật khẩu'), 'another member’s event');
    assert.ok(!said.includes('Cấp mật khẩu tạm thời tại cơ quan BHXH'), 'older than 90 days');
    assert.match(page.html, /Mạng: 2001:db8:abcd::\/48/);
    for (const hidden of ['DETAIL-NEVER-SHOWN', 'CALL-ID-NEVER-SHOWN', 'staff-7', '<b>x</b>'])
      assert.ok(!page.html.includes(hidden), hidden);
  });

  it('pages 50 at a time with a plain "Xem thêm" link, and refuses a malformed one with a 400 page', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m);
    const at = clock.now();
    await t.db('audit_events').insert(
      Array.from({ length: 60 }, (_, i) => ({
        type: 'recovery.code_requested',
        account_id: m.id,
        detail: JSON.stringify({ method: i % 2 ? 'sms-code' : 'email-code' }),
        at,
      })),
    );
    const first = await browser.get('/account/activity');
    // 60 inserted + the account page's own sign-in (the newest) = 61 events.
    assert.equal(sentences(first.html).length, 50);
    assert.equal(sentences(first.html)[0], 'Đăng nhập bằng mật khẩu');
    const more = /href="([^"]+)" id="activity-more"/.exec(first.html)?.[1];
    assert.ok(more, 'a "Xem thêm" link');
    assert.match(more, /^\/account\/activity\?before=\d+$/);
    const second = await browser.get(more);
    assert.equal(sentences(second.html).length, 11);
    assert.doesNotMatch(second.html, /id="activity-more"/);
    assert.ok(sentences(second.html).every((s) => s.startsWith('Yêu cầu mã lấy lại mật khẩu')));

    for (const bad of ['abc', '-1', '0', '1e5', '9999999999999999999', '99999999999999999999', 'x&before=1']) {
      const refused = await browser.get(`/account/activity?before=${bad}`);
      assert.equal(refused.status, 400, bad);
      assert.match(refused.html, /id="activity-error"/);
    }
  });

  it('says so when there is nothing, and needs the account session', async () => {
    const stranger = new Browser(t.url);
    stranger.stopAt = (url) => url.pathname === '/account/sign-in';
    const out = await stranger.get('/account/activity');
    assert.equal(new URL(out.url).pathname, '/account/sign-in');

    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m);
    await t.db('audit_events').where({ account_id: m.id }).delete();
    const page = await browser.get('/account/activity');
    assert.match(page.html, /id="activity-empty"/);
  });
});
