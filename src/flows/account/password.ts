// The account page's password section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type PasswordSectionDeps = Record<never, never>;

export function registerPasswordSection(router: Router, _deps: PasswordSectionDeps, tools: SectionTools): void {
  router.get('/account/password', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.password'),
      html`<p>${frame.page.t('account.section.password.hint')}</p>`,
    );
  });
}
