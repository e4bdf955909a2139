// VNeID simulator: a separate, throw-away OpenID Connect provider that plays the national e-ID "VNeID" for
// development and tests of BHXH ID's federation with it. It mimics what relying parties see of VNeID in the wild
// (see ../shared/DESIGN.md §5): the identity claims under either the "standard" names (citizenPid, fullName, ISO
// birthdate, numeric identificationLevel) or the "legacy" Vietnamese ones (SoDinhDanh, HoVaTen, NgaySinh YYYYMMDD,
// MucDoDinhDanh as a string), deployments that give identity only from a non-OIDC userinfo API, and the failure and
// tampering cases a relying party must survive. The citizen "logs in" by picking a test citizen on a page.
//
// Everything is in memory: a Map adapter, signing keys and cookie keys generated at start.
// Behaviours are Koa middleware registered with `provider.use` in front of (and around) the protocol routes.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Context, Middleware } from 'koa';
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { seal } from '../../methods/vneid/encrypted-profile.js';
import { assertValidCitizens, citizenSubject, DEFAULT_CITIZENS, maskNationalId, type Citizen } from './citizens.js';

export type { Citizen } from './citizens.js';
export { DEFAULT_CITIZENS } from './citizens.js';

export interface SimClient {
  client_id: string;
  /** The name the citizen sees ("BHXH ID"); without one, the client_id. */
  client_name?: string;
  /** for client_secret_basic */
  client_secret?: string;
  /** default client_secret_basic */
  token_endpoint_auth_method?: 'client_secret_basic' | 'private_key_jwt';
  /** public keys for private_key_jwt */
  jwks?: { keys: object[] };
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  /** The client's RSA public key (PEM) registered for the encrypted OAuth 2.0 profile (required in that profile). */
  rsa_public_key?: string;
}

export interface SimBehaviour {
  /** Claim names: 'standard' → citizenPid, fullName, birthdate (ISO), identificationLevel (number 1|2);
   *  'legacy' → SoDinhDanh, HoVaTen, NgaySinh (YYYYMMDD string), MucDoDinhDanh (string "1"|"2"). */
  claims: 'standard' | 'legacy';
  /** Identity only from a non-OIDC userinfo endpoint GET /api/citizen (Bearer access token), never in an ID token.
   *  Clients then ask for scope "citizen" without "openid", so no ID token is issued (an OAuth 2.0 upstream). */
  userinfoOnly: boolean;
  /** RFC 9207: send `iss` on the authorization response and advertise authorization_response_iss_parameter_supported. */
  issParameter: boolean;
  /** 'none' | 'down' (every request answered 503, discovery included) | 'slow' (every request delayed by delayMs)
   *  | 'error' (the authorization endpoint redirects back with error=server_error) */
  failure: 'none' | 'down' | 'slow' | 'error';
  delayMs: number;
  /** Tampering with the ID token in the token response (to test the relying party's checks):
   *  'nonce' → nonce replaced; 'audience' → aud replaced with another client id; 'issuer' → iss replaced with another
   *  URL (mix-up); each re-signed with the simulator's real key; 'signature' → token re-signed with a different,
   *  unpublished key (same kid). */
  tamper: 'none' | 'nonce' | 'audience' | 'issuer' | 'signature' | 'data' | 'key' | 'encrypt_key';
  /** 'encrypted-oauth2' (fixed at start): VNeID's encrypted OAuth 2.0 profile (issue 15). Codes are base64 text with
   *  an unencoded `+`, encrypted (with `encrypt_key`) unless encryptCode is false; the token endpoint takes
   *  client_secret in the body (client_secret_post) and echoes no ID token; token and userinfo (GET /api/citizen)
   *  bodies are `{data, key}` (AES-ECB under an AES key wrapped with the client's RSA public key, PKCS#1 v1.5); no
   *  `iss` on the authorization response; the claims are citizenPid, fullName, birthDate (DD/MM/YYYY), accountType,
   *  accountLevel. Tamper 'data' / 'key' corrupt the ciphertext / the wrapped key of the token and userinfo bodies,
   *  'encrypt_key' the one sent with the code. */
  profile: 'oidc' | 'encrypted-oauth2';
  /** In the encrypted profile: encrypt the code (send encrypt_key). Default true. */
  encryptCode: boolean;
}

