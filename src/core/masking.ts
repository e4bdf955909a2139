// How an address is shown where it must not be read in full: on a page someone may be looking over, and in a notice
// to an old address about the new one (src/security/address-change.ts). One rule for phones (the first four and the
// last three digits) and one for email (the first character of the mailbox and of the domain, and the top-level
// domain), used by the pages and the templates alike.

/** Digits shown at each end of a masked number. */
const SHOWN_FIRST = 4;
const SHOWN_LAST = 3;

/**
 * A phone number masked in the form the member typed it: every digit but the first four and the last three becomes
 * `hidden` ("•"), and everything else (spaces, dots, dashes, a leading +) stays where it was, so `0168 765 4321` reads
 * `0168 ••• •321` and `0912.345.678` reads `0912.•••.678`. Runs of spaces become one.
 * NOTE: the start shows the network prefix the member recognises (in her own old or new form); the middle, which
 * tells one subscriber from another, is hidden from anyone looking at the screen.
 */
export function maskPhoneAsTyped(typed: string, hidden = '•'): string {
  const text = typed.trim().replace(/\s+/g, ' ');
  const digits = text.replace(/[^0-9]/g, '').length;
  let seen = 0;
  return text.replace(/[0-9]/g, (digit) => {
    seen += 1;
    return seen <= SHOWN_FIRST || seen > digits - SHOWN_LAST ? digit : hidden;
  });
}

/**
 * A number on file (E.164) masked the way members write it: a Vietnamese mobile number in its national form
 * (`+84912345678` → `0912 ••• 678`), any other number as E.164 (`+4477•••••123`).
 */
export function maskPhoneNumber(e164: string, hidden = '•'): string {
  const national = /^\+84([0-9]{9})$/.exec(e164)?.[1];
  if (national)
    return maskPhoneAsTyped(`0${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`, hidden);
  return maskPhoneAsTyped(e164, hidden);
}

/**
 * An email address (normalised by the one email rule) masked: the first character of the mailbox and of the domain,
 * and the top-level domain when short (`nguyen.van.a@gmail.com` → `n•••@g•••.com`). A first character that is not a
 * letter or digit is hidden too, so the result is plain ASCII besides `hidden` (an SMS stays GSM-7 with `*`).
 */
export function maskEmailAddress(address: string, hidden = '•'): string {
  const at = address.lastIndexOf('@');
  const local = at > 0 ? address.slice(0, at) : address;
  const labels = at > 0 ? address.slice(at + 1).split('.') : [];
  const first = (text: string) => (/^[A-Za-z0-9]/.test(text) ? text[0]! : hidden);
  const run = hidden.repeat(3);
  const top = labels.length > 1 ? labels.at(-1)! : '';
  const domain = labels.length > 0 ? `${first(labels[0]!)}${run}` : run;
  return `${first(local)}${run}@${domain}${top ? `.${top.length <= 6 ? top : `${first(top)}${run}`}` : ''}`;
}
