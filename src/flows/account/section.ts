// What every section of the account page gets from the shell (routes.ts): the middleware that requires a signed-in
// member, the form parser, CSRF, and the frame its pages are drawn in.
import type { Context, Middleware } from 'koa';
import type { AccountFrame } from '../../../views/account/layout.js';
import { type AccountShellDeps, member, signOutHref } from './account-session.js';

export interface SectionTools {
  /** Requires the account page's session (redirects to the sign-in otherwise) and sets `member(ctx)`. */
  signedIn: Middleware;
  parseForm: Middleware;
  /** Checks the form's CSRF token (every POST). */
  csrf: Middleware;
  /** For the POST of a sensitive change: a sign-in older than ACCOUNT_REAUTH_SECONDS goes back to `returnTo`. */
  recentSignIn: (returnTo: string) => Middleware;
  /** The frame (name, masked number, sign-out link) for this request's member. */
  frame: (ctx: Context) => AccountFrame;
}

export function frameOf(deps: Pick<AccountShellDeps, 'config'>, ctx: Context): AccountFrame {
  const m = member(ctx);
  return {
    page: m.page,
    fullName: m.account.fullName,
    bhxhNumber: m.account.bhxhNumber,
    signOutHref: signOutHref(deps, m.page),
  };
}
