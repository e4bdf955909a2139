// Sign in with VNeID: the round trip to the upstream provider, from inside an authorization request.
//
//   sign-in page ──POST /interaction/:uid/vneid──▶ awaiting_callback (flow `vneid`, keyed by the upstream `state`)
//        ▲                                              │ GET /federation/vneid/callback → /interaction/:uid/vneid/return
//        │                                              ▼ (single use, only in the browser holding the interaction cookie)
//        │              ┌───────── link (issuer, subject) found, or an account with this identification number
//        │              │              ├─ level too low for the request ─▶ "level 2 needed" page
//        │              │              ├─ a password-made link cannot meet the demand ─▶ "confirm at an office" page
//        │              │              └─ signed in: acr = what the link confers (link-assurance.ts), amr [fed]
//        │              └───────── no account ─▶ "no account" page, flow `vneid_pending` (keyed by the interaction)
//        └──────── "sign in with BHXH number to link" ──▶ password sign-in ──▶ link (pending-link.ts) ──▶ signed in
//
// Every other ending (upstream down or slow, cancelled, refused, a failed check) is a page in the member's language
// with a way back to password sign-in; the relying party hears only `access_denied` when the member gives up.
// Every outcome is an audit event.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { Csrf } from '../../http/csrf.js';
import type { Metrics } from '../../http/observability.js';
import type { InteractionDeps } from '../interaction.js';
import type { Federation } from './federation.js';
import type { VneidProblem } from './flow-kinds.js';
import type { Account } from '../../accounts/account-repository.js';
import type { AuditType } from '../../audit/audit-log.js';
import { FlowError } from '../../http/errors.js';
import type { MessageId } from '../../core/i18n.js';
import { ACR, meets, requiredAcr, vneidAcr, type Acr } from '../../oidc/assurance.js';
import { announceLinkMade } from '../../security/link-announcements.js';
import { linkAssurance } from '../../oidc/link-assurance.js';
import { UpstreamError, type UpstreamSignIn } from '../../methods/vneid/upstream-client.js';
import { federationProblemPage } from '../../../views/federation.js';
import { finishInteraction, interactionState, loadInteraction, requirePrompt } from '../interaction.js';
import { PENDING_KIND, type PendingLinkDeps } from './pending-link.js';
import { rememberUpstreamSession, sealUpstreamIdToken } from './upstream-logout.js';

const KIND = 'vneid';
const RESULT_KIND = 'vneid_result';
/** The upstream round trip must finish within this many seconds (and within the interaction's own lifetime). */
const ROUND_TRIP_SECONDS = 15 * 60;
export const CALLBACK_PATH = '/federation/vneid/callback';

/** What the VNeID sign-in flow uses. */
export interface FederationDeps extends PendingLinkDeps, InteractionDeps {
  accounts: AccountRepository;
  csrf: Csrf;
  metrics: Metrics;
}

function federation(deps: FederationDeps) {
  if (!deps.federation) throw new FlowError('NOT_FOUND');
  return deps.federation;
}

const FAILURE_MESSAGES: Record<UpstreamError['kind'] | 'bad_state', MessageId> = {
  unavailable: 'federation.unavailable',
  cancelled: 'federation.cancelled',
  error_response: 'federation.error_response',
  invalid_response: 'federation.invalid_response',
  identity_incomplete: 'federation.identity_incomplete',
  bad_state: 'federation.bad_state',
};

function expiresAt(deps: FederationDeps): Date {
  return new Date(deps.clock.now().getTime() + Math.min(ROUND_TRIP_SECONDS, deps.config.ttl.interaction) * 1000);
}

export const RESULT_PATH = (uid: string) => `/interaction/${encodeURIComponent(uid)}/vneid/result`;

/**
 * Ends the round trip short of a sign-in: the outcome is kept with the interaction and the browser is sent to the
 * result page (post/redirect/get). The callback's URL carries a one-time code; reloading it, switching the page's
 * language, or Android reloading a discarded tab would use it again and read "invalid or already used". The result
 * page can be reloaded and switched as often as the member likes, for as long as the interaction lives.
 */
