// bhxh-id accounts show: one account, without its password hash.
import type { Command } from '../command.js';
import { accountSelector, accountView, findAccountArg } from './account-view.js';

export const accountsShow: Command = {
  name: 'accounts show',
  summary: 'show an account',
  usage: 'bhxh-id accounts show (--bhxh NUMBER | --id ID)',
  options: { ...accountSelector },
  async run(ctx, v) {
    return { account: accountView(await findAccountArg(ctx, v)) };
  },
};
