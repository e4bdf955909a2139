// The sign-in flow: BHXH number + password, then (when the account demands it) a new password.
//
//   awaiting_credentials ──(password ok, must_change_password)──▶ awaiting_new_password ──(policy ok)──▶ done
//            │                                                                                        ▲
//            └──────────────────────────(password ok)─────────────────────────────────────────────────┘
//
// awaiting_credentials is implicit (no row); awaiting_new_password is a row in `flows` keyed by the interaction uid,
// so the step can be answered by any node. The row records the account's credential version: a password change or a
// newer temporary password since then ends the step ("start again"), see security/credential-change.ts.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { Db } from '../../db/database.js';
import type { Csrf } from '../../http/csrf.js';
import type { Metrics } from '../../http/observability.js';
import type { CaptchaGate } from '../../methods/captcha/captcha.js';
import type { PasswordHasher } from '../../methods/password/hasher.js';
import type { LoginThrottle } from './login-throttle.js';
import type Provider from 'oidc-provider';
import { parseBhxhNumber } from '../../accounts/identifiers.js';
import { FlowError } from '../../http/errors.js';
import type { MessageId } from '../../core/i18n.js';
import { checkPassword } from '../../methods/password/policy.js';
import { verifyPassword } from '../../methods/password/verify-password.js';
import {
  applyPasswordChange,
  type CredentialChangeDeps,
  credentialsUnchanged,
} from '../../security/credential-change.js';
import { ACR, meets, requiredAcr } from '../../oidc/assurance.js';
import { CREDENTIAL_VERSION } from '../../oidc/resume-credential-check.js';
import type { Account } from '../../accounts/account-repository.js';
import { loginPage } from '../../../views/login.js';
import { vneidButton } from '../../../views/federation.js';
import { completePendingLink, pendingLink, type PendingLinkDeps } from '../federation/pending-link.js';
import { newPasswordErrorFields, setPasswordPage } from '../../../views/set-password.js';
import { finishInteraction, interactionState, loadInteraction, requirePrompt } from '../interaction.js';
import type { Middleware } from 'koa';
import type { LoginFlowData } from './flow-kinds.js';

/** What the sign-in flow uses (finishing a pending VNeID link included). */
export interface LoginDeps extends PendingLinkDeps, CredentialChangeDeps {
  provider: () => Provider;
  db: Db;
  accounts: AccountRepository;
  hasher: PasswordHasher;
  loginThrottle: LoginThrottle;
  captcha: CaptchaGate;
  csrf: Csrf;
  metrics: Metrics;
  /** Waits before answering (progressive delays); tests inject one that records instead of sleeping. */
  sleep: (ms: number) => Promise<void>;
}

const KIND = 'login';

function form(ctx: Context): Record<string, unknown> {
  return ((ctx.request as { body?: Record<string, unknown> }).body ?? {}) as Record<string, unknown>;
}

function field(ctx: Context, name: string): string {
  const value = form(ctx)[name];
  return typeof value === 'string' ? value : '';
}

/** What the member typed, made safe to show again: no control or direction characters, at most 20 characters. */
function echoable(typed: string): string {
  return Array.from(typed.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ''))
    .slice(0, 20)
    .join('');
}

/**
 * What this request lets the member do on the sign-in page: a password sign-in when it meets the demanded level of
 * assurance (or completes a pending VNeID link), and the VNeID button when federation is configured.
 */
async function signInOptions(deps: LoginDeps, ctx: Context) {
  const { interaction } = interactionState(ctx);
  const required = requiredAcr(interaction.params);
  const linking = Boolean(await pendingLink(deps, interaction.uid));
  const password = linking || meets(ACR.password, required);
  // The demand a password cannot meet: tell the member why only VNeID is offered (or that nothing can be).
  const demand: MessageId | undefined = password
    ? undefined
    : !deps.federation
      ? 'login.error.vneid_unavailable'
      : required === ACR.vneid2
        ? 'login.error.vneid_required'
        : 'login.error.vneid1_required';
  return { password, vneid: Boolean(deps.federation) && !linking, linking, demand };
}

/** Which field each error of the sign-in form is about (the page focuses it); the others are about the page. */
const ERROR_FIELDS: Partial<Record<MessageId, Array<'bhxh_number' | 'password'>>> = {
  'login.error.format': ['bhxh_number'],
  'login.error.missing_password': ['password'],
  // Either may be wrong (we never say which); the password is the one to type again.
  'login.error.invalid': ['password'],
  'login.error.slowed': ['password'],
};

