// The account page's password section (issue 16, item 6): the current password, then a new one under the one policy.
//
//   GET  /account/password        the form (or "confirm it's you" when the sign-in is older than ACCOUNT_REAUTH_SECONDS)
//   POST /account/password        csrf → recent sign-in → fields and policy → the sign-in throttle (per number and per
//                                 address, flows/login/login-throttle.ts) → the current password checked like a
//                                 sign-in (methods/password/verify-password.ts; a wrong one counts as a failure) →
//                                 security/credential-change.ts → 303 /account/password?done=password
//
// The change is the one every path makes (applyPasswordChange): the version moves in a conditional update (of racing
// posts exactly one wins), password-made VNeID links go with their notice, every channel on file is told, and every
// session, grant and token ends — except this browser's provider session and the account page's place in it
// (`keepSession`), so the member stays signed in here.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Account, AccountRepository } from '../../accounts/account-repository.js';
import { ACCOUNT_CLIENT_ID } from '../../clients/built-in-clients.js';
import type { MessageId } from '../../core/i18n.js';
import type { CaptchaGate } from '../../methods/captcha/captcha.js';
import type { PasswordHasher } from '../../methods/password/hasher.js';
import { checkPassword } from '../../methods/password/policy.js';
import { verifyPassword } from '../../methods/password/verify-password.js';
import { applyPasswordChange, type CredentialChangeDeps } from '../../security/credential-change.js';
import { confirmIdentity } from '../../../views/account/layout.js';
import { type PasswordField, passwordSectionPage } from '../../../views/account/password.js';
import type { LoginThrottle } from '../login/login-throttle.js';
import { type AccountShellDeps, isRecent, member, reauthHref } from './account-session.js';
import type { SectionTools } from './section.js';

export interface PasswordSectionDeps extends CredentialChangeDeps {
  accounts: AccountRepository;
  hasher: PasswordHasher;
  /** The sign-in's own throttle: the current password is guessed like a sign-in, so it counts like one. */
  loginThrottle: LoginThrottle;
  captcha: CaptchaGate;
  /** Waits before answering (the throttle's progressive delays). */
  sleep: (ms: number) => Promise<void>;
}

type Deps = PasswordSectionDeps & Pick<AccountShellDeps, 'clock' | 'config'>;

const RETURN = '/account/password';

function field(ctx: Context, name: string): string {
  const value = (ctx.request as { body?: Record<string, unknown> }).body?.[name];
  return typeof value === 'string' ? value : '';
}

/** Which fields a policy message is about: both new ones for a mismatch, else the new password. */
const policyFields = (id: MessageId): PasswordField[] =>
  id === 'password.error.mismatch' ? ['new_password', 'confirm_password'] : ['new_password'];

interface ShowOptions {
  status?: number;
  error?: MessageId;
  errorVars?: Record<string, string | number>;
  errorFields?: PasswordField[];
  captcha?: boolean;
}

function show(deps: Deps, tools: SectionTools, ctx: Context, options: ShowOptions = {}) {
  const m = member(ctx);
  const { page } = m;
  const recent = isRecent(deps, m);
  ctx.status = options.status ?? 200;
  ctx.body = passwordSectionPage(tools.frame(ctx), {
    csrfToken: m.csrfToken,
    username: m.account.bhxhNumber,
    noPassword: !m.account.passwordHash,
    notice: ctx.query.done === 'password' ? page.t('account.password.done') : undefined,
    confirm: recent
      ? undefined
      : confirmIdentity(page, {
          href: reauthHref(RETURN),
          minutes: Math.round(deps.config.account.reauthSeconds / 60),
          afterRefusedChange: ctx.query.confirm === '1',
        }),
    ...(options.error
      ? { error: page.t(options.error, options.errorVars), errorFields: options.errorFields ?? [] }
      : {}),
    ...(options.captcha ? { captcha: deps.captcha.field(page) } : {}),
  });
}

