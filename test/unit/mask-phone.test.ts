// Issue 14, item 3: the SMS code page names the number the way the member typed it, masked in the middle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskPhoneAsTyped } from '../../src/methods/sms-code/sms-recovery-method.js';

describe('maskPhoneAsTyped', () => {
  it('keeps the first four and the last three digits, and the separators where the member typed them', () => {
    assert.equal(maskPhoneAsTyped('0168 765 4321'), '0168 ••• •321');
    assert.equal(maskPhoneAsTyped('0912 345 678'), '0912 ••• 678');
    assert.equal(maskPhoneAsTyped('0912.345.678'), '0912.•••.678');
    assert.equal(maskPhoneAsTyped('0912-345-678'), '0912-•••-678');
    assert.equal(maskPhoneAsTyped('0912345678'), '0912•••678');
    assert.equal(maskPhoneAsTyped('+84 912 345 678'), '+84 91• ••• 678');
    assert.equal(maskPhoneAsTyped('(028) 3825 1234'), '(028) 3••• •234');
  });

  it('trims the ends and turns runs of spaces (a no-break space too) into one', () => {
    assert.equal(maskPhoneAsTyped('  0168   765\u00a04321 '), '0168 ••• •321');
  });
});
