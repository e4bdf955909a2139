// A member proves an email or phone on file with a code (issue 12, finding 5), at module level against a real
// database: the right code for the current address marks it verified; a code for an old address, a wrong, used or
// expired code never does; the code is kept only as an HMAC.
import { createCodeStore } from '../../src/methods/codes/code-store.js';
import { createThrottle } from '../../src/security/throttle.js';
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
import { createOutbox } from '../../src/notify/outbox.js';
import { createTestDatabase, randomBhxhNumber, testClock } from '../helpers/server.js';

const OPTIONS = { ttlSeconds: 600, maxAttempts: 5, cooldownSeconds: 60, perAccountPerHour: 5, perIpPerHour: 100 };
const IP = '203.0.113.7';

describe('address verification by code', () => {
  let database: { db: Db; drop: () => Promise<void> };
  let db: Db;
  let sealer: Sealer;
  let accounts: AccountRepository;
  let verification: AddressVerification;
  const clock = testClock(new Date('2026-12-03T02:00:00Z'));

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
      issuer: 'https://id.baohiemxahoi.test',
      secret,
      options: OPTIONS,
      phoneCoolingSeconds: 72 * 3600,
    });
  });
  after(() => database.drop());

  let phoneCounter = 0;
  async function member(input: { email?: string | null; phone?: string | null } = {}) {
    phoneCounter += 1;
    return accounts.create({
      bhxhNumber: randomBhxhNumber(),
      fullName: 'Phạm Thị Xác Nhận',
      birthdate: '1988-08-08',
      email:
        input.email === undefined
          ? `verify.${phoneCounter}.${crypto.randomBytes(3).toString('hex')}@example.vn`
          : input.email,
      phoneNumber: input.phone === undefined ? `+8491300${String(phoneCounter).padStart(4, '0')}` : input.phone,
    });
  }

  /** The code in the newest verification message queued for `to`. */
  async function codeSentTo(to: string): Promise<string> {
    const row = await db('outbox')
      .where({ recipient: to, purpose: 'address_verification' })
      .orderBy('id', 'desc')
      .first('payload_sealed', 'purpose');
    assert.ok(row, `a verification message for ${to}`);
    const payload = JSON.parse(sealer.open(row.payload_sealed, `outbox:${row.purpose}`)) as {
      message: { text: string };
    };
    return /\b(\d{6})\b/.exec(payload.message.text)![1]!;
  }
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('marks the email verified when the right code comes back for the same address', async () => {
    const account = await member({ email: "o'neil.verify@example.vn" });
    assert.equal(account.emailVerified, false);
    const started = await verification.start({ accountId: account.id, channel: 'email', ip: IP });
    assert.deepEqual(started, { ok: true, address: "o'neil.verify@example.vn", minutes: 10 });
    const code = await codeSentTo("o'neil.verify@example.vn");
    const stored = await db('verification_codes')
      .where({ account_id: account.id, purpose: 'address_verification' })
      .select('code_hash');
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0].code_hash, code, 'only an HMAC is stored');
    assert.ok(!String(stored[0].code_hash).includes(code));

    assert.deepEqual(await verification.confirm({ accountId: account.id, channel: 'email', code }), {
      ok: true,
      address: "o'neil.verify@example.vn",
    });
    const after = await accounts.findById(account.id);
    assert.equal(after!.emailVerified, true);
    assert.equal(after!.phoneNumberVerified, false, 'only the channel proven');
    assert.deepEqual(await verification.start({ accountId: account.id, channel: 'email', ip: IP }), {
      ok: false,
      reason: 'already_verified',
    });
  });

  it('marks the phone verified through an SMS code', async () => {
    const account = await member();
    const started = await verification.start({ accountId: account.id, channel: 'sms', ip: IP });
    assert.equal(started.ok, true);
    const code = await codeSentTo(account.phoneNumber!);
    assert.equal(
      (
        await verification.confirm({
          accountId: account.id,
          channel: 'sms',
          code: `${code.slice(0, 3)} ${code.slice(3)}`,
        })
      ).ok,
      true,
    );
    assert.equal((await accounts.findById(account.id))!.phoneNumberVerified, true);
  });

  it('a code for the old address does not verify a changed address', async () => {
    const account = await member({ email: 'old.address@example.vn' });
    await verification.start({ accountId: account.id, channel: 'email', ip: IP });
    const code = await codeSentTo('old.address@example.vn');
    await db('accounts').where({ id: account.id }).update({ email: 'new.address@example.vn' });
    const result = await verification.confirm({ accountId: account.id, channel: 'email', code });
    assert.equal(result.ok, false);
    assert.equal((await accounts.findById(account.id))!.emailVerified, false);
    assert.equal(
      (await verification.confirm({ accountId: account.id, channel: 'sms', code })).ok,
      false,
      'nor another channel',
    );
    assert.equal((await accounts.findById(account.id))!.phoneNumberVerified, false);
  });

  it('a used code does not verify again, and five wrong tries kill a code', async () => {
    const account = await member();
    await verification.start({ accountId: account.id, channel: 'email', ip: IP });
    const code = await codeSentTo(account.email!);
    assert.equal((await verification.confirm({ accountId: account.id, channel: 'email', code })).ok, true);
    await db('accounts').where({ id: account.id }).update({ email_verified: false });
    assert.deepEqual(await verification.confirm({ accountId: account.id, channel: 'email', code }), {
      ok: false,
      reason: 'dead',
    });

    clock.advance(OPTIONS.cooldownSeconds + 1);
    await verification.start({ accountId: account.id, channel: 'email', ip: IP });
    const second = await codeSentTo(account.email!);
    for (let i = 0; i < OPTIONS.maxAttempts; i++) {
      assert.deepEqual(await verification.confirm({ accountId: account.id, channel: 'email', code: wrong(second) }), {
        ok: false,
        reason: 'wrong',
      });
    }
    assert.deepEqual(await verification.confirm({ accountId: account.id, channel: 'email', code: second }), {
      ok: false,
      reason: 'dead',
    });
    assert.equal((await accounts.findById(account.id))!.emailVerified, false);
  });

  it('an expired code does not verify, and codes are limited per account', async () => {
    const account = await member();
    await verification.start({ accountId: account.id, channel: 'email', ip: IP });
    const code = await codeSentTo(account.email!);
    assert.deepEqual(await verification.start({ accountId: account.id, channel: 'email', ip: IP }), {
      ok: false,
      reason: 'cooldown',
      retryAfterSeconds: OPTIONS.cooldownSeconds,
    });
    clock.advance(OPTIONS.ttlSeconds + 1);
    assert.deepEqual(await verification.confirm({ accountId: account.id, channel: 'email', code }), {
      ok: false,
      reason: 'dead',
    });
    assert.equal((await accounts.findById(account.id))!.emailVerified, false);
  });

  it('has nothing to send without an address on file', async () => {
    const account = await member({ email: null, phone: null });
    assert.deepEqual(await verification.start({ accountId: account.id, channel: 'email', ip: IP }), {
      ok: false,
      reason: 'no_address',
    });
    assert.deepEqual(await verification.start({ accountId: account.id, channel: 'sms', ip: IP }), {
      ok: false,
      reason: 'no_address',
    });
    assert.deepEqual(await verification.confirm({ accountId: account.id, channel: 'sms', code: '123456' }), {
      ok: false,
      reason: 'no_address',
    });
  });
});
