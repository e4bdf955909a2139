// The knex adapter oidc-provider stores its artifacts through (sessions, grants, codes, tokens, interactions…).
// One table keyed by (model, id); grant_id, uid and user_code are lifted out of the payload for lookups.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { deletedCount, type Db } from '../db/database.js';
import type { ClientRepository } from '../clients/client-repository.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

const TABLE = 'oidc_payloads';

/**
 * Builds the adapter class oidc-provider instantiates once per model name. The `Client` model reads the clients
 * table (managed by the CLI), where secrets are sealed.
 */
export function createKnexAdapter(db: Db, clock: Clock = systemClock, clients?: ClientRepository) {
  return class KnexAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await db(TABLE)
        .insert({
          model: this.model,
          id,
          payload: JSON.stringify(payload),
          grant_id: payload.grantId ?? null,
          uid: payload.uid ?? null,
          user_code: payload.userCode ?? null,
          account_id: payload.accountId ?? null,
          consumed_at: null,
          expires_at: expiresAt,
        })
        .onConflict(['model', 'id'])
        .merge();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client' && clients) return (await clients.findForProvider(id)) as AdapterPayload | undefined;
      return this.findBy({ id });
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
      if (!row) return undefined;
      const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as AdapterPayload;
      if (row.consumed_at) payload.consumed = Math.floor(new Date(row.consumed_at).getTime() / 1000);
      return payload;
    }
  };
}

/** Deletes expired artifacts in small batches; returns how many rows went. */
export async function sweepExpiredPayloads(db: Db, clock: Clock = systemClock, batch = 1000): Promise<number> {
  const now = clock.now();
  const deleted = deletedCount(await db(TABLE)
    .whereIn(
      ['model', 'id'],
      db(TABLE).select('model', 'id').where('expires_at', '<', now).limit(batch),
    )
    .delete());
  return deleted;
}
