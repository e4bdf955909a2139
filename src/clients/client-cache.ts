// Relying parties change rarely and are read on almost every protocol request (each token, introspection and
// userinfo call, five times per sign-in), so each node keeps what oidc-provider asked for in memory:
// - a client created or deleted through the repository sends NOTIFY bhxh_clients with its id (in the same
//   statement batch), and every node drops that entry through its change feed (src/db/change-feed.ts);
// - on this node the wrapper drops it directly (PGlite has no feed, and the CLI cannot write while a server holds
//   the data folder);
// - every entry also expires after CLIENT_CACHE_SECONDS, which bounds how stale a node can be that missed a
//   notification (LISTEN connection lost). 0 turns the cache off.
// Unknown client ids are not cached, so a client created elsewhere is usable at once.
import type { ClientMetadata } from 'oidc-provider';
import type { ChangeFeed } from '../db/change-feed.js';
import { CLIENTS_CHANNEL, type ClientRepository } from './client-repository.js';

export function withClientCache(
  repo: ClientRepository,
  options: { ttlMs: number; now: () => number; feed?: ChangeFeed | undefined; maxEntries?: number },
): ClientRepository & { invalidate(clientId?: string): void } {
  const entries = new Map<string, { metadata: ClientMetadata; expires: number }>();
  const maxEntries = options.maxEntries ?? 10_000;
  // A read that started before an invalidation must not put its (possibly old) answer back: a generation counter
  // per invalidation makes such a read skip the store.
  let generation = 0;
  const invalidate = (clientId?: string) => {
    generation += 1;
    if (clientId === undefined) entries.clear();
    else entries.delete(clientId);
  };
  options.feed?.subscribe(CLIENTS_CHANNEL, (payload) => invalidate(payload || undefined));

  return {
    ...repo,
    invalidate,
    async findForProvider(clientId) {
      if (options.ttlMs <= 0) return repo.findForProvider(clientId);
      const hit = entries.get(clientId);
      // NOTE: a copy each time: oidc-provider builds its Client from these properties and must not change ours.
      if (hit && hit.expires > options.now()) return structuredClone(hit.metadata);
      const started = generation;
      const metadata = await repo.findForProvider(clientId);
      if (metadata && started === generation) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(clientId, { metadata: structuredClone(metadata), expires: options.now() + options.ttlMs });
      }
      return metadata;
    },
    async create(...args) {
      try {
        return await repo.create(...args);
      } finally {
        invalidate(args[0].client_id);
      }
    },
    async delete(clientId) {
      try {
        return await repo.delete(clientId);
      } finally {
        invalidate(clientId);
      }
    },
  };
}
