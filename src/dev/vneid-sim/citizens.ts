// Test citizens of the VNeID simulator: the people a developer or a test can "be" on the simulated national e-ID
// login page. They mimic the identity VNeID vouches for — the 12-digit personal identification number (số định danh
// cá nhân), full name, birth date and identification level — and nothing else. All fictitious.
import crypto from 'node:crypto';

export interface Citizen {
  /** 12-digit personal identification number (số định danh cá nhân). */
  nationalId: string;
  fullName: string;
  /** ISO YYYY-MM-DD */
  birthdate: string;
  /** VNeID identification level */
  level: 1 | 2;
}

export const DEFAULT_CITIZENS: Citizen[] = [
  // Matches a seeded demo member of BHXH ID.
  { nationalId: '001090012345', fullName: 'Nguyễn Văn An', birthdate: '1990-05-15', level: 2 },
  // Matches the other demo member.
  { nationalId: '079185054321', fullName: 'Trần Thị Bình', birthdate: '1985-11-02', level: 1 },
  // Has no BHXH account.
  { nationalId: '036095000111', fullName: 'Lê Văn Cường', birthdate: '1995-03-20', level: 2 },
];

/** The simulator's subject for a citizen: stable, opaque, and visibly not the PIN. */
export function citizenSubject(citizen: Pick<Citizen, 'nationalId'>): string {
  return `vneid-${crypto.createHash('sha256').update(citizen.nationalId).digest('hex').slice(0, 16)}`;
}

/** The PIN as shown on the login page: first 3 + ••• + last 3. */
export function maskNationalId(nationalId: string): string {
  return `${nationalId.slice(0, 3)}•••${nationalId.slice(-3)}`;
}

/** Throws unless every citizen is well formed (12-digit PIN, real ISO date, level 1|2) and PINs are unique. */
export function assertValidCitizens(citizens: readonly Citizen[]): void {
  const seen = new Set<string>();
  for (const c of citizens) {
    if (!/^\d{12}$/.test(c.nationalId)) throw new Error(`citizen ${c.fullName}: nationalId must be 12 digits`);
    if (seen.has(c.nationalId)) throw new Error(`citizen ${c.nationalId} listed twice`);
    seen.add(c.nationalId);
    const date = /^\d{4}-\d{2}-\d{2}$/.test(c.birthdate) ? new Date(`${c.birthdate}T00:00:00Z`) : null;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== c.birthdate) {
      throw new Error(`citizen ${c.nationalId}: birthdate must be an ISO date (YYYY-MM-DD)`);
    }
    if (c.level !== 1 && c.level !== 2) throw new Error(`citizen ${c.nationalId}: level must be 1 or 2`);
  }
}
