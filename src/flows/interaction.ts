// Shared steps for hosted interaction pages: load the oidc-provider interaction, the client, the page language.
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import { FlowError } from '../http/errors.js';
import { pageContext, resolveLocale } from '../core/locale.js';
import type { PageContext } from '../core/locale.js';

/** What the interaction steps use: the provider serving now (a key change swaps it). */
export interface InteractionDeps {
  provider: () => Provider;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface InteractionState {
  interaction: Interaction;
  clientName: string;
  firstParty: boolean;
  page: PageContext;
}

export function interactionState(ctx: Context): InteractionState {
  return ctx.state as unknown as InteractionState;
}

/** Loads the interaction named by :uid and bound to this browser's interaction cookie. */
export function loadInteraction(deps: InteractionDeps) {
  return async (ctx: Context, next: Next) => {
    const provider = deps.provider();
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (cause) {
      throw new FlowError('SESSION_EXPIRED', { cause });
    }
    if (interaction.uid !== ctx.params.uid)
      throw new FlowError('SESSION_EXPIRED', { detail: { reason: 'uid mismatch' } });
    const client = await provider.Client.find(String(interaction.params.client_id));
    if (!client) throw new FlowError('SESSION_EXPIRED', { detail: { reason: 'client gone' } });
    const locale = resolveLocale(
      ctx,
      typeof interaction.params.ui_locales === 'string' ? interaction.params.ui_locales : undefined,
    );
    Object.assign(ctx.state, {
      interaction,
      clientName: client.clientName ?? client.clientId,
      firstParty: Boolean(client.metadata().first_party),
      page: pageContext(ctx, locale),
    } satisfies InteractionState);
    await next();
  };
}

/** Only lets a request through when the interaction waits for this prompt. */
export function requirePrompt(name: 'login' | 'consent') {
  return async (ctx: Context, next: Next) => {
    if (interactionState(ctx).interaction.prompt.name !== name)
      throw new FlowError('SESSION_EXPIRED', { detail: { expected: name } });
    await next();
  };
}

/** Ends the interaction with a result and sends the browser back to the authorization endpoint. */
export async function finishInteraction(
  deps: InteractionDeps,
  ctx: Context,
  result: Record<string, unknown>,
): Promise<void> {
  const returnTo = await deps
    .provider()
    .interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.redirect(returnTo);
  ctx.status = 303;
}