export async function showLoginPage(
  deps: LoginDeps,
  ctx: Context,
  opts: {
    status?: number;
    error?: MessageId;
    errorVars?: Record<string, string | number>;
    bhxhNumber?: string;
    notice?: MessageId;
    captcha?: boolean;
  } = {},
) {
  const { interaction, page, clientName } = interactionState(ctx);
  const hint =
    typeof interaction.params.login_hint === 'string' ? parseBhxhNumber(interaction.params.login_hint) : null;
  const options = await signInOptions(deps, ctx);
  const csrfToken = deps.csrf.issue(ctx);
  const error = opts.error ?? options.demand;
  // A member already signed in who is asked again (`prompt=login`, or a `max_age` that ran out: the account page's
  // "confirm it's you", a relying party's step-up) is told why the password is asked once more.
  const confirming =
    Boolean(interaction.session?.accountId) &&
    interaction.prompt.reasons.some((reason) => reason === 'login_prompt' || reason === 'max_age');
  const notice =
    opts.notice ??
    (options.linking ? 'login.notice.link_pending' : confirming ? 'login.notice.confirm_identity' : undefined);
  ctx.status = opts.status ?? 200;
  ctx.type = 'html';
  ctx.body = loginPage(page, {
    action: `/interaction/${interaction.uid}/login`,
    csrfToken,
    clientName,
    bhxhNumber: opts.bhxhNumber ?? hint ?? undefined,
    ...(error ? { error: page.t(error, opts.errorVars), errorFields: ERROR_FIELDS[error] ?? [] } : {}),
    ...(notice ? { notice: page.t(notice) } : {}),
    forgotHref: `/interaction/${interaction.uid}/recovery`,
    cancelHref: `/interaction/${interaction.uid}/abort`,
    passwordForm: options.password,
    ...(opts.captcha ? { captcha: deps.captcha.field(page) } : {}),
    ...(options.vneid
      ? {
          vneid: vneidButton(page, {
            action: `/interaction/${interaction.uid}/vneid`,
            csrfToken,
            primary: !options.password,
          }),
        }
      : {}),
  });
}

async function showNewPasswordPage(
  deps: LoginDeps,
  ctx: Context,
  accountId: string,
  opts: { status?: number; error?: MessageId } = {},
) {
  const { interaction, page } = interactionState(ctx);
  const account = await deps.accounts.findById(accountId);
  ctx.status = opts.status ?? 200;
  ctx.type = 'html';
  ctx.body = setPasswordPage(page, {
    action: `/interaction/${interaction.uid}/password`,
    csrfToken: deps.csrf.issue(ctx),
    username: account?.bhxhNumber ?? '',
    ...(opts.error ? { error: page.t(opts.error), errorFields: newPasswordErrorFields(opts.error) } : {}),
  });
}

/**
 * The password was right (and any new password set): link a pending VNeID identity, then finish the sign-in.
 * `credentialVersion` is the version the checked password belongs to; a change since then ends the sign-in.
 */
async function completeSignIn(deps: LoginDeps, ctx: Context, account: Account, credentialVersion: number) {
  const { interaction } = interactionState(ctx);
  if (!(await credentialsUnchanged(deps.accounts, account.id, credentialVersion)))
    throw new FlowError('CREDENTIALS_CHANGED', { detail: { stage: 'sign_in' } });
  const linked = await completePendingLink(deps, ctx, account, credentialVersion);
  if (linked === 'refused') return; // the page saying why has been shown
  const { acr, amr } = linked ?? { acr: ACR.password, amr: ['pwd'] };
  deps.metrics.signIns.inc({ outcome: 'success' });
  await deps.audit.record({
    type: 'sign_in',
    accountId: account.id,
    clientId: String(interaction.params.client_id),
    ip: ctx.ip,
    requestId: ctx.state.requestId,
    detail: { method: 'password', acr },
  });
  // The version travels with the result: the resume checks it again once the session is saved
  // (src/oidc/resume-credential-check.ts).
  await finishInteraction(deps, ctx, {
    login: { accountId: account.id, acr, amr, remember: true, [CREDENTIAL_VERSION]: credentialVersion },
  });
}

/** GET: the page for whatever the login prompt waits for. */
function showLogin(deps: LoginDeps): Middleware {
  return async (ctx) => {
    const { interaction } = interactionState(ctx);
    // Asked for together, read in one statement (flow-store.ts batches the gets of one event-loop round).
    const [flow, notice] = await Promise.all([
      deps.flows.get(KIND, interaction.uid),
      deps.flows.get('login_notice', interaction.uid),
    ]);
    if (flow?.state === 'awaiting_new_password') {
      await requireCurrentCredentials(deps, interaction.uid, flow.data);
      return showNewPasswordPage(deps, ctx, flow.data.accountId);
    }
    // Back from a password reset begun on this request: say so and fill in the number.
    if (notice)
      return showLoginPage(deps, ctx, { notice: 'login.notice.password_reset', bhxhNumber: notice.data.bhxhNumber });
    await showLoginPage(deps, ctx);
  };
}

