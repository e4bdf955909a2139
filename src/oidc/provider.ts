// Builds the oidc-provider instance: the protocol engine. Everything it needs is passed in; nothing here reads the
// environment. A provider is built from a snapshot of keys, so a key change builds a new one (see docs/architecture.md).
import Provider, {
  errors,
  interactionPolicy,
  type Client,
  type Configuration,
  type Adapter,
  type KoaContextWithOIDC,
  type ResourceServer,
} from 'oidc-provider';
import type { Account } from '../accounts/account-repository.js';
import type { ResourceServerRepository } from '../clients/resource-server-repository.js';
import type { Config } from '../config/config.js';
import type { ProviderKeys } from '../keys/key-store.js';
import { resolveLocale, pageContext } from '../core/locale.js';
import { appLink } from '../core/self-link.js';
import { messagePage } from '../../views/message.js';
import { logoutConfirmPage } from '../../views/logout.js';
import { confirmActionWithLocale, LOGOUT_LOCALE_PARAM } from './logout-language.js';
import type { createKnexAdapter } from './adapter.js';
import { accountClaims, SCOPE_CLAIMS } from './claims.js';
import { DEFAULT_CLIENT_SCOPE, enforcedClientScope, SUPPORTED_SCOPES } from '../security/scope-policy.js';
import { ACR_VALUES, installAssuranceCheck } from './assurance.js';
import { renderProviderError } from './render-error.js';
import { recordJwtAccessTokens } from './jwt-access-tokens.js';
import type { Logger } from 'pino';
import { trustProxyHops } from '../security/client-address.js';

/** Where a provider instance stores what it issues; built by the composition root (src/app/services.ts). */
export interface ProviderStorage {
  /** The knex adapter (src/oidc/adapter.ts) over the client repository the node reads through. */
  adapter: ReturnType<typeof createKnexAdapter>;
  /** The record of each JWT access token's grant (src/oidc/jwt-access-tokens.ts). */
  jwtAccessTokens: Adapter;
}

export interface ProviderDeps {
  config: Config;
  storage: ProviderStorage;
  keys: ProviderKeys;
  /** Reads an account for the provider (claims, status): the node's account cache (accounts/account-cache.ts). */
  accounts: { findForProvider(id: string): Promise<Account | undefined> };
  resourceServers: ResourceServerRepository;
  logger: Logger;
  /** Whether signing out of this session also signs the member out upstream (VNeID); the confirmation says so. */
  endsUpstreamSession?: (sessionUid: string) => Promise<boolean>;
}

const SIGNING_ALGS = ['ES256', 'RS256'];
const CLIENT_AUTH_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256'];

/** Only confidential clients may introspect (opaque and JWT access tokens alike). */
export const mayIntrospect = (client: Client): boolean => client.clientAuthMethod !== 'none';

/**
 * The library's policy, except that first-party native clients are not asked for consent on every authorization
 * (the built-in `native_client_prompt` check) — they are our own apps — and that a demanded level of assurance is a
 * minimum (src/oidc/assurance.ts).
 */
function buildInteractionPolicy() {
  const policy = interactionPolicy.base();
  installAssuranceCheck(policy);
  const consent = policy.get('consent')!;
  const native = consent.checks.get('native_client_prompt')!;
  consent.checks.remove('native_client_prompt');
  consent.checks.add(
    new interactionPolicy.Check(
      'native_client_prompt',
      native.description,
      native.error ?? 'interaction_required',
      (ctx) => (ctx.oidc.client!.metadata().first_party ? false : native.check(ctx)),
    ),
    0,
  );
  return policy;
}

/**
 * The part of the provider's configuration that depends on none of our services: protocol features, TTLs, scopes,
 * claims, acr values, PKCE, algorithms, client defaults and metadata, cookie names and flags, refresh-token rotation,
 * introspection's policy and the shape of a resource server's tokens. buildProvider adds our adapter, keys, accounts,
 * interactions, pages and hooks; the bench's bare provider (bench/bare-provider.ts) starts from the same object, so
 * the baseline it measures cannot drift from the product.
 */
export function baseProviderConfiguration(ttl: Config['ttl'], resourceServers: Pick<ResourceServerRepository, 'find'>) {
  return {
    cookies: {
      names: { session: 'bhxh.session', interaction: 'bhxh.interaction', resume: 'bhxh.resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    scopes: [...SUPPORTED_SCOPES],
    claims: {
      ...Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([k, v]) => [k, [...v]])),
      openid: ['sub', 'acr', 'amr', 'auth_time'],
    },
    acrValues: [...ACR_VALUES],
    responseTypes: ['code'],
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
      // NOTE: without a default, oidc-provider lets a client with no `scope` list ask for every scope (admin ones too).
      scope: DEFAULT_CLIENT_SCOPE,
    },
    enabledJWA: {
      idTokenSigningAlgValues: SIGNING_ALGS as never,
      userinfoSigningAlgValues: SIGNING_ALGS as never,
      introspectionSigningAlgValues: SIGNING_ALGS as never,
      authorizationSigningAlgValues: SIGNING_ALGS as never,
      clientAuthSigningAlgValues: CLIENT_AUTH_ALGS as never,
      requestObjectSigningAlgValues: CLIENT_AUTH_ALGS as never,
    },
    extraClientMetadata: {
      properties: ['first_party', 'admin'],
      // Runs each time a client is loaded: the scope list it may use comes from the scope policy, not its metadata.
      validator(_ctx, key, value, metadata) {
        if (value !== undefined && typeof value !== 'boolean')
          throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
        if (key === 'admin') metadata.scope = enforcedClientScope(metadata);
      },
    },
    ttl: {
      // A resource server's own lifetime wins for the tokens issued to it.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      AuthorizationCode: 60,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      IdToken: ttl.idToken,
      RefreshToken: ttl.refreshToken,
      Interaction: ttl.interaction,
      Session: ttl.session,
      Grant: ttl.refreshToken,
    },
    // Refresh tokens of every client rotate on each use; reusing a rotated one revokes the whole grant (the library
    // does that when a consumed refresh token comes back).
    rotateRefreshToken: () => true,
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client) => mayIntrospect(client),
      },
      revocation: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        async getResourceServerInfo(_ctx, indicator): Promise<ResourceServer> {
          const server = await resourceServers.find(indicator);
          if (!server) throw new errors.InvalidTarget();
          return {
            scope: server.scope,
            audience: server.identifier,
            accessTokenTTL: server.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  } satisfies Configuration;
}

