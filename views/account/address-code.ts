// The code step of the account page's email and phone sections: the recovery code step's pieces (views/code-step.ts)
// in the account page's frame, in the section's words, with the way back to type another address.
import { html, type SafeHtml } from '../../src/core/html.js';
import { codeStep } from '../code-step.js';
import { type AccountFrame, accountPage } from './layout.js';

export interface AddressCodeView {
  section: 'email' | 'phone';
  csrfToken: string;
  /** Where the code went, as the page may show it (a phone masked). */
  address: string;
  minutes: number;
  cooldownSeconds: number;
  perHour: number;
  /** "Confirm it's you", when the sign-in is too old for the change this code would make. */
  reauth?: SafeHtml;
  notice?: string;
  error?: string;
  /** True when the error is about the code typed (not a pause in sending codes). */
  codeInError?: boolean;
}

export function addressCodePage(frame: AccountFrame, view: AddressCodeView): string {
  const { t } = frame.page;
  const s = view.section;
  // A number stays on one line at 360 px ("0912 ••• 678" must not break after "0912").
  const address = view.address.replace(/ /g, '\u00a0');
  return accountPage(
    frame,
    t(`account.${s}.code.title`),
    html`
${view.reauth ?? ''}
${codeStep(frame.page, {
  action: `/account/${s}/code`,
  resendAction: `/account/${s}/resend`,
  csrfToken: view.csrfToken,
  intro: html`<p class="wrap" id="code-sent">${t(`account.${s}.code.sent`, { address, minutes: view.minutes })}</p>`,
  resendHint: t(`account.${s}.code.resend_hint`),
  limits: t(`account.${s}.code.limits`, { cooldown: view.cooldownSeconds, perHour: view.perHour }),
  ...(view.notice ? { notice: view.notice } : {}),
  ...(view.error ? { error: view.error, codeInError: view.codeInError ?? false } : {}),
})}
<div class="links"><a href="/account/${s}#new-address" id="use-another">${t(`account.${s}.code.another`)}</a></div>`,
  );
}
