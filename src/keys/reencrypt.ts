// Re-encryption after a KEYS_ENCRYPTION_KEY rotation (`bhxh-id keys reencrypt`): reseals every value at rest that is
// not under the primary key yet, so the previous keys (KEYS_ENCRYPTION_KEY_PREVIOUS) can then be dropped.
//
// The sealed values, by table:
//   keys              private_encrypted (context key:<kid>), with encryption_key_id beside it ('' once removed)
//   clients           client_secret_encrypted (context client:<client_id>; NULL without a secret)
//   outbox            payload_sealed (context outbox:<purpose>; NULL once sent or given up)
//   channel_requests  the hotline's finished-call reply, state.sealedReply of channel 'voice' rows
//                     (context voice:reply:<request_id>, the request id being the call id)
//   flows             the upstream VNeID ID token, data.idTokenSealed of the VNeID flows (context UPSTREAM_ID_TOKEN_CONTEXT)
//
// NOTE: no transaction. Rows are read in batches in primary-key order (keyset: never all at once) and each one is
// written by its own statement, only where the column still holds the value that was read (compare-and-set): a
// concurrent writer (a worker clearing a sent payload, a key being removed) wins, and that row is looked at again.
// Servers open values under the primary and the previous keys, so they keep working while this runs, and a run that
// stops half-way leaves a consistent mix that a second run finishes.
import type { Knex } from 'knex';
import type { Db } from '../db/database.js';
import { UPSTREAM_ID_TOKEN_CONTEXT, type Sealer } from './sealer.js';

export interface ReencryptOptions {
  /** Rows read per query. @default 100 */
  batchSize?: number;
  /** Called after each row is written under the primary key, with its table (tests use it to interrupt or interfere). */
  afterRow?: (table: string) => void | Promise<void>;
}

export interface ReencryptResult {
  /** Values resealed under the primary key by this run, per table. */
  reencrypted: Record<string, number>;
  /** Values still not under the primary key once the run ended (0 when done). */
  remaining: number;
  /** Values this run could not open (sealed under a key the sealer does not have, or damaged), per table. */
  unreadable: Record<string, number>;
}

/** One sealed value as read: `id` is the row's key within its store, `context` the AAD it was sealed with. */
interface SealedValue {
  id: string;
  sealed: string;
  context: string;
}

interface Store {
  table: string;
  /** Values not under the primary yet, after `after` in key order. */
  next(db: Db, primaryId: string, after: string | undefined, limit: number): Promise<SealedValue[]>;
  /** The same row read again, if it still needs doing. */
  reread(db: Db, primaryId: string, id: string): Promise<SealedValue | undefined>;
  /** Writes `resealed` only where the row still holds `value.sealed`; true when it did. */
  write(db: Db, value: SealedValue, resealed: string, primaryId: string): Promise<boolean>;
  /** How many values are not under the primary. */
  count(db: Db, primaryId: string): Promise<number>;
}

/** LIKE pattern of values sealed under `keyId` (a key id is 16 hex digits: no LIKE wildcard in it). */
const underKey = (keyId: string) => `v1.${keyId}.%`;

async function countOf(query: Knex.QueryBuilder): Promise<number> {
  const rows = await query.count({ n: '*' });
  return Number((rows[0] as { n?: unknown } | undefined)?.n ?? 0);
}

