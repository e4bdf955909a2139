// A plain page with a title and a message: errors, 404, signed out. An error page also says what to do next (back to
// the app when it is known, else the start page; and the hotline) and, for a relying party's mistake, keeps the
// technical detail for its developer in a collapsed block.
import { html, type SafeHtml } from '../src/core/html.js';
import { HOTLINE, HOTLINE_HREF } from '../src/core/hotline.js';
import type { AppLink } from '../src/core/self-link.js';
import { layout } from './layout.js';
import type { PageContext } from '../src/core/locale.js';

export interface MessageView {
  title: string;
  message: string;
  detail?: string;
  extra?: SafeHtml;
  /** The way forward: back to `app` when it is known (src/core/self-link.ts, `appLink`), else the start page. */
  next?: { app?: AppLink | undefined };
  /** A relying party's mistake (`error`, `error_description`), shown only to whoever opens the block. */
  technical?: { error: string; description?: string | undefined };
}

/** Back to the app (a link, or "close this page" for a native app), else the start page; then the hotline. */
export function nextStep(page: PageContext, app: AppLink | undefined): SafeHtml {
  const { t } = page;
  return html`
<div class="next" id="next-step">
${
  app?.href
    ? html`<a class="button" id="back-to-app" href="${app.href}">${t('next.back_to_app', { client: app.name })}</a>`
    : app
      ? html`<p id="close-to-app">${t('next.close_to_app', { client: app.name })}</p>
<a class="button secondary" id="start-page" href="/">${t('next.start_page')}</a>`
      : html`<a class="button" id="start-page" href="/">${t('next.start_page')}</a>`
}
<p class="help" id="hotline">${t('next.hotline')} <a href="${HOTLINE_HREF}">${HOTLINE}</a>.</p>
</div>`;
}

function technicalDetail(page: PageContext, detail: NonNullable<MessageView['technical']>): SafeHtml {
  return html`
<details class="technical" id="technical">
<summary>${page.t('error.technical')}</summary>
<dl>
<dt>error</dt><dd><code>${detail.error}</code></dd>
${detail.description ? html`<dt>error_description</dt><dd><code>${detail.description}</code></dd>` : ''}
</dl>
</details>`;
}

export function messagePage(page: PageContext, view: MessageView): string {
  return layout(
    page,
    view.title,
    html`
<h1>${view.title}</h1>
<p id="message">${view.message}</p>
${view.detail ? html`<p class="muted" id="message-detail">${view.detail}</p>` : ''}
${view.extra ?? ''}
${view.next ? nextStep(page, view.next.app) : ''}
${view.technical ? technicalDetail(page, view.technical) : ''}`,
    { hotlineInBody: view.next !== undefined },
  );
}