/** The current password, checked like a sign-in: throttled per number and address, a failure counted. */
async function checkCurrentPassword(
  deps: Deps,
  ctx: Context,
  account: Account,
  current: string,
): Promise<{ ok: true; account: Account } | { ok: false; page: ShowOptions }> {
  const m = member(ctx);
  const solveCaptcha = async () =>
    field(ctx, 'altcha') !== '' && (await deps.captcha.verify(field(ctx, 'altcha'), ctx.ip)) === 'ok';
  const decision = await deps.loginThrottle.begin(account.bhxhNumber, ctx.ip, solveCaptcha);
  const refused = async (reason: string) =>
    deps.audit.record({
      type: 'password.changed',
      outcome: 'failure',
      accountId: account.id,
      clientId: ACCOUNT_CLIENT_ID,
      ip: ctx.ip,
      requestId: ctx.state.requestId,
      detail: { via: 'account', reason },
    });
  if (!decision.allowed) {
    await refused(decision.captchaRequired ? 'captcha_required' : 'throttled');
    if (!decision.captchaRequired) ctx.set('Retry-After', String(decision.retryAfterSeconds));
    return {
      ok: false,
      page: decision.captchaRequired
        ? { status: 400, error: 'account.password.error.captcha_required', captcha: true }
        : {
            status: 429,
            error: 'account.password.error.throttled',
            errorVars: { minutes: Math.ceil(decision.retryAfterSeconds / 60) },
          },
    };
  }
  if (decision.delayMs > 0) await deps.sleep(decision.delayMs);
  // NOTE: no temporary password here: it only signs in (and is then replaced at once), it is no "current password".
  const outcome = await verifyPassword({ accounts: deps.accounts, hasher: deps.hasher }, account.bhxhNumber, current);
  if (!outcome.ok || outcome.account.id !== m.account.id) {
    await refused('wrong_current_password');
    const captcha = decision.captchaRequired || (await deps.loginThrottle.captchaRequired(account.bhxhNumber));
    return {
      ok: false,
      page: {
        status: 400,
        error: decision.slowed ? 'account.password.error.slowed' : 'account.password.error.wrong_current',
        errorFields: ['current_password'],
        captcha,
      },
    };
  }
  await deps.loginThrottle.succeeded(account.bhxhNumber, ctx.ip);
  return { ok: true, account: outcome.account };
}

export function registerPasswordSection(router: Router, deps: Deps, tools: SectionTools): void {
  router.get(RETURN, tools.signedIn, async (ctx) => show(deps, tools, ctx));

  router.post(RETURN, tools.signedIn, tools.parseForm, tools.csrf, tools.recentSignIn(RETURN), async (ctx) => {
    const m = member(ctx);
    if (!m.account.passwordHash) return show(deps, tools, ctx, { status: 400 });
    const current = field(ctx, 'current_password');
    const next = field(ctx, 'new_password');
    if (!current)
      return show(deps, tools, ctx, {
        status: 400,
        error: 'account.password.error.missing_current',
        errorFields: ['current_password'],
      });
    // The form's own mistakes first: they cost no attempt and say nothing about the current password.
    const problem = checkPassword(next, m.account) ?? (next !== field(ctx, 'confirm_password') ? 'mismatch' : null);
    if (problem) {
      const error = `password.error.${problem}` as const;
      return show(deps, tools, ctx, { status: 400, error, errorFields: policyFields(error) });
    }

    const checked = await checkCurrentPassword(deps, ctx, m.account, current);
    if (!checked.ok) return show(deps, tools, ctx, checked.page);
    if (next === current)
      return show(deps, tools, ctx, {
        status: 400,
        error: 'password.error.same_as_old',
        errorFields: ['new_password'],
      });

    // Of racing posts exactly one wins: the version the checked password belongs to must still be the account's.
    const changed = await applyPasswordChange(deps, {
      account: checked.account,
      newHash: await deps.hasher.hash(next),
      via: 'account',
      credentialVersion: checked.account.credentialVersion,
      detail: { clientId: ACCOUNT_CLIENT_ID },
      ip: ctx.ip,
      requestId: ctx.state.requestId,
      keepSession: { sessionUid: m.session.sessionUid, clientId: ACCOUNT_CLIENT_ID },
    });
    if (!changed)
      return show(deps, tools, ctx, {
        status: 409,
        error: 'account.password.error.changed_meanwhile',
        errorFields: ['current_password'],
      });
    ctx.status = 303;
    ctx.redirect(`${RETURN}?done=password`);
  });
}
