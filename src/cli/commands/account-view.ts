// How an account is shown to operators: everything but the password hash.
import type { Account } from '../../accounts/account-repository.js';
import type { FederatedIdentity } from '../../accounts/federated-identities.js';
import type { CliContext } from '../../app/cli-context.js';
import { CommandError, UsageError } from '../command.js';
import { parseBhxhNumber } from '../../accounts/identifiers.js';
import type { AppView, SessionView } from '../../oidc/account-sessions.js';

export function accountView(a: Account) {
  return {
    id: a.id,
    bhxh_number: a.bhxhNumber,
    national_id: a.nationalId,
    full_name: a.fullName,
    birthdate: a.birthdate,
    phone_number: a.phoneNumber,
    phone_number_verified: a.phoneNumberVerified,
    // The SIM-swap cooling-off counts from it (src/security/deliverable-address.ts): the hotline's staff may ask.
    phone_changed_at: a.phoneChangedAt,
    email: a.email,
    email_verified: a.emailVerified,
    status: a.status,
    locale: a.locale,
    must_change_password: a.mustChangePassword,
    has_password: Boolean(a.passwordHash),
    password_changed_at: a.passwordChangedAt,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

export function linkView(l: FederatedIdentity) {
  return {
    issuer: l.issuer,
    subject: l.subject,
    national_id: l.nationalId,
    linked_by: l.linkedBy,
    created_at: l.createdAt,
    last_used_at: l.lastUsedAt,
  };
}

/** Finds the account named by --bhxh or --id, or fails with one line. */
export async function findAccountArg(ctx: CliContext, values: Record<string, unknown>): Promise<Account> {
  if (typeof values.id === 'string') {
    const account = await ctx.accounts.findById(values.id);
    if (!account) throw new CommandError(`no account with id ${values.id}`);
    return account;
  }
  if (typeof values.bhxh !== 'string') throw new UsageError('name the account with --bhxh NUMBER or --id ID');
  const number = parseBhxhNumber(values.bhxh);
  if (!number) throw new UsageError('--bhxh must be a 10-digit BHXH number');
  const account = await ctx.accounts.findByBhxhNumber(number);
  if (!account) throw new CommandError(`no account with BHXH number ${number}`);
  return account;
}

export const accountSelector = {
  bhxh: { type: 'string' },
  id: { type: 'string' },
} as const;

/** The staff id given with --operator, recorded in the audit trail; required by the commands that change something. */
export function operatorArg(values: Record<string, unknown>): string {
  const operator = typeof values.operator === 'string' ? values.operator.trim() : '';
  if (!/^[A-Za-z0-9._@-]{2,64}$/.test(operator))
    throw new UsageError('--operator STAFF_ID is required (letters, digits, . _ @ -)');
  return operator;
}

/** A session as operators see it: device facts as recorded (the network, never an address). */
export function sessionView(s: SessionView) {
  return {
    uid: s.uid,
    signed_in_at: s.signedInAt ?? null,
    first_seen_at: s.firstSeenAt ?? null,
    last_seen_at: s.lastSeenAt ?? null,
    browser: s.device.browser ?? null,
    system: s.device.system ?? null,
    user_agent: s.userAgent ?? null,
    network: s.network ?? null,
    clients: s.clientIds,
  };
}

/** An app with access (its grants by relying party). */
export function appView(a: AppView) {
  return {
    client_id: a.clientId,
    client_name: a.clientName,
    grant_ids: a.grantIds,
    scopes: a.scopes,
    resources: a.resources,
    granted_at: a.grantedAt ?? null,
  };
}
