// The account page's "apps with access" (/account/apps): each relying party the member allowed, by name, what it may
// see in the consent page's own words, since when; "remove access" per app.
import { html } from '../../src/core/html.js';
import type { MessageId } from '../../src/core/i18n.js';
import type { PageContext } from '../../src/core/locale.js';
import { type AccountFrame, accountPage } from './layout.js';
import { formatWhen } from './when.js';

export interface AppItem {
  clientId: string;
  clientName: string;
  scopes: string[];
  /** Scopes for resource servers, by resource indicator. */
  resources: Record<string, string[]>;
  grantedAt?: Date | undefined;
}

export interface AppsSectionView {
  csrfToken: string;
  apps: AppItem[];
  notice?: string | undefined;
  error?: string | undefined;
}

const KNOWN_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'bhxh', 'offline_access']);

/** A scope in the consent page's words ("Họ tên và ngày sinh"); one we have no words for, as it is. */
function scopeWords(page: PageContext, scope: string): string {
  return KNOWN_SCOPES.has(scope) ? page.t(`consent.scope.${scope}` as MessageId) : scope;
}

export function appsSectionPage(frame: AccountFrame, view: AppsSectionView): string {
  const { page } = frame;
  const { t } = page;
  const item = (app: AppItem, index: number) => html`<li id="app-${index}" data-client="${app.clientId}">
  <p><strong>${app.clientName}</strong></p>
  <dl class="facts">
    <dt>${t('account.apps.scopes')}</dt>
    <dd><ul class="scopes">${app.scopes.map((s) => html`<li>${scopeWords(page, s)}</li>`)}${Object.entries(
      app.resources,
    ).map(
      ([resource, scopes]) => html`<li>${t('consent.resource', { resource, scopes: scopes.join(', ') })}</li>`,
    )}</ul></dd>
    ${app.grantedAt ? html`<dt>${t('account.apps.granted')}</dt><dd>${formatWhen(page, app.grantedAt)}</dd>` : ''}
  </dl>
  <form method="post" action="/account/apps/remove">
    <input type="hidden" name="csrf" value="${view.csrfToken}">
    <input type="hidden" name="client" value="${app.clientId}">
    <button type="submit" aria-label="${t('account.apps.remove_label', { app: app.clientName })}">${t('account.apps.remove')}</button>
  </form>
</li>`;
  return accountPage(
    frame,
    t('account.section.apps'),
    html`
${view.notice ? html`<p class="notice-ok" role="status" id="apps-notice">${view.notice}</p>` : ''}
${view.error ? html`<div class="alert" role="alert" id="apps-error">${view.error}</div>` : ''}
<p>${t('account.apps.intro')}</p>
${
  view.apps.length
    ? html`<ul class="items" id="apps">
${view.apps.map(item)}
</ul>`
    : html`<p class="muted" id="no-apps">${t('account.apps.none')}</p>`
}`,
  );
}
