// bhxh-id accounts disable|enable: stops or restores a member's ability to sign in. Disabling also ends every
// session, grant and token the account holds: a session left behind would point the provider at an account it can
// no longer load (the account page found this: the next authorization request on that browser failed with a 500).
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
      const revoked = status === 'disabled' ? await ctx.revokeAccount(account.id) : undefined;
      await ctx.audit.record({
        type: 'account.status_changed',
        accountId: account.id,
        detail: { via: 'cli', status, ...(revoked ? { sessionsEnded: revoked.sessions } : {}) },
      });
      return {
        account: accountView((await ctx.accounts.findById(account.id))!),
        ...(revoked ? { sessions_ended: revoked.sessions } : {}),
      };
    },
  };
}

export const accountsDisable = statusCommand('disable', 'disabled');
export const accountsEnable = statusCommand('enable', 'active');
