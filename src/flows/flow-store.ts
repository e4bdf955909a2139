// Explicit flow state kept in the database, so a flow begun on one node finishes on any other.
// A flow is named by (kind, id): the row key is `kind:id`, so flows of different kinds never collide even when
// they share an id (for example the interaction uid).
//
// Reads are batched like the oidc-provider adapter's (src/db/batch.ts): the gets asked for in one round of the
// event loop go out as one `where id in (…)` statement, so a page that needs several flows of one interaction asks
// for them together and pays one round trip.
import type { Knex } from 'knex';
import { batchPerRound } from '../db/batch.js';
import { deletedCount, type Db } from '../db/database.js';
import type { Clock } from '../core/clock.js';

export interface FlowRecord<S extends string, D> {
  id: string;
  kind: string;
  state: S;
  data: D;
  expiresAt: Date;
}

const key = (kind: string, id: string) => `${kind}:${id}`;

interface FlowRow {
  id: string;
  kind: string;
  state: string;
  data: unknown;
  expires_at: Date;
}

export function createFlowStore(db: Db, clock: Clock) {
  const rows = batchPerRound<string, FlowRow | undefined>(async (keys) => {
    const found: FlowRow[] = await db('flows')
      .whereIn('id', keys)
      .andWhere('expires_at', '>', clock.now())
      .select('id', 'kind', 'state', 'data', 'expires_at');
    const byKey = new Map(found.map((row) => [row.id, row]));
    return keys.map((k) => byKey.get(k));
  });
  return {
    async get<S extends string, D>(kind: string, id: string): Promise<FlowRecord<S, D> | undefined> {
      const row = await rows.load(key(kind, id));
      if (!row || row.kind !== kind) return undefined;
      return {
        id,
        kind,
        state: row.state as S,
        data: (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as D,
        expiresAt: row.expires_at,
      };
    },
    async put<S extends string, D>(record: FlowRecord<S, D>): Promise<void> {
      await db('flows')
        .insert({
          id: key(record.kind, record.id),
          kind: record.kind,
          state: record.state,
          data: JSON.stringify(record.data),
          expires_at: record.expiresAt,
        })
        .onConflict('id')
        .merge({
          state: record.state,
          data: JSON.stringify(record.data),
          expires_at: record.expiresAt,
          updated_at: db.fn.now(),
        });
    },
    /** Moves a flow from one state to the next only if it is still in `from` (one request wins a race). */
    async advance(
      kind: string,
      id: string,
      from: string,
      to: string,
      trx: Knex.Transaction | Db = db,
    ): Promise<boolean> {
      const updated = await trx('flows')
        .where({ id: key(kind, id), kind, state: from })
        .update({ state: to, updated_at: trx.fn.now() });
      return updated === 1;
    },
    async delete(kind: string, id: string): Promise<void> {
      await db('flows')
        .where({ id: key(kind, id), kind })
        .delete();
    },
    async sweepExpired(): Promise<number> {
      return deletedCount(await db('flows').where('expires_at', '<', clock.now()).delete());
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
