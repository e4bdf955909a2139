// The one way an address on file changes (src/security/address-change.ts, through
// src/methods/address-verification/ startChange / confirmChange), at module level against a real database: the code
// is checked under the account's row lock, so parallel confirmations make one change; a code bound to X never writes
// Y; the addresses on file before the change are told, the new one never; a phone change starts the SIM-swap
// cooling-off (src/security/deliverable-address.ts).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createAccountRepository, type AccountRepository } from '../../src/accounts/account-repository.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import type { Db } from '../../src/db/database.js';
import { createSealer, type Sealer } from '../../src/keys/sealer.js';
import {
  createAddressVerification,
  type AddressVerification,
} from '../../src/methods/address-verification/address-verification.js';
import { createCodeStore } from '../../src/methods/codes/code-store.js';
import { createOutbox } from '../../src/notify/outbox.js';
import { removeEmail } from '../../src/security/address-change.js';
import { deliverableMatch, phoneCoolingUntil } from '../../src/security/deliverable-address.js';
import { createThrottle } from '../../src/security/throttle.js';
import { createTestDatabase, randomBhxhNumber, testClock } from '../helpers/server.js';

const OPTIONS = { ttlSeconds: 600, maxAttempts: 5, cooldownSeconds: 60, perAccountPerHour: 5, perIpPerHour: 1000 };
const IP = '203.0.113.9';
const COOLING = 72 * 3600;

