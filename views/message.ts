// A plain page with a title and a message: errors, 404, signed out.
import { html, type SafeHtml } from '../src/core/html.js';
import { layout } from './layout.js';
import type { PageContext } from '../src/core/locale.js';

export interface MessageView {
  title: string;
  message: string;
  detail?: string;
  extra?: SafeHtml;
}

export function messagePage(page: PageContext, view: MessageView): string {
  return layout(
    page,
    view.title,
    html`
<h1>${view.title}</h1>
<p>${view.message}</p>
${view.detail ? html`<p class="muted">${view.detail}</p>` : ''}
${view.extra ?? ''}`,
  );
}
