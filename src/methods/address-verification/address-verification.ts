// Proving an address: a signed-in member asks for a code at the email or phone on file, or at a new address she wants
// on file instead (the account page, issue 16). The right code, while the address is still the one it went to, marks
// the address on file verified, or makes the new address the one on file, verified.
//
//   unverified ──start(): code to the address on file──▶ code sent ──confirm(right code, same address)──▶ verified
//                                                           │
//                                                           └─ wrong code (tries capped) · address changed · expired: stays unverified
//
//   any ──startChange(new address): code to the NEW address──▶ code sent ──confirmChange(right code, that address)──▶
//         the new address on file, verified (src/security/address-change.ts: row lock, audit, notices to the old ones)
//
// Codes come from the code store with their own purpose (HMAC at rest, TTL, capped tries, single use, cooldown and
// hourly limit per account, the per-address budget of the one throttle), the limits recovery has. NOTE: a code is
// bound to its address: its flow id is a keyed hash of (account, channel, address), so a code sent to an old address
// finds no live code once the address changed, a code sent to X finds nothing when asked to confirm Y, and a new code
// (to any address) ends the earlier one. The final update checks again under a row lock.
// Nothing here looks at other accounts: whether another account uses the address is never asked, never told.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AccountAddresses, AccountRepository } from '../../accounts/account-repository.js';
import { parsePhoneNumber } from '../../accounts/identifiers.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Db } from '../../db/database.js';
import type { Outbox } from '../../notify/outbox.js';
import type { Clock } from '../../core/clock.js';
import { parseEmailAddress } from '../../core/email-address.js';
import { type AddressChangeDeps, changeAddress } from '../../security/address-change.js';
import { deliverableAddress, isAddressVerified, type AddressChannel } from '../../security/deliverable-address.js';
import type { CodeOptions, CodeStore } from '../codes/code-store.js';

/** Why no code was sent; `retryAfterSeconds` with the account's cooldown or hourly cap. */
type Refusal =
  | { ok: false; reason: 'cooldown' | 'account_limit'; retryAfterSeconds?: number }
  | { ok: false; reason: 'ip_limit' };
export type StartResult =
  | { ok: true; address: string; minutes: number }
  | Refusal
  | { ok: false; reason: 'no_address' | 'already_verified' };
export type StartChangeResult =
  | { ok: true; address: string; minutes: number }
  | Refusal
  | { ok: false; reason: 'no_account' | 'unchanged' | 'invalid_address' };
export type ConfirmResult =
  | { ok: true; address: string }
  | { ok: false; reason: 'no_address' | 'wrong' | 'dead' | 'address_changed' };
export type ConfirmChangeResult =
  | { ok: true; address: string; previous: string | null }
  | { ok: false; reason: 'no_account' | 'wrong' | 'dead' };

export interface AddressVerificationDeps {
  db: Db;
  accounts: AccountRepository;
  /** One-time codes with purpose address_verification (the composition root builds it with the one throttle). */
  codes: CodeStore;
  clock: Clock;
  outbox: Outbox;
  audit: AuditLog;
  issuer: string;
  /** Keys the binding of a code to an address (derived from the internal secret). */
  secret: Buffer;
  options: CodeOptions;
  /** `config.account.phoneCoolingSeconds`: a changed phone's notice says how long it cools off. */
  phoneCoolingSeconds: number;
}

/** The normal form of a new address for the channel (the one email rule; a Vietnamese mobile number in E.164). */
export function parseNewAddress(channel: AddressChannel, input: string): string | null {
  if (channel === 'email') return parseEmailAddress(input);
  const phone = parsePhoneNumber(input);
  // The SMS channels are Vietnamese (the short code, the hotline, the gateway): a foreign number could not use them.
  return phone?.startsWith('+84') ? phone : null;
}