async function showProblem(deps: FederationDeps, ctx: Context, problem: VneidProblem) {
  const { interaction } = interactionState(ctx);
  await deps.flows.put({
    kind: RESULT_KIND,
    id: interaction.uid,
    state: 'shown',
    data: problem,
    expiresAt: new Date(deps.clock.now().getTime() + deps.config.ttl.interaction * 1000),
  });
  ctx.status = 303;
  ctx.redirect(RESULT_PATH(interaction.uid));
}

/** GET /interaction/:uid/vneid/result: the kept outcome, in the language of this request. */
function showResult(deps: FederationDeps): Middleware {
  return async (ctx) => {
    const { interaction } = interactionState(ctx);
    const result = await deps.flows.get(RESULT_KIND, interaction.uid);
    // Nothing kept (never, or the interaction's time is up): back to the sign-in page of this request.
    if (!result) return ctx.redirect(`/interaction/${encodeURIComponent(interaction.uid)}`);
    renderProblem(deps, ctx, result.data);
  };
}

/** A page that ends the round trip short of a sign-in, with the way back to password sign-in and a retry. */
function renderProblem(deps: FederationDeps, ctx: Context, opts: VneidProblem) {
  const { interaction, page } = interactionState(ctx);
  const required = requiredAcr(interaction.params);
  ctx.status = opts.status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = federationProblemPage(page, {
    title: page.t(opts.title),
    message: page.t(opts.message, opts.messageVars),
    ...(opts.next ? { next: page.t(opts.next) } : {}),
    ...(opts.retry
      ? { retry: { action: `/interaction/${interaction.uid}/vneid`, csrfToken: deps.csrf.issue(ctx) } }
      : {}),
    // Password sign-in is offered only when it can meet the request (or to link a verified identity).
    ...(meets(ACR.password, required) || opts.passwordLabel
      ? {
          password: {
            href: `/interaction/${interaction.uid}`,
            label: page.t(opts.passwordLabel ?? 'federation.back_to_password'),
          },
        }
      : {}),
    cancelHref: `/interaction/${interaction.uid}/abort`,
  });
}

function audit(
  deps: FederationDeps,
  ctx: Context,
  type: AuditType,
  outcome: 'success' | 'failure',
  detail: Record<string, unknown>,
  accountId?: string,
) {
  const { interaction } = interactionState(ctx);
  if (type === 'sign_in' && outcome === 'failure') deps.metrics.signIns.inc({ outcome: 'failure' });
  return deps.audit.record({
    type,
    outcome,
    accountId: accountId ?? null,
    clientId: String(interaction.params.client_id),
    ip: ctx.ip,
    requestId: ctx.state.requestId,
    detail: { method: 'vneid', ...detail },
  });
}

/** POST /interaction/:uid/vneid: discovery, fresh state/nonce/PKCE kept with the interaction, then off to VNeID. */
function start(deps: FederationDeps): Middleware {
  return async (ctx) => {
    const { upstream } = federation(deps);
    const { interaction, page } = interactionState(ctx);
    let started: Awaited<ReturnType<typeof upstream.start>>;
    try {
      started = await upstream.start({ uiLocales: page.locale });
    } catch (err) {
      const failure = err instanceof UpstreamError ? err : new UpstreamError('unavailable');
      deps.logger.warn({ kind: failure.kind, detail: failure.detail }, 'VNeID: could not start');
      await audit(deps, ctx, 'sign_in', 'failure', { ...failure.detail, reason: failure.kind, stage: 'start' });
      return showProblem(deps, ctx, {
        status: 503,
        title: 'federation.failed.title',
        message: FAILURE_MESSAGES[failure.kind],
        retry: true,
      });
    }
    await deps.flows.put({
      kind: KIND,
      id: started.checks.state,
      state: 'awaiting_callback',
      data: { uid: interaction.uid, ...started.checks },
      expiresAt: expiresAt(deps),
    });
    ctx.status = 303;
    ctx.redirect(started.url.href);
  };
}

