// The start page (`/`): what BHXH ID is, how a member signs in (through an app), the way to a forgotten password,
// and the hotline. Error pages that do not know the member's app send her here.
import { html } from '../src/core/html.js';
import { HOTLINE, HOTLINE_HREF } from '../src/core/hotline.js';
import type { PageContext } from '../src/core/locale.js';
import { layout } from './layout.js';

export function homePage(page: PageContext): string {
  const { t } = page;
  return layout(
    page,
    t('home.title'),
    html`
<h1>${t('home.title')}</h1>
<p>${t('home.intro')}</p>
<p id="home-how">${t('home.how')}</p>
<a class="button secondary" id="home-forgot" href="/recovery">${t('login.forgot')}</a>
<p class="help" id="hotline">${t('next.hotline')} <a href="${HOTLINE_HREF}">${HOTLINE}</a>.</p>
<p class="muted">${t('home.developers')} <a href="/.well-known/openid-configuration">OpenID Connect discovery</a></p>`,
  );
}
