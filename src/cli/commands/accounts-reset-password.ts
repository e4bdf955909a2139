import { deliverableAddress } from '../../security/deliverable-address.js';
import { removePasswordLinks } from '../../security/credential-change.js';
import { CommandError, UsageError, type Command } from '../command.js';
import { accountSelector, accountView, findAccountArg } from './account-view.js';

const DELIVERIES = ['sms', 'email', 'print'] as const;

export const accountsResetPassword: Command = {
  name: 'accounts reset-password',
  summary: 'office reset: a temporary password after staff verified identity in person',
  usage: 'bhxh-id accounts reset-password (--bhxh NUMBER | --id ID) --operator STAFF_ID --deliver sms|email|print',
  options: { ...accountSelector, operator: { type: 'string' }, deliver: { type: 'string' } },
  async run(ctx, v) {
    const operator = typeof v.operator === 'string' ? v.operator.trim() : '';
    if (!/^[A-Za-z0-9._@-]{2,64}$/.test(operator))
      throw new UsageError('--operator STAFF_ID is required (letters, digits, . _ @ -)');
    const deliver = v.deliver as (typeof DELIVERIES)[number];
    if (!DELIVERIES.includes(deliver)) throw new UsageError('--deliver must be sms, email or print');
    const account = await findAccountArg(ctx, v);
    if (account.status !== 'active') throw new CommandError('the account is disabled; enable it first');
    const to = deliver === 'print' ? null : deliverableAddress(account, deliver);
    if (deliver !== 'print' && !to) {
      const what = deliver === 'sms' ? 'phone number' : 'email';
      throw new CommandError(
        (deliver === 'sms' ? account.phoneNumber : account.email)
          ? `the ${what} on file is not verified; give the password with --deliver print`
          : `the account has no ${what} on file`,
      );
    }

    const { temporaryPasswords } = ctx;
    const issued = await ctx.db.transaction(async (trx) => {
      const temp = await temporaryPasswords.issueAndDeliver(
        account.id,
        deliver === 'print' ? null : { channel: deliver, to: to! },
        trx,
      );
      await removePasswordLinks(ctx, trx, account, 'office');
      await ctx.audit.record(
        { type: 'password.temporary_issued', accountId: account.id, detail: { via: 'office', operator, deliver } },
        trx,
      );
      return temp;
    });
    return {
      account: accountView(account),
      delivered: deliver,
      expires_at: issued.expiresAt,
      // The clerk tells the member at the desk (an SMS or email says it itself): the earlier one no longer works.
      replaced_earlier: issued.replaced,
      ...(issued.replaced
        ? { note: 'a temporary password issued earlier was still valid; it no longer works (tell the member)' }
        : {}),
      // NOTE: printed only when the member is at the desk; never logged.
      ...(deliver === 'print' ? { temporary_password: issued.password } : {}),
    };
  },
};
