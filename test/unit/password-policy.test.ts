// The password policy (NIST SP 800-63B): length in code points, no composition rules, no common passwords, none of
// the member's own data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  type PersonalData,
} from '../../src/methods/password/policy.js';

const member: PersonalData = { bhxhNumber: '7901234567', phoneNumber: '+84387654321', birthdate: '1985-11-02' };
const noExtras: PersonalData = { bhxhNumber: '7901234567' };

describe('checkPassword: length', () => {
  it('is 8 to 128 characters', () => {
    assert.equal(PASSWORD_MIN_LENGTH, 8);
    assert.equal(PASSWORD_MAX_LENGTH, 128);
    assert.equal(checkPassword('', member), 'too_short');
    assert.equal(checkPassword('xk7#qv2', member), 'too_short', '7 characters');
    assert.equal(checkPassword('xk7#qv2m', member), null, '8 characters');
    assert.equal(checkPassword('ab'.repeat(64), member), null, '128 characters');
    assert.equal(checkPassword(`${'ab'.repeat(64)}c`, member), 'too_long', '129 characters');
  });

  it('measures the whole password (no truncation, e.g. at bcrypt’s 72 bytes)', () => {
    const long = 'z'.repeat(127);
    assert.equal(checkPassword(`${long}y`, member), null);
    assert.equal(checkPassword(`${long}yy`, member), 'too_long');
  });

  it('counts Vietnamese letters with diacritics as one character each, composed or decomposed', () => {
    const seven = `${'mộtđườ'.normalize('NFC')}n`; // m ộ t đ ư ờ n: 7 code points composed
    assert.equal([...seven].length, 7);
    assert.ok(Buffer.byteLength(seven) > 8, 'more than 8 bytes in UTF-8');
    assert.equal(checkPassword(seven, member), 'too_short');
    const eight = `${seven}g`; // "mộtđường": 8 letters
    assert.equal(checkPassword(eight, member), null);
    // The same 7 letters decomposed (NFD) are more than 8 code points but still 7 characters.
    const decomposed = seven.normalize('NFD');
    assert.ok([...decomposed].length > 8);
    assert.equal(checkPassword(decomposed, member), 'too_short');
    assert.equal(checkPassword(eight.normalize('NFD'), member), null);
  });

  it('counts the limit of 128 in characters, not UTF-16 units or bytes', () => {
    const viet = 'ữ'.repeat(128); // 128 characters, 384 bytes in UTF-8
    assert.equal(checkPassword(viet, member), null);
    assert.equal(checkPassword(`${viet}ữ`, member), 'too_long');
    assert.equal(
      checkPassword('ữ'.repeat(128).normalize('NFD'), member),
      null,
      'decomposed input is measured composed',
    );
    const emoji = '🔑'.repeat(8); // 8 characters, 16 UTF-16 units
    assert.equal(checkPassword(emoji, member), null);
    assert.equal(checkPassword('🔑'.repeat(7), member), 'too_short');
    assert.equal(checkPassword('🔑'.repeat(128), member), null);
    assert.equal(checkPassword('🔑'.repeat(129), member), 'too_long');
  });
});

describe('checkPassword: common passwords', () => {
  it('rejects common English passwords, whatever the case', () => {
    for (const pw of [
      'password',
      'password1',
      'iloveyou',
      '12345678',
      'qwertyuiop',
      'PASSWORD',
      'Password1',
      'ILoveYou',
      'QwErTyUiOp',
    ]) {
      assert.equal(checkPassword(pw, noExtras), 'common', pw);
    }
  });

  it('rejects common Vietnamese passwords, whatever the case', () => {
    for (const pw of [
      'anhyeuem',
      'ANHYEUEM',
      'AnhYeuEm',
      'matkhau123',
      'MatKhau123',
      'MATKHAU1',
      'emyeuanh',
      'toiyeuem',
      'vietnam123',
      'baohiemxahoi',
      'bhxh@123',
      'VssID@123',
    ]) {
      assert.equal(checkPassword(pw, noExtras), 'common', pw);
    }
  });

  it('reports a 7-letter common word such as "matkhau" as too short (length is checked first)', () => {
    assert.equal(checkPassword('matkhau', noExtras), 'too_short');
    assert.equal(checkPassword('MatKhau', noExtras), 'too_short');
  });

  it('accepts an uncommon password built on a common one', () => {
    assert.equal(checkPassword('anhyeuem chiều thứ bảy', noExtras), null);
  });
});

describe('checkPassword: the member’s own data', () => {
  it('rejects a password containing the BHXH number, even with separators', () => {
    assert.equal(checkPassword('7901234567', member), 'contains_bhxh_number');
    assert.equal(checkPassword('bhxh7901234567!', member), 'contains_bhxh_number');
    assert.equal(checkPassword('so 79 0123 4567 nhe', member), 'contains_bhxh_number');
    assert.equal(checkPassword('x-790.123.4567-x', member), 'contains_bhxh_number');
  });

  it('rejects a password containing the phone number in 0xxxxxxxxx or 9-digit form', () => {
    assert.equal(checkPassword('goi 0387654321 nhe', member), 'contains_phone');
    assert.equal(checkPassword('0387.654.321 la so toi', member), 'contains_phone');
    assert.equal(checkPassword('so toi 387654321', member), 'contains_phone');
    assert.equal(checkPassword('abc 387 654 321', member), 'contains_phone');
    assert.equal(checkPassword('abc 0387-654-321', member), 'contains_phone');
  });

  it('rejects a foreign phone number without its plus sign', () => {
    assert.equal(
      checkPassword('call 12025550143 now', { bhxhNumber: '7901234567', phoneNumber: '+12025550143' }),
      'contains_phone',
    );
  });

  it('rejects the birth date as YYYYMMDD, DDMMYYYY, DD/MM/YYYY and DDMMYY', () => {
    assert.equal(checkPassword('sinh 19851102 nhe', member), 'contains_birthdate');
    assert.equal(checkPassword('sinh 02111985 nhe', member), 'contains_birthdate');
    assert.equal(checkPassword('sinh 02/11/1985 nhe', member), 'contains_birthdate');
    assert.equal(checkPassword('sinh 02.11.1985 nhe', member), 'contains_birthdate');
    assert.equal(checkPassword('sinh 02-11-1985 nhe', member), 'contains_birthdate');
    assert.equal(checkPassword('sinh ngay 021185', member), 'contains_birthdate');
  });

  it('does not object to digits that are not the member’s data', () => {
    assert.equal(checkPassword('sinh 03/12/1986 nhe', member), null);
    assert.equal(checkPassword('goi 0912345678 nhe', member), null);
  });

  it('works when the member has no phone number or birth date', () => {
    assert.equal(
      checkPassword('goi 0387654321 nhe', { bhxhNumber: '7901234567', phoneNumber: null, birthdate: null }),
      null,
    );
    assert.equal(checkPassword('goi 0387654321 nhe', noExtras), null);
  });
});

describe('checkPassword: no composition rules', () => {
  it('accepts a long lower-case phrase without digits or symbols', () => {
    assert.equal(checkPassword('con meo ngu tren mai nha', member), null);
    assert.equal(checkPassword('correcthorsebatterystaple', member), null);
  });

  it('accepts a Vietnamese phrase with diacritics and spaces', () => {
    assert.equal(checkPassword('con mèo ngủ trên mái nhà', member), null);
  });

  it('accepts only digits or only symbols when not common and not personal', () => {
    assert.equal(checkPassword('40917263', member), null);
    assert.equal(checkPassword('!@#$%^&*()_+~', member), null);
  });
});
