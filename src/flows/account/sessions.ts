// The account page's "where you are signed in" (issue 16, item 7).
//
//   GET  /account/sessions             the member's live sessions (oidc/account-sessions.ts), this device marked
//   POST /account/sessions/end         csrf → recent sign-in → one session of hers, not this one → 303 ?done=one
//   POST /account/sessions/end-others  csrf → recent sign-in → every session but this one → 303 ?done=others
//
// Ending one goes through oidc/account-sessions.ts (the CLI's end-sessions too): the session, its relying parties'
// grants and tokens, a back-channel logout to those that registered for it, the audit event and a notice on every
// channel on file. A uid that is not one of her live sessions (unknown, ended, another member's) changes nothing and
// gets the list again with a message (422).
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { MessageId } from '../../core/i18n.js';
import type { AccountSessions } from '../../oidc/account-sessions.js';
import { confirmIdentity } from '../../../views/account/layout.js';
import { sessionsSectionPage } from '../../../views/account/sessions.js';
import { type AccountShellDeps, isRecent, member, reauthHref } from './account-session.js';
import type { SectionTools } from './section.js';

export interface SessionsSectionDeps {
  accountSessions: Pick<AccountSessions, 'list' | 'end'>;
}

type Deps = SessionsSectionDeps & Pick<AccountShellDeps, 'clock' | 'config'>;

const RETURN = '/account/sessions';
/** An oidc-provider uid (nanoid): what the form may carry, checked before any lookup. */
const SESSION_UID = /^[A-Za-z0-9_-]{1,64}$/;

const NOTICES: Record<string, MessageId> = {
  one: 'account.sessions.done.one',
  others: 'account.sessions.done.others',
  none: 'account.sessions.done.none',
};

async function show(
  deps: Deps,
  tools: SectionTools,
  ctx: Context,
  options: { status?: number; error?: MessageId } = {},
) {
  const m = member(ctx);
  const { page } = m;
  const sessions = await deps.accountSessions.list(m.account.id);
  const done = typeof ctx.query.done === 'string' ? NOTICES[ctx.query.done] : undefined;
  ctx.status = options.status ?? 200;
  ctx.body = sessionsSectionPage(tools.frame(ctx), {
    csrfToken: m.csrfToken,
    sessions: sessions.map((s) => ({
      uid: s.uid,
      current: s.uid === m.session.sessionUid,
      browser: s.device.browser,
      system: s.device.system,
      firstSeenAt: s.firstSeenAt ?? s.signedInAt,
      lastSeenAt: s.lastSeenAt ?? s.signedInAt,
      network: s.network,
    })),
    notice: done ? page.t(done) : undefined,
    error: options.error ? page.t(options.error) : undefined,
    confirm: isRecent(deps, m)
      ? undefined
      : confirmIdentity(page, {
          href: reauthHref(RETURN),
          minutes: Math.round(deps.config.account.reauthSeconds / 60),
          afterRefusedChange: ctx.query.confirm === '1',
        }),
  });
}

export function registerSessionsSection(router: Router, deps: Deps, tools: SectionTools): void {
  const actor = (ctx: Context) => ({ via: 'account' as const, ip: ctx.ip, requestId: ctx.state.requestId });

  router.get(RETURN, tools.signedIn, async (ctx) => show(deps, tools, ctx));

  router.post(`${RETURN}/end`, tools.signedIn, tools.parseForm, tools.csrf, tools.recentSignIn(RETURN), async (ctx) => {
    const m = member(ctx);
    const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const uid = typeof body.session === 'string' ? body.session : '';
    if (uid === m.session.sessionUid)
      return show(deps, tools, ctx, { status: 422, error: 'account.sessions.error.this_device' });
    const { ended } = SESSION_UID.test(uid)
      ? await deps.accountSessions.end(m.account, { sessionUid: uid }, actor(ctx))
      : { ended: [] };
    if (!ended.length)
      return show(deps, tools, ctx, {
        status: SESSION_UID.test(uid) ? 422 : 400,
        error: 'account.sessions.error.unknown',
      });
    ctx.status = 303;
    ctx.redirect(`${RETURN}?done=one`);
  });

  router.post(
    `${RETURN}/end-others`,
    tools.signedIn,
    tools.parseForm,
    tools.csrf,
    tools.recentSignIn(RETURN),
    async (ctx) => {
      const m = member(ctx);
      const { ended } = await deps.accountSessions.end(m.account, { allExcept: m.session.sessionUid }, actor(ctx));
      ctx.status = 303;
      ctx.redirect(`${RETURN}?done=${ended.length ? 'others' : 'none'}`);
    },
  );
}
