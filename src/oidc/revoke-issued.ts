// Ends what was issued while a key was in use: an emergency revocation of a key with its tokens (src/keys/lifecycle.ts,
// `revoke KID` with revokeTokens) takes back what it vouched for. keys/ does not import this module (oidc/ reads the
// keys, so that would be a cycle): the composition roots hand revokeIssuedBetween to the key lifecycle.
import type { Knex } from 'knex';
import { deletedCount } from '../db/database.js';

/** What a key vouched for: a cookie key the sessions and interactions; a signing key the tokens and sessions. */
export type IssuedWith = 'cookie' | 'signature';

/**
 * Deletes, in the caller's transaction, what was issued with a key of this kind between `from` and `to` (epoch
 * seconds, both included): for a cookie key the sessions and interactions; for a signing key the tokens and codes,
 * their grants (with every other artifact of those grants) and the sessions. Returns how many rows went.
 */
export async function revokeIssuedBetween(
  trx: Knex.Transaction,
  issuedWith: IssuedWith,
  from: number,
  to: number,
): Promise<number> {
  // When an artifact was issued, on the same clock as the key's dates: the adapter stamps expires_at with the
  // injected clock, and exp - iat is its lifetime (oidc-provider's iat/exp come from its own clock).
  const issuedBetween = [
    `expires_at is not null and extract(epoch from expires_at) - ((payload->>'exp')::bigint - (payload->>'iat')::bigint) between ? and ?`,
    [from, to],
  ] as const;
  if (issuedWith === 'cookie') {
    return deletedCount(
      await trx('oidc_payloads')
        .whereIn('model', ['Session', 'Interaction'])
        .andWhereRaw(...issuedBetween)
        .delete(),
    );
  }
  const grants = trx('oidc_payloads')
    .whereIn('model', [
      'AccessToken',
      'RefreshToken',
      'AuthorizationCode',
      'ClientCredentials',
      'BackchannelAuthenticationRequest',
      'DeviceCode',
    ])
    .andWhereRaw(...issuedBetween)
    .whereNotNull('grant_id')
    .distinct('grant_id');
  const tokens = deletedCount(await trx('oidc_payloads').whereIn('grant_id', grants.clone()).delete());
  const grantRows = deletedCount(await trx('oidc_payloads').where({ model: 'Grant' }).whereIn('id', grants).delete());
  const sessions = deletedCount(
    await trx('oidc_payloads')
      .where({ model: 'Session' })
      .andWhereRaw(...issuedBetween)
      .delete(),
  );
  return tokens + grantRows + sessions;
}
