// The account page's apps section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type AppsSectionDeps = Record<never, never>;

export function registerAppsSection(router: Router, _deps: AppsSectionDeps, tools: SectionTools): void {
  router.get('/account/apps', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.apps'),
      html`<p>${frame.page.t('account.section.apps.hint')}</p>`,
    );
  });
}
