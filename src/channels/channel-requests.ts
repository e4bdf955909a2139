// Idempotency for inbound channels: one row per (channel, message or call id). The first request claims the row;
// a retry finds it and gets the recorded answer back, so a retried webhook never issues a second password.
import type { Knex } from 'knex';
import type { Db } from '../db/database.js';
import type { Clock } from '../core/clock.js';

export function createChannelRequests(db: Db, clock: Clock) {
  return {
    /**
     * Runs `work` once per (channel, id) inside a transaction that holds the row; a concurrent or later request with
     * the same id waits for it, then gets `work`'s stored result instead of running again.
     */
    async once<T extends object>(
      channel: string,
      id: string,
      work: (trx: Knex.Transaction) => Promise<T>,
    ): Promise<{ result: T; replayed: boolean }> {
      return db.transaction(async (trx) => {
        const now = clock.now();
        await trx('channel_requests')
          .insert({ channel, request_id: id, state: JSON.stringify({}), created_at: now, updated_at: now })
          .onConflict(['channel', 'request_id'])
          .ignore();
        const row = await trx('channel_requests').where({ channel, request_id: id }).forUpdate().first('state');
        const stored = (typeof row.state === 'string' ? JSON.parse(row.state) : row.state) as { result?: T };
        if (stored.result) return { result: stored.result, replayed: true };
        const result = await work(trx);
        await trx('channel_requests')
          .where({ channel, request_id: id })
          .update({ state: JSON.stringify({ result }), updated_at: now });
        return { result, replayed: false };
      });
    },

    /** Reads and writes a multi-step dialogue's state (the hotline), locked for the length of the transaction. */
    async withState<S extends object, T>(
      channel: string,
      id: string,
      step: (state: S | undefined, trx: Knex.Transaction) => Promise<{ state: S; result: T }>,
    ): Promise<T> {
      return db.transaction(async (trx) => {
        const now = clock.now();
        await trx('channel_requests')
          .insert({ channel, request_id: id, state: JSON.stringify({}), created_at: now, updated_at: now })
          .onConflict(['channel', 'request_id'])
          .ignore();
        const row = await trx('channel_requests').where({ channel, request_id: id }).forUpdate().first('state');
        const current = (typeof row.state === 'string' ? JSON.parse(row.state) : row.state) as
          | S
          | Record<string, never>;
        const { state, result } = await step(Object.keys(current).length ? (current as S) : undefined, trx);
        await trx('channel_requests')
          .where({ channel, request_id: id })
          .update({ state: JSON.stringify(state), updated_at: now });
        return result;
      });
    },
  };
}

export type ChannelRequests = ReturnType<typeof createChannelRequests>;
