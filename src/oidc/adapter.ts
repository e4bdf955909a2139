// The knex adapter oidc-provider stores its artifacts through (sessions, grants, codes, tokens, interactions…).
// One table keyed by (model, id); grant_id, uid and user_code are lifted out of the payload for lookups.
//
// Lookups by id are batched (src/db/batch.ts): every `find` asked for while the event loop handles one round of I/O
// goes to the database as one statement, `where (model, id) in (…)`. Introspection without a token type hint looks for
// the token as an access token, a client-credentials token and a refresh token at once: one round trip instead of
// three; under load, the finds of requests arriving together share a round trip too. The batch runs on
// `setImmediate`, right after the poll phase that asked, so it adds no timer delay. Nothing is cached between
// batches: each find sees what was committed before its batch started.
//
// Saves (upserts) are batched the same way into one multi-row `insert … on conflict do update`: requests that save
// together share a statement. Within a batch the last save of a (model, id) wins, as it would one after another;
// rows go in key order, so concurrent batches cannot deadlock; a save resolves only once its batch has committed,
// and if the statement fails every save in it fails.
import type { Knex } from 'knex';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { batchPerRound } from '../db/batch.js';
import { deletedCount, type Db } from '../db/database.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { ClientRepository } from '../clients/client-repository.js';

const TABLE = 'oidc_payloads';

/**
 * Builds the adapter class oidc-provider instantiates once per model name. The `Client` model reads the clients
 * table (managed by the CLI), where secrets are sealed.
 */
export function createKnexAdapter(db: Db, clock: Clock = systemClock, clients?: ClientRepository) {
  const byId = batchPerRound<{ model: string; id: string }, AdapterPayload | undefined>(async (keys) => {
    const rows: Array<{ model: string; id: string; payload: unknown; consumed_at: Date | string | null }> = await db(
      TABLE,
    )
      .whereIn(
        ['model', 'id'],
        keys.map((k) => [k.model, k.id]),
      )
      .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', clock.now()))
      .select('model', 'id', 'payload', 'consumed_at');
    const found = new Map(rows.map((row) => [`${row.model}\0${row.id}`, toPayload(row)]));
    return keys.map((k) => found.get(`${k.model}\0${k.id}`));
  });

  const saves = batchPerRound<{ model: string; id: string; row: Record<string, unknown> }, void>(async (items) => {
    const rows = new Map<string, Record<string, unknown>>();
    for (const item of items) rows.set(`${item.model}\0${item.id}`, item.row);
    // In key order, so two batches that share rows lock them in the same order (never a deadlock).
    const ordered = [...rows.keys()].sort().map((key) => rows.get(key)!);
    await db(TABLE).insert(ordered).onConflict(['model', 'id']).merge();
    return items.map(() => undefined);
  }, 100);

  return class KnexAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await saves.load({
        model: this.model,
        id,
        row: {
          model: this.model,
          id,
          payload: JSON.stringify(payload),
          grant_id: payload.grantId ?? null,
          uid: payload.uid ?? null,
          user_code: payload.userCode ?? null,
          // An interaction whose sign-in is decided names the account too, so revoking the account (a credential
          // change, security/credential-change.ts) also ends a sign-in that has not yet become a session.
          account_id:
            payload.accountId ??
            (payload.result as { login?: { accountId?: string } } | undefined)?.login?.accountId ??
            null,
          consumed_at: null,
          expires_at: expiresAt,
        },
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client' && clients) return (await clients.findForProvider(id)) as AdapterPayload | undefined;
      return byId.load({ model: this.model, id });
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy({ uid });
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy({ user_code: userCode });
    }

    async consume(id: string): Promise<void> {
      await db(TABLE).where({ model: this.model, id }).whereNull('consumed_at').update({ consumed_at: clock.now() });
    }

    async destroy(id: string): Promise<void> {
      await db(TABLE).where({ model: this.model, id }).delete();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db(TABLE).where({ model: this.model, grant_id: grantId }).delete();
    }

    private async findBy(where: Record<string, string>): Promise<AdapterPayload | undefined> {
      const row = await db(TABLE)
        .where({ model: this.model, ...where })
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', clock.now()))
        .first('payload', 'consumed_at');
      return row ? toPayload(row) : undefined;
    }
  };
}

function toPayload(row: { payload: unknown; consumed_at: Date | string | null }): AdapterPayload {
  const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as AdapterPayload;
  if (row.consumed_at) payload.consumed = Math.floor(new Date(row.consumed_at).getTime() / 1000);
  return payload;
}

/** Deletes expired artifacts in small batches; returns how many rows went. */
export async function sweepExpiredPayloads(db: Db, clock: Clock = systemClock, batch = 1000): Promise<number> {
  const now = clock.now();
  const deleted = deletedCount(
    await db(TABLE)
      .whereIn(['model', 'id'], db(TABLE).select('model', 'id').where('expires_at', '<', now).limit(batch))
      .delete(),
  );
  return deleted;
}

/**
 * A correlated subquery for `whereExists` / `whereNotExists`: a session of ours whose uid is `uidSql`, an SQL
 * expression over the outer query's row with its `bindings` (the upstream-logout sweep keeps a note only while the
 * session it belongs to lives: src/flows/federation/upstream-logout.ts).
 */
export function sessionWithUid(db: Db, uidSql: string, bindings: readonly Knex.RawBinding[]): Knex.QueryBuilder {
  return db(TABLE).select(db.raw('1')).where({ model: 'Session' }).andWhereRaw(`${TABLE}.uid = ${uidSql}`, bindings);
}
