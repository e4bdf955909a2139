// How every node learns of a key change within seconds: a notification on bhxh_keys through the node's change
// feed (src/db/change-feed.ts; lifecycle.ts sends it in the transaction that changes keys) and, as a fallback for a
// dropped connection or a missed notification, polling a fingerprint of the keys table (kid:state of every key). Either way the node calls `reload`, which builds and
// swaps the provider (src/server.ts). PGlite (one process) relies on the in-process `check()` and polling.
import type { Logger } from 'pino';
import type { ChangeFeed } from '../db/change-feed.js';
import type { Db } from '../db/database.js';
import { keysFingerprint } from './key-store.js';
import { KEYS_CHANNEL } from './lifecycle.js';

export interface KeyWatcher {
  /** Compares the database with what this node serves and reloads if they differ. */
  check(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createKeyWatcher(deps: {
  db: Db;
  /** The node's change feed (PostgreSQL LISTEN); undefined with PGlite. */
  feed: ChangeFeed | undefined;
  pollMs: number;
  logger: Logger;
  /** The fingerprint of the keys this node serves now. */
  current(): string;
  reload(): Promise<void>;
}): KeyWatcher {
  const { logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function check(): Promise<void> {
    // One check at a time; a notification arriving during a reload is answered by the next check.
    if (running) return running;
    running = (async () => {
      try {
        if ((await keysFingerprint(deps.db)) !== deps.current()) await deps.reload();
      } catch (err) {
        logger.warn({ err }, 'key watcher: could not check or reload keys (still serving the current ones)');
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  deps.feed?.subscribe(KEYS_CHANNEL, () => void check());

  return {
    check,
    start() {
      timer = setInterval(() => void check(), deps.pollMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
