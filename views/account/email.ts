// The account page's email section (/account/email): the address on file and whether it is confirmed, "send a code"
// to confirm it, the form for a new address (a code goes there first), and the way to remove it (its own page).
import { html, type SafeHtml } from '../../src/core/html.js';
import { fieldAttributes } from '../fields.js';
import { type AccountFrame, accountPage } from './layout.js';

export interface EmailSectionView {
  csrfToken: string;
  email: string | null;
  verified: boolean;
  /** "Confirm it's you" in place of the forms that change the address (the sign-in is too old), or nothing. */
  reauth?: SafeHtml;
  /** A code is waiting to be entered (for a new address, or the one on file). */
  pending?: { address: string };
  notice?: string;
  /** An error about the new address typed (the field is marked), kept as typed. */
  error?: string;
  /** The error is about the typed address (the field is marked), not a pause in sending codes. */
  fieldInError?: boolean;
  typed?: string;
}

export function emailSectionPage(frame: AccountFrame, view: EmailSectionView): string {
  const { t } = frame.page;
  const field = fieldAttributes({
    order: ['new_email'],
    errorId: view.error ? 'email-error' : undefined,
    inError: view.fieldInError ? ['new_email'] : [],
  });
  return accountPage(
    frame,
    t('account.section.email'),
    html`
${view.notice ? html`<p class="notice-ok" role="status" id="done">${view.notice}</p>` : ''}
<p>${t('account.email.intro')}</p>
<dl class="facts">
  <dt>${t('account.email.on_file')}</dt>
  <dd id="email-on-file">${view.email ?? t('account.email.none')}${
    view.email
      ? html` <span class="badge" id="email-status">${t(view.verified ? 'account.email.verified' : 'account.email.unverified')}</span>`
      : ''
  }</dd>
</dl>
${
  view.pending
    ? html`<p class="notice-ok wrap" role="status" id="pending">${t('account.email.pending', { address: view.pending.address })} <a href="/account/email/code">${t('account.email.pending_link')}</a></p>`
    : ''
}
${
  view.email && !view.verified
    ? html`<form method="post" action="/account/email/confirm">
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <p class="muted">${t('account.email.verify_hint')}</p>
  <button type="submit" class="secondary inline">${t('account.email.verify')}</button>
</form>`
    : ''
}
<h2 id="new-address">${t(view.email ? 'account.email.change_title' : 'account.email.add_title')}</h2>
${
  view.reauth ??
  html`${view.error ? html`<div class="alert" role="alert" id="email-error">${view.error}</div>` : ''}
<form method="post" action="/account/email/address" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <label for="new_email">${t('account.email.new')}</label>
  <span class="hint" id="new_email_hint">${t('account.email.new_hint')}</span>
  <input type="email" id="new_email" name="new_email" value="${view.typed ?? ''}" autocomplete="email" autocapitalize="off"
    spellcheck="false" maxlength="254" required${field('new_email', ['new_email_hint'])}>
  <button type="submit">${t('account.email.submit')}</button>
</form>
${view.email ? html`<div class="links"><a href="/account/email/remove" id="remove-email">${t('account.email.remove_link')}</a></div>` : ''}`
}`,
  );
}

/** "Remove your email?": the one button that removes it, and the way back. */
export function removeEmailPage(
  frame: AccountFrame,
  view: { csrfToken: string; email: string; reauth?: SafeHtml },
): string {
  const { t } = frame.page;
  return accountPage(
    frame,
    t('account.email.remove.title'),
    html`
<p class="wrap" id="remove-message">${t('account.email.remove.message', { address: view.email })}</p>
${
  view.reauth ??
  html`<form method="post" action="/account/email/remove">
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <button type="submit">${t('account.email.remove.submit')}</button>
</form>`
}
<div class="links"><a href="/account/email" id="keep-email">${t('account.email.remove.cancel')}</a></div>`,
  );
}
