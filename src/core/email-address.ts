// Invariant: one rule says what an email address is. The CLI (accounts create), the flows (the email recovery
// method) and the outbox all call parseEmailAddress, so an address one of them accepts is never refused by another
// (a refusal inside a code-issuing request would answer a match differently from a non-match). It sits in core/, below
// both the outbox (notify/) and the address rule (security/deliverable-address.ts): security/ calls the outbox.
import { domainToASCII } from 'node:url';

// RFC 5322 dot-atom: atext runs separated by single dots (no quoted strings, comments or obsolete forms).
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]";
const LOCAL_PART = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`);
// A letter-digit-hyphen label (RFC 1035/5890): IDNs arrive here already as punycode (xn--…).
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The normalised address, or null when it is not one plain address: a dot-atom local part of ASCII (at most 64
 * characters) and a domain of at least two LDH labels whose last is not all digits (at most 253 characters).
 * NOTE: the whole address is lower-cased (domains are case-insensitive; no mail system we deliver to treats the local
 * part otherwise), so stored and typed addresses compare as strings. A Unicode domain is turned into punycode; a
 * Unicode local part is refused (it needs SMTPUTF8 at every relay).
 */
export function parseEmailAddress(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 320) return null;
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return null;
  const local = trimmed.slice(0, at);
  const typedDomain = trimmed.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  // domainToASCII maps Unicode to punycode and returns '' for what cannot be a host name; ASCII stays as typed.
  const domain = (/^[\x21-\x7e]+$/.test(typedDomain) ? typedDomain : domainToASCII(typedDomain)).toLowerCase();
  if (!domain || domain.length > 253) return null;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || /^[0-9]+$/.test(labels.at(-1)!)) return null;
  const address = `${local.toLowerCase()}@${domain}`;
  return address.length <= 254 ? address : null;
}

/** True when both are addresses under the rule and name the same mailbox. */
export function sameEmailAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  const left = parseEmailAddress(a);
  return left !== null && left === parseEmailAddress(b);
}
