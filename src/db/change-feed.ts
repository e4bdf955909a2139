// One PostgreSQL LISTEN connection per node for every change other nodes must hear of at once (keys, clients): a
// writer sends `pg_notify(channel, payload)` in the transaction that changes the data, and the feed calls the
// channel's handlers with the payload. A lost connection is re-established every `retryMs`; whatever the node missed
// meanwhile, each subscriber covers by its own fallback (the key watcher polls a fingerprint, the client cache
// expires entries, the account cache serves nothing from memory while `listening()` is false), and once listening
// again every handler is called with the empty payload, which means "anything may have changed".
// PGlite (one process, one connection) has its own feed, `createPgliteChangeFeed`: the same NOTIFY, heard through
// PGlite's listen(); writers of keys and clients there also tell the in-process subscriber directly.
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Logger } from 'pino';

export interface ChangeFeed {
  /** Calls `handler(payload)` for each notification on `channel` (a plain identifier). */
  subscribe(channel: string, handler: (payload: string) => void): void;
  /** Connects now and again every `retryMs` while disconnected; listens to every subscribed channel. */
  start(retryMs: number): void;
  /** Connects unless connected; never throws. Resolves once listening (or failed). */
  reconnect(): Promise<void>;
  /** Whether notifications are heard now: a subscriber that cannot afford to miss one trusts its memory only then. */
  listening(): boolean;
  stop(): Promise<void>;
}

/** Every subscriber, told that it may have missed notifications (called once listening again). */
function resetAll(handlers: Map<string, Array<(payload: string) => void>>): void {
  for (const list of handlers.values()) for (const handler of list) handler('');
}

export function createChangeFeed(deps: { listenUrl: string | undefined; logger: Logger }): ChangeFeed {
  const handlers = new Map<string, Array<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let listening = false;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: deps.listenUrl, application_name: 'bhxh-id listen' });
    client = c;
    c.on('notification', (msg) => {
      for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
    });
    c.on('error', (err) => {
      listening = false;
      deps.logger.warn({ err: err.message }, 'change feed: LISTEN connection lost (subscribers fall back to polling)');
      if (client === c) client = undefined;
      c.end().catch(() => {});
    });
    try {
      await c.connect();
      for (const channel of handlers.keys()) await c.query(`LISTEN ${channel}`);
      listening = client === c;
      // Whatever was sent while no connection listened is lost: every subscriber starts afresh.
      if (listening) resetAll(handlers);
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
    listening: () => listening,
    async stop() {
      stopped = true;
      listening = false;
      if (timer) clearInterval(timer);
      await connecting;
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}

/**
 * The feed of an embedded PGlite database: its one connection hears its own NOTIFY (sent at commit, as on
 * PostgreSQL), so every "node" on this database — one server, or the test's several on one instance — is told.
 */
export function createPgliteChangeFeed(pglite: PGlite): ChangeFeed {
  const handlers = new Map<string, Array<(payload: string) => void>>();
  const unlisten: Array<Promise<() => Promise<void>>> = [];
  let stopped = false;
  return {
    subscribe(channel, handler) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
      const known = handlers.has(channel);
      handlers.set(channel, [...(handlers.get(channel) ?? []), handler]);
      if (!known) {
        unlisten.push(
          pglite.listen(channel, (payload) => {
            for (const h of handlers.get(channel) ?? []) h(payload ?? '');
          }),
        );
      }
    },
    start() {},
    async reconnect() {},
    listening: () => !stopped && !pglite.closed,
    async stop() {
      stopped = true;
      for (const done of await Promise.allSettled(unlisten))
        if (done.status === 'fulfilled' && !pglite.closed) await done.value().catch(() => {});
    },
  };
}
