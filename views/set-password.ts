// The set-new-password step (must_change_password, and later every reset flow).
import { html } from '../src/core/html.js';
import { layout } from './layout.js';
import type { PageContext } from '../src/core/locale.js';

export interface SetPasswordView {
  action: string;
  csrfToken: string;
  username: string;
  error?: string;
  intro?: string;
}

export function setPasswordPage(page: PageContext, view: SetPasswordView): string {
  const { t } = page;
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
  <input type="password" id="new_password" name="new_password" autocomplete="new-password" required minlength="8"
    maxlength="1024" aria-describedby="password_rules" autofocus>
  <label for="confirm_password">${t('password.confirm')}</label>
  <input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" required maxlength="1024">
  <button type="submit">${t('password.submit')}</button>
</form>`,
  );
}
