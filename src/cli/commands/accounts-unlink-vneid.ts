import type { Command } from '../command.js';
import { accountSelector, findAccountArg, linkView } from './account-view.js';

export const accountsUnlinkVneid: Command = {
  name: 'accounts unlink-vneid',
  summary: 'remove the VNeID identities linked to an account',
  usage: 'bhxh-id accounts unlink-vneid (--bhxh NUMBER | --id ID)',
  options: { ...accountSelector },
  async run(ctx, v) {
    const account = await findAccountArg(ctx, v);
    const removed = await ctx.federatedIdentities.unlinkAll(account.id);
    for (const link of removed) {
      await ctx.audit.record({
        type: 'federation.unlink',
        accountId: account.id,
        detail: { via: 'cli', issuer: link.issuer },
      });
    }
    return { account_id: account.id, removed: removed.map(linkView) };
  },
};
