// What the provider holds for one account, read for the member herself (the account page's "Dữ liệu của tôi"):
// her live sessions and grants, as facts — never an artifact's id where that id is a credential (a Session's id is
// its cookie value; tokens and codes are not read at all).
import type { Db } from '../db/database.js';

export interface AccountSessionRecord {
  /** The session's public uid (also the `sid` family's anchor); not its id, which is the cookie value. */
  uid: string;
  loginAt: Date | null;
  expiresAt: Date | null;
  acr: string | null;
  amr: string[];
  /** The apps this session has signed in to. */
  clientIds: string[];
}

export interface AccountGrantRecord {
  clientId: string;
  /** The OpenID scopes granted (`openid profile …`). */
  scopes: string[];
  /** Scopes granted per resource server (its identifier → scopes). */
  resources: Record<string, string[]>;
  grantedAt: Date | null;
  expiresAt: Date | null;
}

const TABLE = 'oidc_payloads';

type Payload = Record<string, unknown>;
const parse = (payload: unknown): Payload =>
  ((typeof payload === 'string' ? JSON.parse(payload) : payload) ?? {}) as Payload;
const epoch = (value: unknown): Date | null => (typeof value === 'number' ? new Date(value * 1000) : null);
const date = (value: unknown): Date | null => (value ? new Date(value as string) : null);
const words = (value: unknown): string[] => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

/** The account's sessions that have not expired at `now`, oldest sign-in first. */
export async function accountSessions(db: Db, accountId: string, now: Date): Promise<AccountSessionRecord[]> {
  const rows: Array<{ payload: unknown; expires_at: Date | string | null }> = await db(TABLE)
    .where({ model: 'Session', account_id: accountId })
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
    .select('payload', 'expires_at');
  return rows
    .map((row) => {
      const p = parse(row.payload);
      return {
        uid: String(p.uid ?? ''),
        loginAt: epoch(p.loginTs),
        expiresAt: date(row.expires_at) ?? epoch(p.exp),
        acr: typeof p.acr === 'string' ? p.acr : null,
        amr: Array.isArray(p.amr) ? p.amr.filter((v): v is string => typeof v === 'string') : [],
        clientIds: Object.keys((p.authorizations as Payload | undefined) ?? {}),
      };
    })
    .sort((a, b) => (a.loginAt?.getTime() ?? 0) - (b.loginAt?.getTime() ?? 0));
}

/** The account's grants that have not expired at `now`, oldest first. */
export async function accountGrants(db: Db, accountId: string, now: Date): Promise<AccountGrantRecord[]> {
  const rows: Array<{ payload: unknown; expires_at: Date | string | null }> = await db(TABLE)
    .where({ model: 'Grant', account_id: accountId })
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
    .select('payload', 'expires_at');
  return rows
    .map((row) => {
      const p = parse(row.payload);
      const openid = (p.openid as Payload | undefined) ?? {};
      const resources = Object.fromEntries(
        Object.entries((p.resources as Record<string, unknown> | undefined) ?? {}).map(([indicator, scope]) => [
          indicator,
          words(scope),
        ]),
      );
      return {
        clientId: String(p.clientId ?? ''),
        scopes: words(openid.scope),
        resources,
        grantedAt: epoch(p.iat),
        expiresAt: date(row.expires_at) ?? epoch(p.exp),
      };
    })
    .sort((a, b) => (a.grantedAt?.getTime() ?? 0) - (b.grantedAt?.getTime() ?? 0));
}
