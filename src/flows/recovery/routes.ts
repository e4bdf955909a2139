// Password recovery: the member proves control of an address on file with a one-time code, then chooses a new
// password on our page (a password is never sent).
//
//   awaiting_address ──(number + address + captcha; always the same reply)──▶ awaiting_code
//   awaiting_code ──(right code)──▶ awaiting_password ──(policy ok)──▶ done
//        │  ▲
//        └──┘ wrong code (5 tries per code) · resend (kills the old code; 60 s cooldown, 5/h per account, 20/h per address)
//
// awaiting_address → awaiting_code happens whether or not the details match an account: with no match we pretend
// (a code row that can never verify, no message). The old password keeps working until `done`.
// A request the limits refuse does not leave the flow without a code (methods/codes/code-store.ts): when this browser
// asked for the same details within the cooldown, the flow continues that code and the page says so, with the wait
// that remains ("repeat"); otherwise it continues this browser's live code for those details, or gets a stand-in that
// never verifies, and the page is the usual one. A code asked for by another browser is never continued.
// A matched flow records the account's credential version of the code it verifies (its own, or the one it continues,
// as issued); a password change elsewhere (or a newer temporary password) since then ends it at the code or the new
// password: "start again".
// A flow is started from an authorization request (/interaction/:uid/recovery) or directly (/recovery); it is tied
// to the browser that started it.
import crypto from 'node:crypto';
import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../db/database.js';
import type { Csrf } from '../../http/csrf.js';
import type { CaptchaGate } from '../../methods/captcha/captcha.js';
import type { CodeStore } from '../../methods/codes/code-store.js';
import type { PasswordHasher } from '../../methods/password/hasher.js';
import type { Outbox } from '../../notify/outbox.js';
import type { FlowStore } from '../flow-store.js';
import type { RecoveryMethod } from '../../methods/recovery-method.js';
import { parseBhxhNumber } from '../../accounts/identifiers.js';
import { FlowError } from '../../http/errors.js';
import { pageContext, resolveLocale } from '../../core/locale.js';
import type { MessageId } from '../../core/i18n.js';
import { checkPassword } from '../../methods/password/policy.js';
import { errorClass } from '../../notify/outbox.js';
import { addressOnFile, deliverableMatch } from '../../security/deliverable-address.js';
import {
  applyPasswordChange,
  type CredentialChangeDeps,
  credentialsUnchanged,
} from '../../security/credential-change.js';
import type { FlowRecord } from '../flow-store.js';
import { loadInteraction, interactionState } from '../interaction.js';
import type { RecoveryMethodId } from '../../methods/recovery-method.js';
import type { RecoveryData, RecoveryState } from './flow-kinds.js';
import type { LoginNotice } from '../login/flow-kinds.js';
import { recoveryAddressPage, recoveryCodePage, recoveryDonePage } from '../../../views/recovery.js';
import { newPasswordErrorFields, setPasswordPage } from '../../../views/set-password.js';
import type { PageContext } from '../../core/locale.js';

/** What the recovery flow uses. */
export interface RecoveryDeps extends CredentialChangeDeps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  provider: () => Provider;
  accounts: AccountRepository;
  hasher: PasswordHasher;
  audit: AuditLog;
  outbox: Outbox;
  flows: FlowStore;
  codes: CodeStore;
  csrf: Csrf;
  captcha: CaptchaGate;
  recoveryMethods: Record<RecoveryMethodId, RecoveryMethod>;
  /** The sign-in throttle: a new password starts with no failures counted. */
  loginThrottle: { clearFailures(bhxhNumber: string): Promise<void> };
}

const KIND = 'recovery';
type Flow = FlowRecord<typeof KIND>;
/** How long a recovery flow lives; the code inside it lives `codes.options.ttlSeconds`. */
const FLOW_TTL_SECONDS = 30 * 60;
/** 16 random bytes, base64url. Anything else never reaches the database. */
const FLOW_ID = /^[A-Za-z0-9_-]{22}$/;

