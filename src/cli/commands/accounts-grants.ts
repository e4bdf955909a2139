// bhxh-id accounts grants: the apps with access to a member's account (issue 16, item 12), as the account page lists
// them (src/oidc/account-sessions.ts): by relying party, with the grant ids, scopes and when first granted.
import type { Command } from '../command.js';
import { accountSelector, appView, findAccountArg } from './account-view.js';

export const accountsGrants: Command = {
  name: 'accounts grants',
  summary: 'list the apps with access to an account (grants by client)',
  usage: 'bhxh-id accounts grants (--bhxh NUMBER | --id ID)',
  options: { ...accountSelector },
  async run(ctx, v) {
    const account = await findAccountArg(ctx, v);
    return { account_id: account.id, apps: (await ctx.accountSessions.apps(account.id)).map(appView) };
  },
};
