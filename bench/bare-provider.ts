// The baseline of the token-endpoint rows: a bare oidc-provider with the product's own configuration
// (baseProviderConfiguration of src/oidc/provider.ts: the same features, TTLs — the defaults of src/config/config.ts —
// scopes, claims, acr values, PKCE, algorithms, client defaults, refresh-token rotation, introspection policy), the
// same three clients (secrets from the environment) and ES256 + RS256 keys generated at start. No Koa app in front,
// no database: what the library itself can do on this machine. The only differences from buildProvider:
//   - the library's in-memory adapter instead of ours (src/oidc/adapter.ts), and clients from its static list;
//   - findAccount answers a fixed member without a database; no loadExistingGrant (grants are minted below);
//   - no interactions, interaction policy, logout or error pages (no hosted pages at all);
//   - no resource servers registered (opaque tokens, as ours without `resource`), so no JWT access-token records;
//   - the library's own outbound fetch.
//
// Run by bench/run.ts as a child process: PORT, BARE_CC_SECRET, BARE_API_SECRET. Development only: it has a route
// /__bench/tokens?n=N that mints N grants with an access and a refresh token each through the library's models (the
// bare provider has no hosted pages to sign in through).
import crypto from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Context, Next } from 'koa';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import { loadConfig } from '../src/config/config.js';
import { ACR_VALUES } from '../src/oidc/assurance.js';
import { baseProviderConfiguration } from '../src/oidc/provider.js';
import { API_CLIENT, CC_CLIENT, VSSID_CLIENT } from './perf/fixtures.js';

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
  // The server the bench measures runs with the configuration's defaults: so does the baseline.
  const base = baseProviderConfiguration(loadConfig({}).ttl, { find: async () => undefined });
  return {
    ...base,
    clients: clients(),
    jwks: { keys: [await signingKey('ES256'), await signingKey('RS256')] } as Configuration['jwks'],
    cookies: { ...base.cookies, keys: [crypto.randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx, sub) => account(sub),
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
