// The one script of our own pages, served from our origin (/static/forms.js) so the CSP can stay at script-src 'self'.
// It only enhances forms that work without it:
//   - a show-password toggle in every password field (views/fields.ts renders the .password-field wrapper): a real
//     <button type="button"> with aria-pressed and a name in the page's language; without JavaScript there is none;
//   - on submit, the pressed button says it is working (aria-busy, a working label) and the page takes no second
//     submit (the sign-in may wait seconds under progressive delays).
// The page's strings come from data- attributes of the <script> element (views/layout.ts), so the file is the same
// for every language and can be cached for good under its versioned URL.
import crypto from 'node:crypto';

// NOTE: written for old phone browsers (no arrow functions, no optional chaining). The submitter is disabled only
// after the browser has read the form: a disabled button's name and value would be left out (the logout page's
// "logout=yes"). Password fields go back to type=password on submit, so nothing is saved in a text field's history
// and password managers see a password field.
const SOURCE = `// BHXH ID: show-password toggles and the working state of submit buttons (the forms work without this file).
(function () {
  'use strict';
  var script = document.currentScript;
  function text(name) {
    return (script && script.getAttribute('data-' + name)) || '';
  }
  var toggles = [];
  var busyButtons = [];
  var submitted = false;

  function conceal(toggle) {
    toggle.input.type = 'password';
    toggle.button.setAttribute('aria-pressed', 'false');
  }

  function addToggle(field) {
    var input = field.querySelector('input[type="password"]');
    if (!input || field.querySelector('button.reveal')) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'reveal';
    button.textContent = text('reveal');
    button.setAttribute('aria-label', text('reveal-label'));
    button.setAttribute('aria-pressed', 'false');
    if (input.id) button.setAttribute('aria-controls', input.id);
    var toggle = { input: input, button: button };
    button.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.setAttribute('aria-pressed', show ? 'true' : 'false');
    });
    field.appendChild(button);
    field.className += ' has-reveal';
    toggles.push(toggle);
  }

  function submitButtonOf(event) {
    if (event.submitter) return event.submitter;
    var form = event.target;
    return form && form.querySelector ? form.querySelector('button[type="submit"], button:not([type])') : null;
  }

  // Bubbling to the document, after the form's own listeners (the captcha widget may hold a submit back).
  document.addEventListener('submit', function (event) {
    if (event.defaultPrevented) return;
    if (submitted) {
      event.preventDefault();
      return;
    }
    submitted = true;
    for (var i = 0; i < toggles.length; i++) conceal(toggles[i]);
    var button = submitButtonOf(event);
    if (!button) return;
    busyButtons.push({ button: button, label: button.textContent });
    button.setAttribute('aria-busy', 'true');
    button.textContent = text('busy');
    setTimeout(function () {
      button.disabled = true;
    }, 0);
  });

  // A page restored from the back-forward cache is usable again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    submitted = false;
    for (var i = 0; i < busyButtons.length; i++) {
      var b = busyButtons[i];
      b.button.disabled = false;
      b.button.removeAttribute('aria-busy');
      b.button.textContent = b.label;
    }
    busyButtons = [];
  });

  var fields = document.querySelectorAll('.password-field');
  for (var i = 0; i < fields.length; i++) addToggle(fields[i]);
})();
`;

export const FORM_SCRIPT_PATH = '/static/forms.js';
export const FORM_SCRIPT = SOURCE;
const VERSION = crypto.createHash('sha256').update(SOURCE).digest('hex').slice(0, 12);

/** The URL pages use: versioned, so a new release gets a new URL and the old one may be cached for good. */
export const FORM_SCRIPT_URL = `${FORM_SCRIPT_PATH}?v=${VERSION}`;

/** True when the URL asked for this exact release. */
export function isCurrentFormScript(v: unknown): boolean {
  return v === VERSION;
}
