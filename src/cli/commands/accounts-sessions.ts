// bhxh-id accounts sessions: where a member is signed in (issue 16, item 12), as the account page lists it
// (src/oidc/account-sessions.ts): device and browser, network, first and last seen, the relying parties in each.
import type { Command } from '../command.js';
import { accountSelector, findAccountArg, sessionView } from './account-view.js';

export const accountsSessions: Command = {
  name: 'accounts sessions',
  summary: "list an account's live sessions: device, network, first and last seen",
  usage: 'bhxh-id accounts sessions (--bhxh NUMBER | --id ID)',
  options: { ...accountSelector },
  async run(ctx, v) {
    const account = await findAccountArg(ctx, v);
    return { account_id: account.id, sessions: (await ctx.accountSessions.list(account.id)).map(sessionView) };
  },
};
