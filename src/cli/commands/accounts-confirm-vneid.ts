import { parseNationalId } from '../../accounts/identifiers.js';
import { CommandError, UsageError, type Command } from '../command.js';
import { accountSelector, findAccountArg, linkView } from './account-view.js';

const REFUSALS = {
  account_unavailable: 'the account is disabled; enable it first',
  no_password_link: 'the account has no VNeID link made with a password to confirm',
  no_link_with_national_id:
    'no VNeID link made with a password carries the number on the ID card; nothing was confirmed (see the links with accounts show; accounts unlink-vneid removes every link of the account)',
  national_id_differs:
    'the account already holds another identification number than the ID card; nothing was confirmed; have the account checked',
  national_id_taken:
    "the ID card's number belongs to another account; nothing was confirmed; have both accounts checked",
} as const;

export const accountsConfirmVneid: Command = {
  name: 'accounts confirm-vneid',
  summary:
    'office confirmation: raise the VNeID links made with a password that carry the number on the ID card checked in person',
  usage: 'bhxh-id accounts confirm-vneid (--bhxh NUMBER | --id ID) --national-id NUMBER --operator STAFF_ID',
  options: { ...accountSelector, 'national-id': { type: 'string' }, operator: { type: 'string' } },
  async run(ctx, v) {
    const operator = typeof v.operator === 'string' ? v.operator.trim() : '';
    if (!/^[A-Za-z0-9._@-]{2,64}$/.test(operator))
      throw new UsageError('--operator STAFF_ID is required (letters, digits, . _ @ -)');
    // NOTE: the number comes from the card the clerk holds, never from the links: a link made with the member's
    // password by someone else carries that person's number.
    const nationalId = parseNationalId(v['national-id']);
    if (!nationalId)
      throw new UsageError('--national-id NUMBER is required: the 12 digits on the citizen ID card you checked');
    const account = await findAccountArg(ctx, v);
    const outcome = await ctx.federatedIdentities.confirmByOffice(account.id, nationalId, async (trx, confirmed) => {
      for (const link of confirmed) {
        await ctx.audit.record(
          {
            type: 'federation.confirm',
            accountId: account.id,
            detail: { via: 'office', operator, issuer: link.issuer },
          },
          trx,
        );
      }
    });
    if (!outcome.ok) {
      await ctx.audit.record({
        type: 'federation.confirm',
        outcome: 'failure',
        accountId: account.id,
        detail: { via: 'office', operator, reason: outcome.reason },
      });
      throw new CommandError(REFUSALS[outcome.reason]);
    }
    return {
      account_id: account.id,
      confirmed: outcome.confirmed.map(linkView),
      national_id_recorded: outcome.nationalIdRecorded,
      // Made with the member's password but carrying another number: still password-level, for the clerk to review.
      not_confirmed: outcome.unconfirmed.map(linkView),
    };
  },
};
