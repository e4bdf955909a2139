// Drives flows with openid-client 6, the way a relying party would.
import * as oidc from 'openid-client';
import { Browser, type Page } from './browser.js';

export { oidc };

/** Discovers the test server as a relying party with the given client authentication. */
export async function discover(
  issuer: string,
  clientId: string,
  clientAuth: oidc.ClientAuth = oidc.None(),
  metadata: Partial<oidc.ClientMetadata> = {},
): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, metadata, clientAuth, { execute: [oidc.allowInsecureRequests] });
}

export interface AuthRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationRequest(
  config: oidc.Configuration,
  params: Record<string, string>,
): Promise<AuthRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

/** Opens the authorization URL and signs in on the hosted page; returns the page the browser ends on. */
export async function signInOnPage(
  browser: Browser,
  request: AuthRequest,
  bhxhNumber: string,
  password: string,
): Promise<Page> {
  const login = await browser.get(request.url.href);
  if (!login.html.includes('name="bhxh_number"'))
    throw new Error(`expected the sign-in page, got ${login.status} ${login.url}\n${login.html.slice(0, 800)}`);
  return browser.submit(login, { bhxh_number: bhxhNumber, password }, '/login');
}

/** Exchanges the code that came back on the redirect URI. */
export async function redeem(config: oidc.Configuration, request: AuthRequest, callbackUrl: string) {
  return oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
}

/** The whole sign-in: authorize, hosted page, code, tokens. */
export async function signIn(
  issuer: string,
  config: oidc.Configuration,
  member: { bhxhNumber: string; password: string },
  params: Record<string, string>,
) {
  const browser = new Browser(issuer);
  const request = await authorizationRequest(config, params);
  const end = await signInOnPage(browser, request, member.bhxhNumber, member.password);
  if (!end.url.startsWith(params.redirect_uri!))
    throw new Error(`expected a redirect to the client, got ${end.status} ${end.url}\n${end.html.slice(0, 800)}`);
  const tokens = await redeem(config, request, end.url);
  return { browser, request, callbackUrl: end.url, tokens };
}