/** A new-password step whose account's credentials changed since it began ends here, for good. */
async function requireCurrentCredentials(deps: LoginDeps, uid: string, data: LoginFlowData): Promise<void> {
  if (await credentialsUnchanged(deps.accounts, data.accountId, data.credentialVersion)) return;
  await deps.flows.advance(KIND, uid, 'awaiting_new_password', 'stale');
  throw new FlowError('CREDENTIALS_CHANGED', { detail: { stage: 'awaiting_new_password' } });
}

/** POST credentials: format check, throttle, password, then finish or ask for a new password. */
function submitCredentials(deps: LoginDeps): Middleware {
  return async (ctx) => {
    const { interaction } = interactionState(ctx);
    const typed = field(ctx, 'bhxh_number');
    const password = field(ctx, 'password');
    // A request that demands more than a password can give is answered by VNeID only.
    if (!(await signInOptions(deps, ctx)).password) return showLoginPage(deps, ctx, { status: 400 });
    const bhxhNumber = parseBhxhNumber(typed);
    if (!bhxhNumber)
      return showLoginPage(deps, ctx, { status: 400, error: 'login.error.format', bhxhNumber: echoable(typed) });
    if (!password) return showLoginPage(deps, ctx, { status: 400, error: 'login.error.missing_password', bhxhNumber });

    // Past the number's failures a solved captcha is needed (never a refusal: the number is not a secret).
    // NOTE: only a real solution counts here, not the no-JavaScript budget: that budget would give every address a
    // few free tries at a number that is under attack.
    const solveCaptcha = async () =>
      field(ctx, 'altcha') !== '' && (await deps.captcha.verify(field(ctx, 'altcha'), ctx.ip)) === 'ok';
    const decision = await deps.loginThrottle.begin(bhxhNumber, ctx.ip, solveCaptcha);
    /** A throttled attempt: counted and audited the same way, whatever the member is then shown. */
    const recordThrottled = async (detail?: Record<string, unknown>) => {
      deps.metrics.signIns.inc({ outcome: 'throttled' });
      await deps.audit.record({
        type: 'sign_in.throttled',
        outcome: 'failure',
        clientId: String(interaction.params.client_id),
        ip: ctx.ip,
        requestId: ctx.state.requestId,
        ...(detail ? { detail } : {}),
      });
    };
    if (!decision.allowed && decision.captchaRequired) {
      await recordThrottled({ reason: 'captcha_required' });
      return showLoginPage(deps, ctx, {
        status: 400,
        error: 'login.error.captcha_required',
        bhxhNumber,
        captcha: true,
      });
    }
    if (!decision.allowed) {
      await recordThrottled();
      ctx.set('Retry-After', String(decision.retryAfterSeconds));
      return showLoginPage(deps, ctx, {
        status: 429,
        error: 'login.error.throttled',
        errorVars: { minutes: Math.ceil(decision.retryAfterSeconds / 60) },
        bhxhNumber,
      });
    }
    if (decision.delayMs > 0) await deps.sleep(decision.delayMs);

    const outcome = await verifyPassword(deps, bhxhNumber, password);
    if (!outcome.ok) {
      deps.metrics.signIns.inc({ outcome: 'failure' });
      await deps.audit.record({
        type: 'sign_in',
        outcome: 'failure',
        // The account the number names, so its member sees the failed attempt in her security activity.
        accountId: outcome.accountId ?? null,
        clientId: String(interaction.params.client_id),
        ip: ctx.ip,
        requestId: ctx.state.requestId,
        detail: { method: 'password', reason: outcome.reason },
      });
      // NOTE: one message, status and page for an unknown number, a wrong password and a disabled account; the
      // captcha shows once the number needs it (unknown numbers alike).
      const captcha = decision.captchaRequired || (await deps.loginThrottle.captchaRequired(bhxhNumber));
      // Past the free failures answers are slowed: the message says so and points to "Quên mật khẩu?".
      const error = decision.slowed ? 'login.error.slowed' : 'login.error.invalid';
      return showLoginPage(deps, ctx, { status: 400, error, bhxhNumber, captcha });
    }
    await deps.loginThrottle.succeeded(bhxhNumber, ctx.ip);
    const { account } = outcome;
    if (account.mustChangePassword || outcome.temporary) {
      await deps.flows.put({
        id: interaction.uid,
        kind: KIND,
        state: 'awaiting_new_password',
        data: {
          accountId: account.id,
          via: outcome.temporary ? 'temporary_password' : 'must_change_password',
          credentialVersion: account.credentialVersion,
        },
        // The flow store keeps time with the injected clock; give the step as long as an interaction lives.
        expiresAt: new Date(deps.clock.now().getTime() + deps.config.ttl.interaction * 1000),
      });
      // Post/redirect/get: the new-password page is the interaction's own URL, so a reload, a language switch or a
      // phone restoring a discarded tab shows it again, and never posts the (already used) temporary password again.
      ctx.status = 303;
      return ctx.redirect(`/interaction/${interaction.uid}`);
    }
    await completeSignIn(deps, ctx, account, account.credentialVersion);
  };
}

