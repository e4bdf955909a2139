// The account page's "apps with access" (issue 16, item 8).
//
//   GET  /account/apps         the member's grants by relying party (oidc/account-sessions.ts), the account page's own
//                              left out: name, what it may see (the consent page's words), since when
//   POST /account/apps/remove  csrf → the app's grants of this member → 303 ?done=removed
//
// Removing goes through oidc/account-sessions.ts (the CLI's revoke-grant too): every grant of that app with its tokens
// and codes, the app taken out of her sessions, a back-channel logout where it registered one, the audit event and a
// notice on every channel on file. An app she has no grant with changes nothing (422). No recent sign-in is needed:
// taking access away only narrows what the account allows (the issue asks it for the password and sessions).
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { MessageId } from '../../core/i18n.js';
import type { AccountSessions } from '../../oidc/account-sessions.js';
import { appsSectionPage } from '../../../views/account/apps.js';
import { member } from './account-session.js';
import type { SectionTools } from './section.js';

export interface AppsSectionDeps {
  accountSessions: Pick<AccountSessions, 'apps' | 'revoke'>;
}

const RETURN = '/account/apps';
/** A client id as the registry takes it, checked before any lookup. */
const CLIENT_ID = /^[\x21-\x7e]{1,200}$/;

async function show(
  deps: AppsSectionDeps,
  tools: SectionTools,
  ctx: Context,
  options: { status?: number; error?: MessageId } = {},
) {
  const m = member(ctx);
  const { page } = m;
  const apps = await deps.accountSessions.apps(m.account.id);
  ctx.status = options.status ?? 200;
  ctx.body = appsSectionPage(tools.frame(ctx), {
    csrfToken: m.csrfToken,
    apps: apps.map((a) => ({
      clientId: a.clientId,
      clientName: a.clientName,
      scopes: a.scopes,
      resources: a.resources,
      grantedAt: a.grantedAt,
    })),
    notice: ctx.query.done === 'removed' ? page.t('account.apps.done') : undefined,
    error: options.error ? page.t(options.error) : undefined,
  });
}

export function registerAppsSection(router: Router, deps: AppsSectionDeps, tools: SectionTools): void {
  router.get(RETURN, tools.signedIn, async (ctx) => show(deps, tools, ctx));

  router.post(`${RETURN}/remove`, tools.signedIn, tools.parseForm, tools.csrf, async (ctx) => {
    const m = member(ctx);
    const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const clientId = typeof body.client === 'string' ? body.client : '';
    if (!CLIENT_ID.test(clientId)) return show(deps, tools, ctx, { status: 400, error: 'account.apps.error.unknown' });
    const { removed } = await deps.accountSessions.revoke(
      m.account,
      { clientId },
      { via: 'account', ip: ctx.ip, requestId: ctx.state.requestId },
    );
    if (!removed) return show(deps, tools, ctx, { status: 422, error: 'account.apps.error.unknown' });
    ctx.status = 303;
    ctx.redirect(`${RETURN}?done=removed`);
  });
}
