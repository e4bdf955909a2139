// The consent flow: third-party clients show what they ask for in plain words; the answer becomes a Grant that
// oidc-provider remembers. First-party clients are approved without a page.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Csrf } from '../../http/csrf.js';
import type { MessageId } from '../../core/i18n.js';
import { consentPage } from '../../../views/consent.js';
import {
  finishInteraction,
  type InteractionDeps,
  interactionState,
  loadInteraction,
  requirePrompt,
} from '../interaction.js';

type Details = {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
};

/** Adds what the interaction asks for to the account's grant with this client and returns its id. */
/** What the consent step uses. */
export interface ConsentDeps extends InteractionDeps {
  audit: AuditLog;
  csrf: Csrf;
}

async function grantRequested(deps: ConsentDeps, ctx: Context): Promise<string> {
  const { interaction } = interactionState(ctx);
  const provider = deps.provider();
  const accountId = interaction.session!.accountId;
  const clientId = String(interaction.params.client_id);
  const grant =
    (interaction.grantId && (await provider.Grant.find(interaction.grantId))) ||
    new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details as Details;
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await deps.audit.record({
    type: 'consent.granted',
    accountId,
    clientId,
    ip: ctx.ip,
    requestId: ctx.state.requestId,
    detail: { scope: details.missingOIDCScope ?? [] },
  });
  return grantId;
}

function describe(ctx: Context): string[] {
  const { interaction, page } = interactionState(ctx);
  const details = interaction.prompt.details as Details;
  const items = new Set<string>();
  const scopes = new Set(details.missingOIDCScope ?? []);
  for (const claim of details.missingOIDCClaims ?? []) {
    if (claim === 'name' || claim === 'birthdate') scopes.add('profile');
    else if (claim.startsWith('email')) scopes.add('email');
    else if (claim.startsWith('phone')) scopes.add('phone');
    else if (claim === 'bhxh_number') scopes.add('bhxh');
  }
  for (const scope of ['openid', 'profile', 'email', 'phone', 'bhxh', 'offline_access']) {
    if (scopes.has(scope)) items.add(page.t(`consent.scope.${scope}` as MessageId));
  }
  for (const [resource, list] of Object.entries(details.missingResourceScopes ?? {})) {
    items.add(page.t('consent.resource', { resource, scopes: list.join(', ') }));
  }
  return [...items];
}

/** GET when the prompt is consent: first-party clients pass straight through; others see the page. */
export function showConsent(deps: ConsentDeps): Middleware {
  return async (ctx) => {
    const { interaction, page, clientName, firstParty } = interactionState(ctx);
    if (firstParty) return finishInteraction(deps, ctx, { consent: { grantId: await grantRequested(deps, ctx) } });
    ctx.type = 'html';
    ctx.body = consentPage(page, {
      action: `/interaction/${interaction.uid}/confirm`,
      abortHref: `/interaction/${interaction.uid}/abort`,
      csrfToken: deps.csrf.issue(ctx),
      clientName,
      items: describe(ctx),
    });
  };
}

export function registerConsentRoutes(router: Router, deps: ConsentDeps, parseForm: Middleware) {
  router.post(
    '/interaction/:uid/confirm',
    parseForm,
    deps.csrf.verify,
    loadInteraction(deps),
    requirePrompt('consent'),
    async (ctx) => {
      await finishInteraction(deps, ctx, { consent: { grantId: await grantRequested(deps, ctx) } });
    },
  );
}
