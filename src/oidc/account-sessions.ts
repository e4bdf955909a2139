// A member's sessions and the apps with access to her account (issue 16, items 7, 8 and 12): the one module the
// account page (flows/account/sessions.ts, apps.ts) and the CLI (accounts sessions, end-sessions, grants,
// revoke-grant) call to list and end them. Ending goes through session-ending.ts, as a credential change does
// (revoke-account.ts): the rows go with the tokens of their grants, then the relying parties that registered a
// back-channel logout URI are told. Every ending is audited (`session.ended`, `grant.revoked`) and noticed on every
// channel on file, in one transaction with the deletion.
//
// Only the member's own rows are ever touched: a session uid or grant id is looked up among the account's own, and
// one that is not there (unknown, expired, another member's) is refused with nothing changed.
import Bowser from 'bowser';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Account } from '../accounts/account-repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import { ACCOUNT_CLIENT_ID } from '../clients/built-in-clients.js';
import type { ClientRepository } from '../clients/client-repository.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../db/database.js';
import { notifyEveryChannel } from '../notify/notify-every-channel.js';
import type { Outbox } from '../notify/outbox.js';
import type { SessionDevices } from './session-devices.js';
import {
  deleteSessionsAndGrants,
  dropAuthorizations,
  grantIdsOf,
  grantsOf,
  type LogoutTarget,
  logoutTargets,
  type StoredGrant,
  type StoredSession,
  sessionsOf,
  tellRelyingParties,
} from './session-ending.js';

export interface AccountSessionsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  outbox: Outbox;
  issuer: string;
  devices: SessionDevices;
  /** Client names (the registry; a deleted client is shown by its id). */
  clients: Pick<ClientRepository, 'find'>;
  /** The provider serving now, for back-channel logout; the CLI has none (the rows still go, no logout is sent). */
  provider?: (() => Provider) | undefined;
}

/** Who ended something, for the audit trail. */
export interface Actor {
  via: 'account' | 'cli';
  /** The staff id an operator gave (CLI). */
  operator?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
}

/** A browser and a system named from a user agent; undefined where the user agent does not say. */
export interface DeviceDescription {
  browser?: string | undefined;
  /** The device for Apple's phones and tablets ("iPhone", "iPad"), else the operating system ("Android", "Windows"). */
  system?: string | undefined;
}

export interface SessionView {
  uid: string;
  /** When the member last signed in on it. */
  signedInAt?: Date | undefined;
  firstSeenAt?: Date | undefined;
  lastSeenAt?: Date | undefined;
  userAgent?: string | undefined;
  device: DeviceDescription;
  /** '203.0.113.0/24', '2001:db8:1::/48' (never the address itself). */
  network?: string | undefined;
  /** The relying parties signed in through it (the account page's own client left out). */
  clientIds: string[];
}

export interface AppView {
  clientId: string;
  /** The registered name, else the id. */
  clientName: string;
  /** The grants of this app (one per session it was used in). */
  grantIds: string[];
  /** OpenID scopes granted (openid, profile, email, phone, bhxh, offline_access), in a fixed order. */
  scopes: string[];
  /** Scopes granted for resource servers, by resource indicator. */
  resources: Record<string, string[]>;
  /** The first time the member granted it (the oldest live grant's iat). */
  grantedAt?: Date | undefined;
}

const SCOPE_ORDER = ['openid', 'profile', 'email', 'phone', 'bhxh', 'offline_access'];
const words = (scope: string | undefined) => (scope ?? '').split(' ').filter(Boolean);

/** Names a browser and a system from a user agent, for people ("Chrome", "Android"). */
export function describeUserAgent(userAgent: string | undefined): DeviceDescription {
  if (!userAgent?.trim()) return {};
  const parsed = Bowser.parse(userAgent);
  const os = parsed.os.name || undefined;
  const model = parsed.platform.model;
  const system =
    os === 'iOS' && (model === 'iPhone' || model === 'iPad' || model === 'iPod') ? model : os === 'macOS' ? 'Mac' : os;
  return { browser: parsed.browser.name || undefined, system };
}

