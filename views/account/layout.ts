// The frame of every account page: the way back to the overview, sign-out, who is signed in, then the section.
// `confirmIdentity` is the block a sensitive section shows instead of its form when the sign-in is too old.
import { html, type SafeHtml } from '../../src/core/html.js';
import type { PageContext } from '../../src/core/locale.js';
import { layout } from '../layout.js';

export interface AccountFrame {
  page: PageContext;
  /** The member's name and masked BHXH number, shown under the bar. */
  fullName: string;
  bhxhNumber: string;
  /** Where "Đăng xuất" goes (flows/account/account-session.ts, signOutHref). */
  signOutHref: string;
}

/** A BHXH number or national ID with all but the last four digits hidden. */
export function maskNumber(value: string): string {
  return `${'•'.repeat(Math.max(0, value.length - 4))}${value.slice(-4)}`;
}

export function accountPage(
  frame: AccountFrame,
  title: string,
  body: SafeHtml,
  options: { overview?: boolean } = {},
): string {
  const { page } = frame;
  const { t } = page;
  return layout(
    page,
    title,
    html`
<nav class="account-bar" aria-label="${t('account.nav_label')}">
  ${options.overview ? html`<span></span>` : html`<a href="/account" id="account-back">${t('account.back')}</a>`}
  <a href="${frame.signOutHref}" id="sign-out">${t('account.sign_out')}</a>
</nav>
<h1>${title}</h1>
<p class="who" id="signed-in-as">${t('account.signed_in_as', { name: frame.fullName, number: maskNumber(frame.bhxhNumber) })}</p>
${body}`,
  );
}

/** "Confirm it's you": the button starts a sign-in with prompt=login that comes back to `returnTo`. */
export function confirmIdentity(
  page: PageContext,
  options: { href: string; minutes: number; afterRefusedChange?: boolean },
): SafeHtml {
  const { t } = page;
  return html`
<div class="confirm-box" id="confirm-identity" role="status">
  <h2>${t('account.reauth.title')}</h2>
  <p>${t(options.afterRefusedChange ? 'account.reauth.expired' : 'account.reauth.message', { minutes: options.minutes })}</p>
  <a class="button" id="confirm-identity-button" href="${options.href}">${t('account.reauth.button')}</a>
</div>`;
}
