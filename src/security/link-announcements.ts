// Invariant: a member hears of every VNeID link made on her account and of every link a password change removed, on
// every channel on file, and the audit log records each, in the transaction that makes or removes the link (nothing
// is announced that did not commit). One home for every path: the VNeID sign-in that links by the verified number
// (flows/federation/routes.ts), the link made after a password sign-in (flows/federation/pending-link.ts), and a
// password change or office reset, which removes the links made with a password (security/credential-change.ts), and
// the member's own removal on the account page (flows/account/vneid.ts).
import type { Knex } from 'knex';
import type { Account } from '../accounts/account-repository.js';
import type { FederatedIdentity } from '../accounts/federated-identities.js';
import type { AuditEvent, AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { notifyEveryChannel } from '../notify/notify-every-channel.js';
import type { Outbox } from '../notify/outbox.js';

/** What announcing a link needs. */
export interface LinkAnnouncementDeps {
  outbox: Pick<Outbox, 'send'>;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  config: Pick<Config, 'issuer'>;
}

/** A link was made: the `federation.link` event, and a notice on every channel on file. */
export async function announceLinkMade(
  deps: LinkAnnouncementDeps,
  trx: Knex.Transaction,
  account: Account,
  event: Omit<AuditEvent, 'type'>,
): Promise<void> {
  const now = deps.clock.now();
  await deps.audit.record({ ...event, type: 'federation.link' }, trx);
  await notifyEveryChannel(deps.outbox, trx, account, 'vneid_linked', { when: now, issuer: deps.config.issuer });
}

/**
 * A credential change (`via` says which) removed the links made with a password: a `federation.unlink` event per
 * link, and one notice on every channel on file. Nothing when none was removed.
 */
export async function announcePasswordLinksRemoved(
  deps: LinkAnnouncementDeps,
  trx: Knex.Transaction,
  account: Account,
  removed: FederatedIdentity[],
  via: string,
): Promise<void> {
  if (removed.length === 0) return;
  const now = deps.clock.now();
  for (const link of removed) {
    await deps.audit.record(
      {
        type: 'federation.unlink',
        accountId: account.id,
        detail: { via, issuer: link.issuer, linkedBy: 'password', reason: 'credential_change' },
      },
      trx,
    );
  }
  await notifyEveryChannel(deps.outbox, trx, account, 'vneid_link_removed', { when: now, issuer: deps.config.issuer });
}

/**
 * The member removed a link herself (the account page's "Gỡ liên kết"): a `federation.unlink` event and a notice on
 * every channel on file, in the transaction that deleted it (accounts/federated-identities.ts `removeLink`).
 */
export async function announceLinkRemovedByMember(
  deps: LinkAnnouncementDeps,
  trx: Knex.Transaction,
  account: Account,
  link: FederatedIdentity,
  event: Pick<AuditEvent, 'ip' | 'requestId'>,
): Promise<void> {
  await deps.audit.record(
    {
      ...event,
      type: 'federation.unlink',
      accountId: account.id,
      detail: { via: 'account', issuer: link.issuer, linkedBy: link.linkedBy, reason: 'member' },
    },
    trx,
  );
  await notifyEveryChannel(deps.outbox, trx, account, 'vneid_unlinked', {
    when: deps.clock.now(),
    issuer: deps.config.issuer,
  });
}
