// The account page's sign-in and its own session. The page is a first-party client of our own provider
// (`bhxh-account`, src/clients/built-in-clients.ts): a member without a session goes through the hosted sign-in
// (password or VNeID) like for any app, and the code comes back to /account/callback, where it is redeemed
// in-process (PKCE, single use) instead of at the token endpoint. The account session then lives as long as three
// things hold: its idle time (ACCOUNT_IDLE_SECONDS) has not run out, the provider session it came from still exists
// (a sign-out, a password change or "sign out everywhere" ends it), and the account is active.
//
// Sensitive changes need a sign-in within ACCOUNT_REAUTH_SECONDS (`isRecent`): the section then shows "confirm it's
// you", which is the same round trip with `prompt=login` and the member's number filled in. A POST that arrives too
// late (`requireRecentSignIn`) changes nothing and goes back to its section's page, which says why.
import crypto from 'node:crypto';
import type { Context, Middleware, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { Account, AccountRepository } from '../../accounts/account-repository.js';
import { ACCOUNT_CLIENT_ID, accountClientUris } from '../../clients/built-in-clients.js';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import { type PageContext, pageContext, resolveLocale } from '../../core/locale.js';
import type { Csrf } from '../../http/csrf.js';
import { signedInRecently } from '../../security/recent-sign-in.js';
import type { FlowStore } from '../flow-store.js';
import type { AccountSessionData } from './flow-kinds.js';
import './flow-kinds.js';

export interface AccountShellDeps {
  config: Config;
  flows: FlowStore;
  clock: Clock;
  csrf: Csrf;
  accounts: AccountRepository;
  /** The provider serving now (a key change swaps it). */
  provider: () => Provider;
}

/** What every account page knows about the member who is signed in (set by `requireMember`). */
export interface Member {
  account: Account;
  session: AccountSessionData;
  /** The account session's row id (a hash of the cookie). */
  id: string;
  page: PageContext;
  csrfToken: string;
}

export function member(ctx: Context): Member {
  return ctx.state.member as Member;
}

const COOKIE = 'bhxh.account';
const COOKIE_PATH = '/account';
/** A path the account page may return to after a sign-in: /account or one of its sections, nothing else. */
const RETURN_PATH = /^\/account(?:\/[a-z][a-z-]{0,30})?$/;

export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && RETURN_PATH.test(value) ? value : '/account';
}

const rowId = (cookie: string) => crypto.createHash('sha256').update(`account-session:${cookie}`).digest('base64url');

function cookieOptions(ctx: Context, maxAgeMs?: number) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.secure,
    signed: false,
    path: COOKIE_PATH,
    ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
  };
}

/**
 * The sign-in time on the clock this module measures with. oidc-provider stamps `auth_time` from the system clock;
 * recency is measured on the injected one (the same in production): carry the sign-in's age, as the system clock
 * sees it now, over to the injected clock, so a test that moves its clock ages the sign-in and nothing else.
 */
function onOurClock(clock: Clock, authTime: number): number {
  const age = Math.max(0, Math.floor(Date.now() / 1000) - authTime);
  return Math.floor(clock.now().getTime() / 1000) - age;
}

/** Was the member's last sign-in recent enough for a sensitive change? */
export function isRecent(deps: Pick<AccountShellDeps, 'clock' | 'config'>, m: Member): boolean {
  return signedInRecently(m.session.authTime, deps.clock.now(), deps.config.account.reauthSeconds);
}

/** The link that starts "confirm it's you" and comes back to `returnTo`. */
export function reauthHref(returnTo: string): string {
  return `/account/sign-in?reauth=1&return=${encodeURIComponent(safeReturnPath(returnTo))}`;
}

