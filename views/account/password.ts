// The account page's password section (/account/password): the current password, then the new one twice, under the
// one policy (its rules and messages are the new-password step's). Without a recent sign-in, "confirm it's you" takes
// the form's place.
import { html, type SafeHtml } from '../../src/core/html.js';
import { fieldAttributes, passwordField } from '../fields.js';
import { type AccountFrame, accountPage } from './layout.js';

export type PasswordField = 'current_password' | 'new_password' | 'confirm_password';

export interface PasswordSectionView {
  csrfToken: string;
  /** The account's BHXH number, for password managers (a hidden username field). */
  username: string;
  /** Shown instead of the form (the sign-in is too old). */
  confirm?: SafeHtml | undefined;
  /** The account has no password to change. */
  noPassword?: boolean;
  notice?: string | undefined;
  error?: string | undefined;
  /** The fields the error is about (none: about the page, such as a pause or a captcha). */
  errorFields?: PasswordField[] | undefined;
  /** The captcha widget, once the number has had too many failures. */
  captcha?: SafeHtml | undefined;
}

export function passwordSectionPage(frame: AccountFrame, view: PasswordSectionView): string {
  const { t } = frame.page;
  const field = fieldAttributes<PasswordField>({
    order: ['current_password', 'new_password', 'confirm_password'],
    errorId: view.error ? 'password-error' : undefined,
    inError: view.errorFields,
    // After a change the notice is what to read; the form takes the focus only when it is the page's purpose.
    focus: view.notice ? undefined : 'current_password',
  });
  const form = html`
<p>${t('account.password.intro')}</p>
${view.error ? html`<div class="alert" role="alert" id="password-error">${view.error}</div>` : ''}
<form method="post" action="/account/password" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <input type="text" name="username" value="${view.username}" autocomplete="username" hidden readonly>
  <label for="current_password">${t('account.password.current')}</label>
  ${passwordField(html`<input type="password" id="current_password" name="current_password" autocomplete="current-password"
    required maxlength="1024"${field('current_password')}>`)}
  <label for="new_password">${t('password.new')}</label>
  ${passwordField(html`<input type="password" id="new_password" name="new_password" autocomplete="new-password" required
    minlength="8" maxlength="1024"${field('new_password', ['password_rules'])}>`)}
  <p class="hint" id="password_rules">${t('password.rules')}</p>
  <label for="confirm_password">${t('password.confirm')}</label>
  ${passwordField(html`<input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password"
    required maxlength="1024"${field('confirm_password')}>`)}
  ${view.captcha ?? ''}
  <button type="submit">${t('account.password.submit')}</button>
</form>`;
  return accountPage(
    frame,
    t('account.section.password'),
    html`
${view.notice ? html`<p class="notice-ok" role="status" id="password-notice">${view.notice}</p>` : ''}
${view.noPassword ? html`<p id="no-password">${t('account.password.no_password')}</p>` : (view.confirm ?? form)}`,
  );
}
