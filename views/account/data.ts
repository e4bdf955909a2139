// "Dữ liệu của tôi" (/account/data): what the download holds and leaves out, and the button (a plain form POST that
// answers with the file; behind "confirm it's you").
import { html, type SafeHtml } from '../../src/core/html.js';
import { type AccountFrame, accountPage } from './layout.js';

export interface DataView {
  csrfToken: string;
  /** "Confirm it's you" instead of the button (the sign-in is too old); undefined when recent. */
  confirm?: SafeHtml | undefined;
}

export function dataPage(frame: AccountFrame, view: DataView): string {
  const { t } = frame.page;
  return accountPage(
    frame,
    t('account.section.data'),
    html`
<p>${t('account.data.intro')}</p>
<p>${t('account.data.holds')}</p>
<ul id="data-parts">
  <li>${t('account.data.part.account')}</li>
  <li>${t('account.data.part.addresses')}</li>
  <li>${t('account.data.part.links')}</li>
  <li>${t('account.data.part.sessions')}</li>
  <li>${t('account.data.part.grants')}</li>
  <li>${t('account.data.part.events')}</li>
</ul>
<p>${t('account.data.left_out')}</p>
<p class="muted">${t('account.data.careful')}</p>
${
  view.confirm ??
  html`<form method="post" action="/account/data/download" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <button type="submit" id="data-download">${t('account.data.download')}</button>
</form>`
}`,
  );
}