function form(ctx: Context): Record<string, unknown> {
  return ((ctx.request as { body?: Record<string, unknown> }).body ?? {}) as Record<string, unknown>;
}
function field(ctx: Context, name: string): string {
  const value = form(ctx)[name];
  return typeof value === 'string' ? value : '';
}
function flowOf(ctx: Context): Flow {
  return ctx.state.flow as Flow;
}
function page(ctx: Context): PageContext {
  return ctx.state.page as PageContext;
}
const base = (flow: Flow) => `/recovery/${flow.id}`;
const signInHref = (flow: Flow) => (flow.data.interactionUid ? `/interaction/${flow.data.interactionUid}` : undefined);

async function startFlow(deps: RecoveryDeps, ctx: Context, interactionUid?: string, uiLocales?: string): Promise<void> {
  resolveLocale(ctx, uiLocales); // remembers an explicit ?lang= choice for the pages that follow
  const flow: Flow = {
    id: crypto.randomBytes(16).toString('base64url'),
    kind: KIND,
    state: 'awaiting_address',
    data: {
      method: deps.config.recovery.methods[0]!,
      binding: deps.csrf.binding(ctx),
      ...(interactionUid ? { interactionUid } : {}),
      ...(uiLocales ? { uiLocales } : {}),
    },
    expiresAt: new Date(deps.clock.now().getTime() + FLOW_TTL_SECONDS * 1000),
  };
  await deps.flows.put(flow);
  ctx.redirect(base(flow));
  ctx.status = 303;
}

/** Loads the flow named in the URL; it must belong to this browser. */
function loadFlow(deps: RecoveryDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    // NOTE: a recovery page serves one step of one reset (a CSRF token, the address typed, a code form): no cache keeps
    // it, so Back after the reset asks us again and gets the flow's current step, as interaction pages do.
    ctx.set('Cache-Control', 'no-store');
    const flowId = String(ctx.params.flowId);
    if (!FLOW_ID.test(flowId))
      throw new FlowError('SESSION_EXPIRED', { detail: { flow: 'recovery', reason: 'malformed id' } });
    const flow = await deps.flows.get(KIND, flowId);
    const binding = Buffer.from(deps.csrf.binding(ctx));
    if (
      !flow ||
      binding.length !== Buffer.from(flow.data.binding).length ||
      !crypto.timingSafeEqual(binding, Buffer.from(flow.data.binding))
    ) {
      throw new FlowError('SESSION_EXPIRED', {
        detail: { flow: 'recovery', reason: flow ? 'other browser' : 'unknown or expired' },
      });
    }
    ctx.state.flow = flow;
    ctx.state.page = pageContext(ctx, resolveLocale(ctx, flow.data.uiLocales));
    await next();
  };
}

function requireState(state: RecoveryState): Middleware {
  return async (ctx: Context, next: Next) => {
    if (flowOf(ctx).state !== state) {
      // An out-of-step form (back button, second tab) goes back to whatever the flow waits for now.
      ctx.redirect(base(flowOf(ctx)));
      ctx.status = 303;
      return;
    }
    await next();
  };
}

function showAddress(
  deps: RecoveryDeps,
  ctx: Context,
  opts: {
    status?: number;
    error?: MessageId;
    /** The fields the error is about (none: the captcha, or the address's budget). */
    errorFields?: Array<'bhxh_number' | 'address'>;
    bhxhNumber?: string;
    address?: string;
  } = {},
) {
  const flow = flowOf(ctx);
  ctx.status = opts.status ?? 200;
  ctx.type = 'html';
  ctx.body = recoveryAddressPage(page(ctx), {
    action: `${base(flow)}/address`,
    switchAction: `${base(flow)}/method`,
    field: deps.recoveryMethods[flow.data.method].field,
    canSwitch: deps.config.recovery.methods.length > 1,
    csrfToken: deps.csrf.issue(ctx),
    captcha: deps.captcha.field(page(ctx)),
    ...(opts.bhxhNumber ? { bhxhNumber: opts.bhxhNumber } : {}),
    ...(opts.address ? { address: opts.address } : {}),
    ...(opts.error ? { error: page(ctx).t(opts.error), errorFields: opts.errorFields ?? [] } : {}),
    ...(signInHref(flow) ? { backHref: signInHref(flow)! } : {}),
  });
}

