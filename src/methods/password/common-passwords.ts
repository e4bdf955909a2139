// The ranked list of common passwords the policy rejects: the 10,000 most common from @zxcvbn-ts/language-common
// plus Vietnamese favourites (vietnamese-common.ts).
import { dictionary } from '@zxcvbn-ts/language-common';
import { VIETNAMESE_COMMON_PASSWORDS } from './vietnamese-common.js';

export const COMMON_PASSWORD_COUNT = 10_000;

let cached: Set<string> | undefined;

/** Loads the list once (lower-cased). */
export function commonPasswords(): Set<string> {
  cached ??= new Set([
    ...dictionary['passwords-common'].slice(0, COMMON_PASSWORD_COUNT).map((p) => p.toLowerCase()),
    ...VIETNAMESE_COMMON_PASSWORDS,
  ]);
  return cached;
}
