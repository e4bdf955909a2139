// Parsing of what members type: BHXH numbers, personal identification numbers, phone numbers (DESIGN.md §4).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBhxhNumber, parseNationalId, parsePhoneNumber } from '../../src/accounts/identifiers.js';

const NOT_STRINGS: unknown[] = [
  undefined,
  null,
  123456789,
  1234567890,
  0,
  true,
  {},
  [],
  ['0123456789'],
  { toString: () => '0123456789' },
];

describe('parseBhxhNumber', () => {
  it('returns the 10 digits of a plain number', () => {
    assert.equal(parseBhxhNumber('7901234567'), '7901234567');
  });

  it('keeps a leading zero (the number is text, not an integer)', () => {
    assert.equal(parseBhxhNumber('0123456789'), '0123456789');
    assert.equal(parseBhxhNumber('0000000001'), '0000000001');
  });

  it('accepts spaces, dots, dashes and no-break spaces as the member types them', () => {
    assert.equal(parseBhxhNumber('01 2345 6789'), '0123456789');
    assert.equal(parseBhxhNumber(' 0123456789 '), '0123456789');
    assert.equal(parseBhxhNumber('0123.456.789'), '0123456789');
    assert.equal(parseBhxhNumber('01.2345.6789'), '0123456789');
    assert.equal(parseBhxhNumber('0123-456-789'), '0123456789');
    assert.equal(parseBhxhNumber('0123\u00a0456\u00a0789'), '0123456789');
    assert.equal(parseBhxhNumber('\t0123456789\n'), '0123456789');
  });

  it('rejects 9 and 11 digits', () => {
    assert.equal(parseBhxhNumber('012345678'), null);
    assert.equal(parseBhxhNumber('01234567890'), null);
    assert.equal(parseBhxhNumber('01 2345 678'), null);
    assert.equal(parseBhxhNumber('0123.456.7890'), null);
  });

  it('rejects letters and other characters', () => {
    assert.equal(parseBhxhNumber('012345678a'), null);
    assert.equal(parseBhxhNumber('DN0123456789'), null);
    assert.equal(parseBhxhNumber('GD4010123456789'), null);
    assert.equal(parseBhxhNumber('0123456789x'), null);
    assert.equal(parseBhxhNumber('+0123456789'), null);
    assert.equal(parseBhxhNumber('0123/456/789'), null);
    assert.equal(parseBhxhNumber('０１２３４５６７８９'), null, 'full-width digits are not ASCII digits');
  });

  it('rejects empty, blank and very long input', () => {
    assert.equal(parseBhxhNumber(''), null);
    assert.equal(parseBhxhNumber('          '), null);
    assert.equal(parseBhxhNumber(`${' '.repeat(40)}0123456789`), null);
  });

  it('rejects anything that is not a string', () => {
    for (const value of NOT_STRINGS) assert.equal(parseBhxhNumber(value), null, `${JSON.stringify(value)}`);
  });
});

describe('parseNationalId', () => {
  it('returns the 12 digits, leading zeros kept', () => {
    assert.equal(parseNationalId('001090012345'), '001090012345');
    assert.equal(parseNationalId('079185054321'), '079185054321');
  });

  it('accepts spaces, dots and dashes', () => {
    assert.equal(parseNationalId('001 090 012 345'), '001090012345');
    assert.equal(parseNationalId('001.090.012.345'), '001090012345');
    assert.equal(parseNationalId('001-090-012-345'), '001090012345');
  });

  it('rejects 9 (old CMND), 11 and 13 digits, letters and non-strings', () => {
    assert.equal(parseNationalId('123456789'), null);
    assert.equal(parseNationalId('00109001234'), null);
    assert.equal(parseNationalId('0010900123456'), null);
    assert.equal(parseNationalId('00109001234a'), null);
    assert.equal(parseNationalId(''), null);
    for (const value of NOT_STRINGS) assert.equal(parseNationalId(value), null, `${JSON.stringify(value)}`);
  });
});