/** POST new password (must_change_password): the policy, then the sign-in completes. */
function submitNewPassword(deps: LoginDeps): Middleware {
  return async (ctx) => {
    const { interaction } = interactionState(ctx);
    const flow = await deps.flows.get(KIND, interaction.uid);
    if (flow?.state === 'stale') throw new FlowError('CREDENTIALS_CHANGED', { detail: { stage: 'new_password' } });
    if (flow?.state !== 'awaiting_new_password')
      throw new FlowError('SESSION_EXPIRED', { detail: { reason: 'no pending password change' } });
    await requireCurrentCredentials(deps, interaction.uid, flow.data);
    const account = await deps.accounts.findById(flow.data.accountId);
    if (account?.status !== 'active') throw new FlowError('SESSION_EXPIRED', { detail: { reason: 'account gone' } });

    const newPassword = field(ctx, 'new_password');
    const problem =
      checkPassword(newPassword, account) ?? (newPassword !== field(ctx, 'confirm_password') ? 'mismatch' : null);
    if (problem) return showNewPasswordPage(deps, ctx, account.id, { status: 400, error: `password.error.${problem}` });
    // After an operator's temporary password (the account's own hash), the new one must differ from it.
    if (
      flow.data.via !== 'temporary_password' &&
      account.passwordHash &&
      (await deps.hasher.verify(account.passwordHash, newPassword))
    ) {
      return showNewPasswordPage(deps, ctx, account.id, { status: 400, error: 'password.error.same_as_old' });
    }
    // One request wins, and only while the credentials are those the step began with: a parallel duplicate, or a
    // reset finished meanwhile, moved the version. The change tells every channel on file and ends every earlier
    // session and token, as any reset does.
    const changed = await applyPasswordChange(deps, {
      account,
      newHash: await deps.hasher.hash(newPassword),
      via: flow.data.via ?? 'must_change_password',
      credentialVersion: flow.data.credentialVersion,
      detail: { clientId: String(interaction.params.client_id) },
      ip: ctx.ip,
      requestId: ctx.state.requestId,
      guard: (trx) => deps.flows.advance(KIND, interaction.uid, 'awaiting_new_password', 'done', trx),
    });
    if (!changed) {
      await deps.flows.advance(KIND, interaction.uid, 'awaiting_new_password', 'stale');
      throw new FlowError('CREDENTIALS_CHANGED', { detail: { stage: 'new_password' } });
    }
    await deps.flows.delete(KIND, interaction.uid);
    // The change moved the version by exactly one (a conditional update from the recorded one).
    await completeSignIn(deps, ctx, account, flow.data.credentialVersion + 1);
  };
}

/** The member gives up: the relying party gets access_denied. */
function abort(deps: LoginDeps): Middleware {
  return async (ctx) => {
    await finishInteraction(deps, ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
  };
}

export function registerLoginRoutes(router: Router, deps: LoginDeps, parseForm: Middleware, showConsent: Middleware) {
  const load = loadInteraction(deps);
  router.get('/interaction/:uid', load, async (ctx, next) => {
    const { interaction } = interactionState(ctx);
    return interaction.prompt.name === 'login' ? showLogin(deps)(ctx, next) : showConsent(ctx, next);
  });
  router.post(
    '/interaction/:uid/login',
    parseForm,
    deps.csrf.verify,
    load,
    requirePrompt('login'),
    submitCredentials(deps),
  );
  router.post(
    '/interaction/:uid/password',
    parseForm,
    deps.csrf.verify,
    load,
    requirePrompt('login'),
    submitNewPassword(deps),
  );
  router.get('/interaction/:uid/abort', load, abort(deps));
}