function showCode(
  deps: RecoveryDeps,
  ctx: Context,
  opts: { status?: number; error?: MessageId; notice?: MessageId } = {},
) {
  const flow = flowOf(ctx);
  const { repeat } = flow.data;
  ctx.status = opts.status ?? 200;
  ctx.type = 'html';
  ctx.body = recoveryCodePage(page(ctx), {
    action: `${base(flow)}/code`,
    resendAction: `${base(flow)}/resend`,
    csrfToken: deps.csrf.issue(ctx),
    channel: deps.recoveryMethods[flow.data.method].channel,
    address: flow.data.shownAddress ?? flow.data.address ?? '',
    minutes: Math.round(deps.codes.options.ttlSeconds / 60),
    cooldownSeconds: deps.codes.options.cooldownSeconds,
    perHour: deps.codes.options.perAccountPerHour,
    // After a wrong code the error says what to do; "the earlier code still works" could be untrue by then.
    ...(repeat && !opts.error
      ? {
          repeat: {
            live: repeat.live,
            waitSeconds: Math.max(
              0,
              Math.ceil((new Date(repeat.resendAfter).getTime() - deps.clock.now().getTime()) / 1000),
            ),
          },
        }
      : {}),
    ...(opts.error ? { error: page(ctx).t(opts.error), codeInError: opts.error !== 'recovery.error.ip_limit' } : {}),
    ...(opts.notice ? { notice: page(ctx).t(opts.notice) } : {}),
    ...(signInHref(flow) ? { backHref: signInHref(flow)! } : {}),
  });
}

async function showNewPassword(deps: RecoveryDeps, ctx: Context, opts: { status?: number; error?: MessageId } = {}) {
  const flow = flowOf(ctx);
  const account = await deps.accounts.findById(flow.data.accountId!);
  ctx.status = opts.status ?? 200;
  ctx.type = 'html';
  ctx.body = setPasswordPage(page(ctx), {
    action: `${base(flow)}/password`,
    csrfToken: deps.csrf.issue(ctx),
    username: account?.bhxhNumber ?? '',
    intro: page(ctx).t('recovery.password.intro'),
    ...(opts.error ? { error: page(ctx).t(opts.error), errorFields: newPasswordErrorFields(opts.error) } : {}),
  });
}

/** GET: the page for the state the flow is in. */
function show(deps: RecoveryDeps): Middleware {
  return async (ctx) => {
    const flow = flowOf(ctx);
    switch (flow.state) {
      case 'awaiting_address':
        return showAddress(deps, ctx);
      case 'awaiting_code':
        return showCode(deps, ctx);
      case 'awaiting_password':
        if (!(await credentialsUnchanged(deps.accounts, flow.data.accountId!, flow.data.credentialVersion)))
          return endStaleFlow(deps, flow, 'awaiting_password');
        return showNewPassword(deps, ctx);
      case 'done':
        ctx.type = 'html';
        ctx.body = recoveryDonePage(page(ctx));
    }
  };
}

/** What a request for a code leaves in the flow: never whether it matched. */
type RequestData = Pick<RecoveryData, 'continuesCode' | 'repeat' | 'credentialVersion'>;

/** The flow's data with what the latest request left in place of the previous request's. */
function withRequest(data: RecoveryData, request: RequestData): RecoveryData {
  const { continuesCode: _c, repeat: _r, credentialVersion: _v, ...rest } = data;
  return {
    ...rest,
    ...(request.continuesCode ? { continuesCode: request.continuesCode } : {}),
    ...(request.repeat ? { repeat: request.repeat } : {}),
    ...(request.credentialVersion !== undefined ? { credentialVersion: request.credentialVersion } : {}),
  };
}

/**
 * Issues a code for the flow in one transaction with its message, or pretends when the details match no account.
 * `allowed` is false only when the client address is over its hourly budget (visible: it reveals nothing about
 * accounts). Otherwise `request` is what the flow keeps: the earlier code it continues when this request was refused,
 * whether to tell the member that this browser asked within the cooldown, and the credential version of the code the
 * flow will verify (never shown).
 * NOTE: a match needs the typed address to be the account's verified one (src/security/deliverable-address.ts); an
 * unverified address is a non-match. The message, the one step done only for a match, runs in a savepoint: if it
 * fails, it is undone alone, logged and audited, and the request answers exactly as for a non-match.
 */
