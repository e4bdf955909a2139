// The sign-in page: BHXH number and password, labelled for password managers, usable without JavaScript.
import { html, type SafeHtml } from '../src/core/html.js';
import { fieldAttributes, passwordField } from './fields.js';
import { layout } from './layout.js';
import type { PageContext } from '../src/core/locale.js';

export interface LoginView {
  action: string;
  csrfToken: string;
  clientName: string;
  bhxhNumber?: string;
  error?: string;
  /** The fields the error is about; the first takes the focus (none: the error is about the page). */
  errorFields?: Array<'bhxh_number' | 'password'>;
  notice?: string;
  forgotHref?: string;
  cancelHref: string;
  /** The VNeID button (views/federation.ts), when federation is configured. */
  vneid?: SafeHtml;
  /** False when the request demands more than a password can give: only VNeID is offered. @default true */
  passwordForm?: boolean;
  /** The captcha widget (views/captcha.ts), once the number has had too many failures. */
  captcha?: SafeHtml;
}

export function loginPage(page: PageContext, view: LoginView): string {
  const { t } = page;
  const field = fieldAttributes({
    order: ['bhxh_number', 'password'],
    errorId: view.error ? 'login-error' : undefined,
    inError: view.errorFields,
    focus: view.bhxhNumber ? 'password' : 'bhxh_number',
  });
  return layout(
    page,
    t('login.title'),
    html`
<h1>${t('login.title')}</h1>
<p>${t('login.intro', { client: view.clientName })}</p>
${view.notice ? html`<p class="notice-ok" role="status" id="login-notice">${view.notice}</p>` : ''}
${view.error ? html`<div class="alert" role="alert" id="login-error">${view.error}</div>` : ''}
${
  view.passwordForm === false
    ? (view.vneid ?? '')
    : html`
<form method="post" action="${view.action}" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <label for="bhxh_number">${t('login.bhxh_number')}</label>
  <span class="hint" id="bhxh_number_hint">${t('login.bhxh_number_hint')}</span>
  <input type="text" id="bhxh_number" name="bhxh_number" value="${view.bhxhNumber ?? ''}" inputmode="numeric"
    autocomplete="username" autocapitalize="off" spellcheck="false" maxlength="20" required${field('bhxh_number', ['bhxh_number_hint'])}>
  <label for="password">${t('login.password')}</label>
  ${passwordField(html`<input type="password" id="password" name="password" autocomplete="current-password" required
    maxlength="1024"${field('password')}>`)}
  ${view.captcha ?? ''}
  <button type="submit">${t('login.submit')}</button>
</form>
${view.vneid ? html`<p class="or"><span>${t('login.or')}</span></p>${view.vneid}` : ''}`
}
<div class="links">
  ${view.forgotHref && view.passwordForm !== false ? html`<a href="${view.forgotHref}">${t('login.forgot')}</a>` : ''}
  <a href="${view.cancelHref}">${t('login.cancel')}</a>
</div>`,
  );
}
