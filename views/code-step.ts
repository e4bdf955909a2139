// The code step of every flow that sends a 6-digit code (password recovery, the account page's email and phone): what
// was sent where, the code form, "never share it", and "send a new code" with the advice and the limits. Each flow
// wraps it in its own page and says the sentences in its own words; the form and its error handling are this one.
import { html, type SafeHtml } from '../src/core/html.js';
import type { PageContext } from '../src/core/locale.js';
import { fieldAttributes } from './fields.js';

export interface CodeStepView {
  /** Where the code posts. */
  action: string;
  /** Where "send a new code" posts. */
  resendAction: string;
  csrfToken: string;
  /** What was sent where (or why nothing new was sent), above the form. */
  intro: SafeHtml;
  /** The advice for a code that has not arrived (it depends on the channel). */
  resendHint: string;
  /** The limits a member is told about. */
  limits: string;
  notice?: string;
  error?: string;
  /** True when the error is about the code typed (not a pause in sending codes). */
  codeInError?: boolean;
}

export function codeStep(page: PageContext, view: CodeStepView): SafeHtml {
  const { t } = page;
  const field = fieldAttributes({
    order: ['code'],
    errorId: view.error ? 'code-error' : undefined,
    inError: view.codeInError ? ['code'] : [],
    focus: 'code',
  });
  return html`${view.intro}
${view.notice ? html`<p class="notice-ok" role="status">${view.notice}</p>` : ''}
${view.error ? html`<div class="alert" role="alert" id="code-error">${view.error}</div>` : ''}
<form method="post" action="${view.action}" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <label for="code">${t('recovery.code.label')}</label>
  <input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" maxlength="12"
    required${field('code')}>
  <button type="submit">${t('recovery.code.submit')}</button>
</form>
<p class="muted">${t('recovery.code.never_share')}</p>
<form method="post" action="${view.resendAction}">
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <p class="muted" id="resend-hint">${view.resendHint}</p>
  <p class="muted" id="code-limits">${view.limits}</p>
  <button type="submit" class="secondary">${t('recovery.code.resend')}</button>
</form>`;
}