/**
 * GET /federation/vneid/callback, the redirect URI registered at VNeID. It cannot see our interaction cookie (its path
 * is /interaction/<uid>), so it only finds the flow by `state` and sends the browser on, same query, to the
 * interaction's own return URL, where the cookie proves it is the browser that started the round trip.
 */
function callback(deps: FederationDeps): Middleware {
  return async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const flow = state ? await deps.flows.get(KIND, state) : undefined;
    if (!flow) {
      await deps.audit.record({
        type: 'sign_in',
        outcome: 'failure',
        ip: ctx.ip,
        requestId: ctx.state.requestId,
        detail: { method: 'vneid', reason: 'bad_state', stage: 'callback' },
      });
      throw new FlowError('FEDERATION_STATE', { detail: { reason: 'VNeID callback with an unknown or used state' } });
    }
    ctx.status = 303;
    ctx.redirect(`/interaction/${encodeURIComponent(flow.data.uid)}/vneid/return${ctx.search}`);
  };
}

/**
 * GET /interaction/:uid/vneid/return. The flow named by `state` must exist, be unused, and belong to this interaction
 * (whose cookie the browser carries), so a callback replayed in another browser, or a forged one, goes nowhere.
 */
function finish(deps: FederationDeps): Middleware {
  return async (ctx) => {
    const { upstream, identities } = federation(deps);
    const { interaction } = interactionState(ctx);
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const flow = state ? await deps.flows.get(KIND, state) : undefined;
    const fresh =
      flow && flow.data.uid === interaction.uid && (await deps.flows.advance(KIND, state, 'awaiting_callback', 'done'));
    if (!flow || !fresh) {
      await audit(deps, ctx, 'sign_in', 'failure', { reason: 'bad_state', stage: 'callback' });
      return showProblem(deps, ctx, {
        status: 400,
        title: 'federation.failed.title',
        message: 'federation.bad_state',
        retry: true,
      });
    }
    if (interaction.prompt.name !== 'login')
      throw new FlowError('SESSION_EXPIRED', { detail: { reason: 'not waiting for login' } });

    let signIn: UpstreamSignIn;
    try {
      // The URL the upstream redirected to, rebuilt from the configured issuer (never from the Host header).
      signIn = await upstream.finish(new URL(`${deps.config.issuer}${CALLBACK_PATH}${ctx.search}`), flow.data);
    } catch (err) {
      const failure = err instanceof UpstreamError ? err : new UpstreamError('invalid_response', {}, { cause: err });
      deps.logger.warn({ kind: failure.kind, detail: failure.detail }, 'VNeID: sign-in did not complete');
      await audit(deps, ctx, 'sign_in', 'failure', { ...failure.detail, reason: failure.kind });
      return showProblem(deps, ctx, {
        status: failure.kind === 'cancelled' ? 200 : failure.kind === 'unavailable' ? 503 : 400,
        title: 'federation.failed.title',
        message: FAILURE_MESSAGES[failure.kind],
        retry: true,
      });
    } finally {
      await deps.flows.delete(KIND, state);
    }
    await finishFederatedSignIn(deps, ctx, signIn, identities);
  };
}

