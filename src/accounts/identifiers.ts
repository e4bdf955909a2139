// Parsing of the identifiers members type: the BHXH number, the personal identification number, phone numbers.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Accepts a typed BHXH number with spaces, dots or dashes; returns the 10 digits or null. */
export function parseBhxhNumber(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const compact = input.replace(/[\s.\-\u00a0]/g, '');
  return /^[0-9]{10}$/.test(compact) ? compact : null;
}

/** The 12-digit personal identification number (số định danh cá nhân), or null. */
export function parseNationalId(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const compact = input.replace(/[\s.-]/g, '');
  return /^[0-9]{12}$/.test(compact) ? compact : null;
}

// Pre-2018 11-digit mobile prefixes and their 10-digit replacements (after the leading 0).
const LEGACY_PREFIXES: Record<string, string> = {
  '162': '32',
  '163': '33',
  '164': '34',
  '165': '35',
  '166': '36',
  '167': '37',
  '168': '38',
  '169': '39',
  '120': '70',
  '121': '79',
  '122': '77',
  '126': '76',
  '128': '78',
  '123': '83',
  '124': '84',
  '125': '85',
  '127': '81',
  '129': '82',
  '186': '56',
  '188': '58',
  '199': '59',
};

/**
 * Parses a Vietnamese phone number written any common way (`0912 345 678`, `+84912345678`, `84-912-345-678`,
 * old 11-digit mobile numbers such as `0168 123 4567`) into E.164, or null when it is not a valid Vietnamese mobile
 * number (landlines and short numbers are refused; a foreign number in + form is kept as E.164).
 */
export function parsePhoneNumber(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  let digits = input.trim().replace(/[\s.\-()\u00a0]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`; // 00 is the international dialling prefix
  if (!/^\+?[0-9]{8,15}$/.test(digits)) return null;
  if (digits.startsWith('+84')) digits = digits.slice(3);
  else if (digits.startsWith('84') && digits.length >= 11) digits = digits.slice(2);
  else if (digits.startsWith('0')) digits = digits.slice(1);
  else if (digits.startsWith('+')) {
    const foreign = parsePhoneNumberFromString(digits);
    return foreign?.isValid() ? foreign.number : null;
  }
  // Now the national significant number; map an old 10-digit mobile NSN (11 digits with the 0) to the new plan.
  if (digits.length === 10) {
    const mapped = LEGACY_PREFIXES[digits.slice(0, 3)];
    if (mapped) digits = mapped + digits.slice(3);
  }
  const parsed = parsePhoneNumberFromString(`+84${digits}`);
  // Only mobile numbers can receive a code or a temporary password: landlines are refused.
  const type = parsed?.getType();
  return parsed?.isValid() && (type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE') ? parsed.number : null;
}
