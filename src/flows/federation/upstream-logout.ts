// Ending the upstream session when the member signs out of ours (VNEID_UPSTREAM_LOGOUT, on by default).
//
// A VNeID sign-in leaves a note keyed by the interaction; when the provider resumes that interaction into a session
// (the `interaction.ended` event) the note moves to the session's uid. When that session ends by RP-initiated logout
// (POST /session/end/confirm, full logout), the provider's redirect is swapped for the upstream's end-session URL,
// which returns to /federation/vneid/logged-out and from there to where the provider was going (the relying party's
// post_logout_redirect_uri or our "signed out" page). Without an end_session_endpoint upstream, nothing changes.
import crypto from 'node:crypto';
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import type { Sealer } from '../../keys/sealer.js';
import type { FlowStore } from '../flow-store.js';
import type { Federation } from './federation.js';
import { deletedCount, type Db } from '../../db/database.js';
import { UPSTREAM_ID_TOKEN_CONTEXT } from '../../keys/sealer.js';
import { sessionWithUid } from '../../oidc/adapter.js';
import { pageContext, resolveLocale } from '../../core/locale.js';
import { messagePage } from '../../../views/message.js';
import type { StoredUpstreamSession } from './flow-kinds.js';

const PENDING = 'vneid_session_pending';
const SESSION = 'vneid_session';
const LOGOUT = 'vneid_logout';
export const LOGGED_OUT_PATH = '/federation/vneid/logged-out';

interface UpstreamSession {
  issuer: string;
  idToken?: string;
}

/** What the upstream logout uses. */
export interface UpstreamLogoutDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  flows: FlowStore;
  sealer: Sealer;
  federation?: Federation;
}

const SEAL_CONTEXT = UPSTREAM_ID_TOKEN_CONTEXT;

/** Seals an upstream ID token for storage (the pending VNeID link keeps one too). */
export function sealUpstreamIdToken(deps: Pick<UpstreamLogoutDeps, 'sealer'>, idToken: string): string {
  return deps.sealer.seal(idToken, SEAL_CONTEXT);
}

/** Opens a sealed upstream ID token; undefined when it cannot be opened (a key no longer configured). */
export function openUpstreamIdToken(
  deps: Pick<UpstreamLogoutDeps, 'sealer'>,
  sealed: string | undefined,
): string | undefined {
  if (!sealed) return undefined;
  try {
    return deps.sealer.open(sealed, SEAL_CONTEXT);
  } catch {
    return undefined; // log out upstream without the hint
  }
}

function seal(deps: UpstreamLogoutDeps, session: UpstreamSession): StoredUpstreamSession {
  return {
    issuer: session.issuer,
    ...(session.idToken ? { idTokenSealed: sealUpstreamIdToken(deps, session.idToken) } : {}),
  };
}

const idTokenOf = (deps: UpstreamLogoutDeps, stored: StoredUpstreamSession) =>
  openUpstreamIdToken(deps, stored.idTokenSealed);

/** Called when a VNeID sign-in completes on an interaction. */
export async function rememberUpstreamSession(
  deps: UpstreamLogoutDeps,
  interactionUid: string,
  session: UpstreamSession,
): Promise<void> {
  if (!deps.config.vneid?.upstreamLogout) return;
  await deps.flows.put({
    kind: PENDING,
    id: interactionUid,
    state: 'signed_in',
    data: seal(deps, session),
    expiresAt: new Date(deps.clock.now().getTime() + deps.config.ttl.interaction * 1000),
  });
}

/** Whether signing out of this session of ours also ends an upstream (VNeID) session: the confirmation says so. */
export async function endsUpstreamSession(deps: UpstreamLogoutDeps, sessionUid: string): Promise<boolean> {
  if (!deps.federation || !deps.config.vneid?.upstreamLogout) return false;
  return (await deps.flows.get(SESSION, sessionUid)) !== undefined;
}

