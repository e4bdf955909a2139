// Who may obtain which scope. Member-facing scopes go to any relying party (and are the default of a client registered
// without a `scope` list); admin scopes go only to a client an operator registered with `clients create --admin`,
// which must authenticate with private_key_jwt and use only the client-credentials grant.
// Called by the provider (client defaults, client metadata validator), the CLI at registration and /admin/* per call.
import type { ClientMetadata } from 'oidc-provider';

export const MEMBER_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone', 'bhxh'] as const;
export const ADMIN_KEYS_SCOPE = 'admin:keys';
export const ADMIN_SCOPES = [ADMIN_KEYS_SCOPE] as const;
/** Every scope the provider knows (its static scopes). */
export const SUPPORTED_SCOPES = [...MEMBER_SCOPES, ...ADMIN_SCOPES] as const;

/** What a client without a `scope` list may ask for. */
export const DEFAULT_CLIENT_SCOPE = MEMBER_SCOPES.join(' ');

const ADMIN_SET: ReadonlySet<string> = new Set(ADMIN_SCOPES);

const scopeList = (scope: unknown): string[] => (typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []);

/** Why `metadata` cannot be an admin client (empty when it can): the flag alone is not enough. */
function adminShapeProblems(metadata: Pick<ClientMetadata, 'token_endpoint_auth_method' | 'grant_types'>): string[] {
  const problems: string[] = [];
  if (metadata.token_endpoint_auth_method !== 'private_key_jwt')
    problems.push('an admin client must use token_endpoint_auth_method private_key_jwt');
  const grants = metadata.grant_types ?? [];
  if (grants.length !== 1 || grants[0] !== 'client_credentials')
    problems.push('an admin client must use only the client_credentials grant (grant_types ["client_credentials"])');
  return problems;
}

/**
 * Whether a client is an admin client: the operator's flag (`clients.admin`, set only by `clients create --admin`) and
 * the shape every admin client has. A flagged row of another shape (edited by hand) is an ordinary client.
 */
export function isAdminClient(
  admin: unknown,
  metadata: Pick<ClientMetadata, 'token_endpoint_auth_method' | 'grant_types'>,
): boolean {
  return admin === true && adminShapeProblems(metadata).length === 0;
}

/**
 * The scope list the provider enforces for a client, never empty (oidc-provider allows every static scope to a
 * client without one): an admin client gets admin scopes only; any other client never gets one, whatever its
 * metadata lists.
 */
export function enforcedClientScope(metadata: ClientMetadata & { admin?: unknown }): string {
  const listed = scopeList(metadata.scope);
  if (isAdminClient(metadata.admin, metadata)) {
    const admin = listed.filter((s) => ADMIN_SET.has(s));
    return (admin.length ? admin : ADMIN_SCOPES).join(' ');
  }
  const member = listed.filter((s) => !ADMIN_SET.has(s));
  return member.length ? member.join(' ') : DEFAULT_CLIENT_SCOPE;
}

/**
 * The metadata to store for a new client, or the reasons it cannot be registered. `admin` is the operator's
 * `--admin` flag; the metadata file itself may not say it.
 */
export function checkRegistration(
  metadata: ClientMetadata,
  { admin }: { admin: boolean },
): { metadata: ClientMetadata } | { problems: string[] } {
  if ('admin' in metadata) return { problems: ['admin is set with --admin, not in the metadata'] };
  const listed = scopeList(metadata.scope);
  if (!admin) {
    const asked = listed.filter((s) => ADMIN_SET.has(s));
    return asked.length
      ? { problems: [`${asked.join(' ')} is an admin scope: register the client with --admin`] }
      : { metadata };
  }
  const problems = adminShapeProblems(metadata);
  const other = listed.filter((s) => !ADMIN_SET.has(s));
  if (other.length)
    problems.push(`an admin client may list only admin scopes (${ADMIN_SCOPES.join(' ')}), not ${other.join(' ')}`);
  if (problems.length) return { problems };
  return { metadata: { ...metadata, scope: listed.length ? listed.join(' ') : ADMIN_SCOPES.join(' ') } };
}

export type AdminAccess = 'granted' | 'not_admin_client' | 'insufficient_scope';

/**
 * Whether a token may use an admin operation needing `scope`: its client, as stored now (so a client deleted or
 * registered again as an ordinary one loses access at once), must be an admin client, and the token must carry it.
 */
export function checkAdminAccess(
  client: { admin: boolean; metadata: ClientMetadata } | undefined,
  tokenScope: string | undefined,
  scope: (typeof ADMIN_SCOPES)[number],
): AdminAccess {
  if (!client || !isAdminClient(client.admin, client.metadata)) return 'not_admin_client';
  return scopeList(tokenScope).includes(scope) ? 'granted' : 'insufficient_scope';
}
