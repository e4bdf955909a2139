// Relying parties, stored as RFC 7591 metadata. The client secret is sealed at rest and shown once at creation.
import crypto from 'node:crypto';
import type { ClientMetadata } from 'oidc-provider';
import { deletedCount, type Db } from '../db/database.js';
import type { Sealer } from '../keys/sealer.js';

/** The channel a client change is announced on; every node's client cache (client-cache.ts) listens. */
export const CLIENTS_CHANNEL = 'bhxh_clients';

export interface StoredClient {
  metadata: ClientMetadata;
  firstParty: boolean;
  /** Registered as an admin client (`clients create --admin`); src/security/scope-policy.ts decides what that allows. */
  admin: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

/** Whether this metadata needs a client secret (its own auth method, or HS* signed responses). */
export function needsSecret(metadata: ClientMetadata): boolean {
  return SECRET_METHODS.has(String(metadata.token_endpoint_auth_method ?? 'client_secret_basic'));
}

export class ClientExistsError extends Error {
  constructor(clientId: string) {
    super(`a client with client_id ${clientId} already exists`);
  }
}

export function createClientRepository(db: Db, sealer: Sealer) {
  const context = (clientId: string) => `client:${clientId}`;
  // Nodes cache clients (client-cache.ts): a change tells them at once.
  const notifyChanged = (clientId: string) => db.raw('select pg_notify(?, ?)', [CLIENTS_CHANNEL, clientId]);
  return {
    /** Full metadata including the secret, as oidc-provider needs it. */
    async findForProvider(clientId: string): Promise<ClientMetadata | undefined> {
      const row = await db('clients').where({ client_id: clientId }).first();
      if (!row) return undefined;
      const metadata = {
        ...(row.metadata as ClientMetadata),
        client_id: clientId,
        first_party: row.first_party,
        admin: row.admin,
      };
      if (row.client_secret_encrypted)
        metadata.client_secret = sealer.open(row.client_secret_encrypted, context(clientId));
      return metadata;
    },

    /** Metadata without the secret, for listing. */
    async find(clientId: string): Promise<StoredClient | undefined> {
      const row = await db('clients').where({ client_id: clientId }).first();
      return (
        row && {
          metadata: { ...row.metadata, client_id: clientId },
          firstParty: row.first_party,
          admin: row.admin,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        }
      );
    },

    async list(): Promise<StoredClient[]> {
      const rows = await db('clients').orderBy('client_id');
      return rows.map((row) => ({
        metadata: { ...row.metadata, client_id: row.client_id },
        firstParty: row.first_party,
        admin: row.admin,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }));
    },

    /**
     * Stores a client. When the metadata needs a secret and carries none, one is generated; the secret is returned
     * so the caller can show it once.
     */
    async create(
      input: ClientMetadata,
      { firstParty = false, admin = false } = {},
    ): Promise<{ clientId: string; clientSecret?: string }> {
      const { client_secret: givenSecret, ...metadata } = input;
      const clientId = metadata.client_id ?? crypto.randomBytes(12).toString('base64url');
      const clientSecret = needsSecret(input)
        ? ((givenSecret as string | undefined) ?? crypto.randomBytes(32).toString('base64url'))
        : undefined;
      const exists = await db('clients').where({ client_id: clientId }).first('client_id');
      if (exists) throw new ClientExistsError(clientId);
      await db('clients').insert({
        client_id: clientId,
        metadata: JSON.stringify({ ...metadata, client_id: clientId }),
        client_secret_encrypted: clientSecret ? sealer.seal(clientSecret, context(clientId)) : null,
        first_party: firstParty,
        admin,
      });
      await notifyChanged(clientId);
      return { clientId, ...(clientSecret ? { clientSecret } : {}) };
    },

    async delete(clientId: string): Promise<boolean> {
      const deleted = deletedCount(await db('clients').where({ client_id: clientId }).delete()) > 0;
      if (deleted) await notifyChanged(clientId);
      return deleted;
    },
  };
}

export type ClientRepository = ReturnType<typeof createClientRepository>;
