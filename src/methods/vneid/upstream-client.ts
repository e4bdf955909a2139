// The VNeID method: our IdP as a relying party of the national e-ID, built on openid-client 6.
//
// - Discovery from VNEID_ISSUER, cached for an hour (a failed discovery is not cached, so the next click retries).
// - Client authentication by client_secret_basic or private_key_jwt.
// - Authorization code with PKCE S256, state and nonce; the caller keeps them with the flow (bound to the interaction).
// - The callback: RFC 9207 `iss` checked when the upstream advertises it, state, and the ID token's issuer, audience,
//   nonce and signature against the upstream's JWKS (`enableNonRepudiationChecks`: openid-client skips signature
//   checks of code-flow ID tokens by default).
// - Every upstream call has a timeout (VNEID_TIMEOUT_MS, default 5 s).
// - Identity from the ID token or the userinfo endpoint (also an OAuth 2.0 upstream without ID tokens), mapped by
//   configuration (identity-mapping.ts).
import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import type { VneidConfig } from '../../config/config.js';
import { mapIdentity, type UpstreamIdentity } from './identity-mapping.js';

/**
 * What went wrong, in the member's terms:
 * unavailable (down, slow, 5xx), cancelled (the citizen said no), error_response (the upstream refused),
 * invalid_response (a check failed: state, iss, nonce, audience, issuer, signature), identity_incomplete (no usable
 * identification number or level).
 */
export type UpstreamFailure =
  | 'unavailable'
  | 'cancelled'
  | 'error_response'
  | 'invalid_response'
  | 'identity_incomplete';

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailure,
    /** For logs and audit only: codes, never tokens or claims. */
    readonly detail: Record<string, string | number | undefined> = {},
    options?: { cause?: unknown },
  ) {
    super(`VNeID upstream: ${kind}`, options);
    this.name = 'UpstreamError';
  }
}

export interface AuthorizationChecks {
  state: string;
  nonce?: string;
  codeVerifier: string;
}

export interface UpstreamSignIn {
  issuer: string;
  identity: UpstreamIdentity;
  /** Kept to end the upstream session at logout (id_token_hint). */
  idToken?: string;
}

export interface VneidUpstream {
  readonly issuer: string;
  /** Discovers the upstream if needed and builds the authorization URL with fresh checks. */
  start(options: { uiLocales?: string }): Promise<{ url: URL; checks: AuthorizationChecks }>;
  /** Validates the callback, redeems the code and maps the citizen's identity. Throws UpstreamError. */
  finish(callbackUrl: URL, checks: AuthorizationChecks): Promise<UpstreamSignIn>;
  /** The upstream's end-session URL, or undefined when it has none (or cannot be reached now). */
  endSessionUrl(params: { idTokenHint?: string; state: string }): Promise<URL | undefined>;
}

const DISCOVERY_MAX_AGE_MS = 60 * 60 * 1000;

async function clientAuthentication(config: VneidConfig): Promise<oidc.ClientAuth> {
  if (config.clientAuth.method === 'client_secret_basic') return oidc.ClientSecretBasic(config.clientAuth.secret);
  const jwk = JSON.parse(config.clientAuth.privateKey) as JWK;
  const alg = jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');
  const key = (await importJWK(jwk, alg)) as Extract<Parameters<typeof oidc.PrivateKeyJwt>[0], { type: string }>;
  return oidc.PrivateKeyJwt(jwk.kid ? { key, kid: jwk.kid } : key);
}

/** Sorts whatever openid-client (or fetch) threw into the member-facing kinds. */
export function classify(err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (err instanceof oidc.AuthorizationResponseError) {
    const code = err.error;
    const kind =
      code === 'access_denied'
        ? 'cancelled'
        : code === 'server_error' || code === 'temporarily_unavailable'
          ? 'unavailable'
          : 'error_response';
    return new UpstreamError(kind, { error: code }, { cause: err });
  }
  if (err instanceof oidc.ResponseBodyError) {
    return new UpstreamError(
      err.status >= 500 ? 'unavailable' : 'error_response',
      { error: err.error, status: err.status },
      { cause: err },
    );
  }
  if (err instanceof TypeError) return new UpstreamError('unavailable', { reason: 'network' }, { cause: err });
  if (err instanceof oidc.ClientError) {
    const unavailable = [
      'OAUTH_TIMEOUT',
      'OAUTH_ABORT',
      'OAUTH_RESPONSE_IS_NOT_CONFORM',
      'OAUTH_RESPONSE_IS_NOT_JSON',
    ].includes(err.code ?? '');
    return new UpstreamError(
      unavailable ? 'unavailable' : 'invalid_response',
      { code: err.code, reason: err.message },
      { cause: err },
    );
  }
  return new UpstreamError('invalid_response', { reason: (err as Error)?.name }, { cause: err });
}

