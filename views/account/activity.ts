// "Hoạt động bảo mật" (/account/activity): the member's own events in plain words, newest first, a page at a time
// ("Xem thêm" is a plain link), and what to do when one of them was not her.
import { HOTLINE, HOTLINE_HREF } from '../../src/core/hotline.js';
import { html } from '../../src/core/html.js';
import { type AccountFrame, accountPage } from './layout.js';

export interface ActivityItem {
  sentence: string;
  /** When, already formatted (Vietnam time). */
  when: string;
  failed: boolean;
  app?: string | undefined;
  network?: string | undefined;
}

export interface ActivityView {
  days: number;
  items: ActivityItem[];
  /** The link to the next (older) page, when there is one. */
  moreHref?: string | undefined;
  /** A bad "Xem thêm" link: the message shown instead of the list. */
  error?: string | undefined;
}

export function activityPage(frame: AccountFrame, view: ActivityView): string {
  const { t } = frame.page;
  return accountPage(
    frame,
    t('account.section.activity'),
    html`
${view.error ? html`<div class="alert" role="alert" id="activity-error">${view.error}</div>` : ''}
<p>${t('account.activity.intro', { days: view.days })}</p>
${
  view.items.length === 0 && !view.error
    ? html`<p id="activity-empty">${t('account.activity.empty', { days: view.days })}</p>`
    : html`<ul class="items" id="activity">
${view.items.map(
  (item) => html`<li${item.failed ? html` class="failed"` : ''}>
  <p><strong>${item.sentence}</strong>${item.failed ? html` <span class="badge warn">${t('account.activity.failed')}</span>` : ''}</p>
  <p class="muted"><time>${item.when}</time>${item.app ? html` · ${t('account.activity.app', { app: item.app })}` : ''}${
    item.network ? html` · ${t('account.activity.network', { network: item.network })}` : ''
  }</p>
</li>`,
)}
</ul>`
}
${view.moreHref ? html`<p><a href="${view.moreHref}" id="activity-more" rel="next">${t('account.activity.more')}</a></p>` : ''}
<p class="muted">${t('account.activity.network_hint')}</p>
<section class="confirm-box" id="not-me" aria-labelledby="not-me-title">
  <h2 id="not-me-title">${t('account.activity.not_me.title')}</h2>
  <p>${t('account.activity.not_me.text')}</p>
  <p><a class="button" href="/account/password" id="not-me-password">${t('account.activity.not_me.password')}</a></p>
  <p><a class="button secondary" href="/account/sessions" id="not-me-sessions">${t('account.activity.not_me.sessions')}</a></p>
  <p>${t('account.activity.not_me.hotline')} <a href="${HOTLINE_HREF}">${HOTLINE}</a></p>
</section>`,
  );
}
