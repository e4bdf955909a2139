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
// - VNEID_PROFILE=encrypted-oauth2 (issue 15): VNeID's encrypted OAuth 2.0 profile. openid-client still discovers the
//   upstream (unless VNEID_AUTHORIZATION_URL and VNEID_TOKEN_URL name the endpoints) and builds the authorization URL
//   (state + PKCE, no nonce); the rest is plain fetch, because nothing in it is standard enough for openid-client:
//   the callback's `code` is read from the RAW query string (the upstream leaves `+` unencoded, which a form decoder
//   turns into a space), it may be encrypted (`encrypt_key`), the token request carries client_secret (and
//   encrypt_key) in the body, and the token and userinfo answers are `{data, key}` envelopes (encrypted-profile.ts).
//   No ID token: identity comes from userinfo only, and there is no upstream logout.
import { importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';
import type { VneidConfig } from '../../config/config.js';
import { decryptBody, decryptCode, EnvelopeError, loadEnvelopeKey, type EnvelopeKey } from './encrypted-profile.js';
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
  // Every decryption failure is the one invalid_response outcome; only the reason code goes to the logs.
  if (err instanceof EnvelopeError)
    return new UpstreamError('invalid_response', { reason: 'decryption', stage: err.reason });
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

  if (config.profile === 'encrypted-oauth2')
    return encryptedProfileUpstream(config, options, configuration, loadEnvelopeKey(config.privateKeyPem ?? ''));

  return {
    issuer: config.issuer,

    async start({ uiLocales }) {
      try {
        return await authorizationRequest(await configuration(), {
          redirectUri: options.redirectUri,
          scope: config.scope,
          nonce: config.idToken,
          uiLocales,
        });
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

/** The authorization request both profiles send: state and PKCE (S256) always, a nonce when an ID token comes. */
async function authorizationRequest(
  cfg: oidc.Configuration,
  request: { redirectUri: string; scope: string; nonce: boolean; uiLocales?: string | undefined },
): Promise<{ url: URL; checks: AuthorizationChecks }> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const checks: AuthorizationChecks = {
    state: oidc.randomState(),
    codeVerifier,
    ...(request.nonce ? { nonce: oidc.randomNonce() } : {}),
  };
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: request.redirectUri,
    scope: request.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: checks.state,
    ...(checks.nonce ? { nonce: checks.nonce } : {}),
    ...(request.uiLocales ? { ui_locales: request.uiLocales } : {}),
  });
  return { url, checks };
}

// ---------------------------------------------------------------------------------------------------------------
// The encrypted OAuth 2.0 profile

/**
 * The callback's parameters from the raw query string: percent-decoding only, `+` kept as `+` (the upstream does
 * not encode the `+` of its base64 codes). A repeated or undecodable parameter is an invalid response.
 */
export function rawQueryParams(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
    } catch {
      throw new UpstreamError('invalid_response', { reason: 'callback query not decodable' });
    }
    if (params.has(name)) throw new UpstreamError('invalid_response', { reason: 'repeated callback parameter' });
    params.set(name, value);
  }
  return params;
}

function authorizationError(error: string): UpstreamError {
  const kind =
    error === 'access_denied'
      ? 'cancelled'
      : error === 'server_error' || error === 'temporarily_unavailable'
        ? 'unavailable'
        : 'error_response';
  return new UpstreamError(kind, { error: error.slice(0, 64) });
}

