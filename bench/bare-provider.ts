// The baseline of the token-endpoint rows: a bare oidc-provider with its in-memory adapter and a configuration
// equivalent to ours (src/oidc/provider.ts): the same scopes, claims, acr values, PKCE, TTLs, refresh-token
// rotation, client credentials, introspection, revocation, resource indicators, ES256 + RS256 keys generated at
// start, opaque tokens, and the same three clients (secrets from the environment). No Koa app in front, no
// database: what the library itself can do on this machine.
//
// Run by bench/run.ts as a child process: PORT, BARE_CC_SECRET, BARE_API_SECRET. Development only: it has a route
// /__bench/tokens?n=N that mints N grants with an access and a refresh token each through the library's models (the
// bare provider has no hosted pages to sign in through).
import crypto from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Context, Next } from 'koa';
import Provider, { errors, type ClientMetadata, type Configuration, type ResourceServer } from 'oidc-provider';
import { ACR_VALUES } from '../src/oidc/assurance.js';
import { SCOPE_CLAIMS, SCOPES } from '../src/oidc/claims.js';
import { API_CLIENT, CC_CLIENT, VSSID_CLIENT } from './perf/fixtures.js';

const SIGNING_ALGS = ['ES256', 'RS256'];
const CLIENT_AUTH_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256'];
/** The scope of the minted grants: what the bench's sign-ins ask of our server. */
export const BARE_TOKEN_SCOPE = 'openid profile offline_access';

async function signingKey(alg: 'ES256' | 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  return {
    ...(await exportJWK(privateKey)),
    kid: `${alg.toLowerCase()}-${crypto.randomBytes(4).toString('hex')}`,
    alg,
    use: 'sig',
  };
}

/** An account as our findAccount returns one (claims of src/oidc/claims.ts), without a database. */
function account(sub: string) {
  return {
    accountId: sub,
    claims: () => ({ sub, name: 'Nguyễn Văn An', birthdate: '1990-05-15', bhxh_number: '0123456789' }),
  };
}

function clients(): ClientMetadata[] {
  return [
    { ...CC_CLIENT, client_secret: process.env.BARE_CC_SECRET! },
    { ...API_CLIENT, client_secret: process.env.BARE_API_SECRET! },
    { ...VSSID_CLIENT, first_party: true },
  ];
}

async function configuration(): Promise<Configuration> {
  return {
    clients: clients(),
    jwks: { keys: [await signingKey('ES256'), await signingKey('RS256')] } as Configuration['jwks'],
    cookies: {
      keys: [crypto.randomBytes(32).toString('base64url')],
      names: { session: 'bhxh.session', interaction: 'bhxh.interaction', resume: 'bhxh.resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    scopes: [...SCOPES],
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
    },
    enabledJWA: {
      idTokenSigningAlgValues: SIGNING_ALGS as never,
      userinfoSigningAlgValues: SIGNING_ALGS as never,
      introspectionSigningAlgValues: SIGNING_ALGS as never,
      authorizationSigningAlgValues: SIGNING_ALGS as never,
      clientAuthSigningAlgValues: CLIENT_AUTH_ALGS as never,
      requestObjectSigningAlgValues: CLIENT_AUTH_ALGS as never,
    },
    extraClientMetadata: { properties: ['first_party'] },
    // The defaults of src/config/config.ts.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      IdToken: 600,
      RefreshToken: 30 * 86400,
      Interaction: 3600,
      Session: 14 * 86400,
      Grant: 30 * 86400,
    },
    rotateRefreshToken: () => true,
    findAccount: async (_ctx, sub) => account(sub),
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client) => client.clientAuthMethod !== 'none' },
      revocation: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        async getResourceServerInfo(): Promise<ResourceServer> {
          throw new errors.InvalidTarget(); // no resource servers are registered: opaque tokens, as ours
        },
      },
    },
  };
}

/** Mints one grant for vssid with an access token and a refresh token, as a code exchange would. */
async function mint(provider: Provider, index: number): Promise<{ access_token: string; refresh_token: string }> {
  const client = (await provider.Client.find('vssid'))!;
  const accountId = `bench-account-${index}`;
  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  grant.addOIDCScope(BARE_TOKEN_SCOPE);
  const grantId = await grant.save();
  const common = { accountId, client, grantId, gty: 'authorization_code', scope: BARE_TOKEN_SCOPE };
  const access_token = await new provider.AccessToken(common).save();
  const refresh_token = await new provider.RefreshToken({
    ...common,
    acr: ACR_VALUES[0],
    amr: ['pwd'],
    authTime: Math.floor(Date.now() / 1000),
    rotations: 0,
  }).save();
  return { access_token, refresh_token };
}

/** GET /__bench/tokens?n=N → [{access_token, refresh_token}] (this bench file only). */
function tokensRoute(provider: Provider) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/__bench/tokens') return next();
    const n = Math.min(Number(ctx.query.n) || 1, 10_000);
    const out = [];
    for (let i = 0; i < n; i++) out.push(await mint(provider, i));
    ctx.body = out;
  };
}

async function main() {
  const port = Number(process.env.PORT);
  if (!port || !process.env.BARE_CC_SECRET || !process.env.BARE_API_SECRET)
    throw new Error('PORT, BARE_CC_SECRET and BARE_API_SECRET are required');
  const provider = new Provider(`http://127.0.0.1:${port}`, await configuration());
  provider.use(tokensRoute(provider) as never);
  const server = provider.listen(port);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(`bare provider: ${(err as Error).stack}`);
  process.exit(1);
});
