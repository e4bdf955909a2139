// Ends everything an account holds: sessions (with back-channel logout to the relying parties that registered for
// it), grants, refresh tokens, access tokens and codes. Used after a password reset. Without a provider (the CLI) the
// same rows are deleted but no back-channel logout is sent.
// NOTE: JWT access tokens (RFC 9068) are self-contained: a resource server that only checks the signature accepts them
// until they expire (short TTL); introspection answers inactive at once, as their records and grants go here too.
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { deletedCount, type Db } from '../db/database.js';

interface SessionPayload {
  accountId?: string;
  authorizations?: Record<string, { sid?: string; grantId?: string }>;
}

export async function revokeAccount(
  deps: { db: Db; provider?: Provider | undefined; logger: Logger },
  accountId: string,
): Promise<{ sessions: number; artifacts: number }> {
  const { db, provider, logger } = deps;
  const sessions = await db('oidc_payloads').where({ model: 'Session', account_id: accountId }).select('payload');
  const logouts: Promise<void>[] = [];
  for (const { payload } of sessions as Array<{ payload: SessionPayload | string }>) {
    const session = (typeof payload === 'string' ? JSON.parse(payload) : payload) as SessionPayload;
    if (!provider) continue;
    for (const [clientId, authorization] of Object.entries(session.authorizations ?? {})) {
      logouts.push(
        (async () => {
          const client = await provider.Client.find(clientId);
          if (!client?.backchannelLogoutUri) return;
          await (client as unknown as { backchannelLogout(sub: string, sid: string): Promise<void> }).backchannelLogout(
            accountId,
            authorization.sid ?? '',
          );
        })().catch((err: unknown) =>
          logger.warn({ err: String(err), clientId }, 'back-channel logout after revocation failed'),
        ),
      );
    }
  }
  // Delete first, so nothing the account holds still works while relying parties are being told.
  const grantIds = (await db('oidc_payloads').where({ model: 'Grant', account_id: accountId }).select('id')).map(
    (r: { id: string }) => r.id,
  );
  let artifacts = deletedCount(await db('oidc_payloads').where({ account_id: accountId }).delete());
  if (grantIds.length) artifacts += deletedCount(await db('oidc_payloads').whereIn('grant_id', grantIds).delete());
  await Promise.all(logouts);
  return { sessions: sessions.length, artifacts };
}
