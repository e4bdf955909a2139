// Accounts: the member records behind every sign-in. The `id` is opaque and stable (the `sub`); the BHXH number is
// an attribute, never an identifier in URLs, tokens or logs.
import crypto from 'node:crypto';
import type { Db } from '../db/database.js';

export type AccountStatus = 'active' | 'disabled';

export interface Account {
  id: string;
  bhxhNumber: string;
  nationalId: string | null;
  fullName: string;
  birthdate: string; // YYYY-MM-DD
  phoneNumber: string | null; // E.164
  phoneNumberVerified: boolean;
  email: string | null;
  emailVerified: boolean;
  passwordHash: string | null;
  status: AccountStatus;
  mustChangePassword: boolean;
  passwordChangedAt: Date | null;
  /** Moves with every credential change (src/security/credential-change.ts); pending steps record it. */
  credentialVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAccount {
  bhxhNumber: string;
  nationalId?: string | null;
  fullName: string;
  birthdate: string;
  phoneNumber?: string | null;
  /** Only what someone checked: nothing is verified by default (codes go to verified addresses only). */
  phoneNumberVerified?: boolean;
  email?: string | null;
  emailVerified?: boolean;
  passwordHash?: string | null;
  mustChangePassword?: boolean;
}

interface AccountRow {
  id: string;
  bhxh_number: string;
  national_id: string | null;
  full_name: string;
  birthdate: string;
  phone_number: string | null;
  phone_number_verified: boolean;
  email: string | null;
  email_verified: boolean;
  password_hash: string | null;
  status: AccountStatus;
  must_change_password: boolean;
  password_changed_at: Date | null;
  credential_version: number;
  created_at: Date;
  updated_at: Date;
}

function fromRow(r: AccountRow): Account {
  return {
    id: r.id,
    bhxhNumber: r.bhxh_number,
    nationalId: r.national_id,
    fullName: r.full_name,
    birthdate: r.birthdate,
    phoneNumber: r.phone_number,
    phoneNumberVerified: r.phone_number_verified,
    email: r.email,
    emailVerified: r.email_verified,
    passwordHash: r.password_hash,
    status: r.status,
    mustChangePassword: r.must_change_password,
    passwordChangedAt: r.password_changed_at,
    credentialVersion: Number(r.credential_version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A new opaque account id: 128 random bits, base64url. */
export function newAccountId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

export class AccountExistsError extends Error {
  constructor(readonly field: 'bhxh_number' | 'national_id') {
    super(`an account with this ${field} already exists`);
  }
}

export function createAccountRepository(db: Db) {
  return {
    async findById(id: string): Promise<Account | undefined> {
      const row = await db<AccountRow>('accounts').where({ id }).first();
      return row && fromRow(row);
    },

    async findByBhxhNumber(bhxhNumber: string): Promise<Account | undefined> {
      const row = await db<AccountRow>('accounts').where({ bhxh_number: bhxhNumber }).first();
      return row && fromRow(row);
    },

    /** The account of a personal identification number (12 digits), the only key federation links by. */
    async findByNationalId(nationalId: string): Promise<Account | undefined> {
      const row = await db<AccountRow>('accounts').where({ national_id: nationalId }).first();
      return row && fromRow(row);
    },

    async create(input: NewAccount): Promise<Account> {
      const now = new Date();
      try {
        const [row] = await db<AccountRow>('accounts')
          .insert({
            id: newAccountId(),
            bhxh_number: input.bhxhNumber,
            national_id: input.nationalId ?? null,
            full_name: input.fullName,
            birthdate: input.birthdate,
            phone_number: input.phoneNumber ?? null,
            phone_number_verified: input.phoneNumberVerified ?? false,
            email: input.email ?? null,
            email_verified: input.emailVerified ?? false,
            password_hash: input.passwordHash ?? null,
            must_change_password: input.mustChangePassword ?? false,
            password_changed_at: input.passwordHash ? now : null,
          })
          .returning('*');
        return fromRow(row as AccountRow);
      } catch (err) {
        const constraint = (err as { constraint?: string }).constraint ?? String((err as Error).message);
        if (constraint.includes('national_id_unique')) throw new AccountExistsError('national_id');
        if (constraint.includes('bhxh_number_unique')) throw new AccountExistsError('bhxh_number');
        throw err;
      }
    },

    /** Replaces a hash made with weaker parameters; only if it is still the one verified (no lost update). */
    async upgradeHash(id: string, oldHash: string, newHash: string): Promise<void> {
      await db('accounts').where({ id, password_hash: oldHash }).update({ password_hash: newHash });
    },

    async setStatus(id: string, status: AccountStatus): Promise<void> {
      await db('accounts').where({ id }).update({ status, updated_at: db.fn.now() });
    },
  };
}

export type AccountRepository = ReturnType<typeof createAccountRepository>;
