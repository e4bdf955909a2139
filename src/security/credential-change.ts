// Invariant: a credential change ends everything begun before it. `accounts.credential_version` moves in the same
// conditional update as every password change and every temporary password; a step that recorded an older version
// cannot finish (login, recovery, VNeID pending link); a password change also ends every session, grant and token
// and removes the VNeID links made with a password. Called by the sign-in and reset flows, the federation pending
// link, temporary passwords (SMS keyword, hotline, office), the account page (its password section: the change keeps
// that browser signed in, `keepSession`) and the CLI (set-password, reset-password).
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Outbox } from '../notify/outbox.js';
import type { Account, AccountRepository } from '../accounts/account-repository.js';
import type { FederatedIdentities } from '../accounts/federated-identities.js';
import type { Db } from '../db/database.js';
import { notifyEveryChannel } from '../notify/notify-every-channel.js';
import { announcePasswordLinksRemoved } from './link-announcements.js';

/** Whether a step that recorded `recorded` when it began may go on (nothing changed the credentials since). */
export async function credentialsUnchanged(
  accounts: Pick<AccountRepository, 'credentialVersion'>,
  accountId: string,
  recorded: number | undefined,
): Promise<boolean> {
  if (recorded === undefined) return false;
  return (await accounts.credentialVersion(accountId)) === recorded;
}

/** What removing password-made links needs (announcing it included). */
export interface LinkRemovalDeps {
  outbox: Outbox;
  audit: AuditLog;
  config: Config;
  clock: Clock;
  federatedIdentities: Pick<FederatedIdentities, 'removePasswordLinks'>;
}

/**
 * Removes the account's VNeID links made with a password, telling every channel on file. A password change, a reset
 * and an office reset call it in their transaction: a link can never outlive the password that made it.
 */
export async function removePasswordLinks(
  deps: LinkRemovalDeps,
  trx: Knex.Transaction,
  account: Account,
  via: string,
): Promise<number> {
  const removed = await deps.federatedIdentities.removePasswordLinks(trx, account.id);
  await announcePasswordLinksRemoved(deps, trx, account, removed, via);
  return removed.length;
}

export interface PasswordChange {
  account: Account;
  newHash: string;
  /** How the member got here, for the audit trail: 'recovery' | 'temporary_password' | 'must_change_password'. */
  via: string;
  /** The credential version the step recorded when it began: if it moved since, the change is refused. */
  credentialVersion: number;
  detail?: Record<string, unknown>;
  ip?: string;
  requestId?: string;
  /** Runs in the same transaction; returning false aborts the change (a flow already finished elsewhere). */
  guard?: (trx: Knex.Transaction) => Promise<boolean>;
  /**
   * The member changed it herself on the account page: this browser stays signed in — its provider session (by uid)
   * and, in it, the account page's own client. Every other session, grant and token still ends.
   */
  keepSession?: KeptSession;
}

/** A session a credential change leaves signed in, with the one relying party that stays in it. */
export interface KeptSession {
  sessionUid: string;
  clientId: string;
}

/** What a credential change needs: its own narrow list, not the service bag. */
export interface CredentialChangeDeps extends LinkRemovalDeps {
  db: Db;
  accounts: Pick<AccountRepository, 'moveCredentialVersion'>;
  logger: Logger;
  /**
   * Ends every session, grant and token of the account (src/oidc/revoke-account.ts, bound by the composition root:
   * oidc/ calls this module, so this module does not import oidc/). The CLI has no provider: the rows still go,
   * without back-channel logout. `keep`: a session that stays (the member's own change on the account page).
   */
  revokeAccount(accountId: string, options?: { keep?: KeptSession }): Promise<{ sessions: number; artifacts: number }>;
  /** The sign-in throttle (flows/login/login-throttle.ts): a new password starts with no failures counted. */
  loginThrottle?: { clearFailures(bhxhNumber: string): Promise<void> };
}

/** Rolls a change back when its step turns out to be stale or already finished. */
class StaleStep extends Error {}

/** The new hash, the version moved, password-made links removed, every channel told, an audit event. */
async function replacePassword(
  deps: CredentialChangeDeps,
  trx: Knex.Transaction,
  account: Account,
  change: {
    newHash: string;
    mustChange: boolean;
    expected?: number;
    via: string;
    detail?: Record<string, unknown>;
    ip?: string;
    requestId?: string;
  },
): Promise<boolean> {
  const now = deps.clock.now();
  const moved = await deps.accounts.moveCredentialVersion(
    account.id,
    {
      password_hash: change.newHash,
      must_change_password: change.mustChange,
      password_changed_at: now,
      temporary_password_hash: null,
      temporary_password_expires_at: null,
    },
    { expected: change.expected, trx },
  );
  if (!moved) return false;
  await removePasswordLinks(deps, trx, account, change.via);
  // NOTE: every channel on file hears of it, so a member whose account was taken over learns at once.
  await notifyEveryChannel(deps.outbox, trx, account, 'password_changed', { when: now, issuer: deps.config.issuer });
  await deps.audit.record(
    {
      type: 'password.changed',
      accountId: account.id,
      ip: change.ip ?? null,
      requestId: change.requestId ?? null,
      detail: { via: change.via, ...change.detail },
    },
    trx,
  );
  return true;
}

/**
 * After commit: every session and token ends (but the one `keep` names), and failed sign-ins someone else caused no
 * longer slow her down.
 */
async function revokeAfterChange(
  deps: CredentialChangeDeps,
  account: Account,
  via: string,
  keep?: KeptSession,
): Promise<void> {
  const revoked = await deps.revokeAccount(account.id, keep ? { keep } : {});
  await deps.loginThrottle?.clearFailures(account.bhxhNumber);
  deps.logger.info(
    { accountId: account.id, via, ...revoked, keptSession: Boolean(keep) },
    'password replaced: sessions and tokens revoked',
  );
}

/**
 * The one way a member replaces a password (email or SMS reset, a new password after a temporary password or
 * must_change_password, the account page's password section). Returns false when the step is stale (the version
 * moved) or the guard refused: nothing changed. After commit every session, grant and token of the account is
 * revoked (back-channel logout included), but the session `keepSession` names.
 */
export async function applyPasswordChange(deps: CredentialChangeDeps, change: PasswordChange): Promise<boolean> {
  const { account } = change;
  try {
    await deps.db.transaction(async (trx) => {
      if (
        !(await replacePassword(deps, trx, account, {
          ...change,
          mustChange: false,
          expected: change.credentialVersion,
        }))
      )
        throw new StaleStep();
      if (change.guard && !(await change.guard(trx))) throw new StaleStep();
    });
  } catch (err) {
    if (err instanceof StaleStep) return false;
    throw err;
  }
  await revokeAfterChange(deps, account, change.via, change.keepSession);
  return true;
}

/** An operator sets a password (CLI `accounts set-password`): unconditional, otherwise the same as any change. */
export async function applyOperatorPassword(
  deps: CredentialChangeDeps,
  change: { account: Account; newHash: string; mustChange: boolean; detail?: Record<string, unknown> },
): Promise<void> {
  await deps.db.transaction((trx) => replacePassword(deps, trx, change.account, { ...change, via: 'cli' }));
  await revokeAfterChange(deps, change.account, 'cli');
}
