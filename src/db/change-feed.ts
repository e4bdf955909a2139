// One PostgreSQL LISTEN connection per node for every change other nodes must hear of at once (keys, clients): a
// writer sends `pg_notify(channel, payload)` in the transaction that changes the data, and the feed calls the
// channel's handlers with the payload. A lost connection is re-established every `retryMs`; whatever the node missed
// meanwhile, each subscriber covers by its own fallback (the key watcher polls a fingerprint, the client cache
// expires entries). PGlite (one process) has no feed: writers there also tell
// the in-process subscriber directly.
import pg from 'pg';
import type { Logger } from 'pino';

export interface ChangeFeed {
  /** Calls `handler(payload)` for each notification on `channel` (a plain identifier). */
  subscribe(channel: string, handler: (payload: string) => void): void;
  /** Connects now and again every `retryMs` while disconnected; listens to every subscribed channel. */
  start(retryMs: number): void;
  /** Connects unless connected; never throws. Resolves once listening (or failed). */
  reconnect(): Promise<void>;
  stop(): Promise<void>;
}

export function createChangeFeed(deps: { listenUrl: string | undefined; logger: Logger }): ChangeFeed {
  const handlers = new Map<string, Array<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: deps.listenUrl, application_name: 'bhxh-id listen' });
    client = c;
    c.on('notification', (msg) => {
      for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
    });
    c.on('error', (err) => {
      deps.logger.warn({ err: err.message }, 'change feed: LISTEN connection lost (subscribers fall back to polling)');
      if (client === c) client = undefined;
      c.end().catch(() => {});
    });
    try {
      await c.connect();
      for (const channel of handlers.keys()) await c.query(`LISTEN ${channel}`);
    } catch (err) {
      deps.logger.warn(
        { err: (err as Error).message },
        'change feed: cannot LISTEN (subscribers fall back to polling)',
      );
      if (client === c) client = undefined;
      await c.end().catch(() => {});
    }
  }

  return {
    subscribe(channel, handler) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
      const known = handlers.has(channel);
      handlers.set(channel, [...(handlers.get(channel) ?? []), handler]);
      if (!known && client) client.query(`LISTEN ${channel}`).catch(() => {});
    },
    async reconnect() {
      if (!deps.listenUrl || client || stopped) return connecting;
      connecting ??= connect().finally(() => (connecting = undefined));
      return connecting;
    },
    start(retryMs) {
      if (!deps.listenUrl || timer) return;
      void this.reconnect();
      timer = setInterval(() => void this.reconnect(), retryMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await connecting;
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
