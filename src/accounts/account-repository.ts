// Accounts: the member records behind every sign-in. The `id` is opaque and stable (the `sub`); the BHXH number is
// an attribute, never an identifier in URLs, tokens or logs.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../db/database.js';

export type AccountStatus = 'active' | 'disabled';
/** The languages of our pages (the same as core/i18n.ts `Locale`; the column's check constraint lists them). */
export type AccountLocale = 'vi' | 'en';

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
  /** When the phone on file was last changed online (src/security/address-change.ts); null: never. */
  phoneChangedAt: Date | null;
  /** Moves with every credential change (src/security/credential-change.ts); pending steps record it. */
  credentialVersion: number;
  /** The language the member chose on the account page (null: not chosen). */
  locale: AccountLocale | null;
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
  phone_changed_at: Date | null;
  credential_version: number;
  locale: AccountLocale | null;
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
    phoneChangedAt: r.phone_changed_at ? new Date(r.phone_changed_at) : null,
    credentialVersion: Number(r.credential_version),
    locale: r.locale ?? null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A new opaque account id: 128 random bits, base64url. */
export function newAccountId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

/**
 * The credential columns a credential change writes; the version moves with them (src/security/credential-change.ts,
 * src/methods/temporary-password/temporary-passwords.ts).
 */
export interface CredentialColumns {
  password_hash?: string;
  must_change_password?: boolean;
  password_changed_at?: Date;
  temporary_password_hash?: string | null;
  temporary_password_expires_at?: Date | null;
}

/** The addresses on file and whether each is verified, with the account's status. */
export interface AccountAddresses {
  status: AccountStatus;
  email: string | null;
  emailVerified: boolean;
  phoneNumber: string | null;
  phoneNumberVerified: boolean;
  /** When the phone was last changed online (the SIM-swap cooling-off counts from it). */
  phoneChangedAt: Date | null;
}

/** Which synthetic members to create (`dev seed-accounts`); names are combined from the lists by the row number. */
export interface SyntheticMembers {
  /** Numbers are prefix‖i, zero-padded to 10 digits, for i in [from, to]. */
  prefix: string;
  from: number;
  to: number;
  passwordHash: string;
  /** Written into the statement as constants (a quote doubled). */
  names: { family: string[]; middle: string[]; given: string[] };
}

const ADDRESS_COLUMNS = [
  'status',
  'email',
  'email_verified',
  'phone_number',
  'phone_number_verified',
  'phone_changed_at',
] as const;
const ADDRESS_COLUMN = { email: 'email', sms: 'phone_number' } as const;
const VERIFIED_COLUMN = { email: 'email_verified', sms: 'phone_number_verified' } as const;

type AddressRow = Pick<AccountRow, (typeof ADDRESS_COLUMNS)[number]>;
const addressesFromRow = (r: AddressRow): AccountAddresses => ({
  status: r.status,
  email: r.email,
  emailVerified: r.email_verified,
  phoneNumber: r.phone_number,
  phoneNumberVerified: r.phone_number_verified,
  phoneChangedAt: r.phone_changed_at ? new Date(r.phone_changed_at) : null,
});