export interface VneidSimulatorOptions {
  /** default 0 (ephemeral) */
  port?: number;
  /** default '127.0.0.1' */
  host?: string;
  /** Issuer URL (an origin: the simulator serves at the root); default `http://localhost:${boundPort}`. */
  issuer?: string;
  clients: SimClient[];
  /** default DEFAULT_CITIZENS */
  citizens?: Citizen[];
  behaviour?: Partial<SimBehaviour>;
}

export interface VneidSimulator {
  issuer: string;
  port: number;
  citizens: Citizen[];
  /** current */
  behaviour: SimBehaviour;
  setBehaviour(change: Partial<SimBehaviour>): void;
  close(): Promise<void>;
}

const DEFAULT_BEHAVIOUR: SimBehaviour = {
  claims: 'standard',
  userinfoOnly: false,
  issParameter: true,
  failure: 'none',
  delayMs: 0,
  tamper: 'none',
  profile: 'oidc',
  encryptCode: true,
};

const CHOICES = {
  claims: ['standard', 'legacy'],
  failure: ['none', 'down', 'slow', 'error'],
  tamper: ['none', 'nonce', 'audience', 'issuer', 'signature', 'data', 'key', 'encrypt_key'],
  profile: ['oidc', 'encrypted-oauth2'],
} as const;

const STANDARD_CLAIMS = ['citizenPid', 'fullName', 'birthdate', 'identificationLevel'];
const LEGACY_CLAIMS = ['SoDinhDanh', 'HoVaTen', 'NgaySinh', 'MucDoDinhDanh'];
/** Where a tampered token claims to come from (the mix-up case). */
const IMPOSTOR_ISSUER = 'https://vneid-impostor.invalid';
const FALLBACK_OTHER_AUDIENCE = 'vneid-sim-other-client';

// ---------------------------------------------------------------------------------------------------------------
// Claims and behaviour

/** The identity claims of a citizen under the chosen naming (without `sub`). */
export function identityClaims(citizen: Citizen, naming: SimBehaviour['claims']): Record<string, string | number> {
  if (naming === 'legacy') {
    return {
      SoDinhDanh: citizen.nationalId,
      HoVaTen: citizen.fullName,
      NgaySinh: citizen.birthdate.replaceAll('-', ''),
      MucDoDinhDanh: String(citizen.level),
    };
  }
  return {
    citizenPid: citizen.nationalId,
    fullName: citizen.fullName,
    birthdate: citizen.birthdate,
    identificationLevel: citizen.level,
  };
}

/** Throws on a behaviour value the simulator does not know. */
function assertValidBehaviour(b: SimBehaviour): void {
  for (const [key, allowed] of Object.entries(CHOICES)) {
    const value = b[key as keyof typeof CHOICES];
    if (!(allowed as readonly string[]).includes(value))
      throw new Error(`behaviour.${key} must be one of ${allowed.join('|')}`);
  }
  if (typeof b.userinfoOnly !== 'boolean') throw new Error('behaviour.userinfoOnly must be a boolean');
  if (typeof b.encryptCode !== 'boolean') throw new Error('behaviour.encryptCode must be a boolean');
  if (typeof b.issParameter !== 'boolean') throw new Error('behaviour.issParameter must be a boolean');
  if (!Number.isInteger(b.delayMs) || b.delayMs < 0)
    throw new Error('behaviour.delayMs must be a non-negative integer');
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  privateJwk: JWK;
}

async function generateSigningKey(alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `vneid-sim-${alg.toLowerCase()}-${crypto.randomBytes(6).toString('base64url')}`;
  const jwk = await exportJWK(privateKey);
  return { kid, alg, privateKey, privateJwk: { ...jwk, kid, alg, use: 'sig' } };
}

// ---------------------------------------------------------------------------------------------------------------
// Pages (self-contained HTML, inline styles only)

