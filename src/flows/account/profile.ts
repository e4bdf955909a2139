// The account page's profile section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type ProfileSectionDeps = Record<never, never>;

export function registerProfileSection(router: Router, _deps: ProfileSectionDeps, tools: SectionTools): void {
  router.get('/account/profile', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.profile'),
      html`<p>${frame.page.t('account.section.profile.hint')}</p>`,
    );
  });
}
