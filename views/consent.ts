// The consent page for relying parties that are not first-party: the requested data in plain words.
import { html } from '../src/core/html.js';
import { layout } from './layout.js';
import type { PageContext } from '../src/core/locale.js';

export interface ConsentView {
  action: string;
  abortHref: string;
  csrfToken: string;
  clientName: string;
  items: string[];
}

export function consentPage(page: PageContext, view: ConsentView): string {
  const { t } = page;
  return layout(
    page,
    t('consent.title'),
    html`
<h1>${t('consent.title')}</h1>
<p>${t('consent.intro', { client: view.clientName })}</p>
<ul class="scopes">${view.items.map((item) => html`<li>${item}</li>`)}</ul>
<form method="post" action="${view.action}">
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <button type="submit">${t('consent.allow')}</button>
</form>
<a class="button secondary" href="${view.abortHref}">${t('consent.deny')}</a>`,
  );
}
