// The one way a forgotten or temporary password is replaced, whatever the channel (email code, SMS code, a
// temporary password from the SMS keyword, the hotline or an office): the new hash, every channel on file told, an
// audit event, then every session, grant and token of the account revoked (back-channel logout included).
import type { Knex } from 'knex';
import type { AppDeps } from '../app-deps.js';
import { passwordChangedEmail, passwordChangedSms } from '../notify/templates.js';
import { revokeAccount } from '../oidc/revoke-account.js';
import type { Account } from './account-repository.js';

export interface PasswordChange {
  account: Account;
  newHash: string;
  /** How the member got here, for the audit trail: 'recovery' | 'temporary_password' | 'must_change_password'. */
  via: string;
  detail?: Record<string, unknown>;
  ip?: string;
  requestId?: string;
  /** Runs first in the same transaction; returning false aborts the change (a flow already finished elsewhere). */
  guard?: (trx: Knex.Transaction) => Promise<boolean>;
}

type Deps = Pick<AppDeps, 'db' | 'outbox' | 'audit' | 'config' | 'clock' | 'provider' | 'logger' | 'loginThrottle'>;

/** Returns false when the guard refused (nothing changed). */
export async function applyPasswordChange(deps: Deps, change: PasswordChange): Promise<boolean> {
  const { account } = change;
  const now = deps.clock.now();
  const changed = await deps.db.transaction(async (trx) => {
    if (change.guard && !(await change.guard(trx))) return false;
    await trx('accounts').where({ id: account.id }).update({
      password_hash: change.newHash,
      must_change_password: false,
      password_changed_at: now,
      temporary_password_hash: null,
      temporary_password_expires_at: null,
      updated_at: trx.fn.now(),
    });
    // NOTE: every channel on file hears of it, so a member whose account was taken over learns at once.
    if (account.email) {
      await deps.outbox.enqueue({ channel: 'email', to: account.email, purpose: 'password_changed', ...passwordChangedEmail({ when: now, issuer: deps.config.issuer }) }, trx);
    }
    if (account.phoneNumber) {
      await deps.outbox.enqueue({ channel: 'sms', to: account.phoneNumber, purpose: 'password_changed', ...passwordChangedSms({ when: now }) }, trx);
    }
    await deps.audit.record({ type: 'password.changed', accountId: account.id, ip: change.ip ?? null, requestId: change.requestId ?? null, detail: { via: change.via, ...change.detail } }, trx);
    return true;
  });
  if (!changed) return false;
  await deps.loginThrottle.clearFailures(account.bhxhNumber); // failures someone else caused no longer slow her down
  const revoked = await revokeAccount({ db: deps.db, provider: deps.provider(), logger: deps.logger }, account.id);
  deps.logger.info({ accountId: account.id, via: change.via, ...revoked }, 'password replaced: sessions and tokens revoked');
  return true;
}