/** A store whose sealed value is a plain column of a table with a single-column primary key. */
function columnStore(spec: {
  table: string;
  key: string;
  column: string;
  /** Extra columns the context is built from. */
  extra?: string[];
  context: (row: Record<string, string>) => string;
  /** Further conditions on the rows to do (besides "sealed and not under the primary"). */
  pending?: (query: Knex.QueryBuilder, primaryId: string) => Knex.QueryBuilder;
  /** Columns written beside the value. */
  alsoSet?: (primaryId: string) => Record<string, unknown>;
}): Store {
  const { table, key, column } = spec;
  const todo = (db: Db, primaryId: string) => {
    const base = db(table).whereNotNull(column).andWhereNot(column, '');
    return spec.pending ? spec.pending(base, primaryId) : base.andWhere(column, 'not like', underKey(primaryId));
  };
  const toValue = (row: Record<string, string>): SealedValue => ({
    id: String(row[key]),
    sealed: row[column]!,
    context: spec.context(row),
  });
  const columns = [key, column, ...(spec.extra ?? [])];
  return {
    table,
    async next(db, primaryId, after, limit) {
      const query = todo(db, primaryId).select(columns).orderBy(key).limit(limit);
      if (after !== undefined) query.andWhere(key, '>', after);
      return ((await query) as Record<string, string>[]).map(toValue);
    },
    async reread(db, primaryId, id) {
      const row = (await todo(db, primaryId).andWhere(key, id).first(columns)) as Record<string, string> | undefined;
      return row && toValue(row);
    },
    async write(db, value, resealed, primaryId) {
      const updated = await db(table)
        .where(key, value.id)
        .andWhere(column, value.sealed)
        .update({ [column]: resealed, ...spec.alsoSet?.(primaryId) })
        .returning(key);
      return updated.length === 1;
    },
    count: (db, primaryId) => countOf(todo(db, primaryId)),
  };
}

/**
 * A store whose sealed value is one string member of a jsonb column (`column->>'member'`), in rows selected by
 * `where`, keyed by a single text column. Only that member is rewritten; the rest of the document is left as it is.
 * NOTE: raw SQL here has no '?' but its bindings (knex reads every '?' as one), and jsonb is read with ->> only.
 */
function jsonMemberStore(spec: {
  table: string;
  key: string;
  column: string;
  member: string;
  where: Record<string, unknown> | ((q: Knex.QueryBuilder) => Knex.QueryBuilder);
  context: (id: string) => string;
}): Store {
  const { table, key, column, member } = spec;
  if (!/^[a-z_]+$/.test(column) || !/^[A-Za-z]+$/.test(member))
    throw new Error('reencrypt: a plain column and member name');
  const sealedSql = `${column}->>'${member}'`;
  const scope = (db: Db) => {
    const q = db(table);
    return typeof spec.where === 'function' ? spec.where(q) : q.where(spec.where);
  };
  const todo = (db: Db, primaryId: string) =>
    scope(db)
      .whereRaw(`${sealedSql} is not null`)
      .andWhereRaw(`${sealedSql} not like ?`, [underKey(primaryId)]);
  const columns = (db: Db) => [key, db.raw(`${sealedSql} as sealed`)];
  const toValue = (row: Record<string, string>): SealedValue => ({
    id: String(row[key]),
    sealed: row.sealed!,
    context: spec.context(String(row[key])),
  });
  return {
    table,
    async next(db, primaryId, after, limit) {
      const query = todo(db, primaryId).select(columns(db)).orderBy(key).limit(limit);
      if (after !== undefined) query.andWhere(key, '>', after);
      return ((await query) as Record<string, string>[]).map(toValue);
    },
    async reread(db, primaryId, id) {
      const row = (await todo(db, primaryId).andWhere(key, id).first(columns(db))) as
        | Record<string, string>
        | undefined;
      return row && toValue(row);
    },
    async write(db, value, resealed) {
      const updated = await scope(db)
        .andWhere(key, value.id)
        .andWhereRaw(`${sealedSql} = ?`, [value.sealed])
        .update({ [column]: db.raw(`jsonb_set(${column}, '{${member}}', to_jsonb(?::text))`, [resealed]) })
        .returning(key);
      return updated.length === 1;
    },
    count: (db, primaryId) => countOf(todo(db, primaryId)),
  };
}

