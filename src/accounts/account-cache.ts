// What the provider reads of an account on every userinfo and refresh request (its claims, and whether it is still
// active) each node keeps in memory, instead of reading the accounts row each time:
// - every change of an accounts row sends NOTIFY bhxh_accounts with its id when it commits (a trigger, migration
//   20261220000500: whatever wrote it, the CLI and an operator's SQL included), and each node drops that entry
//   through its change feed (PostgreSQL's LISTEN connection, or PGlite's own listen());
// - while a node's feed is not listening (connection lost, not yet connected) it serves nothing from memory and
//   keeps nothing; once it listens again the whole cache is dropped (the feed's empty payload), so a change made
//   meanwhile is never served stale;
// - every entry also expires after ACCOUNT_CACHE_SECONDS, and at most `maxEntries` are kept (the oldest go first).
// A read that started before an invalidation does not put its (possibly old) answer back (a generation counter).
// Without a feed (none given) there is no cache. Only the provider's reads go through here: every check that decides
// something (a credential version, a password, a lock) reads the row itself.
import type { ChangeFeed } from '../db/change-feed.js';
import type { Account, AccountRepository } from './account-repository.js';

export const ACCOUNTS_CHANNEL = 'bhxh_accounts';

export interface AccountCache {
  /** The account as the provider needs it (claims, status), from memory when this node may trust it. */
  findForProvider(id: string): Promise<Account | undefined>;
  /** Drops one entry, or all. */
  invalidate(id?: string): void;
  /** Entries held now (tests, metrics). */
  size(): number;
  /** Whether the account is held now (tests). */
  has(id: string): boolean;
}

export function createAccountCache(
  repo: Pick<AccountRepository, 'findById'>,
  options: { ttlMs: number; now: () => number; feed?: ChangeFeed | undefined; maxEntries?: number },
): AccountCache {
  const entries = new Map<string, { account: Account; expires: number }>();
  const maxEntries = options.maxEntries ?? 100_000;
  let generation = 0;
  const invalidate = (id?: string) => {
    generation += 1;
    if (id === undefined) entries.clear();
    else entries.delete(id);
  };
  const { feed } = options;
  feed?.subscribe(ACCOUNTS_CHANNEL, (payload) => invalidate(payload || undefined));
  const enabled = () => Boolean(feed?.listening()) && options.ttlMs > 0;

  return {
    invalidate,
    size: () => entries.size,
    has: (id) => entries.has(id),
    async findForProvider(id) {
      if (!enabled()) {
        if (entries.size) invalidate();
        return repo.findById(id);
      }
      const hit = entries.get(id);
      if (hit && hit.expires > options.now()) return hit.account;
      const started = generation;
      const account = await repo.findById(id);
      if (account && started === generation && enabled()) {
        entries.delete(id); // re-inserted last: the Map's order is the order of eviction
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(id, { account, expires: options.now() + options.ttlMs });
      }
      return account;
    },
  };
}
