// Proving an address: a signed-in member asks for a code at the email or phone on file; the right code, while that
// address is still the one on file, marks it verified (the account page of issue 16 calls this; no page yet).
//
//   unverified ──start(): code to the address on file──▶ code sent ──confirm(right code, same address)──▶ verified
//                                                           │
//                                                           └─ wrong code (tries capped) · address changed · expired: stays unverified
//
// Codes come from the code store with their own purpose (HMAC at rest, TTL, capped tries, single use, cooldown and
// hourly limit per account). NOTE: a code is bound to its address: its flow id is a keyed hash of (account, channel,
// address), so a code sent to an old address finds no live code once the address changed, and the final update
// checks the address again under a row lock.
import crypto from 'node:crypto';
import type { AccountAddresses, AccountRepository } from '../../accounts/account-repository.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Db } from '../../db/database.js';
import type { Outbox } from '../../notify/outbox.js';
import type { Clock } from '../../core/clock.js';
import { deliverableAddress, isAddressVerified, type AddressChannel } from '../../security/deliverable-address.js';
import type { CodeOptions, CodeStore } from '../codes/code-store.js';

export type StartResult =
  | { ok: true; address: string; minutes: number }
  | { ok: false; reason: 'no_address' | 'already_verified' | 'cooldown' | 'account_limit' };
export type ConfirmResult =
  | { ok: true; address: string }
  | { ok: false; reason: 'no_address' | 'wrong' | 'dead' | 'address_changed' };

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
  /** The address a code may prove: the one on file, of an active account. */
  const currentAddress = (row: AccountAddresses | undefined, channel: AddressChannel) =>
    row && row.status === 'active' ? deliverableAddress(row, channel, 'verification') : null;

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
        const issued = await codes.issue(trx, {
          flowId: bindingOf(accountId, channel, address),
          accountId,
          ip: input.ip,
          channel,
          typed: '',
        });
        if (!issued.issued) return { ok: false, reason: issued.reason };
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
          {
            type: 'address.verification_requested',
            accountId,
            ip: input.ip,
            requestId: input.requestId ?? null,
            detail: { channel },
          },
          trx,
        );
        return { ok: true, address, minutes };
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
  };
}

export type AddressVerification = ReturnType<typeof createAddressVerification>;
