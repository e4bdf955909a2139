// What each provider session was seen from, for the account page's "where you are signed in" (issue 16, item 7): the
// `session_devices` table (migrations/20261220000200_session_devices.ts), one row per session uid. A provider
// middleware writes it when an authorization request leaves a signed-in session; the last-seen time moves at most
// once a minute (the upsert's condition), so a busy session costs one statement per request and a write per minute.
// The address is kept only as its network (security/client-address.ts, `coarseNetwork`), the user agent truncated.
import type { Knex } from 'knex';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { deletedCount, type Db } from '../db/database.js';
import { coarseNetwork } from '../security/client-address.js';
import { sessionWithUid } from './adapter.js';

const TABLE = 'session_devices';
/** Longer user agents are cut: the page only names a browser and a system. */
export const USER_AGENT_MAX = 512;
const TOUCH_EVERY_SECONDS = 60;

export interface SessionDevice {
  sessionUid: string;
  accountId: string;
  userAgent: string;
  network: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

interface Row {
  session_uid: string;
  account_id: string;
  user_agent: string;
  network: string | null;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
}

const toDevice = (r: Row): SessionDevice => ({
  sessionUid: r.session_uid,
  accountId: r.account_id,
  userAgent: r.user_agent,
  network: r.network,
  firstSeenAt: new Date(r.first_seen_at),
  lastSeenAt: new Date(r.last_seen_at),
});

export function createSessionDevices(db: Db, clock: Clock) {
  return {
    /**
     * The session was just used from this user agent and address. A new row, or (at most once a minute, or when the
     * session now belongs to another account) the last-seen time, user agent and network of the existing one.
     */
    async touch(seen: { sessionUid: string; accountId: string; userAgent: string; ip: string }): Promise<void> {
      const now = clock.now();
      const row = {
        session_uid: seen.sessionUid,
        account_id: seen.accountId,
        user_agent: Array.from(seen.userAgent).slice(0, USER_AGENT_MAX).join(''),
        network: coarseNetwork(seen.ip) ?? null,
        first_seen_at: now,
        last_seen_at: now,
      };
      await db(TABLE)
        .insert(row)
        .onConflict('session_uid')
        .merge({
          account_id: row.account_id,
          user_agent: row.user_agent,
          network: row.network,
          last_seen_at: row.last_seen_at,
          // Another account signed in on the same browser session: its own first sighting.
          first_seen_at: db.raw(
            `case when ${TABLE}.account_id = excluded.account_id then ${TABLE}.first_seen_at else excluded.first_seen_at end`,
          ),
        })
        .where(
          db.raw(`${TABLE}.last_seen_at <= ? or ${TABLE}.account_id <> excluded.account_id`, [
            new Date(now.getTime() - TOUCH_EVERY_SECONDS * 1000),
          ]),
        );
    },

    /** The rows of these sessions (in any order). */
    async find(sessionUids: readonly string[]): Promise<SessionDevice[]> {
      if (!sessionUids.length) return [];
      return ((await db(TABLE).whereIn('session_uid', sessionUids).select()) as Row[]).map(toDevice);
    },

    /** The rows of sessions that ended (in the caller's transaction when given). */
    async forget(sessionUids: readonly string[], trx: Knex | Knex.Transaction = db): Promise<number> {
      if (!sessionUids.length) return 0;
      return deletedCount(await trx(TABLE).whereIn('session_uid', sessionUids).delete());
    },
  };
}

export type SessionDevices = ReturnType<typeof createSessionDevices>;

/** Rows whose session is gone (expired and swept, or ended some way that did not forget them). */
export async function sweepOrphanSessionDevices(db: Db, batch = 1000): Promise<number> {
  return deletedCount(
    await db(TABLE)
      .whereIn(
        'session_uid',
        db(TABLE)
          .select('session_uid')
          .whereNotExists(sessionWithUid(db, `${TABLE}.session_uid`, []))
          .limit(batch),
      )
      .delete(),
  );
}

/** The provider routes after which a signed-in session has just been used by its browser. */
const ROUTES = new Set(['authorization', 'resume']);

/**
 * Records the device of every signed-in session an authorization request (or its resume after a sign-in) leaves
 * behind. The address is the provider app's `ctx.ip`, which honours TRUSTED_PROXY_HOPS (security/client-address.ts).
 * A failure is logged, never the member's problem.
 */
export function installSessionDevices(provider: Provider, deps: { devices: SessionDevices; logger: Logger }): void {
  provider.use(async (ctx, next) => {
    await next();
    const { oidc } = ctx as unknown as KoaContextWithOIDC;
    if (!oidc?.route || !ROUTES.has(oidc.route) || ctx.status >= 400) return;
    const session = oidc.session as { uid?: string; accountId?: string; destroyed?: boolean } | undefined;
    if (!session?.uid || !session.accountId || session.destroyed) return;
    await deps.devices
      .touch({
        sessionUid: session.uid,
        accountId: session.accountId,
        userAgent: ctx.get('user-agent'),
        ip: ctx.ip,
      })
      .catch((err: unknown) => deps.logger.warn({ err }, 'recording the session device failed'));
  });
}
