// Linking a verified VNeID identity that matched no account: the member signs in once with the BHXH number and
// password on the same authorization request, and the identity is linked to that account if the account carries no
// personal identification number or the same one. Every channel on file is told, and the audit log records it.
//
// NOTE: a password proves less than VNeID: a link made this way confers at most the password level and records no
// identification number on the account (oidc/link-assurance.ts); only an office confirmation raises it
// (`bhxh-id accounts confirm-vneid`), and the next password change or reset removes it. The notice on every channel
// lets a member whose password was stolen notice a foreign link; an operator removes it with `accounts unlink-vneid`.
import type { Context } from 'koa';
import type { Outbox } from '../../notify/outbox.js';
import type { Account } from '../../accounts/account-repository.js';
import { meets, requiredAcr, type Acr } from '../../oidc/assurance.js';
import { FlowError } from '../../http/errors.js';
import { announceLinkMade } from '../../security/link-announcements.js';
import { linkAssurance } from '../../oidc/link-assurance.js';
import { federationProblemPage } from '../../../views/federation.js';
import { interactionState } from '../interaction.js';
import { openUpstreamIdToken, rememberUpstreamSession, type UpstreamLogoutDeps } from './upstream-logout.js';
import type { PendingLink } from './flow-kinds.js';

export const PENDING_KIND = 'vneid_pending';

/** What finishing a pending link uses (the sign-in flow calls it too). */
export interface PendingLinkDeps extends UpstreamLogoutDeps {
  outbox: Outbox;
}

export async function pendingLink(deps: PendingLinkDeps, uid: string): Promise<PendingLink | undefined> {
  if (!deps.federation) return undefined;
  return (await deps.flows.get(PENDING_KIND, uid))?.data;
}

/**
 * Called when a password sign-in succeeds. Without a pending link: undefined (a plain password sign-in). Linked: the
 * sign-in counts as what the link may confer (the password level). Refused: a page has been shown and the sign-in
 * stops. `credentialVersion` is the version the password belongs to: a change since then refuses the link.
 */
export async function completePendingLink(
  deps: PendingLinkDeps,
  ctx: Context,
  account: Account,
  credentialVersion: number,
): Promise<{ acr: Acr; amr: string[] } | 'refused' | undefined> {
  const { interaction, page, clientName } = interactionState(ctx);
  const pending = await pendingLink(deps, interaction.uid);
  if (!pending) return undefined;
  await deps.flows.delete(PENDING_KIND, interaction.uid);
  const base = {
    accountId: account.id,
    clientId: String(interaction.params.client_id),
    ip: ctx.ip,
    requestId: ctx.state.requestId,
  };
  const detail = { method: 'vneid', issuer: pending.issuer, level: pending.level, linkedBy: 'password' };
  const outcome = await deps.federation!.identities.link(
    {
      issuer: pending.issuer,
      subject: pending.subject,
      accountId: account.id,
      nationalId: pending.nationalId,
      linkedBy: 'password',
      credentialVersion,
    },
    (trx) => announceLinkMade(deps, trx, account, { ...base, detail }),
  );
  if (!outcome.ok && outcome.reason === 'credentials_changed')
    throw new FlowError('CREDENTIALS_CHANGED', { detail: { stage: 'vneid_pending_link' } });
  if (!outcome.ok) {
    await deps.audit.record({
      ...base,
      type: 'federation.link',
      outcome: 'failure',
      detail: { ...detail, reason: outcome.reason },
    });
    ctx.status = 409;
    ctx.type = 'html';
    ctx.body = federationProblemPage(page, {
      title: page.t('federation.link_refused.title'),
      message: page.t('federation.link_refused.message'),
      password: { href: `/interaction/${interaction.uid}`, label: page.t('recovery.back_to_sign_in') },
      cancelHref: `/interaction/${interaction.uid}/abort`,
    });
    return 'refused';
  }
  const acr = linkAssurance('password', pending.level);
  if (!meets(acr, requiredAcr(interaction.params))) {
    // Linked, but a password-made link cannot meet this request's VNeID demand: say so, and issue nothing.
    await deps.audit.record({
      ...base,
      type: 'sign_in',
      outcome: 'failure',
      detail: { ...detail, acr, reason: 'link_level_insufficient' },
    });
    ctx.status = 403;
    ctx.type = 'html';
    ctx.body = federationProblemPage(page, {
      title: page.t('federation.link_level.title'),
      message: page.t('federation.link_level.message', { client: clientName }),
      cancelHref: `/interaction/${interaction.uid}/abort`,
    });
    return 'refused';
  }
  const idToken = openUpstreamIdToken(deps, pending.idTokenSealed);
  await rememberUpstreamSession(deps, interaction.uid, { issuer: pending.issuer, ...(idToken ? { idToken } : {}) });
  return { acr, amr: ['pwd', 'fed'] };
}
