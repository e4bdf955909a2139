// The account page's email section (issue 16, item 4): the email on file and whether it is confirmed; add or change
// it (a 6-digit code goes to the new address, which is written, confirmed, only once the code comes back: the code
// step is address-step.ts); remove it. Changing or removing needs a recent sign-in. The old address is told
// (src/security/address-change.ts). Nothing here says whether another account uses an address.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { MessageId } from '../../core/i18n.js';
import type { Db } from '../../db/database.js';
import type { Outbox } from '../../notify/outbox.js';
import { removeEmail } from '../../security/address-change.js';
import { emailSectionPage, removeEmailPage } from '../../../views/account/email.js';
import { member } from './account-session.js';
import {
  type AddressSection,
  type AddressStepDeps,
  forgetPendingCode,
  pendingCode,
  reauthBox,
  registerAddressStep,
  type SectionPageOptions,
} from './address-step.js';
import type { SectionTools } from './section.js';

export interface EmailSectionDeps extends AddressStepDeps {
  db: Db;
  accounts: AccountRepository;
  outbox: Outbox;
  audit: AuditLog;
}

const DONE: Record<string, MessageId> = {
  changed: 'account.email.done.changed',
  added: 'account.email.done.added',
  removed: 'account.email.done.removed',
  verified: 'account.email.done.verified',
};

export function registerEmailSection(router: Router, deps: EmailSectionDeps, tools: SectionTools): void {
  const render = async (ctx: Context, options: SectionPageOptions = {}) => {
    const m = member(ctx);
    const pending = await pendingCode(deps, m.account.id, 'email');
    const done = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
    const reauth = reauthBox(deps, ctx, 'email');
    ctx.type = 'html';
    ctx.body = emailSectionPage(tools.frame(ctx), {
      csrfToken: m.csrfToken,
      email: m.account.email,
      verified: m.account.emailVerified,
      ...(reauth ? { reauth } : {}),
      ...(pending ? { pending: { address: pending.shown } } : {}),
      ...(done && !options.error ? { notice: m.page.t(done) } : {}),
      ...options,
    });
  };
  const section: AddressSection = {
    section: 'email',
    channel: 'email',
    field: 'new_email',
    // The address as the one rule normalised it (lower case, punycode): what the mail really goes to.
    shown: (address) => address,
    render,
  };

  router.get('/account/email', tools.signedIn, (ctx) => render(ctx));
  registerAddressStep(router, deps, tools, section);

  router.get('/account/email/remove', tools.signedIn, async (ctx) => {
    const m = member(ctx);
    if (!m.account.email) {
      ctx.status = 303;
      return ctx.redirect('/account/email');
    }
    const reauth = reauthBox(deps, ctx, 'email');
    ctx.type = 'html';
    ctx.body = removeEmailPage(tools.frame(ctx), {
      csrfToken: m.csrfToken,
      email: m.account.email,
      ...(reauth ? { reauth } : {}),
    });
  });

  router.post(
    '/account/email/remove',
    tools.signedIn,
    tools.parseForm,
    tools.csrf,
    tools.recentSignIn('/account/email'),
    async (ctx) => {
      const m = member(ctx);
      const removed = await removeEmail(
        {
          db: deps.db,
          accounts: deps.accounts,
          outbox: deps.outbox,
          audit: deps.audit,
          clock: deps.clock,
          issuer: deps.config.issuer,
          phoneCoolingSeconds: deps.config.account.phoneCoolingSeconds,
        },
        { accountId: m.account.id, via: 'account_page', ip: ctx.ip, requestId: ctx.state.requestId },
      );
      // A code waiting to confirm the removed address has nothing left to confirm; one for a new address still works.
      if ((await pendingCode(deps, m.account.id, 'email'))?.mode === 'verify')
        await forgetPendingCode(deps, m.account.id, 'email');
      ctx.status = 303;
      ctx.redirect(removed.ok ? '/account/email?done=removed' : '/account/email');
    },
  );
}
