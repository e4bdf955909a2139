// The one email address rule (src/core/email-address.ts) that the CLI, the reset form and the outbox share.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEmailRecoveryMethod } from '../../src/methods/email-code/email-recovery-method.js';
import type { Outbox } from '../../src/notify/outbox.js';
import { parseEmailAddress, sameEmailAddress } from '../../src/core/email-address.js';

describe('the email address rule', () => {
  it("accepts every character RFC 5322's dot-atom allows in the local part", () => {
    for (const address of [
      "o'neil@example.vn",
      'a+tag@example.vn',
      "!#$%&'*+-/=?^_`{|}~@example.vn",
      'first.last@mail.example.vn',
      'x@xn--bcher-kva.vn',
      'a@b-c.d1.vn',
    ]) {
      assert.equal(parseEmailAddress(address), address, address);
    }
  });

  it('lower-cases the address, trims it, and turns a Unicode domain into punycode', () => {
    assert.equal(parseEmailAddress("  O'Neil@Example.VN "), "o'neil@example.vn");
    assert.equal(parseEmailAddress('an@bücher.vn'), 'an@xn--bcher-kva.vn');
    assert.ok(sameEmailAddress('An@Example.vn', 'an@example.VN'));
    assert.ok(!sameEmailAddress('an@example.vn', 'an@example.com'));
    assert.ok(!sameEmailAddress(null, null));
  });

  it('refuses what is not one plain address', () => {
    for (const bad of [
      'a@example.vn, b@example.vn',
      'Member <a@example.vn>',
      'a@example.vn\r\nBcc: b@example.vn',
      '"quoted"@example.vn',
      'a b@example.vn',
      '.a@example.vn',
      'a.@example.vn',
      'a..b@example.vn',
      'a@example',
      'a@-example.vn',
      'a@example-.vn',
      'a@example..vn',
      'a@127.0.0.1',
      'a@[127.0.0.1]',
      'tên@example.vn',
      '@example.vn',
      'a@',
      `${'a'.repeat(65)}@example.vn`,
      `a@${'b'.repeat(64)}.vn`,
      'a\u0000@example.vn',
    ]) {
      assert.equal(parseEmailAddress(bad), null, JSON.stringify(bad));
    }
  });

  it('is the rule of the reset form', () => {
    const method = createEmailRecoveryMethod({} as Outbox, 'https://id.example.vn');
    assert.deepEqual(method.parseAddress("O'Neil@example.vn"), { ok: true, address: "o'neil@example.vn" });
    assert.deepEqual(method.parseAddress('a b@example.vn'), { ok: false, error: 'recovery.error.email_format' });
  });
});
