// The admin API for security teams: list, rotate and revoke keys at /admin/keys — the CLI's operations, nothing more.
//
// Authorised by an access token this IdP issued through the client-credentials grant with scope `admin:keys` to an
// admin client (src/security/scope-policy.ts), whose registration is read now, at each call. The token is looked up as
// a ClientCredentials artifact, so a token issued to a member (authorization code), an expired one, or one from
// another issuer is not found and refused. Every call is audited with the client and the reason. Errors are JSON
// `{ error, error_description }` of the one family (src/core/json-errors.ts), WWW-Authenticate as RFC 6750 says.
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientRepository } from '../clients/client-repository.js';
import type { Db } from '../db/database.js';
import type { KeyLifecycle } from '../keys/lifecycle.js';
import { ApiError, jsonErrors } from '../core/json-errors.js';
import { listKeys } from '../keys/key-store.js';
import { KeyNotFoundError } from '../keys/lifecycle.js';
import { ADMIN_KEYS_SCOPE, checkAdminAccess } from '../security/scope-policy.js';

/** What the admin API uses. */
export interface AdminKeyDeps {
  db: Db;
  provider: () => Provider;
  clients: Pick<ClientRepository, 'find'>;
  audit: AuditLog;
  keyLifecycle?: KeyLifecycle;
  logger: Logger;
}

/** A refused token, in RFC 6750 form: the same code and description in the body and in WWW-Authenticate. */
function refused(error: 'invalid_token' | 'insufficient_scope', description: string): ApiError {
  const scope = error === 'insufficient_scope' ? `, scope="${ADMIN_KEYS_SCOPE}"` : '';
  return new ApiError(error, description, {
    headers: { 'WWW-Authenticate': `Bearer error="${error}", error_description="${description}"${scope}` },
  });
}

/** Bearer token → the client it was issued to, or a 401/403 in RFC 6750 form. */
function requireAdminToken(deps: AdminKeyDeps): Middleware {
  return async (ctx: Context, next: Next) => {
    ctx.set('Cache-Control', 'no-store');
    const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/.exec(ctx.get('authorization'));
    if (!match) throw refused('invalid_token', 'a Bearer access token is required');
    const provider = deps.provider();
    const token = await provider.ClientCredentials.find(match[1]!).catch(() => undefined);
    if (!token || token.isExpired) throw refused('invalid_token', 'the access token is not valid');
    // The registration as it is now (not a node's cache): a client deleted or registered again as ordinary is out.
    const client = token.clientId ? await deps.clients.find(token.clientId) : undefined;
    const access = checkAdminAccess(client, token.scope, ADMIN_KEYS_SCOPE);
    if (access === 'not_admin_client') throw refused('invalid_token', 'the token was not issued to an admin client');
    if (access === 'insufficient_scope') throw refused('insufficient_scope', `the token lacks ${ADMIN_KEYS_SCOPE}`);
    ctx.state.adminClientId = token.clientId;
    await next();
  };
}

function body(ctx: Context): Record<string, unknown> {
  const b = (ctx.request as { body?: unknown }).body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

/** The operator's reason for a change, required. */
function reasonOf(ctx: Context): string {
  const reason = body(ctx).reason;
  if (typeof reason !== 'string' || !reason.trim()) throw new ApiError('invalid_request', 'reason is required');
  return reason.trim().slice(0, 500);
}

export function registerAdminKeyRoutes(router: Router, deps: AdminKeyDeps) {
  const lifecycle = () => deps.keyLifecycle!;
  const errors = jsonErrors(deps.logger, 'admin key operation');
  const auth = requireAdminToken(deps);
  const parseJson = bodyParser({ enableTypes: ['json'], jsonLimit: '4kb' }) as unknown as Middleware;
  // A body that does not parse (or is too large) is the caller's mistake: a JSON 400, like every answer here.
  const json: Middleware = async (ctx, next) => {
    let parsed = false;
    try {
      await parseJson(ctx, async () => {
        parsed = true;
      });
    } catch (err) {
      throw new ApiError('invalid_request', 'the body must be a JSON object of at most 4 kB', { cause: err });
    }
    if (parsed) await next();
  };
  const audit = (ctx: Context, operation: string, detail: Record<string, unknown> = {}) =>
    deps.audit.record({
      type: 'admin.keys',
      clientId: String(ctx.state.adminClientId),
      ip: ctx.ip,
      requestId: ctx.state.requestId,
      detail: { operation, ...detail },
    });

  router.get('/admin/keys', errors, auth, async (ctx) => {
    const keys = await listKeys(deps.db);
    await audit(ctx, 'list');
    ctx.body = { keys: keys.map(({ public_jwk: _jwk, ...k }) => k) };
  });

  router.post('/admin/keys/rotate', errors, auth, json, async (ctx) => {
    const reason = reasonOf(ctx);
    const out = await lifecycle().rotate({ via: `admin-api:${ctx.state.adminClientId}`, reason });
    await audit(ctx, 'rotate', { reason, staged: out.staged, alreadyStaged: out.alreadyStaged });
    ctx.body = { staged: out.staged, already_staged: out.alreadyStaged };
  });

  router.post('/admin/keys/:kid/revoke', errors, auth, json, async (ctx) => {
    const reason = reasonOf(ctx);
    const revokeTokens = body(ctx).revoke_tokens === true;
    try {
      const out = await lifecycle().revoke(ctx.params.kid!, {
        via: `admin-api:${ctx.state.adminClientId}`,
        reason,
        revokeTokens,
      });
      await audit(ctx, 'revoke', { reason, kid: out.kid, activated: out.activated, tokensRevoked: out.tokensRevoked });
      ctx.body = { revoked: out.kid, activated: out.activated, tokens_revoked: out.tokensRevoked };
    } catch (err) {
      if (!(err instanceof KeyNotFoundError)) throw err;
      throw new ApiError('not_found', err.message);
    }
  });
}
