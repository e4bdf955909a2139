// The account page's vneid section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type VneidSectionDeps = Record<never, never>;

export function registerVneidSection(router: Router, _deps: VneidSectionDeps, tools: SectionTools): void {
  router.get('/account/vneid', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.vneid'),
      html`<p>${frame.page.t('account.section.vneid.hint')}</p>`,
    );
  });
}