async function issueCode(
  deps: RecoveryDeps,
  ctx: Context,
  flow: Flow,
  bhxhNumber: string,
  address: string,
): Promise<{ allowed: false } | { allowed: true; request: RequestData }> {
  const method = deps.recoveryMethods[flow.data.method];
  const account = await deps.accounts.findByBhxhNumber(bhxhNumber);
  // A phone changed online within the cooling-off is a non-match too (SIM swap: src/security/deliverable-address.ts).
  const cooling = { now: deps.clock.now(), seconds: deps.config.account.phoneCoolingSeconds };
  const to =
    account && account.status === 'active' ? deliverableMatch(account, method.channel, address, cooling) : null;
  const matched = to ? account : undefined;
  // For the audit trail only (the reply is the same): the typed address is on file, but nobody verified it, or it is
  // a phone still cooling off after an online change.
  const unmatchedOnFile =
    !to && account?.status === 'active' && addressOnFile(account, method.channel) === address ? account : undefined;
  const onFileReason =
    unmatchedOnFile && method.channel === 'sms' && unmatchedOnFile.phoneNumberVerified
      ? 'phone_cooling_off'
      : 'address_unverified';
  return deps.db.transaction(async (trx) => {
    if (!(await deps.codes.ipAllowed(trx, ctx.ip))) return { allowed: false };
    const issued = await deps.codes.issue(trx, {
      flowId: flow.id,
      accountId: matched?.id ?? null,
      ip: ctx.ip,
      channel: method.channel,
      typed: `${bhxhNumber}|${address}`,
      credentialVersion: matched?.credentialVersion ?? null,
      // The browser that began the flow (its binding, kept server-side): only its own flows continue its codes.
      requester: flow.data.binding,
    });
    let failed = false;
    try {
      // Entered on every path (a non-match sends nothing), so both do the same statements around the message.
      await trx.transaction(async (savepoint) => {
        if (to && issued.issued)
          await method.sendCode(savepoint, to, issued.code, Math.round(deps.codes.options.ttlSeconds / 60));
      });
    } catch (err) {
      failed = true;
      // NOTE: the error class only: a message may repeat the address, and the code must never reach a log.
      deps.logger.error(
        { requestId: ctx.state.requestId, method: method.id, error: errorClass(err) },
        'recovery: the code message could not be queued; answered as for a non-match',
      );
    }
    const reason = !matched
      ? unmatchedOnFile
        ? onFileReason
        : 'no_match'
      : !issued.issued
        ? issued.reason
        : failed
          ? 'delivery_failed'
          : undefined;
    await deps.audit.record(
      {
        type: 'recovery.code_requested',
        outcome: reason ? 'failure' : 'success',
        accountId: (matched ?? unmatchedOnFile)?.id ?? null,
        ip: ctx.ip,
        requestId: ctx.state.requestId,
        detail: {
          method: method.id,
          ...(reason ? { reason } : {}),
          ...(!issued.issued && (issued.repeat || issued.continues) ? { continued: true } : {}),
        },
      },
      trx,
    );
    const version = (v: number | null | undefined) => (v === null || v === undefined ? undefined : v);
    if (issued.issued)
      // A new code is a new start: it belongs to the credentials of now (a non-match has none).
      return { allowed: true, request: { credentialVersion: matched ? matched.credentialVersion : undefined } };
    if (issued.repeat) {
      const resendAfter = new Date(deps.clock.now().getTime() + issued.repeat.retryAfterSeconds * 1000);
      return {
        allowed: true,
        request: {
          continuesCode: issued.repeat.codeId,
          repeat: { live: issued.repeat.live, resendAfter: resendAfter.toISOString() },
          credentialVersion: version(issued.repeat.credentialVersion),
        },
      };
    }
    // NOTE: the version is the continued code's, as it was issued: a request refused after a credential change must
    // not make an older code answer to the newer credentials.
    return issued.continues
      ? {
          allowed: true,
          request: {
            continuesCode: issued.continues.codeId,
            credentialVersion: version(issued.continues.credentialVersion),
          },
        }
      : { allowed: true, request: {} };
  });
}

