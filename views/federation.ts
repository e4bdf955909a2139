// Pages of the VNeID round trip: the button on the sign-in page, and every way the round trip can end short of a
// sign-in (upstream down, cancelled, refused, no linked account, level too low), each with a way back.
import { html, type SafeHtml } from '../src/core/html.js';
import { layout } from './layout.js';
import type { PageContext } from '../src/core/locale.js';

/** The "Sign in with VNeID" button: a form post (with the CSRF token) that starts the upstream flow. */
export function vneidButton(
  page: PageContext,
  view: { action: string; csrfToken: string; primary: boolean },
): SafeHtml {
  return html`
<form method="post" action="${view.action}" class="vneid">
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <button type="submit" id="vneid-button" data-method="vneid"${view.primary ? '' : html` class="secondary"`}>${page.t('login.vneid')}</button>
</form>`;
}

export interface FederationProblemView {
  title: string;
  message: string;
  /** Further explanation: what the member can do. */
  next?: string;
  /** Start the VNeID round trip again. */
  retry?: { action: string; csrfToken: string };
  /** Back to the sign-in page of the same request (password sign-in, or linking). */
  password?: { href: string; label: string };
  /** Give up: the relying party gets an error. */
  cancelHref?: string;
}

export function federationProblemPage(page: PageContext, view: FederationProblemView): string {
  const { t } = page;
  return layout(
    page,
    view.title,
    html`
<h1>${view.title}</h1>
<p id="federation-message">${view.message}</p>
${view.next ? html`<p>${view.next}</p>` : ''}
${view.password ? html`<a class="button" id="federation-password" href="${view.password.href}">${view.password.label}</a>` : ''}
${
  view.retry
    ? html`
<form method="post" action="${view.retry.action}">
  <input type="hidden" name="csrf" value="${view.retry.csrfToken}">
  <button type="submit" class="secondary" id="federation-retry">${t('federation.retry')}</button>
</form>`
    : ''
}
<div class="links">
  ${view.cancelHref ? html`<a id="federation-cancel" href="${view.cancelHref}">${t('login.cancel')}</a>` : ''}
</div>`,
  );
}
