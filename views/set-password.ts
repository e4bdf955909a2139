// The set-new-password step (must_change_password, and later every reset flow).
import { html } from '../src/core/html.js';
import { fieldAttributes, passwordField } from './fields.js';
import { layout } from './layout.js';
import type { MessageId } from '../src/core/i18n.js';
import type { PageContext } from '../src/core/locale.js';

export interface SetPasswordView {
  action: string;
  csrfToken: string;
  username: string;
  error?: string;
  /** The fields the error is about; the first takes the focus. @default ['new_password'] with an error */
  errorFields?: Array<'new_password' | 'confirm_password'>;
  intro?: string;
}

/** The fields a new-password error is about: both for two passwords that differ, else the new password. */
export function newPasswordErrorFields(error: MessageId): SetPasswordView['errorFields'] {
  return error === 'password.error.mismatch' ? ['new_password', 'confirm_password'] : ['new_password'];
}

export function setPasswordPage(page: PageContext, view: SetPasswordView): string {
  const { t } = page;
  const field = fieldAttributes({
    order: ['new_password', 'confirm_password'],
    errorId: view.error ? 'password-error' : undefined,
    inError: view.errorFields ?? ['new_password'],
    focus: 'new_password',
  });
  return layout(
    page,
    t('password.title'),
    html`
<h1>${t('password.title')}</h1>
<p>${view.intro ?? t('password.intro')}</p>
${view.error ? html`<div class="alert" role="alert" id="password-error">${view.error}</div>` : ''}
<form method="post" action="${view.action}" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <input type="text" name="username" value="${view.username}" autocomplete="username" hidden readonly>
  <p class="muted" id="password_rules">${t('password.rules')}</p>
  <label for="new_password">${t('password.new')}</label>
  ${passwordField(html`<input type="password" id="new_password" name="new_password" autocomplete="new-password" required
    minlength="8" maxlength="1024"${field('new_password', ['password_rules'])}>`)}
  <label for="confirm_password">${t('password.confirm')}</label>
  ${passwordField(html`<input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password"
    required maxlength="1024"${field('confirm_password')}>`)}
  <button type="submit">${t('password.submit')}</button>
</form>`,
  );
}