export function buildProvider(deps: ProviderDeps): Provider {
  const { config, keys, accounts, resourceServers, logger } = deps;
  const base = baseProviderConfiguration(config.ttl, resourceServers);

  const configuration: Configuration = {
    ...base,
    adapter: deps.storage.adapter as unknown as Configuration['adapter'],
    jwks: keys.jwks as Configuration['jwks'],
    cookies: { ...base.cookies, keys: keys.cookieKeys },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: buildInteractionPolicy(),
    },
    async findAccount(_ctx, sub) {
      const account = await accounts.findForProvider(sub);
      if (account?.status !== 'active') return undefined;
      return { accountId: account.id, claims: () => accountClaims(account) as { sub: string } };
    },
    // First-party clients never see a consent page: their grant covers what they ask for.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(oidc.client!.clientId);
      const firstParty = Boolean(oidc.client!.metadata().first_party);
      if (!grantId && !firstParty) return undefined;
      const grant = grantId
        ? await oidc.provider.Grant.find(grantId)
        : new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId! });
      if (!grant) return undefined;
      if (firstParty) {
        grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
        if (oidc.requestParamClaims) grant.addOIDCClaims([...oidc.requestParamClaims]);
        for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
          const allowed = new Set((server.scope ?? '').split(' '));
          grant.addResourceScope(indicator, [...oidc.requestParamScopes].filter((s) => allowed.has(s)).join(' '));
        }
        await grant.save();
      }
      return grant;
    },
    features: {
      ...base.features,
      rpInitiatedLogout: {
        ...base.features.rpInitiatedLogout,
        async logoutSource(ctx, form) {
          // The relying party's ui_locales counts here as on /auth (after the member's own switch, ?lang= / cookie).
          const uiLocales = (ctx.oidc.params as { ui_locales?: unknown } | undefined)?.ui_locales;
          const page = pageContext(ctx, resolveLocale(ctx, typeof uiLocales === 'string' ? uiLocales : undefined));
          const sessionUid = ctx.oidc.session?.uid;
          const alsoVneid = sessionUid ? ((await deps.endsUpstreamSession?.(sessionUid)) ?? false) : false;
          ctx.type = 'html';
          // The "signed out" page that follows speaks the same language (oidc/logout-language.ts).
          const carried = typeof uiLocales === 'string' ? page.locale : undefined;
          ctx.body = logoutConfirmPage(page, confirmActionWithLocale(form, carried), { alsoVneid });
        },
        // Signed out with nowhere the app asked to go: the way back to it (when the logout named it), else the start page.
        async postLogoutSuccessSource(ctx) {
          const carried = ctx.query[LOGOUT_LOCALE_PARAM];
          const page = pageContext(ctx, resolveLocale(ctx, typeof carried === 'string' ? carried : undefined));
          const client = ctx.oidc.client;
          ctx.type = 'html';
          ctx.body = messagePage(page, {
            title: page.t('logout.title'),
            message: page.t('logout.done'),
            next: { app: client ? appLink(client) : undefined },
          });
        },
      },
    },
    // JWT access tokens are not stored by the library: a record of each one's grant lets introspection tell whether
    // it was revoked (src/oidc/jwt-access-tokens.ts).
    formats: { customizers: { jwt: recordJwtAccessTokens(deps.storage.jwtAccessTokens) } },
    // NOTE: oidc-provider guards outbound calls against special-use addresses (SSRF); hosts an operator lists in
    // OUTBOUND_PRIVATE_HOSTS (loopback outside production) skip that guard.
    fetch(url, options) {
      const { hostname } = new URL(url instanceof Request ? url.url : String(url));
      if (config.outboundPrivateHosts.has(hostname.toLowerCase()))
        delete (options as { dispatcher?: unknown }).dispatcher;
      return globalThis.fetch(url, options);
    },
    // Our page in the member's language; a relying party's mistake keeps its detail for the developer (render-error.ts).
    async renderError(ctx, out, error) {
      await renderProviderError(ctx, out, error, logger);
    },
  };

  const provider = new Provider(config.issuer, configuration);
  // The provider is a Koa app of its own: it must derive the client address exactly as ours does.
  trustProxyHops(provider, config.trustedProxyHops);
  return provider;
}
