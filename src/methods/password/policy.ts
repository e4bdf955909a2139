// The project's one password policy, used by every flow that sets a password (NIST SP 800-63B §3.1.1.2):
// 8–128 characters, no composition rules, no truncation, not a common password, not the member's own data.
import { commonPasswords } from './common-passwords.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem =
  | 'too_short'
  | 'too_long'
  | 'common'
  | 'contains_bhxh_number'
  | 'contains_phone'
  | 'contains_birthdate'
  | 'mismatch';

export interface PersonalData {
  bhxhNumber: string;
  phoneNumber?: string | null; // E.164
  birthdate?: string | null; // YYYY-MM-DD
}

/** Forms of the member's data that must not appear inside a password. */
function personalFragments(person: PersonalData): Array<[PasswordProblem, string]> {
  const out: Array<[PasswordProblem, string]> = [['contains_bhxh_number', person.bhxhNumber]];
  if (person.phoneNumber?.startsWith('+84')) {
    const national = person.phoneNumber.slice(3);
    out.push(['contains_phone', `0${national}`], ['contains_phone', national]);
  } else if (person.phoneNumber) {
    out.push(['contains_phone', person.phoneNumber.replace(/^\+/, '')]);
  }
  const m = person.birthdate?.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (m) {
    const [, y, mo, d] = m as unknown as [string, string, string, string];
    out.push(
      ['contains_birthdate', `${y}${mo}${d}`],
      ['contains_birthdate', `${d}${mo}${y}`],
      ['contains_birthdate', `${d}${mo}${y.slice(2)}`],
    );
  }
  return out;
}

/** Checks a new password; returns the first problem or null. Length counts Unicode code points. */
export function checkPassword(password: string, person: PersonalData): PasswordProblem | null {
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  if (commonPasswords().has(password.toLowerCase())) return 'common';
  const compact = password.replace(/[\s./-]/g, '');
  for (const [problem, fragment] of personalFragments(person)) {
    if (password.includes(fragment) || compact.includes(fragment)) return problem;
  }
  return null;
}
