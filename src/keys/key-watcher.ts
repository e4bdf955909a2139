// How every node learns of a key change within seconds: PostgreSQL LISTEN bhxh_keys (sent by lifecycle.ts in the
// transaction that changes keys) and, as a fallback for a dropped connection or a missed notification, polling a
// fingerprint of the keys table (kid:state of every key). Either way the node calls `reload`, which builds and
// swaps the provider (src/server.ts). PGlite (one process) relies on the in-process `check()` and polling.
import pg from 'pg';
import type { Logger } from 'pino';
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
  /** postgres:// URL for the LISTEN connection; undefined with PGlite. */
  listenUrl: string | undefined;
  pollMs: number;
  logger: Logger;
  /** The fingerprint of the keys this node serves now. */
  current(): string;
  reload(): Promise<void>;
}): KeyWatcher {
  const { logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let listener: pg.Client | undefined;
  let stopped = false;
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

  async function listen(): Promise<void> {
    if (!deps.listenUrl || listener || stopped) return;
    const client = new pg.Client({ connectionString: deps.listenUrl });
    listener = client;
    client.on('notification', () => void check());
    client.on('error', (err) => {
      logger.warn({ err: err.message }, 'key watcher: LISTEN connection lost (polling continues)');
      if (listener === client) listener = undefined;
      client.end().catch(() => {});
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${KEYS_CHANNEL}`);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'key watcher: cannot LISTEN (polling continues)');
      if (listener === client) listener = undefined;
      await client.end().catch(() => {});
    }
  }

  return {
    check,
    start() {
      void listen();
      timer = setInterval(() => {
        void listen(); // re-establishes a lost LISTEN connection
        void check();
      }, deps.pollMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
      await listener?.end().catch(() => {});
      listener = undefined;
    },
  };
}
