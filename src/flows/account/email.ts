// The account page's email section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type EmailSectionDeps = Record<never, never>;

export function registerEmailSection(router: Router, _deps: EmailSectionDeps, tools: SectionTools): void {
  router.get('/account/email', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.email'),
      html`<p>${frame.page.t('account.section.email.hint')}</p>`,
    );
  });
}
