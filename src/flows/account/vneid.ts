// The account page's VNeID link (issue 16, item 9): whether a link exists, when and how it was made (by the verified
// national ID, with the password — which confers only the password level —, or confirmed at an office), and
// "Gỡ liên kết". Removing is sensitive (a sign-in within ACCOUNT_REAUTH_SECONDS): the repository deletes the link and,
// in the same transaction, src/security/link-announcements.ts records `federation.unlink` and tells every channel on
// file — the one path of every link removal. Of two parallel removals one deletes and announces; the other finds
// nothing and says so. The form names the link by a hash of (issuer, subject), so the subject (for some profiles the
// national ID itself) never goes into the page.
import crypto from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { FederatedIdentities, FederatedIdentity } from '../../accounts/federated-identities.js';
import type { Config } from '../../config/config.js';
import { formatVietnamTime } from '../../core/vietnam-time.js';
import { announceLinkRemovedByMember, type LinkAnnouncementDeps } from '../../security/link-announcements.js';
import { confirmIdentity } from '../../../views/account/layout.js';
import { type VneidView, vneidPage } from '../../../views/account/vneid.js';
import { isRecent, member, reauthHref } from './account-session.js';
import type { SectionTools } from './section.js';

export type VneidSectionDeps = LinkAnnouncementDeps & {
  federatedIdentities: Pick<FederatedIdentities, 'listForAccount' | 'removeLink'>;
  config: Config;
};

const SECTION = '/account/vneid';

/** The form's name for a link: not the subject, which may be the member's national ID. */
function linkRef(link: Pick<FederatedIdentity, 'issuer' | 'subject'>): string {
  return crypto.createHash('sha256').update(`${link.issuer}\n${link.subject}`).digest('base64url').slice(0, 22);
}

async function render(deps: VneidSectionDeps, tools: SectionTools, ctx: Context, extra: Partial<VneidView> = {}) {
  const m = member(ctx);
  const { t } = m.page;
  const links = await deps.federatedIdentities.listForAccount(m.account.id);
  const recent = isRecent(deps, m);
  const notice =
    ctx.query.done === 'unlinked'
      ? t('account.vneid.unlinked')
      : ctx.query.gone === '1'
        ? t('account.vneid.gone')
        : undefined;
  ctx.body = vneidPage(tools.frame(ctx), {
    links: links.map((link) => ({
      ref: linkRef(link),
      linkedBy: link.linkedBy,
      createdAt: formatVietnamTime(link.createdAt),
      lastUsedAt: formatVietnamTime(link.lastUsedAt),
    })),
    csrfToken: m.csrfToken,
    confirm: recent
      ? undefined
      : confirmIdentity(m.page, {
          href: reauthHref(SECTION),
          minutes: Math.ceil(deps.config.account.reauthSeconds / 60),
          afterRefusedChange: ctx.query.confirm === '1',
        }),
    notice,
    ...extra,
  });
}

export function registerVneidSection(router: Router, deps: VneidSectionDeps, tools: SectionTools): void {
  router.get(SECTION, tools.signedIn, async (ctx) => {
    await render(deps, tools, ctx);
  });

  router.post(
    `${SECTION}/unlink`,
    tools.signedIn,
    tools.parseForm,
    tools.csrf,
    tools.recentSignIn(SECTION),
    async (ctx: Context) => {
      const m = member(ctx);
      const ref = (ctx.request as { body?: Record<string, unknown> }).body?.link;
      if (typeof ref !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(ref)) {
        ctx.status = 400;
        await render(deps, tools, ctx, { error: m.page.t('account.vneid.error.link'), notice: undefined });
        return;
      }
      const link = (await deps.federatedIdentities.listForAccount(m.account.id)).find((l) => linkRef(l) === ref);
      const removed =
        link &&
        (await deps.federatedIdentities.removeLink(m.account.id, link, (trx, gone) =>
          announceLinkRemovedByMember(deps, trx, m.account, gone, {
            ip: ctx.ip,
            requestId: ctx.state.requestId as string | undefined,
          }),
        ));
      ctx.status = 303;
      ctx.redirect(removed ? `${SECTION}?done=unlinked` : `${SECTION}?gone=1`);
    },
  );
}
