// The account page's profile: the agency's record shown read-only with the numbers masked, and the language
// preference — saved on the account (audited), followed by the account pages after the switch and the cookie, and
// refused with a clear page when the form says something else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signInToAccount } from '../helpers/account.js';
import { Browser } from '../helpers/browser.js';
import { randomNationalId } from '../helpers/vneid.js';
import { startTestServer, testClock, type TestServer } from '../helpers/server.js';

describe('account page: profile', () => {
  let t: TestServer;
  const clock = testClock();

  before(async () => {
    t = await startTestServer({ clock });
  });
  after(() => t.close());

  it('shows the name, the birth date as dd/mm/yyyy and both numbers masked, and how to correct them', async () => {
    const nationalId = randomNationalId();
    const m = await t.createMember({ fullName: 'Phạm Thị Hoa', birthdate: '1987-04-09', nationalId });
    const { page } = await signInToAccount(t, m, { path: '/account/profile' });
    assert.equal(page.status, 200);
    assert.match(page.html, /<dd id="profile-name">Phạm Thị Hoa<\/dd>/);
    assert.match(page.html, /<dd id="profile-birthdate">09\/04\/1987<\/dd>/);
    assert.match(page.html, new RegExp(`<dd id="profile-bhxh">••••••${m.bhxhNumber.slice(-4)}</dd>`));
    assert.match(page.html, new RegExp(`<dd id="profile-national-id">••••••••${nationalId.slice(-4)}</dd>`));
    assert.ok(!page.html.includes(m.bhxhNumber), 'the BHXH number is never shown whole');
    assert.ok(!page.html.includes(nationalId), 'the national ID is never shown whole');
    assert.match(page.html, /mang căn cước công dân đến cơ quan BHXH/);
    // Nothing chosen yet: no radio is checked, and the page says so.
    assert.doesNotMatch(page.html, /checked/);
    assert.match(page.html, /id="locale-none"/);
  });

  it('says when the record has no national ID', async () => {
    const m = await t.createMember();
    const { page } = await signInToAccount(t, m, { path: '/account/profile' });
    assert.match(page.html, /<dd id="profile-national-id">Chưa có trong hồ sơ<\/dd>/);
  });

  it('saves the language (post/redirect/get), audits it, and the account pages then speak it', async () => {
    const m = await t.createMember();
    const { browser, page } = await signInToAccount(t, m, { path: '/account/profile' });
    const saved = await browser.submit(page, { locale: 'en' }, '/account/profile');
    assert.equal(saved.status, 200);
    assert.equal(new URL(saved.url).pathname + new URL(saved.url).search, '/account/profile?done=locale');
    assert.match(saved.html, /<html lang="en">/);
    assert.match(saved.html, /Display language saved\./);
    assert.match(saved.html, /id="locale-en" checked/);
    const row = await t.db('accounts').where({ id: m.id }).first('locale');
    assert.equal(row.locale, 'en');
    const events = await t.db('audit_events').where({ account_id: m.id, type: 'profile.locale_changed' });
    assert.equal(events.length, 1);
    const detail = typeof events[0].detail === 'string' ? JSON.parse(events[0].detail) : events[0].detail;
    assert.deepEqual(detail, { from: null, to: 'en' });

    // A new browser (no lang cookie) signed in to the account page follows the saved preference...
    const other = await signInToAccount(t, m, { path: '/account' });
    assert.match(other.page.html, /<html lang="en">/);
    assert.match(other.page.html, /Account details/);
    // ...but the switch still wins, and is remembered in that browser.
    const switched = await other.browser.get('/account?lang=vi');
    assert.match(switched.html, /<html lang="vi">/);
    const again = await other.browser.get('/account');
    assert.match(again.html, /<html lang="vi">/);

    // Saving the same language again changes nothing and audits nothing more.
    const same = await browser.submit(await browser.get('/account/profile'), { locale: 'en' }, '/account/profile');
    assert.equal(same.status, 200);
    assert.equal((await t.db('audit_events').where({ account_id: m.id, type: 'profile.locale_changed' })).length, 1);
  });

  it('refuses an unknown or missing language with a 400 page, the field marked, nothing saved', async () => {
    const m = await t.createMember();
    const { browser, page } = await signInToAccount(t, m, { path: '/account/profile' });
    for (const fields of [{ locale: 'fr' }, { locale: '' }, {}, { locale: 'vi\u0000' }] as Record<string, string>[]) {
      const refused = await browser.submit(page, fields, '/account/profile');
      assert.equal(refused.status, 400);
      assert.match(refused.html, /id="profile-error"/);
      assert.match(refused.html, /Vui lòng chọn Tiếng Việt hoặc English\./);
      assert.match(refused.html, /id="locale-vi"[^>]*aria-invalid="true"/);
      assert.match(refused.html, /id="locale-vi"[^>]*autofocus/);
    }
    assert.equal((await t.db('accounts').where({ id: m.id }).first('locale')).locale, null);
  });

  it('refuses a post without the CSRF token (403) or without the account session (to the sign-in)', async () => {
    const m = await t.createMember();
    const { browser } = await signInToAccount(t, m, { path: '/account/profile' });
    const forged = await browser.request('/account/profile', { method: 'POST', form: { locale: 'en' } });
    assert.equal(forged.status, 403);
    assert.equal((await t.db('accounts').where({ id: m.id }).first('locale')).locale, null);

    const stranger = new Browser(t.url);
    stranger.stopAt = (url) => url.pathname === '/account/sign-in';
    const out = await stranger.request('/account/profile', { method: 'POST', form: { locale: 'en' } });
    assert.equal(new URL(out.url).pathname, '/account/sign-in');
  });
});
