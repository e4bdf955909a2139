// bhxh-id accounts show: one account, without its password hash, and the VNeID identities linked to it.
import type { Command } from '../command.js';
import { accountSelector, accountView, findAccountArg, linkView } from './account-view.js';

export const accountsShow: Command = {
  name: 'accounts show',
  summary: 'show an account',
  usage: 'bhxh-id accounts show (--bhxh NUMBER | --id ID)',
  options: { ...accountSelector },
  async run(ctx, v) {
    const account = await findAccountArg(ctx, v);
    const links = await ctx.federatedIdentities.listForAccount(account.id);
    return { account: accountView(account), vneid_links: links.map(linkView) };
  },
};