/** Wires the hand-over (interaction → session) and the logout redirect into a provider instance. */
export function installUpstreamLogout(deps: UpstreamLogoutDeps, provider: Provider): void {
  if (!deps.federation || !deps.config.vneid?.upstreamLogout) return;
  provider.on('interaction.ended', (ctx: KoaContextWithOIDC) => {
    const uid = ctx.params?.uid as string | undefined;
    const sessionUid = ctx.oidc.session?.uid;
    if (!uid || !sessionUid) return;
    const sessionExp = (ctx.oidc.session as { exp?: number } | undefined)?.exp;
    void handOver(deps, uid, sessionUid, sessionExp).catch((err) =>
      deps.logger.warn({ err }, 'VNeID: could not keep the upstream session for logout'),
    );
  });
  provider.use(upstreamLogoutRedirect(deps));
}

async function handOver(deps: UpstreamLogoutDeps, interactionUid: string, sessionUid: string, sessionExp?: number) {
  const pending = await deps.flows.get(PENDING, interactionUid);
  if (!pending) return;
  // No longer than the session: its own expiry when the provider has set one, else the configured session lifetime.
  const byTtl = deps.clock.now().getTime() + deps.config.ttl.session * 1000;
  await deps.flows.put({
    kind: SESSION,
    id: sessionUid,
    state: 'signed_in',
    data: pending.data,
    expiresAt: new Date(sessionExp ? Math.min(sessionExp * 1000, byTtl) : byTtl),
  });
  await deps.flows.delete(PENDING, interactionUid);
}

/**
 * Deletes the upstream sessions whose session of ours has ended some other way (a password change revokes every
 * session; a session expires or is deleted). Swept with the other expired rows. Returns how many went.
 */
export async function sweepOrphanUpstreamSessions(db: Db): Promise<number> {
  const prefix = `${SESSION}:`;
  return deletedCount(
    await db('flows')
      .where({ kind: SESSION })
      .whereNotExists(sessionWithUid(db, 'substr(flows.id, ?)', [prefix.length + 1]))
      .delete(),
  );
}

function upstreamLogoutRedirect(deps: UpstreamLogoutDeps): Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as unknown as KoaContextWithOIDC;
    if (oidc?.route !== 'end_session_confirm' || ctx.status !== 303) return;
    const session = oidc.session as (typeof oidc.session & { destroyed?: boolean }) | undefined;
    if (!session?.destroyed) return; // only a full logout ends the upstream session
    const upstream = await deps.flows.get(SESSION, session.uid);
    if (!upstream) return;
    await deps.flows.delete(SESSION, session.uid);
    const state = crypto.randomBytes(16).toString('base64url');
    const idTokenHint = idTokenOf(deps, upstream.data);
    const url = await deps.federation!.upstream.endSessionUrl({ state, ...(idTokenHint ? { idTokenHint } : {}) });
    if (!url) return;
    await deps.flows.put({
      kind: LOGOUT,
      id: state,
      state: 'awaiting_return',
      data: { returnTo: ctx.response.get('Location') },
      expiresAt: new Date(deps.clock.now().getTime() + 15 * 60 * 1000),
    });
    await deps.audit.record({
      type: 'federation.logout',
      accountId: session.accountId ?? null,
      ip: ctx.ip,
      detail: { issuer: upstream.data.issuer },
    });
    ctx.redirect(url.href);
    ctx.status = 303;
  };
}

/** GET /federation/vneid/logged-out: back from the upstream, on to where the logout was going. */
export function registerUpstreamLogoutRoutes(router: Router, deps: UpstreamLogoutDeps) {
  if (!deps.federation) return;
  router.get(LOGGED_OUT_PATH, async (ctx) => {
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const flow = state ? await deps.flows.get(LOGOUT, state) : undefined;
    if (flow) {
      await deps.flows.delete(LOGOUT, state);
      ctx.status = 303;
      ctx.redirect(flow.data.returnTo);
      return;
    }
    const page = pageContext(ctx, resolveLocale(ctx));
    ctx.type = 'html';
    ctx.body = messagePage(page, { title: page.t('logout.title'), message: page.t('logout.done') });
  });
}
