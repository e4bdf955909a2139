// Walks the password-reset pages the way a member's browser does, solving the captcha like the widget.
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Browser, Page } from './browser.js';

/** Fetches a challenge from the server and returns the `altcha` field the widget would post. */
export async function solveCaptcha(origin: string): Promise<string> {
  const challenge = (await (await fetch(`${origin}/captcha/challenge`)).json()) as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('captcha not solved');
  return Buffer.from(
    JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution }),
  ).toString('base64');
}

/** Submits number + email (+ a solved captcha unless `captcha: ''`) on the address page. */
export async function requestCode(
  browser: Browser,
  origin: string,
  addressPage: Page,
  bhxhNumber: string,
  email: string,
  opts: { captcha?: string } = {},
): Promise<Page> {
  const altcha = opts.captcha ?? (await solveCaptcha(origin));
  return browser.submit(addressPage, { bhxh_number: bhxhNumber, email, altcha }, '/address');
}

export async function enterCode(browser: Browser, codePage: Page, code: string): Promise<Page> {
  return browser.submit(codePage, { code }, '/code');
}

export async function choosePassword(
  browser: Browser,
  passwordPage: Page,
  password: string,
  confirm = password,
): Promise<Page> {
  return browser.submit(passwordPage, { new_password: password, confirm_password: confirm }, '/password');
}

/** Strips what differs per request (CSRF token, flow id, request id) so two pages can be compared byte for byte. */
export function normalise(html: string): string {
  return html
    .replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="…"')
    .replace(/\/recovery\/[A-Za-z0-9_-]{16,}/g, '/recovery/FLOW')
    .replace(/lang=(en|vi)/g, 'lang=$1');
}

/** The form whose action contains `actionPart`: its absolute action URL and its hidden fields (CSRF token). */
export function formOf(page: Page, actionPart: string): { action: string; hidden: Record<string, string> } {
  const form = [...page.html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find((f) =>
    f[1]!.includes(actionPart),
  );
  if (!form)
    throw new Error(`no form with action containing ${actionPart} on ${page.url}:\n${page.html.slice(0, 500)}`);
  const hidden: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = input[0].match(/name="([^"]+)"/)?.[1];
    if (name)
      hidden[name] = (input[0].match(/value="([^"]*)"/)?.[1] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return { action: new URL(form[1]!.replace(/&amp;/g, '&'), page.url).href, hidden };
}

/**
 * Posts a page's form (its hidden fields + `fields`) without following the answer's redirect, to see the 303 itself.
 * A field given as an array is sent once per value.
 */
export async function postForm(
  browser: Browser,
  page: Page,
  actionPart: string,
  fields: Record<string, string | string[]>,
): Promise<{ status: number; location: string | null; html: string; headers: Headers }> {
  const { action, hidden } = formOf(page, actionPart);
  const body = new URLSearchParams(hidden);
  for (const [name, value] of Object.entries(fields))
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  const res = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text(), headers: res.headers };
}
