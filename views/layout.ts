import { html, type SafeHtml } from '../src/core/html.js';
import type { PageContext } from '../src/core/locale.js';
import { HOTLINE, HOTLINE_HREF } from '../src/core/hotline.js';
import { FORM_SCRIPT_URL } from './form-script.js';

/** `hotlineInBody`: the page's own next step already names the hotline, so the footer does not repeat it. */
export function layout(
  page: PageContext,
  title: string,
  body: SafeHtml,
  options: { hotlineInBody?: boolean } = {},
): string {
  const { t } = page;
  // The switch names the other language in that language ("English", "Tiếng Việt"): lang says so to screen readers
  // (WCAG 3.1.2), hreflang says the page it opens is in it.
  const other = page.locale === 'vi' ? 'en' : 'vi';
  return `<!doctype html>${
    html`
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · ${t('site.name')}</title>
<link rel="stylesheet" href="/static/app.css">
<script src="${FORM_SCRIPT_URL}" defer data-reveal="${t('form.reveal')}" data-reveal-label="${t('form.reveal_label')}"
  data-busy="${t('form.busy')}"></script>
</head>
<body>
<a class="skip" href="#main">${t('site.skip')}</a>
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true">BHXH</span><span>${t('site.agency')}</span></div>
  <a class="lang" href="${page.switchLanguageHref}" hreflang="${other}" lang="${other}">${t('site.switch_language')}</a>
</header>
<main id="main" class="card">
${body}
</main>
<footer class="foot">
  ${options.hotlineInBody ? '' : html`<p>${t('site.hotline_label')} <a href="${HOTLINE_HREF}">${HOTLINE}</a></p>`}
  <p class="notice">${t('site.scam_notice')}</p>
</footer>
</body>
</html>`.value
  }`;
}