/** Starts the round trip through our own authorization endpoint. */
async function startSignIn(
  deps: AccountShellDeps,
  ctx: Context,
  options: { returnTo: string; reauth: boolean; loginHint?: string | undefined; locale: string },
): Promise<void> {
  const state = crypto.randomBytes(24).toString('base64url');
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  await deps.flows.put({
    kind: 'account_sign_in',
    id: state,
    state: 'awaiting_callback',
    data: { verifier, returnTo: options.returnTo, reauth: options.reauth, binding: deps.csrf.binding(ctx) },
    expiresAt: new Date(deps.clock.now().getTime() + deps.config.ttl.interaction * 1000),
  });
  const query = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: accountClientUris(deps.config.issuer).callback,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ui_locales: options.locale,
  });
  if (options.reauth) query.set('prompt', 'login');
  if (options.loginHint) query.set('login_hint', options.loginHint);
  ctx.status = 303;
  ctx.redirect(`/auth?${query}`);
}

/** Reads the account session of this browser, or undefined (and forgets a dead one). */
async function currentSession(
  deps: AccountShellDeps,
  ctx: Context,
): Promise<{ id: string; data: AccountSessionData; account: Account } | undefined> {
  const cookie = ctx.cookies.get(COOKIE, { signed: false });
  if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
  const id = rowId(cookie);
  const row = await deps.flows.get('account_session', id);
  if (!row) return undefined;
  const [providerSession, account] = await Promise.all([
    deps.provider().Session.findByUid(row.data.sessionUid),
    deps.accounts.findById(row.data.accountId),
  ]);
  if (!providerSession || providerSession.accountId !== row.data.accountId || account?.status !== 'active') {
    await deps.flows.delete('account_session', id);
    return undefined;
  }
  // Idle time slides with use (written at most once a minute).
  const expiresAt = new Date(deps.clock.now().getTime() + deps.config.account.idleSeconds * 1000);
  if (expiresAt.getTime() - row.expiresAt.getTime() > 60_000) await deps.flows.put({ ...row, expiresAt });
  return { id, data: row.data, account };
}

/**
 * A POST answered with a page (a refused change) links the language switch to its section's page: /account/<section>,
 * never the POST's own path (`/account/sessions/end` has no GET).
 */
function sectionPage(ctx: Context, page: PageContext): PageContext {
  if (ctx.method === 'GET') return page;
  const section = /^\/account(?:\/[a-z][a-z-]{0,30})?/.exec(ctx.path)?.[0] ?? '/account';
  return { ...page, switchLanguageHref: `${section}?lang=${page.locale === 'vi' ? 'en' : 'vi'}` };
}

/**
 * Every account page: the member signed in through the account page's session, or a redirect to the sign-in (which
 * comes back to this page). Sets `ctx.state.member`.
 */
export function requireMember(deps: AccountShellDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    // Personal data: no cache keeps it, and Back after a sign-out asks again.
    ctx.set('Cache-Control', 'no-store');
    const found = await currentSession(deps, ctx);
    if (!found) {
      const returnTo = ctx.method === 'GET' ? safeReturnPath(ctx.path) : '/account';
      ctx.status = 303;
      ctx.redirect(`/account/sign-in?return=${encodeURIComponent(returnTo)}`);
      return;
    }
    // The switch and the cookie first, then the language the member saved on the profile page.
    const page = sectionPage(ctx, pageContext(ctx, resolveLocale(ctx, found.account.locale ?? undefined)));
    ctx.state.page = page;
    ctx.state.member = {
      account: found.account,
      session: found.data,
      id: found.id,
      page,
      csrfToken: deps.csrf.issue(ctx),
    } satisfies Member;
    await next();
  };
}

/**
 * For the POST of a sensitive change: a sign-in older than ACCOUNT_REAUTH_SECONDS changes nothing and goes back to
 * the section (`returnTo`), whose page offers "confirm it's you". Runs after `requireMember`.
 */
export function requireRecentSignIn(deps: Pick<AccountShellDeps, 'clock' | 'config'>, returnTo: string): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!isRecent(deps, member(ctx))) {
      ctx.status = 303;
      ctx.redirect(`${safeReturnPath(returnTo)}?confirm=1`);
      return;
    }
    await next();
  };
}

/** GET /account/sign-in: begin (or, with reauth=1, confirm) a sign-in that returns to `return`. */
export function signInStart(deps: AccountShellDeps): Middleware {
  return async (ctx: Context) => {
    ctx.set('Cache-Control', 'no-store');
    const returnTo = safeReturnPath(ctx.query.return);
    const reauth = ctx.query.reauth === '1';
    const existing = reauth ? await currentSession(deps, ctx) : undefined;
    await startSignIn(deps, ctx, {
      returnTo,
      reauth,
      loginHint: existing?.account.bhxhNumber,
      locale: resolveLocale(ctx),
    });
  };
}

