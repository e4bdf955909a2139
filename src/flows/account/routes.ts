// The account page ("Thông tin tài khoản", /account): the shell — sign-in through our own authorization endpoint,
// the overview, sign-out — and one module per section, each registering its own pages under /account/<section>.
// Every page needs the account page's session (account-session.ts); every form carries the CSRF token; sensitive
// changes need a recent sign-in.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { resolveLocale, pageContext } from '../../core/locale.js';
import { messagePage } from '../../../views/message.js';
import { overviewPage } from '../../../views/account/overview.js';
import {
  type AccountShellDeps,
  finishSignIn,
  forgetSession,
  requireMember,
  requireRecentSignIn,
  signInStart,
} from './account-session.js';
import { type ActivitySectionDeps, registerActivitySection } from './activity.js';
import { type AppsSectionDeps, registerAppsSection } from './apps.js';
import { type DataSectionDeps, registerDataSection } from './data.js';
import { type EmailSectionDeps, registerEmailSection } from './email.js';
import { type PasswordSectionDeps, registerPasswordSection } from './password.js';
import { type PhoneSectionDeps, registerPhoneSection } from './phone.js';
import { type ProfileSectionDeps, registerProfileSection } from './profile.js';
import { frameOf, type SectionTools } from './section.js';
import { type SessionsSectionDeps, registerSessionsSection } from './sessions.js';
import { type VneidSectionDeps, registerVneidSection } from './vneid.js';
import { html } from '../../core/html.js';

export type AccountDeps = AccountShellDeps &
  ProfileSectionDeps &
  EmailSectionDeps &
  PhoneSectionDeps &
  PasswordSectionDeps &
  SessionsSectionDeps &
  AppsSectionDeps &
  VneidSectionDeps &
  ActivitySectionDeps &
  DataSectionDeps;

export function registerAccountRoutes(router: Router, deps: AccountDeps, parseForm: Middleware): void {
  const tools: SectionTools = {
    signedIn: requireMember(deps),
    parseForm,
    csrf: deps.csrf.verify,
    recentSignIn: (returnTo) => requireRecentSignIn(deps, returnTo),
    frame: (ctx) => frameOf(deps, ctx),
  };

  router.get('/account/sign-in', signInStart(deps));

  router.get('/account/callback', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const outcome = await finishSignIn(deps, ctx);
    if (outcome.ok || outcome.hadSession) {
      ctx.status = 303;
      ctx.redirect(outcome.returnTo);
      return;
    }
    const page = pageContext(ctx, resolveLocale(ctx));
    ctx.status = outcome.reason === 'cancelled' ? 200 : 400;
    ctx.body = messagePage(page, {
      title: page.t('account.sign_in_failed.title'),
      message: page.t('account.sign_in_failed.message'),
      extra: html`<a class="button" id="sign-in-again" href="/account/sign-in?return=${encodeURIComponent(outcome.returnTo)}">${page.t('account.sign_in_again')}</a>
<a class="button secondary" id="start-page" href="/">${page.t('next.start_page')}</a>`,
    });
  });

  router.get('/account/signed-out', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    await forgetSession(deps, ctx);
    const page = pageContext(ctx, resolveLocale(ctx));
    ctx.body = messagePage(page, {
      title: page.t('account.signed_out.title'),
      message: page.t('account.signed_out.message'),
      extra: html`<a class="button" id="sign-in-again" href="/account">${page.t('account.sign_in_again')}</a>
<a class="button secondary" id="start-page" href="/">${page.t('next.start_page')}</a>`,
    });
  });

  router.get('/account', tools.signedIn, async (ctx) => {
    ctx.body = overviewPage(tools.frame(ctx));
  });

  registerProfileSection(router, deps, tools);
  registerEmailSection(router, deps, tools);
  registerPhoneSection(router, deps, tools);
  registerPasswordSection(router, deps, tools);
  registerSessionsSection(router, deps, tools);
  registerAppsSection(router, deps, tools);
  registerVneidSection(router, deps, tools);
  registerActivitySection(router, deps, tools);
  registerDataSection(router, deps, tools);
}