/** A constant text array as SQL. */
const sqlArray = (words: string[]) => `(array[${words.map((w) => `'${w.replaceAll("'", "''")}'`).join(',')}])`;

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

    /** The member's language preference; returns the one it replaced (undefined: no such account). */
    async setLocale(id: string, locale: AccountLocale): Promise<{ previous: AccountLocale | null } | undefined> {
      return db.transaction(async (trx: Knex.Transaction) => {
        const row = await trx('accounts')
          .where({ id })
          .forUpdate()
          .first<{ locale: AccountLocale | null } | undefined>('locale');
        if (!row) return undefined;
        await trx('accounts').where({ id }).update({ locale, updated_at: trx.fn.now() });
        return { previous: row.locale ?? null };
      });
    },

    async setStatus(id: string, status: AccountStatus): Promise<void> {
      await db('accounts').where({ id }).update({ status, updated_at: db.fn.now() });
    },

    /**
     * Moves the account's credential version together with `changes` to its row, in one statement. With `expected`,
     * only if the version is still that one (a step that recorded it): of racing changes, exactly one wins.
     */
    async moveCredentialVersion(
      id: string,
      changes: CredentialColumns,
      { expected, trx = db }: { expected?: number; trx?: Knex.Transaction | Db } = {},
    ): Promise<boolean> {
      const query = trx('accounts').where({ id });
      if (expected !== undefined) query.andWhere({ credential_version: expected });
      const updated = await query.update({
        ...changes,
        credential_version: trx.raw('credential_version + 1'),
        updated_at: trx.fn.now(),
      });
      return updated === 1;
    },

    /** The account's credential version now, or undefined when there is no such account. */
    async credentialVersion(id: string): Promise<number | undefined> {
      const row = await db('accounts')
        .where({ id })
        .first<{ credential_version: number } | undefined>('credential_version');
      return row === undefined ? undefined : Number(row.credential_version);
    },

    /** The temporary password's hash and expiry, or undefined when there is none (expired or not: the caller's clock decides). */
    async temporaryPassword(id: string): Promise<{ hash: string; expiresAt: Date } | undefined> {
      const row = await db('accounts').where({ id }).first('temporary_password_hash', 'temporary_password_expires_at');
      if (!row?.temporary_password_hash || !row.temporary_password_expires_at) return undefined;
      return { hash: row.temporary_password_hash, expiresAt: new Date(row.temporary_password_expires_at) };
    },

    /**
     * The pending temporary password's expiry, with the account row locked until the transaction ends (so the issuer
     * that replaces it knows what it replaces); undefined when there is none. Outside a transaction, no lock holds.
     */
    async lockTemporaryPassword(id: string, trx: Knex.Transaction | Db = db): Promise<{ expiresAt: Date } | undefined> {
      const row = await trx('accounts').where({ id }).forUpdate().first('temporary_password_expires_at');
      return row?.temporary_password_expires_at
        ? { expiresAt: new Date(row.temporary_password_expires_at) }
        : undefined;
    },

    /** Uses up the temporary password, only if it is still the one with `hash` (single use: one caller wins). */
    async useTemporaryPassword(id: string, hash: string): Promise<boolean> {
      const used = await db('accounts')
        .where({ id, temporary_password_hash: hash })
        .update({ temporary_password_hash: null, temporary_password_expires_at: null });
      return used === 1;
    },

    /** The addresses on file, as they are now. */
    async addressesOnFile(id: string): Promise<AccountAddresses | undefined> {
      const row = (await db('accounts')
        .where({ id })
        .first(...ADDRESS_COLUMNS)) as AddressRow | undefined;
      return row && addressesFromRow(row);
    },

    /** The addresses on file, the account row locked until `trx` ends (no change of address in between). */
    async lockAddressesOnFile(id: string, trx: Knex.Transaction): Promise<AccountAddresses | undefined> {
      const row = (await trx('accounts')
        .where({ id })
        .forUpdate()
        .first(...ADDRESS_COLUMNS)) as AddressRow | undefined;
      return row && addressesFromRow(row);
    },

    /** Marks the address on file for the channel verified (the caller checked it is still the one proved). */
    async markAddressVerified(id: string, channel: 'email' | 'sms', trx: Knex.Transaction | Db = db): Promise<void> {
      await trx('accounts')
        .where({ id })
        .update({ [VERIFIED_COLUMN[channel]]: true, updated_at: trx.fn.now() });
    },

    /**
     * Writes the address on file for the channel (null removes it) with its verified flag; a phone written also
     * records `phoneChangedAt`. Only src/security/address-change.ts calls it, under the row lock it took.
     * NOTE: the credential version moves with it (docs/security.md, invariant 2): a password reset in flight was
     * begun with a code sent to the address this replaces, and must not outlive it.
     */
    async writeAddress(
      id: string,
      channel: 'email' | 'sms',
      value: { address: string | null; verified: boolean; phoneChangedAt?: Date },
      trx: Knex.Transaction,
    ): Promise<void> {
      await trx('accounts')
        .where({ id })
        .update({
          [ADDRESS_COLUMN[channel]]: value.address,
          [VERIFIED_COLUMN[channel]]: value.verified,
          ...(channel === 'sms' && value.phoneChangedAt ? { phone_changed_at: value.phoneChangedAt } : {}),
          credential_version: trx.raw('credential_version + 1'),
          updated_at: trx.fn.now(),
        });
    },

    /**
     * The account a BHXH number names, with its phone on file (the phone channels' rule, src/security/phone-ownership.ts,
     * reads it in the caller's transaction).
     */
    async phoneOnFile(
      bhxhNumber: string,
      trx: Knex.Transaction | Db = db,
    ): Promise<
      | {
          id: string;
          status: AccountStatus;
          phoneNumber: string | null;
          phoneNumberVerified: boolean;
          phoneChangedAt: Date | null;
        }
      | undefined
    > {
      const row = (await trx('accounts')
        .where({ bhxh_number: bhxhNumber })
        .first('id', 'phone_number', 'phone_number_verified', 'phone_changed_at', 'status')) as
        | Pick<AccountRow, 'id' | 'phone_number' | 'phone_number_verified' | 'phone_changed_at' | 'status'>
        | undefined;
      return (
        row && {
          id: row.id,
          status: row.status,
          phoneNumber: row.phone_number,
          phoneNumberVerified: row.phone_number_verified,
          phoneChangedAt: row.phone_changed_at ? new Date(row.phone_changed_at) : null,
        }
      );
    },

    /**
     * Development only (`bhxh-id dev seed-accounts`, load tests): creates the synthetic members in one set-based
     * statement (`insert … select … from generate_series`), skipping numbers that exist. Returns how many were created.
     */
    async insertSynthetic(members: SyntheticMembers): Promise<number> {
      const { family, middle, given } = members.names;
      const sql = `
  with inserted as (
    insert into accounts (id, bhxh_number, full_name, birthdate, password_hash, password_changed_at)
    select
      translate(encode(uuid_send(gen_random_uuid()), 'base64'), '+/=', '-_'),
      ?::text || lpad(i::text, ?::int, '0'),
      ${sqlArray(family)}[1 + (i % ${family.length})::int] || ' ' ||
        ${sqlArray(middle)}[1 + ((i / ${family.length}) % ${middle.length})::int] || ' ' ||
        ${sqlArray(given)}[1 + ((i / ${family.length * middle.length}) % ${given.length})::int],
      to_char(date '1950-01-01' + (i % 18250)::int, 'YYYY-MM-DD'),
      ?::text,
      now()
    from generate_series(?::bigint, ?::bigint) as s(i)
    on conflict (bhxh_number) do nothing
    returning 1
  )
  select count(*)::int as created from inserted`;
      const { prefix } = members;
      const result = await db.raw(sql, [prefix, 10 - prefix.length, members.passwordHash, members.from, members.to]);
      return Number((result.rows as Array<{ created: number }>)[0]?.created ?? 0);
    },

    /**
     * Fresh statistics after a bulk insert, so the planner treats a table that grew a hundredfold as what it now is;
     * the vacuum sets the visibility map and hint bits now, rather than in the first sign-ins (or an autovacuum).
     */
    async vacuumAnalyze(): Promise<void> {
      await db.raw('vacuum (analyze) accounts');
    },
  };
}

export type AccountRepository = ReturnType<typeof createAccountRepository>;
