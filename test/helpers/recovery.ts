// Walks the password-reset pages the way a member's browser does, solving the captcha like the widget.
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Browser, Page } from './browser.js';

/** Fetches a challenge from the server and returns the `altcha` field the widget would post. */
export async function solveCaptcha(origin: string): Promise<string> {
  const challenge = (await (await fetch(`${origin}/captcha/challenge`)).json()) as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('captcha not solved');
  return Buffer.from(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution })).toString('base64');
}

/** Submits number + email (+ a solved captcha unless `captcha: ''`) on the address page. */
export async function requestCode(browser: Browser, origin: string, addressPage: Page, bhxhNumber: string, email: string, opts: { captcha?: string } = {}): Promise<Page> {
  const altcha = opts.captcha ?? (await solveCaptcha(origin));
  return browser.submit(addressPage, { bhxh_number: bhxhNumber, email, altcha }, '/address');
}

export async function enterCode(browser: Browser, codePage: Page, code: string): Promise<Page> {
  return browser.submit(codePage, { code }, '/code');
}

export async function choosePassword(browser: Browser, passwordPage: Page, password: string, confirm = password): Promise<Page> {
  return browser.submit(passwordPage, { new_password: password, confirm_password: confirm }, '/password');
}

/** Strips what differs per request (CSRF token, flow id, request id) so two pages can be compared byte for byte. */
export function normalise(html: string): string {
  return html
    .replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="…"')
    .replace(/\/recovery\/[A-Za-z0-9_-]{16,}/g, '/recovery/FLOW')
    .replace(/lang=(en|vi)/g, 'lang=$1');
}