function encryptedProfileUpstream(
  config: VneidConfig,
  options: { redirectUri: string; allowHttp: boolean },
  discover: () => Promise<oidc.Configuration>,
  key: EnvelopeKey,
): VneidUpstream {
  if (config.clientAuth.method !== 'client_secret_basic') throw new Error('encrypted-oauth2 needs a client secret');
  const secret = config.clientAuth.secret;

  /** Explicit endpoints win; otherwise the discovery document's. */
  async function endpoints(): Promise<{ cfg: oidc.Configuration; token: string; userinfo: string }> {
    let cfg: oidc.Configuration;
    if (config.authorizationUrl && config.tokenUrl) {
      const metadata: oidc.ServerMetadata = {
        issuer: config.issuer,
        authorization_endpoint: config.authorizationUrl,
        token_endpoint: config.tokenUrl,
      };
      cfg = new oidc.Configuration(metadata, config.clientId, secret, oidc.ClientSecretPost(secret));
      if (options.allowHttp) oidc.allowInsecureRequests(cfg);
    } else cfg = await discover();
    const metadata = cfg.serverMetadata();
    const token = config.tokenUrl ?? metadata.token_endpoint;
    const userinfo = config.userinfoUrl ?? metadata.userinfo_endpoint;
    if (!token || !userinfo) throw new UpstreamError('invalid_response', { reason: 'no token or userinfo endpoint' });
    return { cfg, token, userinfo };
  }

  /** A JSON answer of the upstream within the timeout: 5xx → unavailable, 4xx → error_response. */
  async function call(url: string, init: RequestInit, stage: string): Promise<unknown> {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    }).catch((err: unknown) => {
      throw new UpstreamError('unavailable', { reason: 'network', stage }, { cause: err });
    });
    if (response.status >= 500) throw new UpstreamError('unavailable', { status: response.status, stage });
    if (response.status !== 200) {
      const body = (await response.json().catch(() => undefined)) as { error?: unknown } | undefined;
      const error = typeof body?.error === 'string' ? body.error.slice(0, 64) : undefined;
      throw new UpstreamError('error_response', { status: response.status, stage, error });
    }
    return response.json().catch(() => {
      throw new UpstreamError('invalid_response', { reason: 'not JSON', stage });
    });
  }

  return {
    issuer: config.issuer,

    async start({ uiLocales }) {
      try {
        const { cfg } = await endpoints();
        // No nonce: the profile has none. state (single-use, bound to the interaction and the browser) and PKCE
        // (harmless to an upstream that ignores it) bind the callback.
        return await authorizationRequest(cfg, {
          redirectUri: options.redirectUri,
          scope: config.scope,
          nonce: false,
          uiLocales,
        });
      } catch (err) {
        throw classify(err);
      }
    },

    async finish(callbackUrl, checks) {
      try {
        const params = rawQueryParams(callbackUrl.search);
        if (params.get('state') !== checks.state) throw new UpstreamError('invalid_response', { reason: 'state' });
        const iss = params.get('iss');
        if (iss !== undefined && iss !== config.issuer) throw new UpstreamError('invalid_response', { reason: 'iss' });
        const error = params.get('error');
        if (error !== undefined) throw authorizationError(error);
        const received = params.get('code');
        if (!received) throw new UpstreamError('invalid_response', { reason: 'no code' });
        const encryptKey = params.get('encrypt_key');
        const code = encryptKey ? decryptCode(key, received, encryptKey) : received;
        const { token, userinfo } = await endpoints();

        const form = new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: options.redirectUri,
          client_id: config.clientId,
          client_secret: secret,
          code_verifier: checks.codeVerifier,
          ...(encryptKey ? { encrypt_key: encryptKey } : {}),
        });
        const tokens = decryptBody(
          key,
          await call(
            token,
            {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
              body: form,
            },
            'token',
          ),
        );
        const accessToken = tokens.access_token;
        if (typeof accessToken !== 'string' || !accessToken)
          throw new UpstreamError('invalid_response', { reason: 'no access_token' });
        const claims = decryptBody(
          key,
          await call(
            userinfo,
            { method: 'GET', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } },
            'userinfo',
          ),
        );
        const mapped = mapIdentity(claims, config);
        if (!mapped.ok) throw new UpstreamError('identity_incomplete', { missing: mapped.missing });
        return { issuer: config.issuer, identity: mapped.identity };
      } catch (err) {
        throw classify(err);
      }
    },

    // No ID token, so no upstream logout: ending our session is enough.
    async endSessionUrl() {
      return undefined;
    },
  };
}
