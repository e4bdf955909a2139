// The account overview (/account): one link per section, each a page of its own (deep-linkable by relying parties).
import { html } from '../../src/core/html.js';
import type { MessageId } from '../../src/core/i18n.js';
import { type AccountFrame, accountPage } from './layout.js';

export const ACCOUNT_SECTIONS = [
  'profile',
  'email',
  'phone',
  'password',
  'sessions',
  'apps',
  'vneid',
  'activity',
  'data',
] as const;
export type AccountSection = (typeof ACCOUNT_SECTIONS)[number];

export function overviewPage(frame: AccountFrame, options: { notice?: string } = {}): string {
  const { t } = frame.page;
  return accountPage(
    frame,
    t('account.title'),
    html`
${options.notice ? html`<p class="notice-ok" role="status">${options.notice}</p>` : ''}
<p>${t('account.intro')}</p>
<ul class="sections" id="sections">
${ACCOUNT_SECTIONS.map(
  (section) =>
    html`<li><a href="/account/${section}" id="section-${section}"><strong>${t(`account.section.${section}` as MessageId)}</strong><span>${t(`account.section.${section}.hint` as MessageId)}</span></a></li>`,
)}
</ul>`,
    { overview: true },
  );
}