describe('parsePhoneNumber', () => {
  it('reads the common ways of writing a mobile number into E.164', () => {
    for (const typed of [
      '0912 345 678',
      '+84912345678',
      '84-912-345-678',
      '0912.345.678',
      '0912345678',
      '84912345678',
      '+84 912 345 678',
      '(+84) 912-345-678',
      ' 0912 345 678 ',
    ]) {
      assert.equal(parsePhoneNumber(typed), '+84912345678', typed);
    }
  });

  // DESIGN.md §4: 0162–0169 → 032–039, 0120 → 070, 0121 → 079, 0122 → 077, 0126 → 076, 0128 → 078, 0123 → 083,
  // 0124 → 084, 0125 → 085, 0127 → 081, 0129 → 082, 0186 → 056, 0188 → 058, 0199 → 059.
  const LEGACY: Array<[string, string]> = [
    ['162', '32'],
    ['163', '33'],
    ['164', '34'],
    ['165', '35'],
    ['166', '36'],
    ['167', '37'],
    ['168', '38'],
    ['169', '39'],
    ['120', '70'],
    ['121', '79'],
    ['122', '77'],
    ['126', '76'],
    ['128', '78'],
    ['123', '83'],
    ['124', '84'],
    ['125', '85'],
    ['127', '81'],
    ['129', '82'],
    ['186', '56'],
    ['188', '58'],
    ['199', '59'],
  ];

  it('maps every pre-2018 11-digit mobile prefix to its new prefix, however the number is written', () => {
    assert.equal(LEGACY.length, 21);
    for (const [old, now] of LEGACY) {
      const expected = `+84${now}1234567`;
      for (const typed of [
        `0${old} 123 4567`,
        `0${old}1234567`,
        `0${old}.123.4567`,
        `+84${old}1234567`,
        `+84 ${old} 123 4567`,
        `84-${old}-123-4567`,
      ]) {
        assert.equal(parsePhoneNumber(typed), expected, `${typed} → ${expected}`);
      }
      // The new form is the same number.
      assert.equal(parsePhoneNumber(`0${now}1234567`), expected);
    }
  });

  it('maps the examples from the brief', () => {
    assert.equal(parsePhoneNumber('0168 123 4567'), '+84381234567');
    assert.equal(parsePhoneNumber('0120 123 4567'), '+84701234567');
    assert.equal(parsePhoneNumber('0186 123 4567'), '+84561234567');
    assert.equal(parsePhoneNumber('0199 123 4567'), '+84591234567');
  });

  it('does not map 11-digit numbers whose prefix was never a mobile prefix', () => {
    assert.equal(parsePhoneNumber('0130 123 4567'), null);
    assert.equal(parsePhoneNumber('0191 234 5678'), null);
  });

  it('returns null for invalid numbers', () => {
    for (const typed of [
      '',
      ' ',
      'abc',
      '0912 345 67a',
      'không có',
      '091234567',
      '09123456789',
      '0112345678',
      '0012',
      '0912 345 678 999 888',
      '+84',
      '84',
      '++84912345678',
      '0912_345_678',
      '0912/345/678',
      '0'.repeat(41),
    ]) {
      assert.equal(parsePhoneNumber(typed), null, JSON.stringify(typed));
    }
  });

  it('returns null for anything that is not a string', () => {
    for (const value of [...NOT_STRINGS, 912345678, 84912345678])
      assert.equal(parsePhoneNumber(value), null, `${JSON.stringify(value)}`);
  });

  it('keeps a valid foreign number given in international form', () => {
    assert.equal(parsePhoneNumber('+1 202 555 0143'), '+12025550143');
    assert.equal(parsePhoneNumber('+1 000 000 0000'), null);
  });
});

describe('parsePhoneNumber: only Vietnamese mobiles', () => {
  const cases: Array<[string, string | null]> = [
    ['0912 345 678', '+84912345678'],
    ['+84 912 345 678', '+84912345678'],
    ['84-912-345-678', '+84912345678'],
    ['0084912345678', '+84912345678'],
    ['0162 123 4567', '+84321234567'],
    ['0199 123 4567', '+84591234567'],
    ['024 3825 1234', null], // a Hanoi landline
    ['028 3829 1234', null], // a Ho Chi Minh City landline
    ['1900 9068', null], // a service number
    ['0912 345', null], // too short
    ['09123456789012', null], // too long
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected ?? 'refused'}`, () => {
      assert.equal(parsePhoneNumber(input), expected);
    });
  }
});
