// The account page's phone section (issue 16, item 5): the number on file (masked) and whether it is confirmed;
// change it (an SMS code goes to the new number, which is written, confirmed, only once the code comes back: the code
// step is address-step.ts), with a recent sign-in. The old number is told by SMS (src/security/address-change.ts).
// For PHONE_CHANGE_COOLING_HOURS after a change the new number proves nothing on the reset paths (SMS keyword, hotline,
// SMS code: src/security/deliverable-address.ts), and the page says so. The number cannot be removed: the SMS channels
// need one.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { maskPhoneAsTyped, maskPhoneNumber } from '../../core/masking.js';
import type { MessageId } from '../../core/i18n.js';
import { formatVietnamTime } from '../../core/vietnam-time.js';
import { addressOnFile, phoneCoolingUntil } from '../../security/deliverable-address.js';
import { phoneSectionPage } from '../../../views/account/phone.js';
import { member } from './account-session.js';
import {
  type AddressSection,
  type AddressStepDeps,
  pendingCode,
  reauthBox,
  registerAddressStep,
  type SectionPageOptions,
} from './address-step.js';
import type { SectionTools } from './section.js';

export type PhoneSectionDeps = AddressStepDeps;

const DONE: Record<string, MessageId> = {
  changed: 'account.phone.done.changed',
  added: 'account.phone.done.added',
  verified: 'account.phone.done.verified',
};

export function registerPhoneSection(router: Router, deps: PhoneSectionDeps, tools: SectionTools): void {
  const coolingHours = Math.round(deps.config.account.phoneCoolingSeconds / 3600);
  const render = async (ctx: Context, options: SectionPageOptions = {}) => {
    const m = member(ctx);
    const { account } = m;
    const pending = await pendingCode(deps, account.id, 'sms');
    const done = typeof ctx.query.done === 'string' ? DONE[ctx.query.done] : undefined;
    const reauth = reauthBox(deps, ctx, 'phone');
    const onFile = addressOnFile(account, 'sms');
    const until = phoneCoolingUntil(account, {
      now: deps.clock.now(),
      seconds: deps.config.account.phoneCoolingSeconds,
    });
    ctx.type = 'html';
    ctx.body = phoneSectionPage(tools.frame(ctx), {
      csrfToken: m.csrfToken,
      phone: onFile ? maskPhoneNumber(onFile) : null,
      verified: account.phoneNumberVerified,
      coolingHours,
      ...(until ? { coolingUntil: formatVietnamTime(until) } : {}),
      ...(reauth ? { reauth } : {}),
      ...(pending ? { pending: { address: pending.shown } } : {}),
      ...(done && !options.error ? { notice: m.page.t(done, { hours: coolingHours }) } : {}),
      ...options,
    });
  };
  const section: AddressSection = {
    section: 'phone',
    channel: 'sms',
    field: 'new_phone',
    // Masked in the form the member typed it (the recovery pages' rule), else as members write a number on file.
    shown: (address, typed) => (typed ? maskPhoneAsTyped(typed) : maskPhoneNumber(address)),
    render,
  };

  router.get('/account/phone', tools.signedIn, (ctx) => render(ctx));
  registerAddressStep(router, deps, tools, section);
}
