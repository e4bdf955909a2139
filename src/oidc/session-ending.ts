// How a member's provider sessions and grants end, in one place for every path that ends them: a credential change
// (revoke-account.ts, every session but possibly this browser's), the account page and the CLI (account-sessions.ts:
// one session, every other, one app's access). Each path reads the rows it ends, deletes them with the tokens of
// their grants, and only then tells the relying parties that registered a back-channel logout URI, so nothing the
// member ended still works while they are being told. Without a provider (the CLI) the rows still go, without
// back-channel logout.
import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { deletedCount } from '../db/database.js';

const TABLE = 'oidc_payloads';

type Queryable = Knex | Knex.Transaction;

/** A relying party's place in a session (oidc-provider's `session.authorizations[clientId]`). */
export interface SessionAuthorization {
  sid?: string;
  grantId?: string;
  /** Its grant outlives a logout (offline_access): only the Apps page or a credential change ends it. */
  persistsLogout?: boolean;
}

export interface StoredSession {
  /** The row id (oidc-provider's session id, which changes at every sign-in). */
  id: string;
  /** The stable uid (the account page and the session_devices rows name a session by it). */
  uid: string;
  accountId: string;
  /** When the member last signed in on it (epoch seconds). */
  loginTs?: number | undefined;
  /** How she signed in (oidc-provider's session `acr`, `amr`). */
  acr?: string | undefined;
  amr?: string[] | undefined;
  authorizations: Record<string, SessionAuthorization>;
  expiresAt: Date | null;
}

export interface StoredGrant {
  id: string;
  clientId: string;
  accountId: string;
  /** Epoch seconds. */
  iat?: number | undefined;
  openid?: { scope?: string; claims?: string[] } | undefined;
  resources?: Record<string, string | undefined> | undefined;
}

/** A session, by relying party, that should hear of its end. */
export interface LogoutTarget {
  clientId: string;
  sid: string;
}

const parse = <T>(payload: unknown): T => (typeof payload === 'string' ? JSON.parse(payload) : payload) as T;

const live = (clock: Clock) => (q: Knex.QueryBuilder) =>
  q.whereNull('expires_at').orWhere('expires_at', '>', clock.now());

/** The account's sessions, newest sign-in first (`clock`: only those not yet expired). */
export async function sessionsOf(db: Queryable, accountId: string, clock?: Clock): Promise<StoredSession[]> {
  const query = db(TABLE).where({ model: 'Session', account_id: accountId });
  if (clock) query.andWhere(live(clock));
  const rows = (await query.select('id', 'payload', 'expires_at')) as Array<{
    id: string;
    payload: unknown;
    expires_at: Date | string | null;
  }>;
  return rows
    .map((row) => {
      const p = parse<{
        uid?: string;
        accountId?: string;
        loginTs?: number;
        acr?: unknown;
        amr?: unknown;
        authorizations?: unknown;
      }>(row.payload);
      return {
        id: row.id,
        uid: p.uid ?? row.id,
        accountId,
        loginTs: p.loginTs,
        acr: typeof p.acr === 'string' ? p.acr : undefined,
        amr: Array.isArray(p.amr) ? p.amr.filter((v): v is string => typeof v === 'string') : undefined,
        authorizations: (p.authorizations ?? {}) as Record<string, SessionAuthorization>,
        expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
      };
    })
    .sort((a, b) => (b.loginTs ?? 0) - (a.loginTs ?? 0));
}

/** The account's grants (`clock`: only those not yet expired). */
export async function grantsOf(db: Queryable, accountId: string, clock?: Clock): Promise<StoredGrant[]> {
  const query = db(TABLE).where({ model: 'Grant', account_id: accountId });
  if (clock) query.andWhere(live(clock));
  const rows = (await query.select('id', 'payload')) as Array<{ id: string; payload: unknown }>;
  return rows.map((row) => {
    const p = parse<Omit<StoredGrant, 'id'>>(row.payload);
    return { ...p, id: row.id, accountId };
  });
}

/** Every relying party of these sessions, except where `keep` says so. */
export function logoutTargets(
  sessions: readonly StoredSession[],
  keep: (clientId: string, session: StoredSession) => boolean = () => false,
): LogoutTarget[] {
  return sessions.flatMap((session) =>
    Object.entries(session.authorizations)
      .filter(([clientId]) => !keep(clientId, session))
      .map(([clientId, authorization]) => ({ clientId, sid: authorization.sid ?? '' })),
  );
}

/** The grants these sessions' relying parties hold. */
export function grantIdsOf(sessions: readonly StoredSession[]): string[] {
  return [
    ...new Set(sessions.flatMap((s) => Object.values(s.authorizations).flatMap((a) => (a.grantId ? [a.grantId] : [])))),
  ];
}

/** Deletes these sessions, and these grants with every token and code of them. Returns how many rows went. */
export async function deleteSessionsAndGrants(
  db: Queryable,
  sessions: readonly StoredSession[],
  grantIds: readonly string[],
): Promise<number> {
  let deleted = 0;
  if (sessions.length)
    deleted += deletedCount(
      await db(TABLE)
        .where({ model: 'Session' })
        .whereIn(
          'id',
          sessions.map((s) => s.id),
        )
        .delete(),
    );
  if (grantIds.length) {
    deleted += deletedCount(await db(TABLE).whereIn('grant_id', grantIds).delete());
    deleted += deletedCount(await db(TABLE).where({ model: 'Grant' }).whereIn('id', grantIds).delete());
  }
  return deleted;
}

/**
 * Takes these relying parties out of a session that stays (`session.authorizations[clientId]`), so the session no
 * longer names a grant that is gone. In place (jsonb), so what else the session holds is left as it is.
 */
export async function dropAuthorizations(
  db: Queryable,
  session: Pick<StoredSession, 'id'>,
  clientIds: readonly string[],
): Promise<void> {
  for (const clientId of clientIds) {
    await db(TABLE)
      .where({ model: 'Session', id: session.id })
      .update({ payload: db.raw(`payload #- array['authorizations', ?]::text[]`, [clientId]) });
  }
}

interface BackchannelClient {
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

/**
 * Sends a back-channel logout token to each target that registered a back-channel logout URI (after the rows went).
 * A failure is logged, never thrown: what was ended stays ended.
 */
export async function tellRelyingParties(
  deps: { provider?: Provider | undefined; logger: Logger },
  accountId: string,
  targets: readonly LogoutTarget[],
): Promise<void> {
  const { provider, logger } = deps;
  if (!provider) return;
  await Promise.all(
    targets.map(async ({ clientId, sid }) => {
      try {
        const client = (await provider.Client.find(clientId)) as unknown as BackchannelClient | undefined;
        if (!client?.backchannelLogoutUri) return;
        await client.backchannelLogout(accountId, sid);
      } catch (err) {
        logger.warn({ err: String(err), clientId }, 'back-channel logout failed');
      }
    }),
  );
}
