// Proving that a phone belongs to an account: the one rule of every channel that acts on "this number is mine" (the
// SMS keyword, the hotline). Only the verified phone on file of an active account counts
// (src/security/deliverable-address.ts), and not while it cools off after an online change (SIM swap: 72 h by
// default); the number is compared in E.164.
import type { Knex } from 'knex';
import type { AccountRepository } from '../accounts/account-repository.js';
import { parsePhoneNumber } from '../accounts/identifiers.js';
import type { Db } from '../db/database.js';
import { deliverableMatch, type PhoneCooling, phoneCoolingUntil } from './deliverable-address.js';

/** Why a phone did not prove ownership: for the audit trail only, the member always hears the same sentence. */
export type PhoneMismatch =
  | 'unknown_number'
  | 'account_disabled'
  | 'no_phone'
  | 'caller_unparsed'
  | 'other_phone'
  | 'phone_unverified'
  | 'phone_cooling_off';

export type PhoneOwnership =
  | { matched: true; account: { id: string }; onFile: string }
  | { matched: false; account: { id: string } | undefined; onFile: string | null; reason: PhoneMismatch };

/**
 * Does `phone` (E.164, or null when the caller's number did not parse) prove ownership of the account with this BHXH
 * number? Reads inside the caller's transaction, so the answer and what is done with it are one unit. `cooling` is
 * the path's clock and `config.account.phoneCoolingSeconds`: a phone changed online within it proves nothing.
 */
export async function provePhoneOwnership(
  accounts: Pick<AccountRepository, 'phoneOnFile'>,
  trx: Db | Knex.Transaction,
  bhxhNumber: string | null,
  phone: string | null,
  cooling: PhoneCooling,
): Promise<PhoneOwnership> {
  const account = bhxhNumber ? await accounts.phoneOnFile(bhxhNumber, trx) : undefined;
  const onFile = account?.phoneNumber ? (parsePhoneNumber(account.phoneNumber) ?? account.phoneNumber) : null;
  const found = account ? { id: account.id } : undefined;
  if (!account) return { matched: false, account: found, onFile, reason: 'unknown_number' };
  if (account.status !== 'active') return { matched: false, account: found, onFile, reason: 'account_disabled' };
  if (!onFile) return { matched: false, account: found, onFile, reason: 'no_phone' };
  if (!phone) return { matched: false, account: found, onFile, reason: 'caller_unparsed' };
  if (deliverableMatch(account, 'sms', phone, cooling)) return { matched: true, account: { id: account.id }, onFile };
  const reason =
    onFile !== phone
      ? 'other_phone'
      : !account.phoneNumberVerified
        ? 'phone_unverified'
        : phoneCoolingUntil(account, cooling)
          ? 'phone_cooling_off'
          : 'other_phone';
  return { matched: false, account: found, onFile, reason };
}
