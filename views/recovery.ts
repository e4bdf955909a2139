// Password recovery pages: the address form (with the other ways to recover, shown to everyone), the code form,
// and the "password changed" page. The new-password step reuses views/set-password.ts.
import { html, type SafeHtml } from '../src/core/html.js';
import { codeStep } from './code-step.js';
import { fieldAttributes } from './fields.js';
import { layout } from './layout.js';
import type { PageContext } from '../src/core/locale.js';

function otherWays(page: PageContext): SafeHtml {
  const { t } = page;
  return html`
<section class="other-ways" aria-labelledby="other-ways-title">
  <h2 id="other-ways-title">${t('recovery.other_ways.title')}</h2>
  <ul>
    <li>${t('recovery.other_ways.sms')}</li>
    <li>${t('recovery.other_ways.hotline')}</li>
    <li>${t('recovery.other_ways.office')}</li>
  </ul>
</section>`;
}

export interface RecoveryAddressView {
  action: string;
  /** Where the "use SMS instead / use email instead" button posts. */
  switchAction: string;
  csrfToken: string;
  /** Which address the page asks for. */
  field: 'email' | 'phone';
  /** Whether the other method is switched on (then a button offers it). */
  canSwitch: boolean;
  bhxhNumber?: string;
  address?: string;
  error?: string;
  /** The fields the error is about; the first takes the focus (none: the captcha, or a pause). */
  errorFields?: Array<'bhxh_number' | 'address'>;
  captcha: SafeHtml;
  backHref?: string;
}

export function recoveryAddressPage(page: PageContext, view: RecoveryAddressView): string {
  const { t } = page;
  const field = fieldAttributes({
    order: ['bhxh_number', 'address'],
    errorId: view.error ? 'recovery-error' : undefined,
    inError: view.errorFields,
  });
  return layout(
    page,
    t('recovery.title'),
    html`
<h1>${t('recovery.title')}</h1>
<p>${view.field === 'phone' ? t('recovery.intro_phone') : t('recovery.intro')}</p>
${view.error ? html`<div class="alert" role="alert" id="recovery-error">${view.error}</div>` : ''}
<form method="post" action="${view.action}" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <label for="bhxh_number">${t('login.bhxh_number')}</label>
  <span class="hint" id="bhxh_number_hint">${t('login.bhxh_number_hint')}</span>
  <input type="text" id="bhxh_number" name="bhxh_number" value="${view.bhxhNumber ?? ''}" inputmode="numeric"
    autocomplete="username" autocapitalize="off" spellcheck="false" maxlength="20" required${field('bhxh_number', ['bhxh_number_hint'])}>
  ${
    view.field === 'phone'
      ? html`<label for="phone">${t('recovery.phone')}</label>
  <span class="hint" id="phone_hint">${t('recovery.phone_hint')}</span>
  <input type="tel" id="phone" name="phone" value="${view.address ?? ''}" autocomplete="tel" inputmode="tel" maxlength="30"
    required${field('address', ['phone_hint'])}>`
      : html`<label for="email">${t('recovery.email')}</label>
  <input type="email" id="email" name="email" value="${view.address ?? ''}" autocomplete="email" autocapitalize="off"
    spellcheck="false" maxlength="254" required${field('address')}>`
  }
  ${view.captcha}
  <button type="submit">${t('recovery.submit')}</button>
</form>
${
  view.canSwitch
    ? html`<form method="post" action="${view.switchAction}">
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <input type="hidden" name="method" value="${view.field === 'phone' ? 'email-code' : 'sms-code'}">
  <button type="submit" class="secondary">${view.field === 'phone' ? t('recovery.use_email') : t('recovery.use_phone')}</button>
</form>`
    : ''
}
${otherWays(page)}
${view.backHref ? html`<div class="links"><a href="${view.backHref}">${t('recovery.back_to_sign_in')}</a></div>` : ''}`,
  );
}

export interface RecoveryCodeView {
  action: string;
  resendAction: string;
  csrfToken: string;
  /** Where the code goes: the advice for a code that has not arrived depends on it. */
  channel: 'email' | 'sms';
  /** The address as the member typed it (a phone masked). */
  address: string;
  minutes: number;
  /** The limits a member is told about: one code per `cooldownSeconds`, `perHour` an hour. */
  cooldownSeconds: number;
  perHour: number;
  /** The last request was refused because this browser had asked within the cooldown. */
  repeat?: { live: boolean; waitSeconds: number };
  error?: string;
  /** True when the error is about the code typed (not a pause in sending codes). */
  codeInError?: boolean;
  notice?: string;
  backHref?: string;
}

export function recoveryCodePage(page: PageContext, view: RecoveryCodeView): string {
  const { t } = page;
  const cooldown = view.cooldownSeconds;
  // A number stays on one line at 360 px ("0168 ••• •321" must not break after "0168").
  const address = view.address.replace(/ /g, '\u00a0');
  // Said only while the wait lasts: once it is over, the usual page (a reload, later, must not say "just now").
  const repeat = view.repeat && view.repeat.waitSeconds > 0 ? view.repeat : undefined;
  const intro = repeat
    ? repeat.live
      ? t('recovery.code.repeat_live', { address, cooldown })
      : t('recovery.code.repeat_dead', { cooldown })
    : t('recovery.code.sent', { address, minutes: view.minutes });
  return layout(
    page,
    t('recovery.code.title'),
    html`
<h1>${t('recovery.code.title')}</h1>
${codeStep(page, {
  action: view.action,
  resendAction: view.resendAction,
  csrfToken: view.csrfToken,
  intro: repeat
    ? html`<p class="notice-ok" role="status" id="code-repeat">${intro} ${t('recovery.code.wait', { seconds: repeat.waitSeconds })}</p>`
    : html`<p>${intro}</p>`,
  resendHint: view.channel === 'sms' ? t('recovery.code.resend_hint_sms') : t('recovery.code.resend_hint_email'),
  limits: t('recovery.code.limits', { cooldown, perHour: view.perHour }),
  ...(view.notice ? { notice: view.notice } : {}),
  ...(view.error ? { error: view.error, codeInError: view.codeInError ?? false } : {}),
})}
${otherWays(page)}
${view.backHref ? html`<div class="links"><a href="${view.backHref}">${t('recovery.back_to_sign_in')}</a></div>` : ''}`,
  );
}

export function recoveryDonePage(page: PageContext): string {
  const { t } = page;
  return layout(
    page,
    t('recovery.done.title'),
    html`
<h1>${t('recovery.done.title')}</h1>
<p role="status">${t('recovery.done.message')}</p>
<p>${t('recovery.done.sign_in')}</p>`,
  );
}
