// The account page's "where you are signed in" (/account/sessions): each session with its device and browser in plain
// words, first and last seen, and its network; "this device" marked; "sign out" per other session and "sign out
// everywhere else" (both need a recent sign-in: without one, "confirm it's you" stands above the list instead).
import { html, type SafeHtml } from '../../src/core/html.js';
import type { PageContext } from '../../src/core/locale.js';
import { type AccountFrame, accountPage } from './layout.js';
import { formatWhen } from './when.js';

export interface SessionItem {
  uid: string;
  /** The session this browser is signed in with. */
  current: boolean;
  browser?: string | undefined;
  system?: string | undefined;
  firstSeenAt?: Date | undefined;
  lastSeenAt?: Date | undefined;
  network?: string | undefined;
}

export interface SessionsSectionView {
  csrfToken: string;
  sessions: SessionItem[];
  /** Shown above the list, whose buttons then wait (the sign-in is too old). */
  confirm?: SafeHtml | undefined;
  notice?: string | undefined;
  error?: string | undefined;
}

/** "Chrome trên Android", "Safari trên iPhone", "Trình duyệt không rõ trên Windows", "Thiết bị không rõ". */
export function deviceName(page: PageContext, item: Pick<SessionItem, 'browser' | 'system'>): string {
  const { t } = page;
  if (!item.browser && !item.system) {
    const unknown = t('account.sessions.unknown_system');
    return unknown.charAt(0).toUpperCase() + unknown.slice(1);
  }
  return t('account.sessions.device', {
    browser: item.browser ?? t('account.sessions.unknown_browser'),
    system: item.system ?? t('account.sessions.unknown_system'),
  });
}

export function sessionsSectionPage(frame: AccountFrame, view: SessionsSectionView): string {
  const { page } = frame;
  const { t } = page;
  const when = (d: Date | undefined) => (d ? formatWhen(page, d) : t('account.sessions.unknown'));
  const others = view.sessions.filter((s) => !s.current);
  const canEnd = !view.confirm;
  const item = (s: SessionItem) => {
    const name = deviceName(page, s);
    return html`<li id="session-${s.uid}"${s.current ? html` class="current"` : ''}>
  <p><strong>${name}</strong>${s.current ? html` <span class="badge">${t('account.sessions.this_device')}</span>` : ''}</p>
  <dl class="facts">
    <dt>${t('account.sessions.first_seen')}</dt><dd>${when(s.firstSeenAt)}</dd>
    <dt>${t('account.sessions.last_seen')}</dt><dd>${when(s.lastSeenAt)}</dd>
    <dt>${t('account.sessions.network')}</dt><dd>${s.network ?? t('account.sessions.unknown')}</dd>
  </dl>
  ${
    s.current
      ? html`<p class="muted">${t('account.sessions.this_device_hint')}</p>`
      : canEnd
        ? html`<form method="post" action="/account/sessions/end">
    <input type="hidden" name="csrf" value="${view.csrfToken}">
    <input type="hidden" name="session" value="${s.uid}">
    <button type="submit" aria-label="${t('account.sessions.end_label', { device: name })}">${t('account.sessions.end')}</button>
  </form>`
        : ''
  }
</li>`;
  };
  return accountPage(
    frame,
    t('account.section.sessions'),
    html`
${view.notice ? html`<p class="notice-ok" role="status" id="sessions-notice">${view.notice}</p>` : ''}
${view.error ? html`<div class="alert" role="alert" id="sessions-error">${view.error}</div>` : ''}
${view.confirm ?? ''}
<p>${t('account.sessions.intro')}</p>
<ul class="items" id="sessions">
${view.sessions.map(item)}
</ul>
${
  others.length === 0
    ? html`<p class="muted" id="only-this">${t('account.sessions.only_this')}</p>`
    : canEnd
      ? html`<form method="post" action="/account/sessions/end-others">
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <button type="submit" id="end-others">${t('account.sessions.end_others')}</button>
</form>`
      : ''
}`,
  );
}
