// "Liên kết VNeID" (/account/vneid): whether a link exists, when and how it was made and what that means for apps
// that demand VNeID level 2; "Gỡ liên kết" (a plain form, behind "confirm it's you"); without a link, how to make one.
import { html, type SafeHtml } from '../../src/core/html.js';
import { type AccountFrame, accountPage } from './layout.js';

export interface VneidLinkItem {
  /** The form's reference to the link (a hash of issuer and subject: the subject itself never goes in the page). */
  ref: string;
  linkedBy: 'national_id' | 'password' | 'office';
  /** Already formatted (Vietnam time). */
  createdAt: string;
  lastUsedAt: string;
}

export interface VneidView {
  links: VneidLinkItem[];
  csrfToken: string;
  /** "Confirm it's you" instead of the remove buttons (the sign-in is too old); undefined when recent. */
  confirm?: SafeHtml | undefined;
  notice?: string | undefined;
  error?: string | undefined;
}

export function vneidPage(frame: AccountFrame, view: VneidView): string {
  const { t } = frame.page;
  return accountPage(
    frame,
    t('account.section.vneid'),
    html`
${view.notice ? html`<p class="notice-ok" role="status" id="vneid-notice">${view.notice}</p>` : ''}
${view.error ? html`<div class="alert" role="alert" id="vneid-error">${view.error}</div>` : ''}
${
  view.links.length === 0
    ? html`<p id="vneid-none">${t('account.vneid.none')}</p>
<p id="vneid-how-to-link">${t('account.vneid.how_to_link')}</p>`
    : html`<p>${t('account.vneid.intro_linked')}</p>
${view.confirm ?? ''}
<ul class="items" id="vneid-links">
${view.links.map(
  (link) => html`<li>
  <p><strong>${t('account.vneid.account')}</strong> <span class="badge">${t('account.vneid.linked')}</span></p>
  <dl class="facts">
    <dt>${t('account.vneid.when')}</dt><dd>${link.createdAt}</dd>
    <dt>${t('account.vneid.how')}</dt><dd class="linked-by-${link.linkedBy}">${t(`account.vneid.how.${link.linkedBy}`)}</dd>
    <dt>${t('account.vneid.last_used')}</dt><dd>${link.lastUsedAt}</dd>
  </dl>
  <p class="muted">${t(link.linkedBy === 'password' ? 'account.vneid.level.password' : 'account.vneid.level.full')}</p>
  ${
    view.confirm
      ? ''
      : html`<form method="post" action="/account/vneid/unlink" novalidate>
    <input type="hidden" name="csrf" value="${view.csrfToken}">
    <input type="hidden" name="link" value="${link.ref}">
    <button type="submit" class="inline secondary">${t('account.vneid.remove')}</button>
  </form>`
  }
</li>`,
)}
</ul>
<p class="muted">${t('account.vneid.remove_note')}</p>`
}`,
  );
}
