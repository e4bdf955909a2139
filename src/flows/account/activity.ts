// The account page's activity section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type ActivitySectionDeps = Record<never, never>;

export function registerActivitySection(router: Router, _deps: ActivitySectionDeps, tools: SectionTools): void {
  router.get('/account/activity', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.activity'),
      html`<p>${frame.page.t('account.section.activity.hint')}</p>`,
    );
  });
}
