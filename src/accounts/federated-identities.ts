// Links between upstream identities (VNeID) and accounts, keyed by (issuer, subject). A link is made only by the
// verified personal identification number: automatically when an account carries it, or by the member after a
// password sign-in when the account carries none or the same one. Never by email or phone.
import type { Knex } from 'knex';
import type { Db } from '../db/database.js';
import type { Clock } from '../oidc/adapter.js';

export interface FederatedIdentity {
  issuer: string;
  subject: string;
  accountId: string;
  nationalId: string;
  linkedBy: 'national_id' | 'password';
  createdAt: Date;
  lastUsedAt: Date;
}

export type LinkOutcome =
  | { ok: true; created: boolean }
  /** The upstream identity is linked to another account, or the account carries another identification number. */
  | { ok: false; reason: 'linked_elsewhere' | 'national_id_differs' | 'national_id_taken' | 'account_unavailable' };

interface LinkInput {
  issuer: string;
  subject: string;
  accountId: string;
  nationalId: string;
  linkedBy: 'national_id' | 'password';
}

interface Row {
  issuer: string;
  subject: string;
  account_id: string;
  national_id: string;
  linked_by: 'national_id' | 'password';
  created_at: Date;
  last_used_at: Date;
}

const fromRow = (r: Row): FederatedIdentity => ({
  issuer: r.issuer,
  subject: r.subject,
  accountId: r.account_id,
  nationalId: r.national_id,
  linkedBy: r.linked_by,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

export function createFederatedIdentities(db: Db, clock: Clock) {
  return {
    async find(issuer: string, subject: string): Promise<FederatedIdentity | undefined> {
      const row = await db<Row>('federated_identities').where({ issuer, subject }).first();
      return row && fromRow(row);
    },

    async listForAccount(accountId: string): Promise<FederatedIdentity[]> {
      const rows = await db<Row>('federated_identities').where({ account_id: accountId }).orderBy('created_at');
      return rows.map(fromRow);
    },

    /** Removes every link of an account (an operator, after a member reports a link they did not make). */
    async unlinkAll(accountId: string): Promise<FederatedIdentity[]> {
      const rows = (await db<Row>('federated_identities').where({ account_id: accountId }).delete().returning('*')) as unknown as Row[];
      return Array.isArray(rows) ? rows.map(fromRow) : [];
    },

    async touch(issuer: string, subject: string): Promise<void> {
      await db('federated_identities').where({ issuer, subject }).update({ last_used_at: clock.now() });
    },

    /**
     * Links (issuer, subject) to the account in one transaction. The account row is locked, so two links racing for
     * one account see each other. With `linkedBy: 'password'` an account without an identification number receives
     * the verified one; an account with another number is refused.
     */
    /** `onCreated` runs in the same transaction when a new link is made (the notices and the audit event). */
    async link(input: LinkInput, onCreated?: (trx: Knex.Transaction) => Promise<void>): Promise<LinkOutcome> {
      return linkInTransaction(input, onCreated).catch((err: { code?: string }) => {
        // Another node linked the same upstream identity (or gave the number to another account) in between.
        if (err.code === '23505') return { ok: false, reason: 'linked_elsewhere' } as const;
        throw err;
      });
    },
  };

  function linkInTransaction(input: LinkInput, onCreated?: (trx: Knex.Transaction) => Promise<void>): Promise<LinkOutcome> {
      return db.transaction(async (trx: Knex.Transaction) => {
        const account = await trx('accounts').where({ id: input.accountId }).forUpdate().first<{ national_id: string | null; status: string } | undefined>();
        if (!account || account.status !== 'active') return { ok: false, reason: 'account_unavailable' } as const;
        if (account.national_id && account.national_id !== input.nationalId) return { ok: false, reason: 'national_id_differs' } as const;
        const existing = await trx<Row>('federated_identities').where({ issuer: input.issuer, subject: input.subject }).first();
        if (existing) return existing.account_id === input.accountId ? ({ ok: true, created: false } as const) : ({ ok: false, reason: 'linked_elsewhere' } as const);
        if (!account.national_id) {
          const taken = await trx('accounts').where({ national_id: input.nationalId }).whereNot({ id: input.accountId }).first('id');
          if (taken) return { ok: false, reason: 'national_id_taken' } as const;
          await trx('accounts').where({ id: input.accountId }).update({ national_id: input.nationalId, updated_at: trx.fn.now() });
        }
        const now = clock.now();
        await trx('federated_identities').insert({
          issuer: input.issuer,
          subject: input.subject,
          account_id: input.accountId,
          national_id: input.nationalId,
          linked_by: input.linkedBy,
          created_at: now,
          last_used_at: now,
        });
        await onCreated?.(trx);
        return { ok: true, created: true } as const;
      });
  }
}

export type FederatedIdentities = ReturnType<typeof createFederatedIdentities>;
