// The account page's phone section (/account/phone): the number on file (masked) and whether it is confirmed, "send a
// code" to confirm it, the form for a new number (an SMS code goes there first), what the cooling-off after a change
// means, and why the number cannot be removed.
import { html, type SafeHtml } from '../../src/core/html.js';
import { HOTLINE } from '../../src/core/hotline.js';
import { fieldAttributes } from '../fields.js';
import { type AccountFrame, accountPage } from './layout.js';

export interface PhoneSectionView {
  csrfToken: string;
  /** The number on file, masked. */
  phone: string | null;
  verified: boolean;
  /** The end of the cooling-off after a change (Vietnam time, formatted), while it lasts. */
  coolingUntil?: string;
  /** PHONE_CHANGE_COOLING_HOURS. */
  coolingHours: number;
  reauth?: SafeHtml;
  pending?: { address: string };
  notice?: string;
  error?: string;
  /** The error is about the typed address (the field is marked), not a pause in sending codes. */
  fieldInError?: boolean;
  typed?: string;
}

export function phoneSectionPage(frame: AccountFrame, view: PhoneSectionView): string {
  const { t } = frame.page;
  const field = fieldAttributes({
    order: ['new_phone'],
    errorId: view.error ? 'phone-error' : undefined,
    inError: view.fieldInError ? ['new_phone'] : [],
  });
  // A number stays on one line at 360 px.
  const shown = view.phone?.replace(/ /g, '\u00a0');
  return accountPage(
    frame,
    t('account.section.phone'),
    html`
${view.notice ? html`<p class="notice-ok" role="status" id="done">${view.notice}</p>` : ''}
<p>${t('account.phone.intro')}</p>
<dl class="facts">
  <dt>${t('account.phone.on_file')}</dt>
  <dd id="phone-on-file">${shown ?? t('account.phone.none')}${
    view.phone
      ? html` <span class="badge" id="phone-status">${t(view.verified ? 'account.phone.verified' : 'account.phone.unverified')}</span>`
      : ''
  }</dd>
</dl>
${view.coolingUntil ? html`<p class="confirm-box" id="cooling-now">${t('account.phone.cooling_now', { until: view.coolingUntil })}</p>` : ''}
${
  view.pending
    ? html`<p class="notice-ok wrap" role="status" id="pending">${t('account.phone.pending', { address: view.pending.address.replace(/ /g, '\u00a0') })} <a href="/account/phone/code">${t('account.phone.pending_link')}</a></p>`
    : ''
}
${
  view.phone && !view.verified
    ? html`<form method="post" action="/account/phone/confirm">
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <p class="muted">${t('account.phone.verify_hint')}</p>
  <button type="submit" class="secondary inline">${t('account.phone.verify')}</button>
</form>`
    : ''
}
<h2 id="new-address">${t(view.phone ? 'account.phone.change_title' : 'account.phone.add_title')}</h2>
<p id="cooling-rule">${t('account.phone.cooling_rule', { hours: view.coolingHours, hotline: HOTLINE })}</p>
${
  view.reauth ??
  html`${view.error ? html`<div class="alert" role="alert" id="phone-error">${view.error}</div>` : ''}
<form method="post" action="/account/phone/address" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <label for="new_phone">${t('account.phone.new')}</label>
  <span class="hint" id="new_phone_hint">${t('account.phone.new_hint')}</span>
  <input type="tel" id="new_phone" name="new_phone" value="${view.typed ?? ''}" autocomplete="tel" inputmode="tel" maxlength="30"
    required${field('new_phone', ['new_phone_hint'])}>
  <button type="submit">${t('account.phone.submit')}</button>
</form>`
}
<p class="muted" id="no-remove">${t('account.phone.no_remove')}</p>`,
  );
}