function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const CSS = `
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f9;color:#1b1f24}
main{max-width:28rem;margin:0 auto;padding:1.25rem}
header{background:#b3161b;color:#fff;border-radius:.75rem;padding:1rem 1.25rem;margin-bottom:1rem}
h1{font-size:1.35rem;margin:0}.sub{margin:.25rem 0 0;opacity:.85}
p{line-height:1.45}
form{margin:0}
button{display:block;width:100%;min-height:3.5rem;margin:0 0 .75rem;padding:.85rem 1rem;border-radius:.75rem;font-size:1.05rem;text-align:left;cursor:pointer}
.citizen{background:#fff;border:2px solid #d0d7e2;color:inherit}
.citizen:focus,.citizen:hover{border-color:#b3161b}
.name{display:block;font-weight:700}.meta{display:block;color:#4a5563;font-size:.95rem;margin-top:.2rem}
.cancel{background:#e4e7ec;border:0;color:#1b1f24;text-align:center;font-weight:600}
.primary{background:#b3161b;border:0;color:#fff;text-align:center;font-weight:600}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body><main>
<header><h1>Định danh điện tử VNeID (giả lập)</h1><p class="sub">VNeID simulator</p></header>
${body}
</main></body>
</html>`;
}

/** Sends one of our pages. No form-action directive: a form post ends in a redirect to the relying party. */
function sendHtml(ctx: Context, status: number, title: string, body: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  );
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.body = layout(title, body);
}

/** The id_token_hint names the session's account and was issued to a client the session signed in to. */
function hintBelongsToSession(ctx: KoaContextWithOIDC): boolean {
  const hint = (
    ctx.oidc.entities as { IdTokenHint?: { payload: { sub?: string; aud?: string | string[]; sid?: string } } }
  ).IdTokenHint?.payload;
  const session = ctx.oidc.session;
  if (!hint || !session?.accountId || hint.sub !== session.accountId) return false;
  const clientId = Array.isArray(hint.aud) ? hint.aud[0] : hint.aud;
  if (!clientId || !session.authorizations?.[clientId]) return false;
  return hint.sid === undefined || hint.sid === session.sidFor(clientId);
}

const AUTO_CONTINUE_SCRIPT = "document.getElementById('op.logoutForm').submit();";
const AUTO_CONTINUE_HASH = crypto.createHash('sha256').update(AUTO_CONTINUE_SCRIPT).digest('base64');

/** The provider's logout form, submitted at once with logout=yes (a Continue button without JavaScript). */
function sendAutoContinue(ctx: Context, form: string): void {
  const confirmed = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
  sendHtml(
    ctx,
    200,
    'Đang đăng xuất VNeID',
    `${confirmed}<noscript><button type="submit" class="primary" form="op.logoutForm" data-action="continue">Tiếp tục / Continue</button></noscript>
<script>${AUTO_CONTINUE_SCRIPT}</script>`,
  );
  ctx.set(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${AUTO_CONTINUE_HASH}'; base-uri 'none'; frame-ancestors 'none'`,
  );
}

function citizenButton(citizen: Citizen): string {
  const id = escapeHtml(citizen.nationalId);
  return `<button type="submit" class="citizen" name="national_id" value="${id}" data-national-id="${id}">
<span class="name">${escapeHtml(citizen.fullName)}</span>
<span class="meta">${escapeHtml(maskNationalId(citizen.nationalId))} · Mức độ ${escapeHtml(citizen.level)}</span>
</button>`;
}

function loginPageBody(uid: string, serviceName: string, citizens: readonly Citizen[]): string {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  return `<p>Chọn công dân để đăng nhập vào <strong>${escapeHtml(serviceName)}</strong>.<br>
<small>Choose the citizen to sign in as.</small></p>
<form method="post" action="${escapeHtml(base)}/choose">
${citizens.map(citizenButton).join('\n')}
</form>
<form method="post" action="${escapeHtml(base)}/cancel">
<button type="submit" class="cancel" data-action="cancel">Hủy / Cancel</button>
</form>`;
}

