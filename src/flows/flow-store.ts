// Explicit flow state kept in the database, so a flow begun on one node finishes on any other.
import { deletedCount, type Db } from '../db/database.js';
import type { Clock } from '../oidc/adapter.js';

export interface FlowRecord<S extends string, D> {
  id: string;
  kind: string;
  state: S;
  data: D;
  expiresAt: Date;
}

export function createFlowStore(db: Db, clock: Clock) {
  return {
    async get<S extends string, D>(kind: string, id: string): Promise<FlowRecord<S, D> | undefined> {
      const row = await db('flows').where({ id, kind }).andWhere('expires_at', '>', clock.now()).first();
      if (!row) return undefined;
      return { id: row.id, kind: row.kind, state: row.state as S, data: (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as D, expiresAt: row.expires_at };
    },
    async put<S extends string, D>(record: FlowRecord<S, D>): Promise<void> {
      await db('flows')
        .insert({ id: record.id, kind: record.kind, state: record.state, data: JSON.stringify(record.data), expires_at: record.expiresAt })
        .onConflict('id')
        .merge({ state: record.state, data: JSON.stringify(record.data), expires_at: record.expiresAt, updated_at: db.fn.now() });
    },
    /** Moves a flow from one state to the next only if it is still in `from` (one request wins a race). */
    async advance(kind: string, id: string, from: string, to: string): Promise<boolean> {
      const updated = await db('flows').where({ id, kind, state: from }).update({ state: to, updated_at: db.fn.now() });
      return updated === 1;
    },
    async delete(kind: string, id: string): Promise<void> {
      await db('flows').where({ id, kind }).delete();
    },
    async sweepExpired(): Promise<number> {
      return deletedCount(await db('flows').where('expires_at', '<', clock.now()).delete());
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
