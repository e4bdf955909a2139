// Invariant: a member's second factors and passkeys change only here, whatever the path: the account page
// (enrol or remove the authenticator app, make new recovery codes, add or remove a passkey), the sign-in (a recovery
// code used up, a passkey flagged as cloned) and the office (`bhxh-id accounts reset-two-step`). In one transaction,
// under the account's row lock:
//   1. the account is active;
//   2. the caller's `apply` writes the method's rows and says whether anything changed (`undefined`: a parallel
//      request changed it first, e.g. two confirmations of one enrolment; then nothing is audited or told);
//   3. the change is audited (`authenticator.changed`, detail.change; never a secret, code or passkey name);
//   4. every address on file is told (notify/notify-every-channel.ts, `authenticator_changed`), so a member whose
//      account was taken over learns that a factor was added or removed.
// What this module does NOT check: the fresh sign-in a member-made change needs. The account page asks
// src/security/recent-sign-in.ts (through flows/account/account-session.ts `requireRecentSignIn`) before it calls
// here; the office path names an operator instead.
import type { Knex } from 'knex';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuthenticatorChangeKind } from '../audit/authenticator-changes.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../db/database.js';
import { notifyEveryChannel } from '../notify/notify-every-channel.js';
import type { Outbox } from '../notify/outbox.js';

export type { AuthenticatorChangeKind } from '../audit/authenticator-changes.js';

export interface AuthenticatorChangeDeps {
  db: Db;
  accounts: Pick<AccountRepository, 'lockAddressesOnFile'>;
  outbox: Pick<Outbox, 'send'>;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  issuer: string;
}

export interface AuthenticatorChange<T> {
  accountId: string;
  change: AuthenticatorChangeKind;
  /** Which path asked (audit): 'account_page' | 'sign_in' | 'cli'. */
  via: 'account_page' | 'sign_in' | 'cli';
  /** The operator's staff id, for the office path. */
  operator?: string;
  ip?: string | null;
  requestId?: string | null;
  clientId?: string | null;
  /** More for the audit (no secret, no passkey name): e.g. `{ remaining: 7 }`, `{ passkeyId }`. */
  detail?: Record<string, unknown>;
  /** Writes the change under the row lock; `undefined` when there was nothing (left) to change. */
  apply: (trx: Knex.Transaction) => Promise<T | undefined>;
}

export type AuthenticatorChangeResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'no_account' | 'nothing_changed' };

/** Runs `input.apply` under the account's row lock, then audits and tells every channel on file, in one transaction. */
export async function changeAuthenticators<T>(
  deps: AuthenticatorChangeDeps,
  input: AuthenticatorChange<T>,
): Promise<AuthenticatorChangeResult<T>> {
  return deps.db.transaction(async (trx): Promise<AuthenticatorChangeResult<T>> => {
    const row = await deps.accounts.lockAddressesOnFile(input.accountId, trx);
    if (row?.status !== 'active') return { ok: false, reason: 'no_account' };
    const value = await input.apply(trx);
    if (value === undefined) return { ok: false, reason: 'nothing_changed' };
    await deps.audit.record(
      {
        type: 'authenticator.changed',
        accountId: input.accountId,
        clientId: input.clientId ?? null,
        ip: input.ip ?? null,
        requestId: input.requestId ?? null,
        detail: {
          ...input.detail,
          change: input.change,
          via: input.via,
          ...(input.operator ? { operator: input.operator } : {}),
        },
      },
      trx,
    );
    await notifyEveryChannel(deps.outbox, trx, row, 'authenticator_changed', {
      when: deps.clock.now(),
      issuer: deps.issuer,
      change: input.change,
    });
    return { ok: true, value };
  });
}
