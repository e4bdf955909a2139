// bhxh-id accounts confirm-vneid: office staff, having checked the member's citizen ID card in person, confirm the
// VNeID links the member made with a password. They become 'office' links and confer the VNeID level
// (security/link-assurance.ts); an account without an identification number records the links' verified one.
// Audited with the operator's id.
import { createFederatedIdentities } from '../../accounts/federated-identities.js';
import { systemClock } from '../../oidc/adapter.js';
import { CommandError, UsageError, type Command } from '../command.js';
import { accountSelector, findAccountArg, linkView } from './account-view.js';

const REFUSALS = {
  account_unavailable: 'the account is disabled; enable it first',
  no_password_link: 'the account has no VNeID link made with a password to confirm',
  national_id_differs: "a link carries another identification number than the account's; remove it with accounts unlink-vneid",
  national_ids_differ: 'the links carry different identification numbers; remove the wrong ones with accounts unlink-vneid',
  national_id_taken: "the links' identification number belongs to another account; have both accounts checked",
} as const;

export const accountsConfirmVneid: Command = {
  name: 'accounts confirm-vneid',
  summary: 'office confirmation: raise the VNeID links made with a password after checking the ID card in person',
  usage: 'bhxh-id accounts confirm-vneid (--bhxh NUMBER | --id ID) --operator STAFF_ID',
  options: { ...accountSelector, operator: { type: 'string' } },
  async run(ctx, v) {
    const operator = typeof v.operator === 'string' ? v.operator.trim() : '';
    if (!/^[A-Za-z0-9._@-]{2,64}$/.test(operator)) throw new UsageError('--operator STAFF_ID is required (letters, digits, . _ @ -)');
    const account = await findAccountArg(ctx, v);
    const outcome = await createFederatedIdentities(ctx.db, systemClock).confirmByOffice(account.id, async (trx, confirmed) => {
      for (const link of confirmed) {
        await ctx.audit.record({ type: 'federation.confirm', accountId: account.id, detail: { via: 'office', operator, issuer: link.issuer } }, trx);
      }
    });
    if (!outcome.ok) throw new CommandError(REFUSALS[outcome.reason]);
    return { account_id: account.id, confirmed: outcome.confirmed.map(linkView), national_id_recorded: outcome.nationalIdRecorded };
  },
};
