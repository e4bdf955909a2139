// The account page's phone section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type PhoneSectionDeps = Record<never, never>;

export function registerPhoneSection(router: Router, _deps: PhoneSectionDeps, tools: SectionTools): void {
  router.get('/account/phone', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.phone'),
      html`<p>${frame.page.t('account.section.phone.hint')}</p>`,
    );
  });
}
