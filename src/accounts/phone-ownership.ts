// Proving that a phone belongs to an account: the one rule of every channel that acts on "this number is mine" (the
// SMS keyword, the hotline). Only the verified phone on file of an active account counts
// (src/security/deliverable-address.ts); the number is compared in E.164.
import type { Knex } from 'knex';
import type { Db } from '../db/database.js';
import { deliverableMatch } from '../security/deliverable-address.js';
import { parsePhoneNumber } from './identifiers.js';

/** Why a phone did not prove ownership: for the audit trail only, the member always hears the same sentence. */
export type PhoneMismatch =
  | 'unknown_number'
  | 'account_disabled'
  | 'no_phone'
  | 'caller_unparsed'
  | 'other_phone'
  | 'phone_unverified';

export type PhoneOwnership =
  | { matched: true; account: { id: string }; onFile: string }
  | { matched: false; account: { id: string } | undefined; onFile: string | null; reason: PhoneMismatch };

interface AccountMatchRow {
  id: string;
  phone_number: string | null;
  phone_number_verified: boolean;
  status: string;
}

/**
 * Does `phone` (E.164, or null when the caller's number did not parse) prove ownership of the account with this BHXH
 * number? Reads inside the caller's transaction, so the answer and what is done with it are one unit.
 */
export async function provePhoneOwnership(
  db: Db | Knex.Transaction,
  bhxhNumber: string | null,
  phone: string | null,
): Promise<PhoneOwnership> {
  const account = bhxhNumber
    ? ((await db('accounts')
        .where({ bhxh_number: bhxhNumber })
        .first('id', 'phone_number', 'phone_number_verified', 'status')) as AccountMatchRow | undefined)
    : undefined;
  const onFile = account?.phone_number ? (parsePhoneNumber(account.phone_number) ?? account.phone_number) : null;
  const found = account ? { id: account.id } : undefined;
  if (!account) return { matched: false, account: found, onFile, reason: 'unknown_number' };
  if (account.status !== 'active') return { matched: false, account: found, onFile, reason: 'account_disabled' };
  if (!onFile) return { matched: false, account: found, onFile, reason: 'no_phone' };
  if (!phone) return { matched: false, account: found, onFile, reason: 'caller_unparsed' };
  const verified = { phoneNumber: account.phone_number, phoneNumberVerified: account.phone_number_verified };
  if (deliverableMatch(verified, 'sms', phone)) return { matched: true, account: { id: account.id }, onFile };
  return { matched: false, account: found, onFile, reason: onFile !== phone ? 'other_phone' : 'phone_unverified' };
}
