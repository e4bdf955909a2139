// Signing in to the account page (/account) as a browser does: the page sends the browser through our own
// authorization endpoint and sign-in page, and back.
import { Browser, type Page } from './browser.js';
import type { Db } from '../../src/db/database.js';
import type { TestServer } from './server.js';

/** Opens `path` (an /account page), signs in with the number and password, and returns the page it lands on. */
export async function signInToAccount(
  t: Pick<TestServer, 'url'>,
  member: { bhxhNumber: string; password: string },
  options: { path?: string; browser?: Browser } = {},
): Promise<{ browser: Browser; page: Page }> {
  const browser = options.browser ?? new Browser(t.url);
  const login = await browser.get(options.path ?? '/account');
  if (!login.html.includes('name="bhxh_number"'))
    throw new Error(`expected the sign-in page, got ${login.status} ${login.url}\n${login.html.slice(0, 800)}`);
  const page = await browser.submit(login, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');
  return { browser, page };
}

/** Confirms it is the member again ("Xác nhận đó là bạn"): the sign-in page with prompt=login, back to `returnTo`. */
export async function confirmIdentity(
  browser: Browser,
  member: { bhxhNumber: string; password: string },
  returnTo: string,
): Promise<Page> {
  const login = await browser.get(`/account/sign-in?reauth=1&return=${encodeURIComponent(returnTo)}`);
  if (!login.html.includes('name="password"'))
    throw new Error(`expected the sign-in page, got ${login.status} ${login.url}\n${login.html.slice(0, 800)}`);
  return browser.submit(login, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');
}

/**
 * Makes the member's account-page sign-ins `seconds` older (their `authTime`), so a sensitive change needs "confirm
 * it's you". The provider stamps sign-ins with the real clock, so moving the test clock instead would also make the
 * confirmation that follows look old.
 */
export async function ageAccountSignIn(db: Db, accountId: string, seconds: number): Promise<void> {
  const rows: Array<{ id: string; data: string | { authTime: number } }> = await db('flows')
    .where({ kind: 'account_session' })
    .whereRaw(`data->>'accountId' = ?`, [accountId])
    .select('id', 'data');
  for (const row of rows) {
    const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
    await db('flows')
      .where({ id: row.id, kind: 'account_session' })
      .update({ data: JSON.stringify({ ...data, authTime: data.authTime - seconds }) });
  }
}
