// /dev/mailbox: the messages the embedded mode "sent", for developers. Registered only outside production.
// NOTE: the HTML part is shown in a sandboxed iframe (no scripts, no same origin) and the page keeps the site's CSP.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { html } from '../core/html.js';
import { layout } from '../../views/layout.js';
import { pageContext, resolveLocale } from '../core/locale.js';
import type { DevMailbox, MailboxEntry } from './mailbox.js';

const TITLE = 'Hộp thư thử nghiệm / Dev mailbox';

function respond(ctx: Context, status: number, title: string, body: ReturnType<typeof html>) {
  ctx.status = status;
  ctx.type = 'html';
  // NOTE: these pages show one-time codes: never cached.
  ctx.set('Cache-Control', 'no-store');
  ctx.body = layout(pageContext(ctx, resolveLocale(ctx)), title, body);
}

/** What the list shows of a message: its subject, or an SMS's first line (an SMS has no subject). */
const preview = (e: MailboxEntry) => e.subject ?? e.text.split('\n', 1)[0]!.slice(0, 80);

function listPage(entries: MailboxEntry[]) {
  return html`
<h1>${TITLE}</h1>
<p class="muted">Chỉ có ngoài môi trường production. / Only outside production.</p>
${
  entries.length === 0
    ? html`<p>Chưa có thư nào. / No messages yet.</p>`
    : html`<ul class="mailbox">
${entries.map(
  (
    e,
  ) => html`<li><a href="/dev/mailbox/${e.id}"><time datetime="${e.at}">${e.at}</time> · ${e.channel} · ${e.to} · ${preview(e)}</a></li>
`,
)}</ul>`
}`;
}

function messagePage(entry: MailboxEntry) {
  return html`
<h1>${entry.subject ?? `SMS → ${entry.to}`}</h1>
<p class="muted"><time datetime="${entry.at}">${entry.at}</time> · ${entry.channel} · ${entry.to}</p>
<h2>Text</h2>
<pre class="wrap">${entry.text}</pre>
${
  entry.html
    ? html`<h2>HTML</h2>
<iframe sandbox srcdoc="${entry.html}" title="HTML" width="100%" height="480"></iframe>
<details><summary>HTML source</summary><pre class="wrap">${entry.html}</pre></details>`
    : ''
}
<p><a href="/dev/mailbox">← ${TITLE}</a></p>`;
}

export function registerDevMailboxRoutes(router: Router, mailbox: DevMailbox): void {
  router.get('/dev/mailbox', async (ctx) => {
    respond(ctx, 200, TITLE, listPage(await mailbox.list()));
  });

  router.get('/dev/mailbox/:id', async (ctx) => {
    const entry = await mailbox.read(String(ctx.params.id));
    if (!entry)
      return respond(
        ctx,
        404,
        TITLE,
        html`<h1>${TITLE}</h1><p>Không có thư này. / No such message.</p><p><a href="/dev/mailbox">← ${TITLE}</a></p>`,
      );
    respond(ctx, 200, entry.subject ?? 'SMS', messagePage(entry));
  });
}
