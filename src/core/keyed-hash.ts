// Keyed hashes of identifiers kept for limits and lookups (BHXH numbers, phone numbers, addresses): an HMAC under a
// deployment secret, so a stored 10-digit number cannot be read back by hashing every number. Used by the throttle,
// the code store and the phone channels.
import crypto from 'node:crypto';

/** HMAC-SHA256 of `${label}:${value}` under `key`, base64url. */
export function keyedHash(key: Buffer, label: string, value: string): string {
  return crypto.createHmac('sha256', key).update(`${label}:${value}`).digest('base64url');
}