async function finishFederatedSignIn(
  deps: FederationDeps,
  ctx: Context,
  signIn: UpstreamSignIn,
  identities: Federation['identities'],
) {
  const { interaction, clientName } = interactionState(ctx);
  const { identity } = signIn;
  const achieved = vneidAcr(identity.level);
  const detail = { level: identity.level, issuer: signIn.issuer };

  // A level the request cannot accept ends here, whoever the citizen is.
  if (!meets(achieved, requiredAcr(interaction.params))) {
    await audit(deps, ctx, 'sign_in', 'failure', { ...detail, reason: 'level_insufficient' });
    return showProblem(deps, ctx, {
      status: 403,
      title: 'federation.level.title',
      message: 'federation.level.message',
      messageVars: { client: clientName },
    });
  }

  let account: Account | undefined;
  // What this sign-in may carry: no more than the proof that made the link.
  let conferred: Acr = achieved;
  const link = await identities.find(signIn.issuer, identity.subject);
  if (link) {
    conferred = linkAssurance(link.linkedBy, identity.level);
    account = await deps.accounts.findById(link.accountId);
    await identities.touch(signIn.issuer, identity.subject);
  } else {
    // NOTE: the first link is made only by the verified personal identification number, never by email or phone.
    account = await deps.accounts.findByNationalId(identity.nationalId);
    if (account?.status === 'active') {
      conferred = linkAssurance('national_id', identity.level);
      const member = account;
      const linked = await identities.link(
        {
          issuer: signIn.issuer,
          subject: identity.subject,
          accountId: account.id,
          nationalId: identity.nationalId,
          linkedBy: 'national_id',
        },
        (trx) =>
          announceLinkMade(deps, trx, member, {
            accountId: member.id,
            clientId: String(interaction.params.client_id),
            ip: ctx.ip,
            requestId: ctx.state.requestId,
            detail: { method: 'vneid', ...detail, linkedBy: 'national_id' },
          }),
      );
      if (!linked.ok) {
        await audit(deps, ctx, 'federation.link', 'failure', { ...detail, reason: linked.reason }, account.id);
        return showProblem(deps, ctx, {
          status: 409,
          title: 'federation.link_refused.title',
          message: 'federation.link_refused.message',
        });
      }
    }
  }

  if (!account) {
    await deps.flows.put({
      kind: PENDING_KIND,
      id: interaction.uid,
      state: 'awaiting_password',
      data: {
        issuer: signIn.issuer,
        subject: identity.subject,
        nationalId: identity.nationalId,
        level: identity.level,
        ...(signIn.idToken ? { idTokenSealed: sealUpstreamIdToken(deps, signIn.idToken) } : {}),
      },
      expiresAt: expiresAt(deps),
    });
    await audit(deps, ctx, 'sign_in', 'failure', { ...detail, reason: 'no_account' });
    return showProblem(deps, ctx, {
      status: 200,
      title: 'federation.no_account.title',
      message: 'federation.no_account.message',
      next: 'federation.no_account.what',
      passwordLabel: 'federation.no_account.link',
    });
  }
  if (account.status !== 'active') {
    await audit(deps, ctx, 'sign_in', 'failure', { ...detail, reason: 'account_disabled' }, account.id);
    return showProblem(deps, ctx, {
      status: 403,
      title: 'federation.failed.title',
      message: 'federation.account_disabled',
    });
  }
  if (!meets(conferred, requiredAcr(interaction.params))) {
    await audit(
      deps,
      ctx,
      'sign_in',
      'failure',
      { ...detail, acr: conferred, reason: 'link_level_insufficient' },
      account.id,
    );
    return showProblem(deps, ctx, {
      status: 403,
      title: 'federation.link_level.title',
      message: 'federation.link_level.message',
      messageVars: { client: clientName },
    });
  }

  await rememberUpstreamSession(deps, interaction.uid, signIn);
  deps.metrics.signIns.inc({ outcome: 'success' });
  await audit(deps, ctx, 'sign_in', 'success', { ...detail, acr: conferred }, account.id);
  await finishInteraction(deps, ctx, {
    login: { accountId: account.id, acr: conferred, amr: ['fed'], remember: true },
  });
}

export function registerFederationRoutes(router: Router, deps: FederationDeps, parseForm: Middleware) {
  if (!deps.federation) return;
  const load = loadInteraction(deps);
  router.post('/interaction/:uid/vneid', parseForm, deps.csrf.verify, load, requirePrompt('login'), start(deps));
  router.get(CALLBACK_PATH, callback(deps));
  router.get('/interaction/:uid/vneid/return', load, finish(deps));
  router.get('/interaction/:uid/vneid/result', load, showResult(deps));
}