describe('address changes (src/security/address-change.ts)', () => {
  let database: { db: Db; drop: () => Promise<void> };
  let db: Db;
  let sealer: Sealer;
  let accounts: AccountRepository;
  let verification: AddressVerification;
  const clock = testClock(new Date('2026-12-20T02:00:00Z'));
  const issuer = 'https://id.baohiemxahoi.test';

  before(async () => {
    database = await createTestDatabase();
    db = database.db;
    sealer = createSealer(crypto.randomBytes(32));
    accounts = createAccountRepository(db);
    const secret = crypto.randomBytes(32);
    verification = createAddressVerification({
      db,
      accounts,
      codes: createCodeStore(db, clock, secret, OPTIONS, {
        purpose: 'address_verification',
        throttle: createThrottle({ key: crypto.randomBytes(32), clock }),
      }),
      clock,
      outbox: createOutbox(db, sealer, clock),
      audit: createAuditLog(db),
      issuer,
      secret,
      options: OPTIONS,
      phoneCoolingSeconds: COOLING,
    });
  });
  after(() => database.drop());

  let n = 0;
  async function member(input: { email?: string | null; phone?: string | null } = {}) {
    n += 1;
    return accounts.create({
      bhxhNumber: randomBhxhNumber(),
      fullName: 'Lê Văn Đổi',
      birthdate: '1980-01-01',
      email:
        input.email === undefined ? `change.${n}.${crypto.randomBytes(3).toString('hex')}@example.vn` : input.email,
      emailVerified: true,
      phoneNumber: input.phone === undefined ? `+8491400${String(n).padStart(4, '0')}` : input.phone,
      phoneNumberVerified: true,
    });
  }

  async function codeSentTo(to: string): Promise<string> {
    const row = await db('outbox')
      .where({ recipient: to, purpose: 'address_verification' })
      .orderBy('id', 'desc')
      .first('payload_sealed', 'purpose');
    assert.ok(row, `a code for ${to}`);
    const payload = JSON.parse(sealer.open(row.payload_sealed, `outbox:${row.purpose}`)) as {
      message: { text: string };
    };
    return /\b(\d{6})\b/.exec(payload.message.text)![1]!;
  }
  const sentTo = async (to: string) =>
    (await db('outbox').where({ recipient: to }).select('purpose')).map((r) => r.purpose as string);

  it('of ten parallel confirmations of one code, exactly one changes the phone and tells the old one', async () => {
    const account = await member();
    const newPhone = `+8439${crypto.randomInt(1_000_000, 9_999_999)}`;
    assert.equal(
      (await verification.startChange({ accountId: account.id, channel: 'sms', address: newPhone, ip: IP })).ok,
      true,
    );
    const code = await codeSentTo(newPhone);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        verification.confirmChange({ accountId: account.id, channel: 'sms', address: newPhone, code }),
      ),
    );
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'dead'));
    const after = await accounts.findById(account.id);
    assert.equal(after!.phoneNumber, newPhone);
    assert.equal(after!.phoneNumberVerified, true);
    assert.equal(after!.phoneChangedAt!.getTime(), clock.now().getTime());
    assert.deepEqual(await sentTo(account.phoneNumber!), ['phone_changed'], 'the old number, once');
    assert.deepEqual(await sentTo(account.email!), ['phone_changed'], 'and the email on file');
    assert.deepEqual(await sentTo(newPhone), ['address_verification'], 'the new number: the code only');
    const changed = await db('audit_events')
      .where({ account_id: account.id, type: 'address.changed' })
      .select('outcome', 'detail');
    assert.equal(changed.filter((e) => e.outcome === 'success').length, 1);
    for (const e of changed)
      assert.ok(!JSON.stringify(e.detail).includes(newPhone.slice(3)), 'no address in the audit');
    assert.ok(!JSON.stringify(changed).includes(code), 'no code in the audit');
  });

  it('a code sent for X never writes Y, and a failed try for Y leaves X usable', async () => {
    const account = await member();
    const x = `x.${n}@example.vn`;
    const y = `y.${n}@example.vn`;
    await verification.startChange({ accountId: account.id, channel: 'email', address: x, ip: IP });
    const code = await codeSentTo(x);
    assert.deepEqual(await verification.confirmChange({ accountId: account.id, channel: 'email', address: y, code }), {
      ok: false,
      reason: 'dead',
    });
    assert.equal((await accounts.findById(account.id))!.email, account.email);
    assert.deepEqual(await verification.confirmChange({ accountId: account.id, channel: 'email', address: x, code }), {
      ok: true,
      address: x,
      previous: account.email,
    });
    // Nor does a code for X write X on another account.
    const other = await member();
    assert.equal(
      (await verification.confirmChange({ accountId: other.id, channel: 'email', address: x, code })).ok,
      false,
    );
  });

  it('never asks whether another account uses the address, and refuses only what is not an address', async () => {
    const holder = await member();
    const account = await member();
    clock.advance(OPTIONS.cooldownSeconds + 1);
    const started = await verification.startChange({
      accountId: account.id,
      channel: 'email',
      address: holder.email!,
      ip: IP,
    });
    assert.equal(started.ok, true);
    for (const bad of ['Not An Address', 'UPPER@example.vn', '+84 912 345 678']) {
      assert.deepEqual(
        await verification.startChange({ accountId: account.id, channel: 'email', address: bad, ip: IP }),
        {
          ok: false,
          reason: 'invalid_address',
        },
      );
    }
    assert.deepEqual(
      await verification.startChange({ accountId: account.id, channel: 'sms', address: '+447700900123', ip: IP }),
      { ok: false, reason: 'invalid_address' },
      'the SMS channels are Vietnamese',
    );
  });

  it('a disabled account changes nothing, even with the right code', async () => {
    const account = await member();
    const to = `disabled.${n}@example.vn`;
    await verification.startChange({ accountId: account.id, channel: 'email', address: to, ip: IP });
    const code = await codeSentTo(to);
    await accounts.setStatus(account.id, 'disabled');
    assert.deepEqual(await verification.confirmChange({ accountId: account.id, channel: 'email', address: to, code }), {
      ok: false,
      reason: 'no_account',
    });
    assert.equal((await accounts.findById(account.id))!.email, account.email);
  });

  it('removes the email and tells it (and the phone); nothing to remove says so', async () => {
    const account = await member();
    const deps = {
      db,
      accounts,
      outbox: createOutbox(db, sealer, clock),
      audit: createAuditLog(db),
      clock,
      issuer,
      phoneCoolingSeconds: COOLING,
    };
    assert.deepEqual(await removeEmail(deps, { accountId: account.id, via: 'test' }), {
      ok: true,
      previous: account.email,
    });
    const after = await accounts.findById(account.id);
    assert.equal(after!.email, null);
    assert.equal(after!.emailVerified, false);
    assert.deepEqual(await sentTo(account.email!), ['email_removed']);
    assert.deepEqual(await sentTo(account.phoneNumber!), ['email_removed']);
    assert.deepEqual(await removeEmail(deps, { accountId: account.id, via: 'test' }), {
      ok: false,
      reason: 'no_address',
    });
  });

  it('the cooling-off: a phone changed within the period matches nothing, then matches again', () => {
    const changedAt = new Date('2026-12-20T00:00:00Z');
    const account = { phoneNumber: '+84381234567', phoneNumberVerified: true, phoneChangedAt: changedAt };
    const at = (seconds: number) => ({ now: new Date(changedAt.getTime() + seconds * 1000), seconds: COOLING });
    assert.equal(deliverableMatch(account, 'sms', '+84381234567', at(0)), null);
    assert.equal(deliverableMatch(account, 'sms', '+84381234567', at(COOLING - 1)), null);
    assert.deepEqual(phoneCoolingUntil(account, at(10)), new Date(changedAt.getTime() + COOLING * 1000));
    assert.equal(deliverableMatch(account, 'sms', '+84381234567', at(COOLING)), '+84381234567');
    assert.equal(deliverableMatch({ ...account, phoneChangedAt: null }, 'sms', '+84381234567', at(0)), '+84381234567');
    assert.equal(
      deliverableMatch(account, 'sms', '+84381234567', { now: changedAt, seconds: 0 }),
      '+84381234567',
      'PHONE_CHANGE_COOLING_HOURS=0 switches it off',
    );
    const email = { email: 'a@example.vn', emailVerified: true, phoneChangedAt: changedAt };
    assert.equal(deliverableMatch(email, 'email', 'a@example.vn', at(0)), 'a@example.vn', 'email is not affected');
  });
});