export type CallbackOutcome =
  | { ok: true; returnTo: string }
  | { ok: false; reason: 'cancelled' | 'invalid'; returnTo: string; hadSession: boolean };

/**
 * GET /account/callback: the code is redeemed in-process. It must be this round trip's (state, browser binding,
 * PKCE), for the account client and its redirect URI, unexpired and unused; the state is single use.
 */
export async function finishSignIn(deps: AccountShellDeps, ctx: Context): Promise<CallbackOutcome> {
  const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
  const flow = state && /^[A-Za-z0-9_-]{32}$/.test(state) ? await deps.flows.get('account_sign_in', state) : undefined;
  const hadSession = Boolean(await currentSession(deps, ctx));
  const returnTo = flow?.data.returnTo ?? '/account';
  const refused = (reason: 'cancelled' | 'invalid'): CallbackOutcome => ({ ok: false, reason, returnTo, hadSession });
  if (flow?.state !== 'awaiting_callback' || flow.data.binding !== deps.csrf.binding(ctx)) {
    return refused('invalid');
  }
  if (!(await deps.flows.advance('account_sign_in', state, 'awaiting_callback', 'used'))) return refused('invalid');
  await deps.flows.delete('account_sign_in', state);
  if (typeof ctx.query.error === 'string') return refused('cancelled');

  const provider = deps.provider();
  const value = typeof ctx.query.code === 'string' ? ctx.query.code : '';
  const code = value ? await provider.AuthorizationCode.find(value).catch(() => undefined) : undefined;
  const challenge = crypto.createHash('sha256').update(flow.data.verifier).digest('base64url');
  if (
    !code?.isValid ||
    code.clientId !== ACCOUNT_CLIENT_ID ||
    code.redirectUri !== accountClientUris(deps.config.issuer).callback ||
    code.codeChallenge !== challenge ||
    !code.accountId ||
    !code.sessionUid ||
    typeof code.authTime !== 'number'
  ) {
    return refused('invalid');
  }
  await code.consume();
  await code.destroy();

  // A new account session each time: a re-authentication (or another member signing in on this browser) replaces
  // the old one, whose cookie value is never reused.
  const previous = ctx.cookies.get(COOKIE, { signed: false });
  if (previous && /^[A-Za-z0-9_-]{43}$/.test(previous)) await deps.flows.delete('account_session', rowId(previous));
  const cookie = crypto.randomBytes(32).toString('base64url');
  await deps.flows.put({
    kind: 'account_session',
    id: rowId(cookie),
    state: 'active',
    data: {
      accountId: code.accountId,
      sessionUid: code.sessionUid,
      authTime: onOurClock(deps.clock, code.authTime),
      acr: code.acr,
      amr: code.amr,
    },
    expiresAt: new Date(deps.clock.now().getTime() + deps.config.account.idleSeconds * 1000),
  });
  ctx.cookies.set(COOKIE, cookie, cookieOptions(ctx));
  return { ok: true, returnTo: flow.data.returnTo };
}

/** Where "Đăng xuất" goes: our RP-initiated logout, which asks once and comes back to /account/signed-out. */
export function signOutHref(deps: Pick<AccountShellDeps, 'config'>, page: PageContext): string {
  const query = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID,
    post_logout_redirect_uri: accountClientUris(deps.config.issuer).signedOut,
    ui_locales: page.locale,
  });
  return `/session/end?${query}`;
}

/** Forgets this browser's account session (after the provider's sign-out came back). */
export async function forgetSession(deps: AccountShellDeps, ctx: Context): Promise<void> {
  const cookie = ctx.cookies.get(COOKIE, { signed: false });
  if (cookie && /^[A-Za-z0-9_-]{43}$/.test(cookie)) await deps.flows.delete('account_session', rowId(cookie));
  ctx.cookies.set(COOKIE, '', cookieOptions(ctx, 0));
}