export function createAccountSessions(deps: AccountSessionsDeps) {
  const { db, clock } = deps;
  const seconds = (value: number | undefined) => (typeof value === 'number' ? new Date(value * 1000) : undefined);

  /** Deletes, audits and notices in one transaction; then tells the relying parties. */
  async function finish(
    account: Account,
    work: {
      sessions: StoredSession[];
      grantIds: string[];
      /** Sessions that stay but lose these relying parties. */
      drop: Array<{ session: StoredSession; clientIds: string[] }>;
      targets: LogoutTarget[];
      record: () => Parameters<AuditLog['record']>[0];
      notice: (trx: Parameters<typeof notifyEveryChannel>[1]) => Promise<unknown>;
    },
  ): Promise<void> {
    await db.transaction(async (trx) => {
      await deleteSessionsAndGrants(trx, work.sessions, work.grantIds);
      for (const { session, clientIds } of work.drop) await dropAuthorizations(trx, session, clientIds);
      await deps.devices.forget(
        work.sessions.map((s) => s.uid),
        trx,
      );
      await deps.audit.record(work.record(), trx);
      await work.notice(trx);
    });
    await tellRelyingParties({ provider: deps.provider?.(), logger: deps.logger }, account.id, work.targets);
  }

  async function clientName(clientId: string): Promise<string> {
    const name = (await deps.clients.find(clientId).catch(() => undefined))?.metadata.client_name;
    return typeof name === 'string' && name.trim() ? name : clientId;
  }

  const auditDetail = (actor: Actor) => ({
    via: actor.via,
    ...(actor.operator ? { operator: actor.operator } : {}),
  });

  /** The apps with access to the account: its live grants by relying party (the account page's own left out). */
  async function apps(accountId: string): Promise<AppView[]> {
    const grants = (await grantsOf(db, accountId, clock)).filter((g) => g.clientId !== ACCOUNT_CLIENT_ID);
    const byClient = new Map<string, StoredGrant[]>();
    for (const grant of grants) byClient.set(grant.clientId, [...(byClient.get(grant.clientId) ?? []), grant]);
    const views = await Promise.all(
      [...byClient].map(async ([clientId, own]): Promise<AppView> => {
        const scopes = new Set(own.flatMap((g) => words(g.openid?.scope)));
        const resources: Record<string, string[]> = {};
        for (const g of own)
          for (const [indicator, scope] of Object.entries(g.resources ?? {}))
            resources[indicator] = [...new Set([...(resources[indicator] ?? []), ...words(scope)])];
        const times = own.flatMap((g) => (typeof g.iat === 'number' ? [g.iat] : []));
        return {
          clientId,
          clientName: await clientName(clientId),
          grantIds: own.map((g) => g.id),
          scopes: [...SCOPE_ORDER.filter((s) => scopes.has(s)), ...[...scopes].filter((s) => !SCOPE_ORDER.includes(s))],
          resources,
          grantedAt: times.length ? seconds(Math.min(...times)) : undefined,
        };
      }),
    );
    return views.sort((a, b) => (b.grantedAt?.getTime() ?? 0) - (a.grantedAt?.getTime() ?? 0));
  }

  return {
    apps,

    /** The account's live sessions, the most recently seen first. */
    async list(accountId: string): Promise<SessionView[]> {
      const sessions = await sessionsOf(db, accountId, clock);
      const devices = new Map((await deps.devices.find(sessions.map((s) => s.uid))).map((d) => [d.sessionUid, d]));
      return sessions
        .map((s): SessionView => {
          const device = devices.get(s.uid);
          return {
            uid: s.uid,
            signedInAt: seconds(s.loginTs),
            firstSeenAt: device?.firstSeenAt,
            lastSeenAt: device?.lastSeenAt,
            userAgent: device?.userAgent,
            device: describeUserAgent(device?.userAgent),
            network: device?.network ?? undefined,
            clientIds: Object.keys(s.authorizations).filter((c) => c !== ACCOUNT_CLIENT_ID),
          };
        })
        .sort(
          (a, b) =>
            (b.lastSeenAt ?? b.signedInAt ?? new Date(0)).getTime() -
            (a.lastSeenAt ?? a.signedInAt ?? new Date(0)).getTime(),
        );
    },

    /**
     * Ends one of the account's sessions (`sessionUid`), every session but one (`allExcept`: the browser asking), or
     * all of them. Each ends as a sign-out would, and more: every relying party in it hears a back-channel logout and
     * loses its grant and tokens. Returns the uids that ended: none when the uid is not one of the account's live
     * sessions (nothing changed, nothing audited).
     */
    async end(
      account: Account,
      which: { sessionUid: string } | { allExcept: string } | { all: true },
      actor: Actor,
    ): Promise<{ ended: string[] }> {
      const live = await sessionsOf(db, account.id, clock);
      const sessions =
        'sessionUid' in which
          ? live.filter((s) => s.uid === which.sessionUid)
          : 'allExcept' in which
            ? live.filter((s) => s.uid !== which.allExcept)
            : live;
      if (!sessions.length) return { ended: [] };
      const ended = sessions.map((s) => s.uid);
      const now = clock.now();
      await finish(account, {
        sessions,
        grantIds: grantIdsOf(sessions),
        drop: [],
        targets: logoutTargets(sessions),
        record: () => ({
          type: 'session.ended',
          accountId: account.id,
          ip: actor.ip ?? null,
          requestId: actor.requestId ?? null,
          detail: {
            ...auditDetail(actor),
            scope: 'sessionUid' in which ? 'one' : 'allExcept' in which ? 'all_others' : 'all',
            sessions: ended.length,
          },
        }),
        notice: (trx) =>
          notifyEveryChannel(deps.outbox, trx, account, 'sessions_ended', {
            when: now,
            issuer: deps.issuer,
            count: Math.min(ended.length, 999),
          }),
      });
      return { ended };
    },

    /**
     * Removes an app's access: every grant of that relying party (`clientId`), or one grant (`grantId`), with every
     * token and code of it; the relying party is taken out of the sessions that named those grants, and hears a
     * back-channel logout for each. Returns what was removed: nothing when the account holds no such grant (the
     * account page's own client is never removed here).
     */
    async revoke(
      account: Account,
      which: { clientId: string } | { grantId: string },
      actor: Actor,
    ): Promise<{ removed: AppView | undefined }> {
      const grants = (await grantsOf(db, account.id, clock)).filter(
        (g) =>
          g.clientId !== ACCOUNT_CLIENT_ID &&
          ('clientId' in which ? g.clientId === which.clientId : g.id === which.grantId),
      );
      if (!grants.length) return { removed: undefined };
      const clientId = grants[0]!.clientId;
      const grantIds = new Set(grants.map((g) => g.id));
      const sessions = await sessionsOf(db, account.id);
      // The sessions where this relying party holds one of these grants (or, for a whole app, any authorization).
      const holds = (session: StoredSession) => {
        const authorization = session.authorizations[clientId];
        return Boolean(
          authorization && ('clientId' in which || (authorization.grantId && grantIds.has(authorization.grantId))),
        );
      };
      const affected = sessions.filter(holds);
      for (const s of affected) {
        const grantId = s.authorizations[clientId]?.grantId;
        if (grantId && 'clientId' in which) grantIds.add(grantId);
      }
      const removed = (await apps(account.id)).find((a) => a.clientId === clientId)!;
      const now = clock.now();
      await finish(account, {
        sessions: [],
        grantIds: [...grantIds],
        drop: affected.map((session) => ({ session, clientIds: [clientId] })),
        targets: logoutTargets(affected, (c) => c !== clientId),
        record: () => ({
          type: 'grant.revoked',
          accountId: account.id,
          clientId,
          ip: actor.ip ?? null,
          requestId: actor.requestId ?? null,
          detail: { ...auditDetail(actor), grants: grantIds.size, sessions: affected.length },
        }),
        notice: (trx) =>
          notifyEveryChannel(deps.outbox, trx, account, 'app_access_removed', {
            when: now,
            issuer: deps.issuer,
            app: removed.clientName,
          }),
      });
      return { removed: 'grantId' in which ? { ...removed, grantIds: [...grantIds] } : removed };
    },
  };
}

export type AccountSessions = ReturnType<typeof createAccountSessions>;
