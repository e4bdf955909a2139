// What the provider holds for one account, read for the member herself (the account page's "Dữ liệu của tôi"):
// her live sessions (with the device each was seen from) and grants, as facts — never an artifact's id where that id
// is a credential (a Session's id is its cookie value; tokens and codes are not read at all). The rows are read by
// the same functions that end them (session-ending.ts), so the download and the pages agree on what is live.
import type { Db } from '../db/database.js';
import { grantsOf, sessionsOf } from './session-ending.js';
import { createSessionDevices } from './session-devices.js';

export interface AccountSessionRecord {
  /** The session's public uid (also the `sid` family's anchor); not its id, which is the cookie value. */
  uid: string;
  loginAt: Date | null;
  expiresAt: Date | null;
  acr: string | null;
  amr: string[];
  /** The apps this session has signed in to. */
  clientIds: string[];
  /** What the session was seen from (src/oidc/session-devices.ts): the user agent, the network (/24, /48), when. */
  device: { userAgent: string; network: string | null; firstSeenAt: Date; lastSeenAt: Date } | null;
}

export interface AccountGrantRecord {
  clientId: string;
  /** The OpenID scopes granted (`openid profile …`). */
  scopes: string[];
  /** Scopes granted per resource server (its identifier → scopes). */
  resources: Record<string, string[]>;
  grantedAt: Date | null;
}

const epoch = (value: number | undefined): Date | null => (typeof value === 'number' ? new Date(value * 1000) : null);
const words = (value: string | undefined): string[] => (value ?? '').split(' ').filter(Boolean);

/** The account's sessions that have not expired at `now`, oldest sign-in first. */
export async function accountSessions(db: Db, accountId: string, now: Date): Promise<AccountSessionRecord[]> {
  const sessions = await sessionsOf(db, accountId, { now: () => now });
  const devices = new Map(
    (await createSessionDevices(db, { now: () => now }).find(sessions.map((s) => s.uid))).map((d) => [d.sessionUid, d]),
  );
  return sessions
    .map((s) => {
      const device = devices.get(s.uid);
      return {
        uid: s.uid,
        loginAt: epoch(s.loginTs),
        expiresAt: s.expiresAt,
        acr: s.acr ?? null,
        amr: s.amr ?? [],
        clientIds: Object.keys(s.authorizations),
        device: device
          ? {
              userAgent: device.userAgent,
              network: device.network,
              firstSeenAt: device.firstSeenAt,
              lastSeenAt: device.lastSeenAt,
            }
          : null,
      };
    })
    .sort((a, b) => (a.loginAt?.getTime() ?? 0) - (b.loginAt?.getTime() ?? 0));
}

/** The account's grants that have not expired at `now`, oldest first. */
export async function accountGrants(db: Db, accountId: string, now: Date): Promise<AccountGrantRecord[]> {
  const grants = await grantsOf(db, accountId, { now: () => now });
  return grants
    .map((g) => ({
      clientId: g.clientId,
      scopes: words(g.openid?.scope),
      resources: Object.fromEntries(
        Object.entries(g.resources ?? {}).map(([indicator, scope]) => [indicator, words(scope)]),
      ),
      grantedAt: epoch(g.iat),
    }))
    .sort((a, b) => (a.grantedAt?.getTime() ?? 0) - (b.grantedAt?.getTime() ?? 0));
}