export function createAddressVerification(deps: AddressVerificationDeps) {
  const { db, outbox, audit } = deps;
  const { accounts, codes } = deps;
  const minutes = Math.max(1, Math.round(deps.options.ttlSeconds / 60));
  const bindingOf = (accountId: string, channel: AddressChannel, address: string) =>
    crypto
      .createHmac('sha256', deps.secret)
      .update(`address-verification:${accountId}:${channel}:${address}`)
      .digest('base64url');
  /** A code for a new address: bound to it, apart from the codes that prove the address on file. */
  const changeBindingOf = (accountId: string, channel: AddressChannel, address: string) =>
    crypto
      .createHmac('sha256', deps.secret)
      .update(`address-change:${accountId}:${channel}:${address}`)
      .digest('base64url');
  const changeDeps: AddressChangeDeps = {
    db,
    accounts,
    outbox,
    audit,
    clock: deps.clock,
    issuer: deps.issuer,
    phoneCoolingSeconds: deps.phoneCoolingSeconds,
  };
  /** The address a code may prove: the one on file, of an active account. */
  const currentAddress = (row: AccountAddresses | undefined, channel: AddressChannel) =>
    row && row.status === 'active' ? deliverableAddress(row, channel, 'verification') : null;

  const refusal = (issued: { reason: 'cooldown' | 'account_limit'; retryAfterSeconds?: number }): Refusal => ({
    ok: false,
    reason: issued.reason,
    ...(issued.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: issued.retryAfterSeconds }),
  });

  /**
   * The limits of every code (the client address's budget, the account's cooldown and hourly cap), then the code in
   * the outbox to `address` and the audit event, in the caller's transaction.
   */
  async function sendCode(
    trx: Knex.Transaction,
    input: {
      accountId: string;
      channel: AddressChannel;
      address: string;
      ip: string;
      requestId?: string | null | undefined;
      flowId: string;
      audit: 'address.verification_requested' | 'address.change_requested';
    },
  ): Promise<{ ok: true; address: string; minutes: number } | Refusal> {
    const { accountId, channel, address } = input;
    if (!(await codes.ipAllowed(trx, input.ip))) return { ok: false, reason: 'ip_limit' };
    const issued = await codes.issue(trx, { flowId: input.flowId, accountId, ip: input.ip, channel, typed: '' });
    if (!issued.issued) return refusal(issued);
    await outbox.send(
      {
        purpose: 'address_verification',
        channel,
        to: address,
        params: { code: issued.code, minutes, issuer: deps.issuer },
      },
      trx,
    );
    await audit.record(
      { type: input.audit, accountId, ip: input.ip, requestId: input.requestId ?? null, detail: { channel } },
      trx,
    );
    return { ok: true, address, minutes };
  }

  return {
    /** Sends a code to the account's current address for the channel (a newer code kills the older one). */
    async start(input: {
      accountId: string;
      channel: AddressChannel;
      ip: string;
      requestId?: string | null;
    }): Promise<StartResult> {
      const { accountId, channel } = input;
      return db.transaction(async (trx): Promise<StartResult> => {
        const row = await accounts.lockAddressesOnFile(accountId, trx);
        const address = currentAddress(row, channel);
        if (!row || !address) return { ok: false, reason: 'no_address' };
        if (isAddressVerified(row, channel)) return { ok: false, reason: 'already_verified' };
        return sendCode(trx, {
          ...input,
          address,
          flowId: bindingOf(accountId, channel, address),
          audit: 'address.verification_requested',
        });
      });
    },

    /** Checks a typed code; on success, and only if the address is still the one the code went to, marks it verified. */
    async confirm(input: {
      accountId: string;
      channel: AddressChannel;
      code: string;
      ip?: string | null;
      requestId?: string | null;
    }): Promise<ConfirmResult> {
      const { accountId, channel } = input;
      const event = {
        type: 'address.verified' as const,
        accountId,
        ip: input.ip ?? null,
        requestId: input.requestId ?? null,
      };
      const before = await accounts.addressesOnFile(accountId);
      const address = currentAddress(before, channel);
      if (!address) return { ok: false, reason: 'no_address' };
      // A code sent to another address lives under another binding: it is not found here ('dead').
      const checked = await codes.verify(bindingOf(accountId, channel, address), input.code.replace(/[\s-]/g, ''));
      if (!checked.ok) {
        await audit.record({ ...event, outcome: 'failure', detail: { channel, reason: checked.reason } });
        return { ok: false, reason: checked.reason };
      }
      return db.transaction(async (trx): Promise<ConfirmResult> => {
        // The address may have changed while the code was checked: look again under the row lock.
        const row = await accounts.lockAddressesOnFile(accountId, trx);
        if (currentAddress(row, channel) !== address) {
          await audit.record({ ...event, outcome: 'failure', detail: { channel, reason: 'address_changed' } }, trx);
          return { ok: false, reason: 'address_changed' };
        }
        await accounts.markAddressVerified(accountId, channel, trx);
        await audit.record({ ...event, detail: { channel } }, trx);
        return { ok: true, address };
      });
    },

    /**
     * Sends a code to a new address the member wants on file (normalised by `parseNewAddress`), under the limits of
     * every code: the account's cooldown and hourly cap, the client address's budget. A newer code, to any address,
     * ends this one. The same address as on file, already verified, is `unchanged`; unverified, its code verifies it.
     */
    async startChange(input: {
      accountId: string;
      channel: AddressChannel;
      address: string;
      ip: string;
      requestId?: string | null;
    }): Promise<StartChangeResult> {
      const { accountId, channel, address } = input;
      if (parseNewAddress(channel, address) !== address) return { ok: false, reason: 'invalid_address' };
      return db.transaction(async (trx): Promise<StartChangeResult> => {
        const row = await accounts.lockAddressesOnFile(accountId, trx);
        if (row?.status !== 'active') return { ok: false, reason: 'no_account' };
        if (deliverableAddress(row, channel, 'verification') === address && isAddressVerified(row, channel))
          return { ok: false, reason: 'unchanged' };
        // NOTE: the one message that goes to an address not yet on file: the code that proves it, nothing else.
        return sendCode(trx, {
          ...input,
          flowId: changeBindingOf(accountId, channel, address),
          audit: 'address.change_requested',
        });
      });
    },

    /**
     * Checks a typed code for the new address `address`; the right one makes it the address on file, verified, through
     * src/security/address-change.ts (the code checked and used up under the account's row lock: of parallel
     * confirmations, one changes the address, the others find the code used).
     */
    async confirmChange(input: {
      accountId: string;
      channel: AddressChannel;
      address: string;
      code: string;
      ip?: string | null;
      requestId?: string | null;
    }): Promise<ConfirmChangeResult> {
      const { accountId, channel, address } = input;
      const typed = input.code.replace(/[\s-]/g, '');
      const changed = await changeAddress(changeDeps, {
        accountId,
        channel,
        address,
        via: 'account_page',
        ip: input.ip ?? null,
        requestId: input.requestId ?? null,
        proof: async (trx) => {
          // A code sent to another address lives under another binding: it is not found here ('dead').
          const checked = await codes.verify(changeBindingOf(accountId, channel, address), typed, undefined, trx);
          if (!checked.ok) return checked.reason;
          return checked.accountId === accountId ? true : 'dead';
        },
      });
      if (!changed.ok) return { ok: false, reason: changed.reason === 'no_address' ? 'dead' : changed.reason };
      return { ok: true, address, previous: changed.previous };
    },
  };
}

export type AddressVerification = ReturnType<typeof createAddressVerification>;
