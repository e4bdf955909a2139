// Clients that are part of BHXH ID itself, not registered by an operator: the account page (/account) signs members
// in through our own authorization endpoint as the first-party client `bhxh-account`, the way Keycloak's account
// console does. Built from the issuer, never stored: the provider reads it through the same repository interface as
// every registered client, and `bhxh-id clients create` cannot take its id.
import type { ClientMetadata } from 'oidc-provider';
import type { ClientRepository } from './client-repository.js';

export const ACCOUNT_CLIENT_ID = 'bhxh-account';

/** Where the account page receives its authorization code, and where sign-out returns to. */
export function accountClientUris(issuer: string) {
  const base = issuer.replace(/\/$/, '');
  return { callback: `${base}/account/callback`, signedOut: `${base}/account/signed-out` };
}

export function accountClientMetadata(issuer: string): ClientMetadata {
  const uris = accountClientUris(issuer);
  return {
    client_id: ACCOUNT_CLIENT_ID,
    // NOTE: one name in both languages (pages say "Đăng nhập vào BHXH ID" / "Sign in to BHXH ID"): client metadata
    // has no per-language name the sign-in page could pick.
    client_name: 'BHXH ID',
    application_type: 'web',
    // NOTE: a public client: the code is redeemed in-process (flows/account/account-session.ts) with PKCE, never
    // at the token endpoint, so there is no secret to keep.
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [uris.callback],
    post_logout_redirect_uris: [uris.signedOut],
    scope: 'openid',
    client_uri: `${issuer.replace(/\/$/, '')}/account`,
    first_party: true,
  };
}

/** The repository the provider reads: built-in clients first, then the registered ones. */
export function withBuiltInClients(repo: ClientRepository, builtIns: ClientMetadata[]): ClientRepository {
  const byId = new Map(builtIns.map((m) => [m.client_id, m]));
  return {
    ...repo,
    async findForProvider(clientId: string) {
      const builtIn = byId.get(clientId);
      return builtIn ? { ...builtIn } : repo.findForProvider(clientId);
    },
    async create(input, options) {
      if (input.client_id && byId.has(input.client_id)) throw new Error(`${input.client_id} is a built-in client`);
      return repo.create(input, options);
    },
  };
}
