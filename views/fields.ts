// What every form field shares: how it is tied to the page's error summary, and the wrapper of a password field
// (where the show-password toggle of views/form-script.ts goes; without JavaScript the wrapper is all there is).
import { html, type SafeHtml } from '../src/core/html.js';

export interface FormErrors<F extends string> {
  /** The form's fields in page order. */
  order: readonly F[];
  /** The id of the page's error summary, when there is an error. */
  errorId?: string | undefined;
  /** The fields the error is about (none: an error about the page, such as a pause or a captcha). */
  inError?: readonly F[] | undefined;
  /** The field that takes the focus when no field is in error. */
  focus?: F | undefined;
}

/**
 * The attributes of each field of a form: aria-describedby (the error summary first when the field is in error, then
 * the field's own hints), aria-invalid, and autofocus on the first field in error. Server-rendered, so the focus lands
 * there without JavaScript.
 */
export function fieldAttributes<F extends string>(form: FormErrors<F>): (field: F, hints?: string[]) => SafeHtml {
  const wrong = form.errorId ? form.order.filter((f) => form.inError?.includes(f)) : [];
  const focus = wrong[0] ?? form.focus;
  return (field, hints = []) => {
    const invalid = wrong.includes(field);
    const describedBy = [...(invalid ? [form.errorId!] : []), ...hints];
    return html`${describedBy.length ? html` aria-describedby="${describedBy.join(' ')}"` : ''}${
      invalid ? html` aria-invalid="true"` : ''
    }${field === focus ? html` autofocus` : ''}`;
  };
}

/** A password input inside the wrapper the show-password toggle goes into. */
export function passwordField(input: SafeHtml): SafeHtml {
  return html`<div class="password-field">${input}</div>`;
}
