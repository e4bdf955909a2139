// The account page's data section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type DataSectionDeps = Record<never, never>;

export function registerDataSection(router: Router, _deps: DataSectionDeps, tools: SectionTools): void {
  router.get('/account/data', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.data'),
      html`<p>${frame.page.t('account.section.data.hint')}</p>`,
    );
  });
}