export function createVneidUpstream(
  config: VneidConfig,
  options: { redirectUri: string; postLogoutRedirectUri: string; allowHttp: boolean },
): VneidUpstream {
  let discovered: { at: number; configuration: Promise<oidc.Configuration> } | undefined;

  function configuration(): Promise<oidc.Configuration> {
    if (discovered && Date.now() - discovered.at < DISCOVERY_MAX_AGE_MS) return discovered.configuration;
    const pending = (async () => {
      const execute = [oidc.enableNonRepudiationChecks, ...(options.allowHttp ? [oidc.allowInsecureRequests] : [])];
      return oidc.discovery(
        new URL(config.issuer),
        config.clientId,
        { redirect_uris: [options.redirectUri], response_types: ['code'] },
        await clientAuthentication(config),
        { execute, timeout: config.timeoutMs / 1000 },
      );
    })();
    discovered = { at: Date.now(), configuration: pending };
    pending.catch(() => {
      if (discovered?.configuration === pending) discovered = undefined;
    });
    return pending;
  }

  async function claimsOf(
    cfg: oidc.Configuration,
    tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>,
  ): Promise<Record<string, unknown>> {
    const idClaims = tokens.claims();
    if (config.claimsSource === 'id_token') return { ...idClaims };
    const userinfoUrl = config.userinfoUrl ?? cfg.serverMetadata().userinfo_endpoint;
    if (!userinfoUrl) throw new UpstreamError('invalid_response', { reason: 'no userinfo endpoint' });
    // With an ID token, the OIDC userinfo endpoint must describe the same subject.
    if (idClaims && !config.userinfoUrl)
      return { ...(await oidc.fetchUserInfo(cfg, tokens.access_token, idClaims.sub)) };
    const response = await oidc.fetchProtectedResource(cfg, tokens.access_token, new URL(userinfoUrl), 'GET');
    if (response.status >= 500) throw new UpstreamError('unavailable', { status: response.status, reason: 'userinfo' });
    if (!response.ok) throw new UpstreamError('error_response', { status: response.status, reason: 'userinfo' });
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new UpstreamError('invalid_response', { reason: 'userinfo not a JSON object' });
    if (idClaims && (body as { sub?: unknown }).sub !== undefined && (body as { sub?: unknown }).sub !== idClaims.sub) {
      throw new UpstreamError('invalid_response', { reason: 'userinfo subject differs' });
    }
    return { ...(idClaims ? { sub: idClaims.sub } : {}), ...(body as Record<string, unknown>) };
  }

  return {
    issuer: config.issuer,

    async start({ uiLocales }) {
      try {
        const cfg = await configuration();
        const codeVerifier = oidc.randomPKCECodeVerifier();
        const checks: AuthorizationChecks = {
          state: oidc.randomState(),
          codeVerifier,
          ...(config.idToken ? { nonce: oidc.randomNonce() } : {}),
        };
        const url = oidc.buildAuthorizationUrl(cfg, {
          redirect_uri: options.redirectUri,
          scope: config.scope,
          code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
          state: checks.state,
          ...(checks.nonce ? { nonce: checks.nonce } : {}),
          ...(uiLocales ? { ui_locales: uiLocales } : {}),
        });
        return { url, checks };
      } catch (err) {
        throw classify(err);
      }
    },

    async finish(callbackUrl, checks) {
      try {
        const cfg = await configuration();
        const tokens = await oidc.authorizationCodeGrant(
          cfg,
          callbackUrl,
          {
            pkceCodeVerifier: checks.codeVerifier,
            expectedState: checks.state,
            ...(checks.nonce ? { expectedNonce: checks.nonce } : {}),
            idTokenExpected: config.idToken,
          },
          { redirect_uri: options.redirectUri },
        );
        const mapped = mapIdentity(await claimsOf(cfg, tokens), config);
        if (!mapped.ok) throw new UpstreamError('identity_incomplete', { missing: mapped.missing });
        return {
          issuer: config.issuer,
          identity: mapped.identity,
          ...(tokens.id_token ? { idToken: tokens.id_token } : {}),
        };
      } catch (err) {
        throw classify(err);
      }
    },

    async endSessionUrl({ idTokenHint, state }) {
      const cfg = await configuration().catch(() => undefined);
      if (!cfg?.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(cfg, {
        post_logout_redirect_uri: options.postLogoutRedirectUri,
        state,
        client_id: config.clientId,
        ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
      });
    },
  };
}
