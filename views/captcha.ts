// The captcha inside a form: ALTCHA's widget, which fetches a challenge and solves it as soon as the page loads (so it
// is done before the member reaches the button), and a note for browsers without JavaScript. Works under our CSP
// ('self' only, no inline script or style): every file comes from /static/altcha/.
import type { Locale } from '../src/core/i18n.js';
import { widgetAssetUrl } from './captcha-assets.js';
import { html, type SafeHtml } from '../src/core/html.js';

export interface CaptchaFieldLabels {
  /** The page's language; the widget shows its own strings (label, "verifying…", errors) in it. */
  locale: Locale;
  /** Shown without JavaScript: the request still works, but only a few times per hour from one connection. */
  noScript: string;
}

// No artificial minimum "verifying" time (it solves while the member reads the page anyway); our server never asks for
// the human-interaction signature (a Sentinel feature), so the widget need not collect it; no logo or footer link to
// a third-party site.
const WIDGET_CONFIGURATION = JSON.stringify({
  minDuration: 0,
  hideFooter: true,
  hideLogo: true,
  humanInteractionSignature: false,
});

/** The widget (posts its solution as `altcha`), its stylesheet and module, and the no-JavaScript note. */
export function captchaField(labels: CaptchaFieldLabels): SafeHtml {
  return html`<div class="captcha">
  <link rel="stylesheet" href="${widgetAssetUrl('altcha.css')}">
  <script type="module" src="${widgetAssetUrl('setup.js')}"></script>
  <altcha-widget challenge="/captcha/challenge" name="altcha" auto="onload" language="${labels.locale}"
    configuration="${WIDGET_CONFIGURATION}"></altcha-widget>
  <noscript><p class="hint">${labels.noScript}</p></noscript>
</div>`;
}
