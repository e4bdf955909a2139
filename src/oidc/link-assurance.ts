// Invariant: a VNeID link never confers more assurance than the proof that made it. A link made by the verified
// national ID already on the account, or confirmed in person at an office, confers the VNeID level; a link made by a
// password sign-in confers at most the password level and never records the national ID on the account (that half
// is the link repository's, accounts/federated-identities.ts, where the link is written).
// Called by the first sign-in after linking (flows/federation/pending-link.ts) and every later VNeID sign-in through
// a link (flows/federation/routes.ts).
import type { LinkedBy } from '../accounts/federated-identities.js';
import { ACR, vneidAcr, type Acr } from './assurance.js';

/** The acr a sign-in through a link made `linkedBy` may carry, for an upstream identity of `level`. */
export function linkAssurance(linkedBy: LinkedBy, level: 1 | 2): Acr {
  return linkedBy === 'password' ? ACR.password : vneidAcr(level);
}
