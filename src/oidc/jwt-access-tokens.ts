// RFC 7662 introspection of our RFC 9068 JWT access tokens, which oidc-provider neither stores nor introspects. One is
// active only while the key set being served verifies it, it has not expired and the record written as it was issued
// still names a live grant (refresh-token revocation and a password change end it); else `{ active: false }`.
// Called by src/oidc/provider.ts (the record: the jwt format customizer) and src/server.ts (the answer).
import * as jose from 'jose';
import type { Middleware } from 'koa';
import Provider, {
  errors,
  type AccessToken,
  type Adapter,
  type Client,
  type ClientCredentials,
  type JWTStructured,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Db } from '../db/database.js';
import type { ProviderKeys } from '../keys/key-store.js';
import { createKnexAdapter } from './adapter.js';
import type { Clock } from '../core/clock.js';

/** The model name of the records in oidc_payloads (grant_id and account_id lifted, so revocations delete them too). */
const MODEL = 'JwtAccessToken';
const ALGORITHMS = ['ES256', 'RS256'];

interface JwtAccessTokenRecord {
  clientId: string;
  grantId?: string;
  accountId?: string;
}

/** Where the records live: the provider's own adapter table, expiring with the token. */
export function createJwtAccessTokenStore(db: Db, clock: Clock): Adapter {
  return new (createKnexAdapter(db, clock))(MODEL);
}

/** formats.customizers.jwt: before a JWT access token is handed out, records its client and grant under its jti. */
export function recordJwtAccessTokens(store: Adapter) {
  return async (
    _ctx: KoaContextWithOIDC,
    token: AccessToken | ClientCredentials,
    jwt: JWTStructured,
  ): Promise<void> => {
    const { jti, iat, exp } = jwt.payload as { jti: string; iat: number; exp: number };
    const { grantId, accountId } = token as { grantId?: string; accountId?: string };
    const record: JwtAccessTokenRecord = {
      clientId: token.clientId!,
      ...(grantId ? { grantId } : {}),
      ...(accountId ? { accountId } : {}),
    };
    await store.upsert(jti, record as never, exp - iat);
  };
}

/** The public half of a signing JWK. */
function publicJwk(jwk: jose.JWK): jose.JWK {
  const { kty, crv, x, y, n, e, kid, alg, use } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e, kid, alg, use }).filter(([, v]) => v !== undefined));
}

export interface JwtIntrospectionDeps {
  store: Adapter;
  keys: ProviderKeys;
  issuer: string;
  clock: Clock;
  /** The same rule as the provider's introspection.allowedPolicy (confidential clients only). */
  mayIntrospect: (client: Client) => boolean;
}

/** The RFC 7662 members for `token` when it is one of our live JWT access tokens; undefined otherwise. */
async function describeActiveToken(
  provider: Provider,
  deps: JwtIntrospectionDeps,
  jwks: ReturnType<typeof jose.createLocalJWKSet>,
  token: string,
) {
  let payload: jose.JWTPayload & { client_id?: unknown; scope?: unknown; cnf?: { jkt?: string } };
  try {
    ({ payload } = await jose.jwtVerify(token, jwks, {
      issuer: deps.issuer,
      typ: 'at+jwt',
      algorithms: ALGORITHMS,
      currentDate: deps.clock.now(),
    }));
  } catch {
    return undefined; // not ours, forged, tampered, expired, or signed by a key no longer served
  }
  if (typeof payload.jti !== 'string' || typeof payload.client_id !== 'string') return undefined;
  const record = (await deps.store.find(payload.jti)) as JwtAccessTokenRecord | undefined;
  if (!record || record.clientId !== payload.client_id) return undefined;
  if (record.grantId) {
    // The library's checks for an opaque token's grant, applied to ours.
    const grant = await provider.Grant.find(record.grantId, { ignoreExpiration: true });
    if (!grant || grant.isExpired || grant.clientId !== record.clientId || grant.accountId !== record.accountId)
      return undefined;
  }
  return {
    active: true,
    client_id: payload.client_id,
    ...(record.accountId ? { sub: payload.sub } : {}),
    scope: typeof payload.scope === 'string' && payload.scope ? payload.scope : undefined,
    exp: payload.exp,
    iat: payload.iat,
    iss: payload.iss,
    aud: payload.aud,
    jti: payload.jti,
    token_type: payload.cnf?.jkt ? 'DPoP' : 'Bearer',
    ...(payload.cnf ? { cnf: payload.cnf } : {}),
  };
}

/**
 * Answers introspection of JWT-shaped tokens on `provider`. The library authenticates the client and refuses the
 * token as structured; only then (the `introspection.error` event names that refusal) this replaces the 400 with the
 * RFC 7662 answer. Install it inside the 503 wrapper (src/http/unavailable.ts) so a database outage stays a 503.
 */
export function installJwtIntrospection(provider: Provider, deps: JwtIntrospectionDeps): void {
  const jwks = jose.createLocalJWKSet({ keys: deps.keys.jwks.keys.filter((k) => k.use === 'sig').map(publicJwk) });
  const refusedAsStructured = new WeakSet<object>();
  provider.on('introspection.error', (ctx: KoaContextWithOIDC, err: unknown) => {
    if (err instanceof errors.UnsupportedTokenType) refusedAsStructured.add(ctx);
  });
  const answer: Middleware = async (ctx, next) => {
    await next();
    if (!refusedAsStructured.has(ctx)) return;
    const { oidc } = ctx as unknown as KoaContextWithOIDC;
    const token = oidc?.params?.token;
    if (oidc?.route !== 'introspection' || !oidc.client || typeof token !== 'string') return;
    const described = deps.mayIntrospect(oidc.client)
      ? await describeActiveToken(provider, deps, jwks, token)
      : undefined;
    ctx.status = 200;
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = described ?? { active: false };
  };
  provider.use(answer);
}