function messageBody(message: string, detail?: string): string {
  return `<p>${escapeHtml(message)}</p>${detail ? `<p><code>${escapeHtml(detail)}</code></p>` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The provider

interface SimState {
  issuer: string;
  clients: SimClient[];
  citizens: Citizen[];
  behaviour: SimBehaviour;
  keys: SigningKey[];
  /** Keys never published, for the 'signature' tamper mode (one per alg, made on first use). */
  unpublished: Map<string, CryptoKey>;
  /** Encrypted profile: the code the browser carried (with `+`) → the provider's code, for unencrypted codes. */
  codeAliases: Map<string, string>;
  /** Encrypted profile: the provider's code → the encrypt_key sent with it (the token request must echo it). */
  codeKeys: Map<string, string>;
}

function findCitizenBySubject(state: SimState, sub: string): Citizen | undefined {
  return state.citizens.find((c) => citizenSubject(c) === sub);
}

function toClientMetadata(client: SimClient, profile: SimBehaviour['profile']): ClientMetadata {
  const metadata: ClientMetadata = {
    client_id: client.client_id,
    redirect_uris: client.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // The encrypted profile sends client_secret in the token request's body.
    token_endpoint_auth_method:
      profile === 'encrypted-oauth2'
        ? 'client_secret_post'
        : (client.token_endpoint_auth_method ?? 'client_secret_basic'),
  };
  if (client.client_secret !== undefined) metadata.client_secret = client.client_secret;
  if (client.client_name) metadata.client_name = client.client_name;
  if (client.jwks) metadata.jwks = client.jwks as ClientMetadata['jwks'];
  if (client.post_logout_redirect_uris) metadata.post_logout_redirect_uris = client.post_logout_redirect_uris;
  return metadata;
}

/** VNeID asks nothing beyond the login: the grant simply covers the scopes and claims the client asked for. */
async function grantRequested(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(oidc.client!.clientId);
  const grant =
    (grantId && (await oidc.provider.Grant.find(grantId))) ||
    new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId! });
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
  if (oidc.requestParamClaims.size) grant.addOIDCClaims([...oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

/**
 * The simulator's storage: a Map per simulator (what the library's quick-start adapter does, named here so the
 * library does not warn a newcomer about it on every `npm start`). Expiry is honoured on read.
 */
function memoryAdapter() {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt?: number }>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) store.delete(key);
    return store.get(key);
  };
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      store.set(this.key(id), { payload, ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}) });
      if (this.model === 'Session' && typeof payload.uid === 'string')
        store.set(`SessionUid:${payload.uid}`, { payload: { id } });
      if (typeof payload.grantId === 'string') {
        const grant = live(`Grant:index:${payload.grantId}`)?.payload.keys as string[] | undefined;
        store.set(`Grant:index:${payload.grantId}`, { payload: { keys: [...(grant ?? []), this.key(id)] } });
      }
    }
    async find(id: string) {
      return live(this.key(id))?.payload;
    }
    async findByUid(uid: string) {
      const id = live(`SessionUid:${uid}`)?.payload.id as string | undefined;
      return id ? this.find(id) : undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const entry = live(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of (live(`Grant:index:${grantId}`)?.payload.keys as string[] | undefined) ?? []) store.delete(key);
      store.delete(`Grant:index:${grantId}`);
    }
  };
}

function buildConfiguration(state: SimState): Configuration {
  return {
    adapter: memoryAdapter() as unknown as Configuration['adapter'],
    clients: state.clients.map((c) => toClientMetadata(c, state.behaviour.profile)),
    jwks: { keys: state.keys.map((k) => k.privateJwk) } as Configuration['jwks'],
    cookies: {
      keys: [crypto.randomBytes(32).toString('base64url')],
      // Own names: cookies ignore ports, and BHXH ID may run on the same host.
      names: { session: 'vneid_sim.session', interaction: 'vneid_sim.interaction', resume: 'vneid_sim.resume' },
    },
    scopes: ['openid', 'profile', 'citizen'],
    // Both namings are listed; an account returns only the current one.
    claims: { openid: ['sub'], profile: [...STANDARD_CLAIMS, ...LEGACY_CLAIMS] },
    conformIdTokenClaims: false,
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 3600,
      IdToken: 3600,
      Interaction: 1800,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    },
    clientBasedCORS: () => true,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const citizen = findCitizenBySubject(state, sub);
      if (!citizen) return undefined;
      return {
        accountId: sub,
        // In userinfoOnly mode identity never leaves through the OIDC channels (ID token, /me).
        claims: () =>
          state.behaviour.userinfoOnly ? { sub } : { sub, ...identityClaims(citizen, state.behaviour.claims) },
      };
    },
    loadExistingGrant: grantRequested,
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          // OpenID Connect RP-Initiated Logout 1.0, section 2: the OP must ask unless the id_token_hint belongs to
          // the current session with that relying party. Here it does (BHXH ID has just asked the member), so the
          // simulator continues without a second question, as a conforming OP may.
          if (hintBelongsToSession(ctx)) {
            sendAutoContinue(ctx, form);
            return;
          }
          sendHtml(
            ctx,
            200,
            'Đăng xuất VNeID (giả lập)',
            `<p>Đăng xuất khỏi VNeID? <small>Sign out of the VNeID simulator?</small></p>${form}
<button type="submit" class="primary" form="op.logoutForm" name="logout" value="yes" data-action="logout">Đăng xuất / Sign out</button>
<button type="submit" class="cancel" form="op.logoutForm" data-action="stay">Ở lại / Stay signed in</button>`,
          );
        },
        async postLogoutSuccessSource(ctx) {
          sendHtml(
            ctx,
            200,
            'Đã đăng xuất',
            messageBody('Bạn đã đăng xuất khỏi VNeID. / You are signed out of the VNeID simulator.'),
          );
        },
      },
    },
    async renderError(ctx, out) {
      sendHtml(
        ctx,
        ctx.status,
        'Lỗi / Error',
        messageBody(
          'Yêu cầu không hợp lệ. / The request failed.',
          `${out.error}${out.error_description ? `: ${out.error_description}` : ''}`,
        ),
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Behaviour middleware (registered with provider.use, so they run before the protocol routes and see their result)

/** failure 'down' answers 503 to everything; 'slow' delays everything. */
function failureGate(state: SimState): Middleware {
  return async (ctx, next) => {
    const { failure, delayMs } = state.behaviour;
    if (failure === 'down') {
      ctx.status = 503;
      ctx.set('Retry-After', '30');
      ctx.body = { error: 'temporarily_unavailable', error_description: 'VNeID simulator: failure=down' };
      return;
    }
    if (failure === 'slow' && delayMs > 0) await delay(delayMs);
    await next();
  };
}

/** failure 'error': the authorization endpoint sends the browser straight back with error=server_error. */
function authorizationErrorMode(state: SimState, provider: Provider): Middleware {
  return async (ctx, next) => {
    if (state.behaviour.failure !== 'error' || ctx.path !== '/auth' || ctx.method !== 'GET') return next();
    const clientId = ctx.query.client_id;
    const redirectUri = ctx.query.redirect_uri;
    const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
    if (!client || typeof redirectUri !== 'string' || !client.redirectUriAllowed(redirectUri)) {
      sendHtml(
        ctx,
        400,
        'Lỗi / Error',
        messageBody('Yêu cầu không hợp lệ. / The request failed.', 'invalid_request: unknown client or redirect_uri'),
      );
      return;
    }
    const target = new URL(redirectUri);
    target.searchParams.set('error', 'server_error');
    target.searchParams.set('error_description', 'VNeID simulator: failure=error');
    if (typeof ctx.query.state === 'string') target.searchParams.set('state', ctx.query.state);
    if (state.behaviour.issParameter && state.behaviour.profile === 'oidc')
      target.searchParams.set('iss', state.issuer);
    ctx.status = 303;
    ctx.redirect(target.href);
  };
}

/** issParameter false: no `iss` on authorization responses, and not advertised in discovery. */
function issParameterSwitch(state: SimState): Middleware {
  return async (ctx, next) => {
    await next();
    if (state.behaviour.issParameter && state.behaviour.profile === 'oidc') return;
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      delete (ctx.body as Record<string, unknown>).authorization_response_iss_parameter_supported;
      return;
    }
    const location = ctx.response.get('Location');
    if ((ctx.path === '/auth' || ctx.path.startsWith('/auth/')) && location) {
      const url = new URL(location, state.issuer);
      if (url.searchParams.has('iss')) {
        url.searchParams.delete('iss');
        ctx.set('Location', url.href);
      }
    }
  };
}

async function unpublishedKey(state: SimState, alg: string): Promise<CryptoKey> {
  let key = state.unpublished.get(alg);
  if (!key) {
    ({ privateKey: key } = await generateKeyPair(alg));
    state.unpublished.set(alg, key);
  }
  return key;
}

/** Returns the ID token changed as the tamper mode says, re-signed (with the real key, or an unpublished one). */
async function tamperIdToken(state: SimState, idToken: string): Promise<string> {
  const mode = state.behaviour.tamper;
  const header = decodeProtectedHeader(idToken);
  const payload: JWTPayload = decodeJwt(idToken);
  const alg = header.alg!;
  if (mode === 'nonce') payload.nonce = crypto.randomBytes(16).toString('base64url');
  if (mode === 'issuer') payload.iss = IMPOSTOR_ISSUER;
  if (mode === 'audience') {
    const current = new Set([payload.aud ?? []].flat());
    payload.aud = state.clients.find((c) => !current.has(c.client_id))?.client_id ?? FALLBACK_OTHER_AUDIENCE;
    delete payload.azp;
  }
  const realKey = state.keys.find((k) => k.kid === header.kid)?.privateKey;
  if (!realKey) throw new Error(`no signing key ${header.kid}`);
  const key = mode === 'signature' ? await unpublishedKey(state, alg) : realKey;
  return new SignJWT(payload)
    .setProtectedHeader({ alg, ...(header.kid ? { kid: header.kid } : {}), ...(header.typ ? { typ: header.typ } : {}) })
    .sign(key);
}

/** tamper: rewrites the ID token of a successful token response. */
function tokenTamper(state: SimState): Middleware {
  return async (ctx, next) => {
    await next();
    if (state.behaviour.tamper === 'none' || ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (body && typeof body === 'object' && typeof body.id_token === 'string') {
      body.id_token = await tamperIdToken(state, body.id_token);
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The encrypted OAuth 2.0 profile (issue 15)

/** The userinfo claims of the encrypted profile. */
export function encryptedProfileClaims(citizen: Citizen): Record<string, string> {
  const [y, m, d] = citizen.birthdate.split('-');
  return {
    citizenPid: citizen.nationalId,
    fullName: citizen.fullName,
    birthDate: `${d}/${m}/${y}`,
    accountType: '1',
    accountLevel: String(citizen.level),
  };
}

/** Flips one bit of a base64 value (the last byte: for AES-ECB, the padding block; for RSA, the ciphertext). */
function corrupt(value: string): string {
  const bytes = Buffer.from(value, 'base64');
  bytes[bytes.length - 1]! ^= 0x01;
  return bytes.toString('base64');
}

function clientPublicKey(state: SimState, clientId: string | undefined): string {
  const key = state.clients.find((c) => c.client_id === clientId)?.rsa_public_key;
  if (!key) throw new Error(`client ${clientId} has no rsa_public_key`);
  return key;
}

/** A body of the profile, `{data, key}`, corrupted as the tamper mode says. */
function sealed(state: SimState, clientId: string | undefined, payload: unknown) {
  const envelope = seal(clientPublicKey(state, clientId), JSON.stringify(payload));
  if (state.behaviour.tamper === 'data') envelope.data = corrupt(envelope.data);
  if (state.behaviour.tamper === 'key') envelope.key = corrupt(envelope.key);
  return envelope;
}

/** Random base64 text containing a `+` (the quirk a form-style decoder breaks). */
function codeWithPlus(): string {
  for (;;) {
    const value = crypto.randomBytes(24).toString('base64');
    if (value.includes('+')) return value;
  }
}

/** The authorization response: the provider's code replaced by the profile's (encrypted, with a raw `+`), no iss. */
function profileAuthorizationResponse(state: SimState, provider: Provider): Middleware {
  return async (ctx, next) => {
    await next();
    if (state.behaviour.profile !== 'encrypted-oauth2') return;
    // Its userinfo endpoint is the citizen API (the OIDC one, /me, wants scope openid).
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      (ctx.body as Record<string, unknown>).userinfo_endpoint = `${state.issuer}/api/citizen`;
      return;
    }
    const location = ctx.response.get('Location');
    if (!(ctx.path === '/auth' || ctx.path.startsWith('/auth/')) || !location) return;
    const url = new URL(location, state.issuer);
    const code = url.searchParams.get('code');
    url.searchParams.delete('iss');
    if (!code) {
      ctx.set('Location', url.href);
      return;
    }
    url.searchParams.delete('code');
    const grant = await provider.AuthorizationCode.find(code);
    let extra: string;
    if (state.behaviour.encryptCode) {
      const publicKey = clientPublicKey(state, grant?.clientId);
      let envelope = seal(publicKey, code);
      while (!envelope.data.includes('+')) envelope = seal(publicKey, code);
      const { data, key } = envelope;
      const encryptKey = state.behaviour.tamper === 'encrypt_key' ? corrupt(key) : key;
      state.codeKeys.set(code, encryptKey);
      // Unencoded, as the upstream sends them: `+` and `/` and `=` raw in the query.
      extra = `code=${data}&encrypt_key=${encryptKey}`;
    } else {
      const alias = codeWithPlus();
      state.codeAliases.set(alias, code);
      extra = `code=${alias}`;
    }
    ctx.set('Location', `${url.origin}${url.pathname}${url.search ? `${url.search}&` : '?'}${extra}`);
  };
}

async function readText(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The token endpoint of the profile: the code as the client redeems it, encrypt_key echoed, a sealed answer. */
function profileToken(state: SimState): Middleware {
  return async (ctx, next) => {
    if (state.behaviour.profile !== 'encrypted-oauth2' || ctx.path !== '/token' || ctx.method !== 'POST') return next();
    const params = new URLSearchParams(await readText(ctx.req));
    const code = params.get('code') ?? '';
    const real = state.codeAliases.get(code) ?? code;
    const expectedKey = state.codeKeys.get(real);
    // An encrypted code must come back with the encrypt_key it was sent with.
    if (expectedKey !== undefined && params.get('encrypt_key') !== expectedKey) params.set('code', 'mismatched-key');
    else params.set('code', real);
    params.delete('encrypt_key');
    (ctx.req as { body?: string }).body = params.toString();
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.status !== 200 || !body || typeof body !== 'object') return;
    state.codeAliases.delete(code);
    state.codeKeys.delete(real);
    delete body.id_token;
    ctx.body = sealed(state, params.get('client_id') ?? undefined, body);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Routes: the login page and the non-OIDC citizen API

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Loads the interaction bound to this browser, or answers an error page and returns undefined. */
async function loadInteraction(provider: Provider, ctx: Context): Promise<InteractionDetails | undefined> {
  try {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid === ctx.params.uid) return details;
  } catch {
    // falls through to the error page
  }
  sendHtml(
    ctx,
    400,
    'Phiên đã hết hạn',
    messageBody('Phiên đăng nhập không còn hiệu lực. / The sign-in session expired; start again from the application.'),
  );
  return undefined;
}

async function finish(provider: Provider, ctx: Context, result: Record<string, unknown>, merge = false): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
  ctx.redirect(returnTo);
  ctx.status = 303;
}

/** Consent is never asked: a pending consent prompt is completed with a grant for what was requested. */
async function completeConsent(provider: Provider, ctx: Context, details: InteractionDetails): Promise<void> {
  const clientId = String(details.params.client_id);
  const grant =
    (details.grantId && (await provider.Grant.find(details.grantId))) ||
    new provider.Grant({ clientId, accountId: details.session!.accountId });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  await finish(provider, ctx, { consent: { grantId: await grant.save() } }, true);
}

function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}

function interactionRoutes(state: SimState, provider: Provider): Router {
  const router = new Router();
  const parseForm = bodyParser({ enableTypes: ['form'], formLimit: '8kb', encoding: 'utf-8' }) as unknown as Middleware;

  router.get('/interaction/:uid', async (ctx) => {
    const details = await loadInteraction(provider, ctx);
    if (!details) return;
    if (details.prompt.name === 'consent') return completeConsent(provider, ctx, details);
    // The service is named as the citizen knows it (client_name, "BHXH ID"), not by its client_id.
    const clientId = String(details.params.client_id);
    const client = await provider.Client.find(clientId);
    sendHtml(
      ctx,
      200,
      'Đăng nhập VNeID (giả lập)',
      loginPageBody(details.uid, client?.clientName ?? clientId, state.citizens),
    );
  });

  router.post('/interaction/:uid/choose', parseForm, async (ctx) => {
    const details = await loadInteraction(provider, ctx);
    if (!details) return;
    const nationalId = (ctx.request.body as Record<string, unknown> | undefined)?.national_id;
    const citizen = state.citizens.find((c) => c.nationalId === nationalId);
    if (!citizen) {
      sendHtml(ctx, 400, 'Lỗi / Error', messageBody('Không tìm thấy công dân. / Unknown citizen.'));
      return;
    }
    await finish(provider, ctx, { login: { accountId: citizenSubject(citizen) } });
  });

  router.post('/interaction/:uid/cancel', async (ctx) => {
    if (!(await loadInteraction(provider, ctx))) return;
    await finish(provider, ctx, { error: 'access_denied', error_description: 'citizen cancelled' });
  });

  // The non-OIDC userinfo API some VNeID deployments use: any valid access token of this simulator.
  router.get('/api/citizen', async (ctx) => {
    const value = bearerToken(ctx.get('authorization'));
    const token = value ? await provider.AccessToken.find(value) : undefined;
    const citizen = token?.accountId ? findCitizenBySubject(state, token.accountId) : undefined;
    ctx.set('Cache-Control', 'no-store');
    if (!token || !citizen) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      ctx.body = { error: 'invalid_token' };
      return;
    }
    ctx.body =
      state.behaviour.profile === 'encrypted-oauth2'
        ? sealed(state, token.clientId, encryptedProfileClaims(citizen))
        : { sub: token.accountId, ...identityClaims(citizen, state.behaviour.claims) };
  });

  return router;
}

// ---------------------------------------------------------------------------------------------------------------
// Start / stop

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // Requests still in flight (a 'slow' delay) get a moment, then their connections are cut.
    const force = setTimeout(() => server.closeAllConnections(), 1000);
    force.unref();
    server.close((err) => {
      clearTimeout(force);
      if (err) reject(err);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

async function buildProvider(state: SimState): Promise<Provider> {
  const provider = new Provider(state.issuer, buildConfiguration(state));
  const routes = interactionRoutes(state, provider);
  provider.use(failureGate(state));
  provider.use(authorizationErrorMode(state, provider));
  provider.use(issParameterSwitch(state));
  provider.use(profileAuthorizationResponse(state, provider));
  provider.use(profileToken(state));
  provider.use(tokenTamper(state));
  provider.use(routes.routes() as unknown as Middleware);
  return provider;
}

export async function startVneidSimulator(options: VneidSimulatorOptions): Promise<VneidSimulator> {
  const citizens = options.citizens ?? DEFAULT_CITIZENS.map((c) => ({ ...c }));
  assertValidCitizens(citizens);
  const behaviour: SimBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  assertValidBehaviour(behaviour);

  // The issuer may name the bound port, so bind first and build the provider afterwards.
  const server = http.createServer();
  const port = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  try {
    const state: SimState = {
      issuer: options.issuer ?? `http://localhost:${port}`,
      clients: options.clients,
      citizens,
      behaviour,
      keys: [await generateSigningKey('RS256'), await generateSigningKey('ES256')],
      unpublished: new Map(),
      codeAliases: new Map(),
      codeKeys: new Map(),
    };
    if (behaviour.profile === 'encrypted-oauth2') for (const c of options.clients) clientPublicKey(state, c.client_id);
    const provider = await buildProvider(state);
    server.on('request', provider.callback());
    return {
      issuer: state.issuer,
      port,
      citizens,
      behaviour,
      setBehaviour(change) {
        const next = { ...behaviour, ...change };
        assertValidBehaviour(next);
        if (next.profile !== behaviour.profile) throw new Error('behaviour.profile is fixed at start');
        Object.assign(behaviour, next);
      },
      close: () => closeServer(server),
    };
  } catch (err) {
    await closeServer(server);
    throw err;
  }
}
