// Invariant: the email or phone on file changes only here, whatever the path (the account page now; an operator's
// command later). In one transaction, under the account's row lock:
//   1. the account is active, and the proof the caller brings still holds (for a new address: its code, checked
//      against the code bound to that very address, so of parallel confirmations exactly one changes anything and a
//      code sent to X never writes Y);
//   2. the address and its verified flag are written (a new address is verified: its code proved it), and for a phone
//      `phone_changed_at`, from which the SIM-swap cooling-off counts (src/security/deliverable-address.ts);
//   3. the change is audited (`address.changed`, `address.removed`; never the address, never a code);
//   4. every address on file BEFORE the change is told (notify/notify-every-channel.ts): the old email, the phone on
//      file; the new address gets nothing beyond its code, and the notice names it only masked (notify/templates.ts).
// Called by src/methods/address-verification/ (confirmChange) and the email section of the account page (removal).
import type { Knex } from 'knex';
import type { AccountAddresses, AccountRepository } from '../accounts/account-repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../db/database.js';
import { notifyEveryChannel } from '../notify/notify-every-channel.js';
import type { Outbox } from '../notify/outbox.js';
import { type AddressChannel, addressOnFile } from './deliverable-address.js';

export interface AddressChangeDeps {
  db: Db;
  accounts: Pick<AccountRepository, 'lockAddressesOnFile' | 'writeAddress'>;
  outbox: Pick<Outbox, 'send'>;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  issuer: string;
  /** `config.account.phoneCoolingSeconds`: said in the notice of a phone change. */
  phoneCoolingSeconds: number;
}

/** What the caller proved, checked under the row lock: `true`, or why not (a code's `wrong` or `dead`). */
export type Proof = (trx: Knex.Transaction) => Promise<true | 'wrong' | 'dead'>;

export type AddressChangeResult =
  | { ok: true; previous: string | null }
  | { ok: false; reason: 'no_account' | 'wrong' | 'dead' | 'no_address' };

interface Who {
  accountId: string;
  /** Which path asked (audit): 'account_page' | 'cli'. */
  via: string;
  ip?: string | null;
  requestId?: string | null;
}

const lockActive = async (deps: AddressChangeDeps, trx: Knex.Transaction, accountId: string) => {
  const row = await deps.accounts.lockAddressesOnFile(accountId, trx);
  return row?.status === 'active' ? row : undefined;
};

/** Everything on file before the change, as `notifyEveryChannel` takes it. */
const before = (row: AccountAddresses) => ({ email: row.email, phoneNumber: row.phoneNumber });

/**
 * Makes `address` (normalised: the one email rule, or E.164) the account's address for the channel, verified, if
 * `proof` holds under the row lock. The same address as on file is only marked verified (nothing changed, nobody told).
 */
export async function changeAddress(
  deps: AddressChangeDeps,
  input: Who & { channel: AddressChannel; address: string; proof: Proof },
): Promise<AddressChangeResult> {
  const { accountId, channel, address } = input;
  const event = {
    accountId,
    ip: input.ip ?? null,
    requestId: input.requestId ?? null,
  };
  return deps.db.transaction(async (trx): Promise<AddressChangeResult> => {
    const row = await lockActive(deps, trx, accountId);
    if (!row) return { ok: false, reason: 'no_account' };
    const proved = await input.proof(trx);
    if (proved !== true) {
      await deps.audit.record(
        { ...event, type: 'address.changed', outcome: 'failure', detail: { channel, via: input.via, reason: proved } },
        trx,
      );
      return { ok: false, reason: proved };
    }
    const now = deps.clock.now();
    const previous = addressOnFile(row, channel);
    if (previous === address) {
      await deps.accounts.writeAddress(accountId, channel, { address, verified: true }, trx);
      await deps.audit.record({ ...event, type: 'address.verified', detail: { channel, via: input.via } }, trx);
      return { ok: true, previous };
    }
    await deps.accounts.writeAddress(
      accountId,
      channel,
      { address, verified: true, ...(channel === 'sms' ? { phoneChangedAt: now } : {}) },
      trx,
    );
    const added = previous === null;
    await deps.audit.record({ ...event, type: 'address.changed', detail: { channel, via: input.via, added } }, trx);
    if (channel === 'email') {
      await notifyEveryChannel(deps.outbox, trx, before(row), 'email_changed', {
        when: now,
        issuer: deps.issuer,
        address,
        added,
      });
    } else {
      await notifyEveryChannel(deps.outbox, trx, before(row), 'phone_changed', {
        when: now,
        issuer: deps.issuer,
        address,
        added,
        coolingHours: Math.round(deps.phoneCoolingSeconds / 3600),
      });
    }
    return { ok: true, previous };
  });
}

/**
 * Removes the email on file (the phone stays: the SMS channels need one; an operator changes it). The caller checked
 * the member's recent sign-in; the old address is told.
 */
export async function removeEmail(deps: AddressChangeDeps, input: Who): Promise<AddressChangeResult> {
  return deps.db.transaction(async (trx): Promise<AddressChangeResult> => {
    const row = await lockActive(deps, trx, input.accountId);
    if (!row) return { ok: false, reason: 'no_account' };
    const previous = addressOnFile(row, 'email') ?? row.email;
    if (!previous) return { ok: false, reason: 'no_address' };
    await deps.accounts.writeAddress(input.accountId, 'email', { address: null, verified: false }, trx);
    await deps.audit.record(
      {
        type: 'address.removed',
        accountId: input.accountId,
        ip: input.ip ?? null,
        requestId: input.requestId ?? null,
        detail: { channel: 'email', via: input.via },
      },
      trx,
    );
    await notifyEveryChannel(deps.outbox, trx, before(row), 'email_removed', {
      when: deps.clock.now(),
      issuer: deps.issuer,
    });
    return { ok: true, previous };
  });
}