/** The hotline's finished-call reply that still holds a password (within the replay window). */
const voiceReplies = jsonMemberStore({
  table: 'channel_requests',
  key: 'request_id',
  column: 'state',
  member: 'sealedReply',
  where: { channel: 'voice' },
  context: (callId) => `voice:reply:${callId}`,
});

/** The upstream VNeID ID token kept for logout (src/flows/federation/upstream-logout.ts), in the flows that hold one. */
const upstreamIdTokens = jsonMemberStore({
  table: 'flows',
  key: 'id',
  column: 'data',
  member: 'idTokenSealed',
  where: (q) => q.whereIn('kind', ['vneid_pending', 'vneid_session_pending', 'vneid_session']),
  context: () => UPSTREAM_ID_TOKEN_CONTEXT,
});

const STORES: Store[] = [
  columnStore({
    table: 'keys',
    key: 'kid',
    column: 'private_encrypted',
    context: (row) => `key:${row.kid}`,
    // A key also needs doing when its encryption_key_id disagrees with its value (the column follows the value).
    pending: (query, primaryId) =>
      query.andWhere((q) =>
        q.where('private_encrypted', 'not like', underKey(primaryId)).orWhereNot('encryption_key_id', primaryId),
      ),
    alsoSet: (primaryId) => ({ encryption_key_id: primaryId }),
  }),
  columnStore({
    table: 'clients',
    key: 'client_id',
    column: 'client_secret_encrypted',
    context: (row) => `client:${row.client_id}`,
  }),
  columnStore({
    table: 'outbox',
    key: 'id',
    column: 'payload_sealed',
    extra: ['purpose'],
    context: (row) => `outbox:${row.purpose}`,
  }),
  voiceReplies,
  upstreamIdTokens,
];

/** The tables re-encryption covers, in the order it goes through them. */
export const REENCRYPTED_TABLES: readonly string[] = STORES.map((s) => s.table);

/** How many times a row is retried when a concurrent writer changed it between the read and the write. */
const ATTEMPTS_PER_ROW = 3;

/**
 * Reseals under `sealer`'s primary key every value that is not under it yet (opened with the primary or one of the
 * sealer's previous keys). Safe to run while servers run, and to run again after an interruption.
 */
export async function reencryptAll(db: Db, sealer: Sealer, options: ReencryptOptions = {}): Promise<ReencryptResult> {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('reencrypt: batchSize must be a positive integer');
  const primaryId = sealer.keyId;
  const reencrypted: Record<string, number> = Object.fromEntries(STORES.map((s) => [s.table, 0]));
  const unreadable: Record<string, number> = Object.fromEntries(STORES.map((s) => [s.table, 0]));

  /** true when the row is now under the primary because of this call. */
  async function reencryptOne(store: Store, first: SealedValue): Promise<boolean> {
    let value: SealedValue | undefined = first;
    for (let attempt = 0; value && attempt < ATTEMPTS_PER_ROW; attempt += 1) {
      let plaintext: string;
      try {
        plaintext = sealer.open(value.sealed, value.context);
      } catch {
        // NOTE: the error is not kept: counted only (the caller reports how many), never echoed.
        unreadable[store.table]! += 1;
        return false;
      }
      if (await store.write(db, value, sealer.seal(plaintext, value.context), primaryId)) return true;
      // Changed (or gone) since it was read: the newer value is what counts; do it if it still needs doing.
      value = await store.reread(db, primaryId, value.id);
    }
    return false;
  }

  for (const store of STORES) {
    let after: string | undefined;
    for (;;) {
      const batch = await store.next(db, primaryId, after, batchSize);
      for (const value of batch) {
        after = value.id;
        if (await reencryptOne(store, value)) {
          reencrypted[store.table]! += 1;
          await options.afterRow?.(store.table);
        }
      }
      if (batch.length < batchSize) break;
    }
  }

  let remaining = 0;
  for (const store of STORES) remaining += await store.count(db, primaryId);
  return { reencrypted, remaining, unreadable };
}
