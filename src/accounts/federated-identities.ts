// Links between upstream identities (VNeID) and accounts, keyed by (issuer, subject). A link is made automatically
// when an account carries the verified personal identification number, or by the member after a password sign-in
// when the account carries none or the same one (then it confers only the password level and records no number,
// see oidc/link-assurance.ts), and raised only by an office confirmation. Never by email or phone.
import type { Knex } from 'knex';
import type { Db } from '../db/database.js';
import type { Clock } from '../core/clock.js';

/** How a link was made: by the account's verified number, by a password sign-in, or confirmed by office staff. */
export type LinkedBy = 'national_id' | 'password' | 'office';

/**
 * Whether making (or confirming) a link may record the upstream's national ID on an account that has none: not a
 * password-made link (the rule "a link never confers more than its proof", oidc/link-assurance.ts).
 */
function linkMayRecordNationalId(linkedBy: LinkedBy): boolean {
  return linkedBy !== 'password';
}

export interface FederatedIdentity {
  issuer: string;
  subject: string;
  accountId: string;
  nationalId: string;
  linkedBy: LinkedBy;
  createdAt: Date;
  lastUsedAt: Date;
}

export type LinkOutcome =
  | { ok: true; created: boolean }
  /** The upstream identity is linked to another account, or the account carries another identification number. */
  | {
      ok: false;
      reason:
        | 'linked_elsewhere'
        | 'national_id_differs'
        | 'national_id_taken'
        | 'account_unavailable'
        | 'credentials_changed';
    };

export type ConfirmOutcome =
  /** `unconfirmed`: the password-made links carrying other numbers, left at the password level. */
  | { ok: true; confirmed: FederatedIdentity[]; unconfirmed: FederatedIdentity[]; nationalIdRecorded: string | null }
  /** No password-made link at all, none carrying the card's number, or the account holds another number. */
  | {
      ok: false;
      reason:
        | 'no_password_link'
        | 'no_link_with_national_id'
        | 'national_id_differs'
        | 'national_id_taken'
        | 'account_unavailable';
    };

interface LinkInput {
  issuer: string;
  subject: string;
  accountId: string;
  nationalId: string;
  linkedBy: LinkedBy;
  /** The credential version the password sign-in saw: a change since then refuses the link. */
  credentialVersion?: number;
}

