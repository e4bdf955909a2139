// The account page's profile (issue 16, item 3): the agency's record of the member, read-only (name, birth date, the
// BHXH number and the national ID masked; corrections are made at an office), and the language preference, the one
// thing edited here. The preference is kept on the account (`accounts.locale`): the account pages speak it unless the
// language switch (`?lang=`) or the `lang` cookie says otherwise, and saving it sets that cookie too. Not a sensitive
// change (no recent sign-in needed); audited `profile.locale_changed`.
import type Router from '@koa/router';
import type { AccountRepository } from '../../accounts/account-repository.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Locale } from '../../core/i18n.js';
import { rememberLocale } from '../../core/locale.js';
import { formatCalendarDate } from '../../core/vietnam-time.js';
import { profilePage, type ProfileView } from '../../../views/account/profile.js';
import { type Member, member } from './account-session.js';
import type { SectionTools } from './section.js';
import type { Context } from 'koa';

export interface ProfileSectionDeps {
  accounts: Pick<AccountRepository, 'setLocale'>;
  audit: Pick<AuditLog, 'record'>;
}

function view(m: Member, extra: Partial<ProfileView> = {}): ProfileView {
  const a = m.account;
  return {
    fullName: a.fullName,
    birthdate: formatCalendarDate(a.birthdate),
    bhxhNumber: a.bhxhNumber,
    nationalId: a.nationalId,
    locale: a.locale,
    csrfToken: m.csrfToken,
    ...extra,
  };
}

const isLocale = (value: unknown): value is Locale => value === 'vi' || value === 'en';

export function registerProfileSection(router: Router, deps: ProfileSectionDeps, tools: SectionTools): void {
  router.get('/account/profile', tools.signedIn, async (ctx) => {
    ctx.body = profilePage(tools.frame(ctx), view(member(ctx), { saved: ctx.query.done === 'locale' }));
  });

  router.post('/account/profile', tools.signedIn, tools.parseForm, tools.csrf, async (ctx: Context) => {
    const m = member(ctx);
    const locale = (ctx.request as { body?: Record<string, unknown> }).body?.locale;
    if (!isLocale(locale)) {
      ctx.status = 400;
      ctx.body = profilePage(tools.frame(ctx), view(m, { error: m.page.t('account.profile.language.error') }));
      return;
    }
    const saved = await deps.accounts.setLocale(m.account.id, locale);
    if (saved && saved.previous !== locale) {
      await deps.audit.record({
        type: 'profile.locale_changed',
        accountId: m.account.id,
        ip: ctx.ip,
        requestId: ctx.state.requestId as string | undefined,
        detail: { from: saved.previous, to: locale },
      });
    }
    // This browser follows at once; other browsers follow at their next account page (unless their cookie says
    // otherwise).
    rememberLocale(ctx, locale);
    ctx.status = 303;
    ctx.redirect('/account/profile?done=locale');
  });
}
