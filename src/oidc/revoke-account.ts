// Ends everything an account holds: sessions (with back-channel logout to the relying parties that registered for
// it), grants, refresh tokens, access tokens and codes. Used after a password change (security/credential-change.ts)
// and when an operator disables an account. Without a provider (the CLI) the same rows are deleted but no back-channel
// logout is sent. How a session ends is src/oidc/session-ending.ts, shared with the account page and the CLI.
//
// `keep`: the member changed her password herself on the account page. That browser stays signed in: its provider
// session and, in it, the account page's own authorization and grant. Every other relying party of that session is
// taken out of it (its grant and tokens end, and it hears a back-channel logout) like those of every other session.
// NOTE: JWT access tokens (RFC 9068) are self-contained: a resource server that only checks the signature accepts them
// until they expire (short TTL); introspection answers inactive at once, as their records and grants go here too.
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { deletedCount, type Db } from '../db/database.js';
import {
  deleteSessionsAndGrants,
  dropAuthorizations,
  grantIdsOf,
  grantsOf,
  logoutTargets,
  sessionsOf,
  tellRelyingParties,
} from './session-ending.js';
import type { SessionDevices } from './session-devices.js';

export interface RevokeAccountOptions {
  /** A session that stays signed in (by uid), with the one relying party (the account page) that stays in it. */
  keep?: { sessionUid: string; clientId: string } | undefined;
}

export async function revokeAccount(
  deps: { db: Db; provider?: Provider | undefined; logger: Logger; devices?: Pick<SessionDevices, 'forget'> },
  accountId: string,
  options: RevokeAccountOptions = {},
): Promise<{ sessions: number; artifacts: number }> {
  const { db } = deps;
  const { keep } = options;
  const sessions = await sessionsOf(db, accountId);
  const kept = keep ? sessions.find((s) => s.uid === keep.sessionUid) : undefined;
  const ended = sessions.filter((s) => s !== kept);
  const keptGrant = kept && keep ? kept.authorizations[keep.clientId]?.grantId : undefined;
  const targets = logoutTargets(sessions, (clientId, session) => session === kept && clientId === keep?.clientId);

  // Delete first, so nothing the account holds still works while relying parties are being told.
  const grantIds = [...new Set([...(await grantsOf(db, accountId)).map((g) => g.id), ...grantIdsOf(sessions)])].filter(
    (id) => id !== keptGrant,
  );
  let artifacts = await deleteSessionsAndGrants(db, ended, grantIds);
  // What else is filed under the account: interactions with a decided sign-in, tokens without a grant.
  artifacts += deletedCount(
    await db('oidc_payloads')
      .where({ account_id: accountId })
      .modify((q) => {
        if (kept) q.whereNot((w) => w.where({ model: 'Session', id: kept.id }));
        if (keptGrant)
          q.whereNot((w) => w.where({ model: 'Grant', id: keptGrant })).andWhere((w) =>
            w.whereNull('grant_id').orWhereNot('grant_id', keptGrant),
          );
      })
      .delete(),
  );
  if (kept)
    await dropAuthorizations(
      db,
      kept,
      Object.keys(kept.authorizations).filter((clientId) => clientId !== keep?.clientId),
    );
  await deps.devices?.forget(ended.map((s) => s.uid));
  await tellRelyingParties(deps, accountId, targets);
  return { sessions: ended.length, artifacts };
}
