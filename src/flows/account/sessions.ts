// The account page's sessions section (issue 16). Not built yet: the page exists so the overview's link and deep links
// land somewhere.
import type Router from '@koa/router';
import { html } from '../../core/html.js';
import { accountPage } from '../../../views/account/layout.js';
import type { SectionTools } from './section.js';

export type SessionsSectionDeps = Record<never, never>;

export function registerSessionsSection(router: Router, _deps: SessionsSectionDeps, tools: SectionTools): void {
  router.get('/account/sessions', tools.signedIn, async (ctx) => {
    const frame = tools.frame(ctx);
    ctx.body = accountPage(
      frame,
      frame.page.t('account.section.sessions'),
      html`<p>${frame.page.t('account.section.sessions.hint')}</p>`,
    );
  });
}
