// Resource servers (APIs) that receive JWT access tokens (RFC 9068) when a client names them with `resource`.
import type { Knex } from 'knex';
import { deletedCount, type Db } from '../db/database.js';

export interface ResourceServerRecord {
  identifier: string;
  scope: string;
  accessTokenTtl: number;
}

export function createResourceServerRepository(db: Db) {
  const from = (r: { identifier: string; scope: string; access_token_ttl: number }): ResourceServerRecord => ({
    identifier: r.identifier,
    scope: r.scope,
    accessTokenTtl: r.access_token_ttl,
  });
  return {
    async find(identifier: string): Promise<ResourceServerRecord | undefined> {
      const row = await db('resource_servers').where({ identifier }).first();
      return row && from(row);
    },
    async list(): Promise<ResourceServerRecord[]> {
      return (await db('resource_servers').orderBy('identifier')).map(from);
    },
    async upsert(server: ResourceServerRecord): Promise<void> {
      await db('resource_servers')
        .insert({ identifier: server.identifier, scope: server.scope, access_token_ttl: server.accessTokenTtl })
        .onConflict('identifier')
        .merge({ scope: server.scope, access_token_ttl: server.accessTokenTtl, updated_at: db.fn.now() });
    },
    async delete(identifier: string): Promise<boolean> {
      return deletedCount(await db('resource_servers').where({ identifier }).delete()) > 0;
    },
    /** The longest access token lifetime a resource server sets, in seconds (0 with none); in `trx` when given. */
    async longestAccessTokenTtl(trx: Knex.Transaction | Db = db): Promise<number> {
      const longest = await trx('resource_servers').max({ ttl: 'access_token_ttl' }).first();
      return Number(longest?.ttl ?? 0);
    },
  };
}

export type ResourceServerRepository = ReturnType<typeof createResourceServerRepository>;
