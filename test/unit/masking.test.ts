// How addresses are masked on pages and in the notices of an address change (src/core/masking.ts), and that every
// address-change SMS stays one GSM-7 segment whatever the address (src/notify/templates.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskEmailAddress, maskPhoneNumber } from '../../src/core/masking.js';
import {
  emailChangedEmail,
  emailChangedSms,
  emailRemovedSms,
  fitsOneSmsSegment,
  phoneChangedEmail,
  phoneChangedSms,
} from '../../src/notify/templates.js';

describe('masking', () => {
  it('masks a number on file the way members write it', () => {
    assert.equal(maskPhoneNumber('+84912345678'), '0912 ••• 678');
    assert.equal(maskPhoneNumber('+84381234567', '*'), '0381 *** 567');
    assert.equal(maskPhoneNumber('+447700900123'), '+4477•••••123');
  });

  it('masks an email: first characters of the mailbox and the domain, and a short top-level domain', () => {
    assert.equal(maskEmailAddress('nguyen.van.a@gmail.com'), 'n•••@g•••.com');
    assert.equal(maskEmailAddress('o.neil@mail.example.vn', '*'), 'o***@m***.vn');
    assert.equal(maskEmailAddress('{odd}@xn--bcher-kva.example', '*'), '****@x***.e***');
  });

  it('keeps every address-change SMS in one GSM-7 segment, and never the new address in full', () => {
    const when = new Date('2026-12-31T16:59:00Z');
    const emails = ['a@b.vn', `${'x'.repeat(64)}@${'d'.repeat(63)}.${'t'.repeat(63)}`, "{~'`|}@example.vn"];
    for (const address of emails) {
      for (const added of [true, false]) {
        const text = emailChangedSms({ when, address, added }).text;
        assert.ok(fitsOneSmsSegment(text), text);
        assert.ok(!text.includes(address));
        const mail = emailChangedEmail({ when, address, added, issuer: 'https://id.example.vn' });
        assert.ok(!mail.text.includes(address) && !mail.html.includes(address));
      }
    }
    for (const address of ['+84912345678', '+447700900123456']) {
      for (const added of [true, false]) {
        const text = phoneChangedSms({ when, address, added }).text;
        assert.ok(fitsOneSmsSegment(text), text);
        assert.ok(!text.includes(address.slice(3)));
        const mail = phoneChangedEmail({ when, address, added, coolingHours: 72, issuer: 'https://id.example.vn' });
        assert.ok(!mail.text.includes(address.slice(3)));
        assert.match(mail.text, /72 giờ/);
      }
    }
    assert.ok(fitsOneSmsSegment(emailRemovedSms({ when }).text));
  });
});
