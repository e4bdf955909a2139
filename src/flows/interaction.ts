// Shared steps for hosted interaction pages: load the oidc-provider interaction, the client, the page language; finish
// it. An interaction that cannot be loaded is told apart: one that ended here (signed in, or cancelled) from one that
// expired or never was, so Back after a cancel is not answered as the member's mistake.
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { Clock } from '../core/clock.js';
import { appLink, type AppLink } from '../core/self-link.js';
import type { Config } from '../config/config.js';
import { FlowError, type FlowErrorOptions } from '../http/errors.js';
import { pageContext, resolveLocale } from '../core/locale.js';
import type { PageContext } from '../core/locale.js';
import type { FlowStore } from './flow-store.js';

/**
 * How an interaction ended, kept under its uid for as long as an interaction lives (`ttl.interaction`) once
 * finishInteraction has handed its result to the provider (which then deletes the interaction itself).
 * NOTE: why a row and not the interaction cookie: the cookie outlives the interaction only until it expires, and
 * says nothing of the outcome or the app. The row names no account and holds nothing personal — the app, the
 * registered redirect URI the request used, its ui_locales — so whoever has the uid learns only that it ended.
 */
export type EndedState = 'completed' | 'cancelled';

export interface EndedInteraction {
  clientId: string;
  redirectUri?: string;
  uiLocales?: string;
}

declare module './flow-store.js' {
  interface FlowKinds {
    interaction_ended: { state: EndedState; data: EndedInteraction };
  }
}

const ENDED = 'interaction_ended';
/** What oidc-provider's uids look like (nanoid); anything else is no interaction of ours and is not looked up. */
const UID = /^[A-Za-z0-9_-]{1,64}$/;

/** What the interaction steps use: the provider serving now (a key change swaps it), and where endings are kept. */
export interface InteractionDeps {
  provider: () => Provider;
  flows: FlowStore;
  clock: Clock;
  /** `ttl.interaction`: how long an ending is remembered. */
  config: Config;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface InteractionState {
  interaction: Interaction;
  clientName: string;
  firstParty: boolean;
  /** The way back to the relying party that error pages offer (src/core/self-link.ts). */
  app: AppLink;
  page: PageContext;
}

export function interactionState(ctx: Context): InteractionState {
  return ctx.state as unknown as InteractionState;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Loads the interaction named by :uid and bound to this browser's interaction cookie. */
export function loadInteraction(deps: InteractionDeps) {
  return async (ctx: Context, next: Next) => {
    // NOTE: an interaction page serves one sign-in (a CSRF token, the number typed): no cache keeps it, so Back after
    // the sign-in ended asks us again and gets the page that says so, not a stale form.
    ctx.set('Cache-Control', 'no-store');
    const provider = deps.provider();
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (cause) {
      throw await interactionGone(deps, ctx, { cause });
    }
    if (interaction.uid !== ctx.params.uid)
      throw await interactionGone(deps, ctx, { detail: { reason: 'uid mismatch' } });
    const client = await provider.Client.find(String(interaction.params.client_id));
    if (!client) throw new FlowError('SESSION_EXPIRED', { detail: { reason: 'client gone' } });
    const locale = resolveLocale(ctx, text(interaction.params.ui_locales));
    Object.assign(ctx.state, {
      interaction,
      clientName: client.clientName ?? client.clientId,
      firstParty: Boolean(client.metadata().first_party),
      app: appLink(client, interaction.params.redirect_uri),
      page: pageContext(ctx, locale),
    } satisfies InteractionState);
    await next();
  };
}

/** The page for an interaction that cannot be loaded: it ended here before (Back, a form sent again), or it expired. */
async function interactionGone(deps: InteractionDeps, ctx: Context, options: FlowErrorOptions): Promise<FlowError> {
  const uid = text(ctx.params.uid);
  const ended = uid && UID.test(uid) ? await deps.flows.get(ENDED, uid) : undefined;
  if (!ended) return new FlowError('SESSION_EXPIRED', options);
  const client = await deps.provider().Client.find(ended.data.clientId);
  return new FlowError(ended.state === 'cancelled' ? 'INTERACTION_CANCELLED' : 'INTERACTION_COMPLETED', {
    ...options,
    detail: { ...options.detail, uid },
    app: client ? appLink(client, ended.data.redirectUri) : undefined,
    uiLocales: ended.data.uiLocales,
  });
}

/** Only lets a request through when the interaction waits for this prompt. */
export function requirePrompt(name: 'login' | 'consent') {
  return async (ctx: Context, next: Next) => {
    if (interactionState(ctx).interaction.prompt.name !== name)
      throw new FlowError('SESSION_EXPIRED', { detail: { expected: name } });
    await next();
  };
}

/**
 * Ends the interaction with a result and sends the browser back to the authorization endpoint. Every ending passes
 * here (a sign-in, a consent, a cancel), so every ending is remembered for the Back button (`interaction_ended`).
 */
export async function finishInteraction(
  deps: InteractionDeps,
  ctx: Context,
  result: Record<string, unknown>,
): Promise<void> {
  const { interaction } = interactionState(ctx);
  const returnTo = await deps
    .provider()
    .interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  const redirectUri = text(interaction.params.redirect_uri);
  const uiLocales = text(interaction.params.ui_locales);
  await deps.flows.put({
    kind: ENDED,
    id: interaction.uid,
    state: 'error' in result ? 'cancelled' : 'completed',
    data: {
      clientId: String(interaction.params.client_id),
      ...(redirectUri ? { redirectUri } : {}),
      ...(uiLocales ? { uiLocales } : {}),
    },
    expiresAt: new Date(deps.clock.now().getTime() + deps.config.ttl.interaction * 1000),
  });
  ctx.redirect(returnTo);
  ctx.status = 303;
}
