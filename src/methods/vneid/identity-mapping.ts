// Turns what an upstream says about a citizen into the identity we link by. Which claim holds what is configuration
// (VNEID_CLAIM_*), because real VNeID integrations differ: `citizenPid` / `SoDinhDanh` / `preferred_username` for the
// personal identification number, `fullName` / `HoVaTen` / `name` for the name, birth dates as YYYYMMDD or ISO.
import type { VneidConfig } from '../../config/config.js';

export interface UpstreamIdentity {
  /** The upstream's stable subject: with the issuer, the key of the link. */
  subject: string;
  /** Số định danh cá nhân: 12 digits. */
  nationalId: string;
  level: 1 | 2;
  fullName?: string;
  /** YYYY-MM-DD */
  birthdate?: string;
}

export type MappingResult =
  | { ok: true; identity: UpstreamIdentity }
  | { ok: false; missing: 'subject' | 'national_id' | 'level' };

type Claims = Record<string, unknown>;

/** The first of the named claims that is present (a claim may be a dotted path into a nested object). */
function pick(claims: Claims, names: string[]): unknown {
  for (const name of names) {
    let value: unknown = claims;
    for (const part of name.split('.'))
      value = typeof value === 'object' && value !== null ? (value as Claims)[part] : undefined;
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.normalize('NFC').trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** 12 digits. A number-typed claim has lost its leading zeros (001090012345 → 1090012345): they are put back. */
export function parseNationalId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value).padStart(12, '0');
  const digits = text(value)?.replace(/[\s.-]/g, '');
  return digits && /^[0-9]{12}$/.test(digits) ? digits : undefined;
}

/** YYYYMMDD, YYYY-MM-DD (optionally with a time), or DD/MM/YYYY → YYYY-MM-DD; anything else (or no such day) → undefined. */
export function parseBirthdate(value: unknown): string | undefined {
  const raw = text(value);
  if (!raw) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw) ?? /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(raw);
  const dmy = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw);
  const [y, mo, d] = m ? [m[1]!, m[2]!, m[3]!] : dmy ? [dmy[3]!, dmy[2]!, dmy[1]!] : [];
  if (!y) return undefined;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const iso = `${y}-${mo}-${d}`;
  return date.toISOString().slice(0, 10) === iso ? iso : undefined;
}

export function mapIdentity(claims: Claims, mapping: Pick<VneidConfig, 'claims' | 'levels'>): MappingResult {
  const subject = text(pick(claims, mapping.claims.subject));
  if (!subject) return { ok: false, missing: 'subject' };
  const nationalId = parseNationalId(pick(claims, mapping.claims.nationalId));
  if (!nationalId) return { ok: false, missing: 'national_id' };
  const levelValue = text(pick(claims, mapping.claims.level));
  const level =
    levelValue === undefined
      ? undefined
      : mapping.levels[2].includes(levelValue)
        ? 2
        : mapping.levels[1].includes(levelValue)
          ? 1
          : undefined;
  // NOTE: an unknown or absent level is refused rather than guessed: a relying party may rely on it.
  if (!level) return { ok: false, missing: 'level' };
  const fullName = text(pick(claims, mapping.claims.fullName));
  const birthdate = parseBirthdate(pick(claims, mapping.claims.birthdate));
  return {
    ok: true,
    identity: { subject, nationalId, level, ...(fullName ? { fullName } : {}), ...(birthdate ? { birthdate } : {}) },
  };
}