/** POST number + address + captcha: always the same reply, whether or not they match an account. */
function submitAddress(deps: RecoveryDeps): Middleware {
  return async (ctx) => {
    const flow = flowOf(ctx);
    const method = deps.recoveryMethods[flow.data.method];
    const typedNumber = field(ctx, 'bhxh_number');
    const typedAddress = field(ctx, method.field);
    const bhxhNumber = parseBhxhNumber(typedNumber);
    const keep = {
      bhxhNumber: Array.from(typedNumber).slice(0, 20).join(''),
      address: Array.from(typedAddress).slice(0, 254).join(''),
    };
    if (!bhxhNumber)
      return showAddress(deps, ctx, {
        status: 400,
        error: 'login.error.format',
        errorFields: ['bhxh_number'],
        ...keep,
      });
    const address = method.parseAddress(typedAddress);
    if (!address.ok)
      return showAddress(deps, ctx, { status: 400, error: address.error, errorFields: ['address'], ...keep });
    const captcha = await deps.captcha.verify(form(ctx).altcha, ctx.ip);
    if (captcha !== 'ok') {
      return showAddress(deps, ctx, {
        status: captcha === 'throttled' ? 429 : 400,
        error: captcha === 'throttled' ? 'recovery.error.ip_limit' : 'recovery.error.captcha',
        ...keep,
      });
    }
    const issued = await issueCode(deps, ctx, flow, bhxhNumber, address.address);
    if (!issued.allowed) {
      return showAddress(deps, ctx, { status: 429, error: 'recovery.error.ip_limit', ...keep });
    }
    flow.state = 'awaiting_code';
    flow.data = withRequest(
      {
        ...flow.data,
        bhxhNumber,
        address: address.address,
        // Kept as the page shows it (the phone masked), not as typed in full.
        shownAddress: method.shownAddress(typedAddress, address.address),
      },
      issued.request,
    );
    await deps.flows.put(flow);
    ctx.redirect(base(flow));
    ctx.status = 303;
  };
}

/** POST method: the member switches between email and SMS before asking for a code. */
function chooseMethod(deps: RecoveryDeps): Middleware {
  return async (ctx) => {
    const flow = flowOf(ctx);
    const chosen = field(ctx, 'method');
    if ((deps.config.recovery.methods as readonly string[]).includes(chosen)) {
      flow.data = { ...flow.data, method: chosen as RecoveryMethodId };
      await deps.flows.put(flow);
    }
    ctx.redirect(base(flow));
    ctx.status = 303;
  };
}

/**
 * POST resend: a new code (the old one dies), under the same limits. The reply never says whether the details matched;
 * it says when this browser asked within the cooldown (the code it has still works, and how long to wait).
 */
function resend(deps: RecoveryDeps): Middleware {
  return async (ctx) => {
    const flow = flowOf(ctx);
    const issued = await issueCode(deps, ctx, flow, flow.data.bhxhNumber!, flow.data.address!);
    if (!issued.allowed) {
      return showCode(deps, ctx, { status: 429, error: 'recovery.error.ip_limit' });
    }
    flow.data = withRequest(flow.data, issued.request);
    await deps.flows.put(flow);
    showCode(deps, ctx, issued.request.repeat ? {} : { notice: 'recovery.code.resent' });
  };
}

/** POST code: each try counts before the comparison; five wrong tries kill the code. */
function submitCode(deps: RecoveryDeps): Middleware {
  return async (ctx) => {
    const flow = flowOf(ctx);
    const typed = field(ctx, 'code').replace(/[\s-]/g, '');
    const result = await deps.codes.verify(flow.id, typed, flow.data.continuesCode);
    if (!result.ok) {
      await deps.audit.record({
        type: 'recovery.code_checked',
        outcome: 'failure',
        ip: ctx.ip,
        requestId: ctx.state.requestId,
        detail: { reason: result.reason },
      });
      return showCode(deps, ctx, {
        status: 400,
        error: result.reason === 'wrong' ? 'recovery.code.error.wrong' : 'recovery.code.error.dead',
      });
    }
    if (!(await credentialsUnchanged(deps.accounts, result.accountId, flow.data.credentialVersion)))
      await endStaleFlow(deps, flow, 'awaiting_code');
    if (!(await deps.flows.advance(KIND, flow.id, 'awaiting_code', 'awaiting_password')))
      throw new FlowError('SESSION_EXPIRED');
    flow.state = 'awaiting_password';
    flow.data = { ...flow.data, accountId: result.accountId };
    await deps.flows.put(flow);
    await deps.audit.record({
      type: 'recovery.code_checked',
      accountId: result.accountId,
      ip: ctx.ip,
      requestId: ctx.state.requestId,
    });
    ctx.redirect(base(flow));
    ctx.status = 303;
  };
}

