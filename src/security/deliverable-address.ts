// Invariant: a code or a temporary password goes only to an address the account holds as verified, in every method
// and channel. Called by the recovery flow (email and SMS codes), the SMS keyword, the hotline, the office reset CLI,
// and (for the one exception, a code that proves an address) the address verification module.
// Invariant (SIM-swap cooling-off, issue 16): a phone changed online (src/security/address-change.ts) proves nothing
// on the self-service reset paths for `config.account.phoneCoolingSeconds` (72 h): `deliverableMatch` treats it as a
// non-match for the SMS code (flows/recovery), and through src/security/phone-ownership.ts for the SMS keyword and the
// hotline. The office reset (the clerk checks an identity document) does not ask `deliverableMatch`.
import { parsePhoneNumber } from '../accounts/identifiers.js';
import { parseEmailAddress } from '../core/email-address.js';

export type AddressChannel = 'email' | 'sms';

/**
 * Why something is sent: `credential` (a recovery code or a temporary password: it opens the account) needs a
 * verified address; `verification` (a code that proves the member controls the address) goes to the address on
 * file as it is, since proving it is the point.
 */
export type DeliveryPurpose = 'credential' | 'verification';

/** The addresses on file, as the account repository or a raw row gives them. */
export interface AddressesOnFile {
  email?: string | null;
  emailVerified?: boolean;
  phoneNumber?: string | null;
  phoneNumberVerified?: boolean;
  /** When the phone was last changed online (null or absent: never). */
  phoneChangedAt?: Date | null;
}

/** The SIM-swap cooling-off as a path sees it: its clock's now and the configured period. */
export interface PhoneCooling {
  now: Date;
  /** `config.account.phoneCoolingSeconds` (PHONE_CHANGE_COOLING_HOURS). */
  seconds: number;
}

/**
 * Until when the phone on file proves nothing on the self-service reset paths (the end of the cooling-off after an
 * online change), or null when it is not cooling off.
 */
export function phoneCoolingUntil(account: AddressesOnFile, cooling: PhoneCooling): Date | null {
  if (!account.phoneChangedAt || cooling.seconds <= 0) return null;
  const until = new Date(new Date(account.phoneChangedAt).getTime() + cooling.seconds * 1000);
  return until.getTime() > cooling.now.getTime() ? until : null;
}

/** The address on file for a channel in its one normal form (E.164; the email rule's form), or null. */
export function addressOnFile(account: AddressesOnFile, channel: AddressChannel): string | null {
  if (channel === 'email') return account.email ? parseEmailAddress(account.email) : null;
  return account.phoneNumber ? parsePhoneNumber(account.phoneNumber) : null;
}

/** Whether the account holds its address for the channel as verified. */
export function isAddressVerified(account: AddressesOnFile, channel: AddressChannel): boolean {
  return channel === 'email' ? account.emailVerified === true : account.phoneNumberVerified === true;
}

/**
 * Where a message of this purpose may go on this channel, or null when nowhere. An unverified (or unreadable)
 * address gives null for a credential: callers treat that exactly like an account that does not match.
 */
export function deliverableAddress(
  account: AddressesOnFile,
  channel: AddressChannel,
  purpose: DeliveryPurpose = 'credential',
): string | null {
  const address = addressOnFile(account, channel);
  if (!address) return null;
  return purpose === 'verification' || isAddressVerified(account, channel) ? address : null;
}

/**
 * The deliverable address for a credential when it is the one given (typed by a member, or the sender or caller
 * of a phone channel, already normalised by the channel's parser); null otherwise. A phone still cooling off after an
 * online change gives null too (`phoneCoolingUntil`): the same non-match, whatever the path.
 */
export function deliverableMatch(
  account: AddressesOnFile,
  channel: AddressChannel,
  given: string | null | undefined,
  cooling: PhoneCooling,
): string | null {
  const address = deliverableAddress(account, channel, 'credential');
  if (address === null || given === null || given === undefined || address !== given) return null;
  return channel === 'sms' && phoneCoolingUntil(account, cooling) ? null : address;
}
