import { applyOperatorPassword } from '../../security/credential-change.js';
import { UsageError, type Command } from '../command.js';
import { accountSelector, accountView, findAccountArg } from './account-view.js';
import { readPasswordFromStdin, temporaryPassword } from './passwords.js';

export const accountsSetPassword: Command = {
  name: 'accounts set-password',
  summary: "set a member's password",
  usage: 'bhxh-id accounts set-password (--bhxh NUMBER | --id ID) (--password-stdin | --temporary)',
  options: { ...accountSelector, 'password-stdin': { type: 'boolean' }, temporary: { type: 'boolean' } },
  async run(ctx, v) {
    if (Boolean(v['password-stdin']) === Boolean(v.temporary))
      throw new UsageError('give exactly one of --password-stdin or --temporary');
    const account = await findAccountArg(ctx, v);
    const temporary = v.temporary ? temporaryPassword() : undefined;
    const password = temporary ?? (await readPasswordFromStdin(ctx, account));
    await applyOperatorPassword(ctx, {
      account,
      newHash: await ctx.hasher.hash(password),
      mustChange: Boolean(temporary),
      detail: { temporary: Boolean(temporary) },
    });
    const updated = (await ctx.accounts.findById(account.id))!;
    return { account: accountView(updated), ...(temporary ? { temporary_password: temporary } : {}) };
  },
};
