// bhxh-id accounts end-sessions: ends one of a member's sessions, or all of them (issue 16, item 12), the way the
// account page does (src/oidc/account-sessions.ts): the sessions, their relying parties' grants and tokens, audited
// with the operator, a notice on every channel on file. The CLI holds no provider, so no back-channel logout is sent.
import { CommandError, UsageError, type Command } from '../command.js';
import { accountSelector, findAccountArg, operatorArg } from './account-view.js';

export const accountsEndSessions: Command = {
  name: 'accounts end-sessions',
  summary: "end an account's sessions (one, or all) with their grants and tokens",
  usage: 'bhxh-id accounts end-sessions (--bhxh NUMBER | --id ID) (--all | --session UID) --operator STAFF_ID',
  options: { ...accountSelector, all: { type: 'boolean' }, session: { type: 'string' }, operator: { type: 'string' } },
  async run(ctx, v) {
    const operator = operatorArg(v);
    const session = typeof v.session === 'string' ? v.session.trim() : undefined;
    if (Boolean(v.all) === Boolean(session)) throw new UsageError('give either --all or --session UID');
    const account = await findAccountArg(ctx, v);
    const { ended } = await ctx.accountSessions.end(account, session ? { sessionUid: session } : { all: true }, {
      via: 'cli',
      operator,
    });
    if (session && !ended.length)
      throw new CommandError(`the account has no live session ${session}; nothing was ended (see accounts sessions)`);
    return { account_id: account.id, ended };
  },
};
