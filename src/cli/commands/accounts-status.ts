// bhxh-id accounts disable|enable: stops or restores a member's ability to sign in.
import type { AccountStatus } from '../../accounts/account-repository.js';
import type { Command } from '../command.js';
import { accountSelector, accountView, findAccountArg } from './account-view.js';

function statusCommand(verb: 'disable' | 'enable', status: AccountStatus): Command {
  return {
    name: `accounts ${verb}`,
    summary: `${verb} an account`,
    usage: `bhxh-id accounts ${verb} (--bhxh NUMBER | --id ID)`,
    options: { ...accountSelector },
    async run(ctx, v) {
      const account = await findAccountArg(ctx, v);
      await ctx.accounts.setStatus(account.id, status);
      await ctx.audit.record({ type: 'account.status_changed', accountId: account.id, detail: { via: 'cli', status } });
      return { account: accountView((await ctx.accounts.findById(account.id))!) };
    },
  };
}

export const accountsDisable = statusCommand('disable', 'disabled');
export const accountsEnable = statusCommand('enable', 'active');