interface Row {
  issuer: string;
  subject: string;
  account_id: string;
  national_id: string;
  linked_by: LinkedBy;
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
      const rows = (await db<Row>('federated_identities')
        .where({ account_id: accountId })
        .delete()
        .returning('*')) as unknown as Row[];
      return Array.isArray(rows) ? rows.map(fromRow) : [];
    },

    /**
     * Removes one link of the account (the member's own "Gỡ liên kết"), with `onRemoved` in the same transaction (the
     * audit event and the notices). Of racing removals of the same link exactly one deletes it and runs `onRemoved`;
     * the others find nothing and return undefined, as does a link that is not this account's.
     */
    removeLink(
      accountId: string,
      link: { issuer: string; subject: string },
      onRemoved: (trx: Knex.Transaction, removed: FederatedIdentity) => Promise<void>,
    ): Promise<FederatedIdentity | undefined> {
      return db.transaction(async (trx: Knex.Transaction) => {
        const rows = (await trx<Row>('federated_identities')
          .where({ account_id: accountId, issuer: link.issuer, subject: link.subject })
          .delete()
          .returning('*')) as unknown as Row[];
        const removed = Array.isArray(rows) && rows[0] ? fromRow(rows[0]) : undefined;
        if (removed) await onRemoved(trx, removed);
        return removed;
      });
    },

    async touch(issuer: string, subject: string): Promise<void> {
      await db('federated_identities').where({ issuer, subject }).update({ last_used_at: clock.now() });
    },

    /** Removes the links made with a password (a password change ends them: security/credential-change.ts). */
    async removePasswordLinks(trx: Knex.Transaction | Db, accountId: string): Promise<FederatedIdentity[]> {
      const rows = (await trx<Row>('federated_identities')
        .where({ account_id: accountId, linked_by: 'password' })
        .delete()
        .returning('*')) as unknown as Row[];
      return Array.isArray(rows) ? rows.map(fromRow) : [];
    },

    /**
     * An office confirmation: staff checked the citizen's ID card and typed its number. Only the password-made links
     * carrying exactly that number become 'office' links (a link made with the member's password by someone else
     * carries that person's number); an account without an identification number records the card's one.
     */
    confirmByOffice(
      accountId: string,
      nationalId: string,
      onConfirmed?: (trx: Knex.Transaction, confirmed: FederatedIdentity[]) => Promise<void>,
    ): Promise<ConfirmOutcome> {
      return db.transaction(async (trx: Knex.Transaction) => {
        const account = await trx('accounts')
          .where({ id: accountId })
          .forUpdate()
          .first<{ national_id: string | null; status: string } | undefined>();
        if (account?.status !== 'active') return { ok: false, reason: 'account_unavailable' } as const;
        if (account.national_id && account.national_id !== nationalId)
          return { ok: false, reason: 'national_id_differs' } as const;
        const links = (
          await trx<Row>('federated_identities')
            .where({ account_id: accountId, linked_by: 'password' })
            .orderBy('created_at')
        ).map(fromRow);
        if (links.length === 0) return { ok: false, reason: 'no_password_link' } as const;
        const matching = links.filter((l) => l.nationalId === nationalId);
        const unconfirmed = links.filter((l) => l.nationalId !== nationalId);
        if (matching.length === 0) return { ok: false, reason: 'no_link_with_national_id' } as const;
        let recorded: string | null = null;
        if (!account.national_id) {
          const taken = await trx('accounts')
            .where({ national_id: nationalId })
            .whereNot({ id: accountId })
            .first('id');
          if (taken) return { ok: false, reason: 'national_id_taken' } as const;
          await trx('accounts').where({ id: accountId }).update({ national_id: nationalId, updated_at: trx.fn.now() });
          recorded = nationalId;
        }
        await trx('federated_identities')
          .where({ account_id: accountId, linked_by: 'password', national_id: nationalId })
          .update({ linked_by: 'office' });
        const confirmed = matching.map((l) => ({ ...l, linkedBy: 'office' as const }));
        await onConfirmed?.(trx, confirmed);
        return { ok: true, confirmed, unconfirmed, nationalIdRecorded: recorded } as const;
      });
    },

    /**
     * Links (issuer, subject) to the account in one transaction. The account row is locked, so two links racing for
     * one account (or a credential change) see each other. An account with another identification number is refused;
     * one without receives the verified number only when the link may record it (not for a password-made link).
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

  function linkInTransaction(
    input: LinkInput,
    onCreated?: (trx: Knex.Transaction) => Promise<void>,
  ): Promise<LinkOutcome> {
    return db.transaction(async (trx: Knex.Transaction) => {
      const account = await trx('accounts')
        .where({ id: input.accountId })
        .forUpdate()
        .first<{ national_id: string | null; status: string; credential_version: number } | undefined>();
      if (account?.status !== 'active') return { ok: false, reason: 'account_unavailable' } as const;
      if (input.credentialVersion !== undefined && Number(account.credential_version) !== input.credentialVersion)
        return { ok: false, reason: 'credentials_changed' } as const;
      if (account.national_id && account.national_id !== input.nationalId)
        return { ok: false, reason: 'national_id_differs' } as const;
      const existing = await trx<Row>('federated_identities')
        .where({ issuer: input.issuer, subject: input.subject })
        .first();
      if (existing)
        return existing.account_id === input.accountId
          ? ({ ok: true, created: false } as const)
          : ({ ok: false, reason: 'linked_elsewhere' } as const);
      if (!account.national_id) {
        const taken = await trx('accounts')
          .where({ national_id: input.nationalId })
          .whereNot({ id: input.accountId })
          .first('id');
        if (taken) return { ok: false, reason: 'national_id_taken' } as const;
        if (linkMayRecordNationalId(input.linkedBy)) {
          await trx('accounts')
            .where({ id: input.accountId })
            .update({ national_id: input.nationalId, updated_at: trx.fn.now() });
        }
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
