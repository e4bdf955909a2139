// Message templates: both languages, the anti-scam notice, escaped HTML, links to the issuer only, one-segment SMS.
import assert from 'node:assert/strict';
import { AUTHENTICATOR_CHANGES } from '../../src/audit/authenticator-changes.js';
import { describe, it } from 'node:test';
import {
  authenticatorChangedEmail,
  authenticatorChangedSms,
  passwordChangedEmail,
  passwordChangedSms,
  recoveryCodeEmail,
  recoveryCodeSms,
  temporaryPasswordEmail,
  temporaryPasswordSms,
  vneidLinkRemovedEmail,
  vneidLinkRemovedSms,
  vneidUnlinkedEmail,
  vneidUnlinkedSms,
} from '../../src/notify/templates.js';

const ISSUER = 'https://id.baohiemxahoi.test';

// GSM 03.38 basic character set, written out here independently of the code under test.
const GSM7 = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);

function assertOneGsm7Segment(text: string) {
  const outside = Array.from(text).filter((c) => !GSM7.has(c));
  assert.deepEqual(outside, [], `characters outside GSM-7: ${outside.join('')}`);
  assert.ok(text.length <= 160, `${text.length} characters: ${text}`);
}

const links = (s: string) => [...s.matchAll(/https?:\/\/[^\s"<>]+/g)].map((m) => m[0]);

describe('message templates', () => {
  it('puts the recovery code, its lifetime and the anti-scam notice in Vietnamese, then English, in both parts', () => {
    const mail = recoveryCodeEmail({ code: '482913', minutes: 10, issuer: ISSUER });
    assert.equal(mail.subject, '[BHXH] Mã xác thực đặt lại mật khẩu / Password reset code');
    for (const part of [mail.text, mail.html]) {
      const vi = ['482913', 'có hiệu lực trong 10 phút', 'miễn phí', 'kể cả người tự xưng là cán bộ BHXH', '1900 9068'];
      const en = [
        'valid for 10 minutes',
        'This service is free',
        'including callers who say they are BHXH staff',
        'only official hotline',
      ];
      for (const s of [...vi, ...en]) assert.ok(part.includes(s), `missing: ${s}`);
      const lastVi = Math.max(...vi.slice(1).map((s) => part.indexOf(s)));
      const firstEn = Math.min(...en.map((s) => part.indexOf(s)));
      assert.ok(lastVi < firstEn, 'Vietnamese first, English below');
      assert.equal(part.split('482913').length - 1, 2, 'the code once per language');
    }
    assert.match(mail.html, /^<!doctype html>/);
    assert.match(mail.html, /<div lang="vi">[\s\S]*<div lang="en">/);
  });

  it('tells the time of a password change in Vietnam time, whatever the server time zone', () => {
    const mail = passwordChangedEmail({ when: new Date('2026-11-22T00:15:00Z'), issuer: ISSUER });
    assert.equal(mail.subject, '[BHXH] Mật khẩu của bạn đã được thay đổi / Your password was changed');
    for (const part of [mail.text, mail.html]) {
      assert.ok(part.includes('22/11/2026 07:15 (giờ Việt Nam)'));
      assert.ok(part.includes('22/11/2026 07:15 (Vietnam time)'));
      assert.ok(part.includes('Nếu không phải bạn thực hiện, hãy gọi ngay 1900 9068'));
      assert.ok(part.includes('If it was not you, call 1900 9068 now'));
      assert.ok(part.indexOf('giờ Việt Nam') < part.indexOf('Vietnam time'));
    }
    // Past midnight in Vietnam is the next day.
    assert.ok(
      passwordChangedEmail({ when: new Date('2026-11-21T17:30:00Z'), issuer: ISSUER }).text.includes(
        '22/11/2026 00:30',
      ),
    );
  });

  it('links only to the issuer it is given', () => {
    for (const mail of [
      recoveryCodeEmail({ code: '123456', minutes: 10, issuer: ISSUER }),
      passwordChangedEmail({ when: new Date(), issuer: ISSUER }),
    ]) {
      assert.ok(links(mail.text).length > 0);
      for (const link of [...links(mail.text), ...links(mail.html)]) assert.equal(link, ISSUER);
      const hrefs = [...mail.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual([...new Set(hrefs)], [ISSUER]);
    }
    assert.throws(() => recoveryCodeEmail({ code: '123456', minutes: 10, issuer: 'javascript:alert(1)' }), /issuer/);
    assert.throws(
      () => passwordChangedEmail({ when: new Date(), issuer: 'https://id.example/?next=https://evil.example' }),
      /issuer/,
    );
  });

  it('escapes every value in the HTML part', () => {
    const issuer = 'https://id.example.vn/a&b<i>"x\'';
    const mail = recoveryCodeEmail({ code: '123456', minutes: 10, issuer });
    assert.ok(!mail.html.includes('<i>'));
    assert.ok(mail.html.includes('href="https://id.example.vn/a&amp;b&lt;i&gt;&quot;x&#39;"'));
    assert.ok(mail.text.includes(issuer), 'the text part is plain text');
  });

  it('refuses a code that is not a few letters or digits, and an odd lifetime', () => {
    for (const code of ['', '12', '<b>123</b>', '123 456', '12345678901234', 'mã1234']) {
      assert.throws(() => recoveryCodeEmail({ code, minutes: 10, issuer: ISSUER }), /code/);
      assert.throws(() => recoveryCodeSms({ code, minutes: 10 }), /code/);
    }
    for (const minutes of [0, -1, 1.5, 1000, Number.NaN])
      assert.throws(() => recoveryCodeSms({ code: '123456', minutes }), /minutes/);
  });

  it('writes SMS in GSM-7 without diacritics, each in one 160-character segment', () => {
    const texts = [
      recoveryCodeSms({ code: '482913', minutes: 10 }).text,
      recoveryCodeSms({ code: 'ABCDEFGH1234', minutes: 999 }).text, // the longest code and lifetime accepted
      passwordChangedSms({ when: new Date('2026-12-31T16:59:00Z') }).text,
      passwordChangedSms({ when: new Date('2026-11-22T00:15:00Z') }).text,
      vneidLinkRemovedSms({ when: new Date('2026-12-31T16:59:00Z') }).text,
    ];
    for (const text of texts) assertOneGsm7Segment(text);
    for (const change of AUTHENTICATOR_CHANGES) {
      const when = new Date('2026-12-31T16:59:00Z');
      assertOneGsm7Segment(authenticatorChangedSms({ when, change }).text);
      const mail = authenticatorChangedEmail({ when, issuer: ISSUER, change });
      assert.ok(mail.text.includes('31/12/2026 23:59') && mail.text.includes('1900 9068'), change);
    }
    assert.ok(texts[0]!.includes('482913') && texts[0]!.includes('10 phut') && texts[0]!.includes('1900 9068'));
    assert.ok(texts[0]!.includes('can bo BHXH'));
    assert.ok(texts[2]!.includes('31/12/2026 23:59'));
    assert.ok(texts[3]!.includes('22/11/2026 07:15') && texts[3]!.includes('hay goi ngay 1900 9068'));
  });

  it('says in a temporary password that replaced a live one that the earlier one no longer works (issue 14, item 4)', () => {
    const fresh = temporaryPasswordSms({ password: 'abcdefghjk', minutes: 10 }).text;
    const replacing = temporaryPasswordSms({ password: 'abcdefghjk', minutes: 10, replacesEarlier: true }).text;
    assert.doesNotMatch(fresh, /truoc do/);
    assert.match(replacing, /MK tam truoc do het hieu luc/);
    for (const text of [fresh, replacing]) {
      assertOneGsm7Segment(text);
      assert.match(text, /tam thoi abcdefghjk, hieu luc 10 phut, dung 1 lan/);
      assert.match(text, /KHONG dua .*cho ai\. Tong dai: 1900 9068$/);
    }
    // The longest password and lifetime the template accepts still fit one segment.
    for (const replacesEarlier of [false, true])
      assertOneGsm7Segment(temporaryPasswordSms({ password: 'abcdefghjkmnpqrs', minutes: 999, replacesEarlier }).text);

    const mail = temporaryPasswordEmail({ password: 'abcdefghjk', minutes: 10, issuer: ISSUER, replacesEarlier: true });
    assert.match(
      mail.text,
      /Mật khẩu tạm thời cấp trước đó không còn dùng được\.[\s\S]*----- English -----[\s\S]*The temporary password issued before this one no longer works\./,
    );
    assert.match(mail.html, /Mật khẩu tạm thời cấp trước đó không còn dùng được/);
    const first = temporaryPasswordEmail({ password: 'abcdefghjk', minutes: 10, issuer: ISSUER });
    assert.doesNotMatch(first.text, /trước đó|before this one/);
  });

  it('tells, Vietnamese first, that a password-made VNeID link was removed, with the hotline and the official site only', () => {
    const mail = vneidLinkRemovedEmail({ when: new Date('2026-12-31T16:59:00Z'), issuer: ISSUER });
    for (const part of [mail.text, mail.html]) {
      assert.ok(part.indexOf('được tạo bằng mật khẩu') < part.indexOf('made with a password'), 'Vietnamese first');
      assert.ok(part.includes('31/12/2026 23:59') && part.includes('1900 9068'));
    }
    for (const link of [...links(mail.text), ...links(mail.html)]) assert.equal(link, ISSUER);
    assert.match(vneidLinkRemovedSms({ when: new Date() }).text, /lien ket VNeID/);
  });

  it('tells, Vietnamese first, that the member removed a VNeID link, with what to do if it was not her', () => {
    const mail = vneidUnlinkedEmail({ when: new Date('2026-12-31T16:59:00Z'), issuer: ISSUER });
    for (const part of [mail.text, mail.html]) {
      assert.ok(
        part.indexOf('đã được gỡ trên trang thông tin tài khoản') < part.indexOf('was removed on'),
        'Vietnamese first',
      );
      assert.ok(part.includes('31/12/2026 23:59') && part.includes('1900 9068'));
    }
    for (const link of [...links(mail.text), ...links(mail.html)]) assert.equal(link, ISSUER);
    const sms = vneidUnlinkedSms({ when: new Date('2026-12-31T16:59:00Z') }).text;
    assertOneGsm7Segment(sms);
    assert.match(sms, /Lien ket VNeID .* da duoc go luc 31\/12\/2026 23:59/);
  });
});
