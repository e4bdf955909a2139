// Invariant: a VNeID link never confers more assurance than the proof that made it. A link made by the verified
// national ID already on the account, or confirmed in person at an office, confers the VNeID level; a link made by a
// password sign-in confers at most the password level and never records the national ID on the account.
// Called by the first sign-in after linking (flows/federation/pending-link.ts), every later VNeID sign-in through a
// link (flows/federation/routes.ts), and the link repository (accounts/federated-identities.ts).
import { ACR, vneidAcr, type Acr } from '../oidc/assurance.js';

/** How a link was made: by the account's verified number, by a password sign-in, or confirmed by office staff. */
export type LinkedBy = 'national_id' | 'password' | 'office';

/** The acr a sign-in through a link made `linkedBy` may carry, for an upstream identity of `level`. */
export function linkAssurance(linkedBy: LinkedBy, level: 1 | 2): Acr {
  return linkedBy === 'password' ? ACR.password : vneidAcr(level);
}

/** Whether making (or confirming) a link may record the upstream's national ID on an account that has none. */
export function linkMayRecordNationalId(linkedBy: LinkedBy): boolean {
  return linkedBy !== 'password';
}
