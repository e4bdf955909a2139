// Scopes, claims and authentication context values published by the provider.
import type { Account } from '../accounts/account-repository.js';

/** Scope → claims. `sub` is always the opaque account id, never the BHXH number. */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'birthdate'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  bhxh: ['bhxh_number'],
} as const;

/** Every scope the provider knows; who may obtain which is src/security/scope-policy.ts. */
export { SUPPORTED_SCOPES as SCOPES } from '../security/scope-policy.js';

/** Every claim an account can release; the provider filters them by scope and `claims` request. */
export function accountClaims(account: Account): Record<string, unknown> {
  return {
    sub: account.id,
    name: account.fullName,
    birthdate: account.birthdate,
    ...(account.email ? { email: account.email, email_verified: account.emailVerified } : {}),
    ...(account.phoneNumber
      ? { phone_number: account.phoneNumber, phone_number_verified: account.phoneNumberVerified }
      : {}),
    bhxh_number: account.bhxhNumber,
  };
}