/** A flow whose account's credentials changed since its code was issued ends for good: the member starts again. */
async function endStaleFlow(deps: RecoveryDeps, flow: Flow, stage: RecoveryState): Promise<never> {
  await deps.codes.killFlow(flow.id, flow.data.continuesCode);
  await deps.flows.delete(KIND, flow.id);
  throw new FlowError('CREDENTIALS_CHANGED', { detail: { flow: 'recovery', stage } });
}

/** POST new password: the shared end of every recovery method. */
function submitPassword(deps: RecoveryDeps): Middleware {
  return async (ctx) => {
    const flow = flowOf(ctx);
    const account = flow.data.accountId ? await deps.accounts.findById(flow.data.accountId) : undefined;
    if (account?.status !== 'active') throw new FlowError('SESSION_EXPIRED', { detail: { reason: 'account gone' } });
    if (account.credentialVersion !== flow.data.credentialVersion) await endStaleFlow(deps, flow, 'awaiting_password');
    const password = field(ctx, 'new_password');
    const problem =
      checkPassword(password, account) ?? (password !== field(ctx, 'confirm_password') ? 'mismatch' : null);
    if (problem) return showNewPassword(deps, ctx, { status: 400, error: `password.error.${problem}` });

    const changed = await applyPasswordChange(deps, {
      account,
      newHash: await deps.hasher.hash(password),
      via: 'recovery',
      credentialVersion: flow.data.credentialVersion!,
      detail: { method: flow.data.method },
      ip: ctx.ip,
      requestId: ctx.state.requestId,
      guard: (trx) => deps.flows.advance(KIND, flow.id, 'awaiting_password', 'done', trx),
    });
    // Stale, or a parallel duplicate of this flow won: the flow is left to that winner (GET ends it if it is stale).
    if (!changed)
      throw new FlowError('CREDENTIALS_CHANGED', { detail: { flow: 'recovery', stage: 'awaiting_password' } });
    await deps.codes.killFlow(flow.id, flow.data.continuesCode);

    if (flow.data.interactionUid) {
      // Back to the sign-in page of the same authorization request, number filled in; no automatic sign-in.
      await deps.flows.delete('login', flow.data.interactionUid); // a pending temporary-password step is moot now
      await deps.flows.put({
        id: flow.data.interactionUid,
        kind: 'login_notice',
        state: 'password_reset',
        data: { bhxhNumber: account.bhxhNumber } satisfies LoginNotice, // the sign-in page's type, login/flow-kinds.ts
        expiresAt: flow.expiresAt,
      });
      ctx.redirect(`/interaction/${flow.data.interactionUid}`);
      ctx.status = 303;
      return;
    }
    ctx.redirect(base(flow));
    ctx.status = 303;
  };
}

export function registerRecoveryRoutes(router: Router, deps: RecoveryDeps, parseForm: Middleware) {
  const load = loadFlow(deps);
  // Started from the sign-in page: the interaction cookie proves the request belongs to this browser.
  router.get('/interaction/:uid/recovery', loadInteraction(deps), async (ctx) => {
    const { interaction } = interactionState(ctx);
    const uiLocales = typeof interaction.params.ui_locales === 'string' ? interaction.params.ui_locales : undefined;
    await startFlow(deps, ctx, interaction.uid, uiLocales);
  });
  router.get('/recovery', (ctx) => startFlow(deps, ctx));
  router.get('/recovery/:flowId', load, show(deps));
  router.post(
    '/recovery/:flowId/address',
    parseForm,
    deps.csrf.verify,
    load,
    requireState('awaiting_address'),
    submitAddress(deps),
  );
  router.post(
    '/recovery/:flowId/method',
    parseForm,
    deps.csrf.verify,
    load,
    requireState('awaiting_address'),
    chooseMethod(deps),
  );
  router.post(
    '/recovery/:flowId/resend',
    parseForm,
    deps.csrf.verify,
    load,
    requireState('awaiting_code'),
    resend(deps),
  );
  router.post(
    '/recovery/:flowId/code',
    parseForm,
    deps.csrf.verify,
    load,
    requireState('awaiting_code'),
    submitCode(deps),
  );
  router.post(
    '/recovery/:flowId/password',
    parseForm,
    deps.csrf.verify,
    load,
    requireState('awaiting_password'),
    submitPassword(deps),
  );
}
