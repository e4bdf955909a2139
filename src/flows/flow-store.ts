// Explicit flow state kept in the database, so a flow begun on one node finishes on any other.
// A flow is named by (kind, id): the row key is `kind:id`, so flows of different kinds never collide even when
// they share an id (for example the interaction uid).
//
// Reads are batched like the oidc-provider adapter's (src/db/batch.ts): the gets asked for in one round of the
// event loop go out as one `where id in (…)` statement, so a page that needs several flows of one interaction asks
// for them together and pays one round trip.
//
// Kinds are a typed registry, `FlowKinds`: each flow registers the kinds it owns, with their states and data, by
// declaration merging in its folder's flow-kinds.ts (flows/login/flow-kinds.ts and so on). A kind's name then fixes
// what get, put and advance take and return, so a caller cannot assert another shape, and a value one flow leaves
// for another (the login notice recovery leaves for the sign-in page) is typed by one declaration at both ends.
import type { Knex } from 'knex';
import { batchPerRound } from '../db/batch.js';
import { deletedCount, type Db } from '../db/database.js';
import type { Clock } from '../core/clock.js';

/**
 * The registry of flow kinds, empty here: a flow adds its own kinds by declaration merging,
 *
 *     declare module '../flow-store.js' {
 *       interface FlowKinds {
 *         login: { state: LoginState; data: LoginFlowData };
 *       }
 *     }
 *
 * `data` is kept as JSON, so it holds only what survives JSON.stringify and JSON.parse (no Date, no Buffer).
 */
// biome-ignore lint/suspicious/noEmptyInterface: an open registry filled by declaration merging in each flow
export interface FlowKinds {}

/** What every entry of a registry of kinds says: the states a flow of that kind passes through and what it keeps. */
export type FlowKindRegistry<Kinds> = { [K in keyof Kinds]: { state: string; data: unknown } };

/** One flow as stored: its kind names its states and its data. */
interface StoredFlow<K extends string, Kind extends { state: string; data: unknown }> {
  id: string;
  kind: K;
  state: Kind['state'];
  data: Kind['data'];
  expiresAt: Date;
}

/** A flow of one registered kind. */
export type FlowRecord<K extends keyof FlowKinds & string> = StoredFlow<K, FlowKinds[K]>;

const key = (kind: string, id: string) => `${kind}:${id}`;

interface FlowRow {
  id: string;
  kind: string;
  state: string;
  data: unknown;
  expires_at: Date;
}

/**
 * The application's store knows the kinds in `FlowKinds`; a test may give a registry of its own. The default is
 * checked against `FlowKindRegistry`, so a kind registered with a state that is not a string fails to compile.
 */
export function createFlowStore<Kinds extends FlowKindRegistry<Kinds> = FlowKinds>(db: Db, clock: Clock) {
  type Kind = keyof Kinds & string;
  const rows = batchPerRound<string, FlowRow | undefined>(async (keys) => {
    const found: FlowRow[] = await db('flows')
      .whereIn('id', keys)
      .andWhere('expires_at', '>', clock.now())
      .select('id', 'kind', 'state', 'data', 'expires_at');
    const byKey = new Map(found.map((row) => [row.id, row]));
    return keys.map((k) => byKey.get(k));
  });
  return {
    async get<K extends Kind>(kind: K, id: string): Promise<StoredFlow<K, Kinds[K]> | undefined> {
      const row = await rows.load(key(kind, id));
      if (!row || row.kind !== kind) return undefined;
      // Taken as the registry says: rows are written by put, typed by the same kind (keys/reencrypt.ts rewrites a
      // sealed member in place, keeping the shape).
      return {
        id,
        kind,
        state: row.state as Kinds[K]['state'],
        data: (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Kinds[K]['data'],
        expiresAt: row.expires_at,
      };
    },
    async put<K extends Kind>(record: StoredFlow<K, Kinds[K]>): Promise<void> {
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
    async advance<K extends Kind>(
      kind: K,
      id: string,
      from: Kinds[K]['state'],
      to: Kinds[K]['state'],
      trx: Knex.Transaction | Db = db,
    ): Promise<boolean> {
      const updated = await trx('flows')
        .where({ id: key(kind, id), kind, state: from })
        .update({ state: to, updated_at: trx.fn.now() });
      return updated === 1;
    },
    async delete(kind: Kind, id: string): Promise<void> {
      await db('flows')
        .where({ id: key(kind, id), kind })
        .delete();
    },
    async sweepExpired(): Promise<number> {
      return deletedCount(await db('flows').where('expires_at', '<', clock.now()).delete());
    },
  };
}

export type FlowStore<Kinds extends FlowKindRegistry<Kinds> = FlowKinds> = ReturnType<typeof createFlowStore<Kinds>>;
