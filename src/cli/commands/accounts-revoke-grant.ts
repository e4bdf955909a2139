// bhxh-id accounts revoke-grant: removes an app's access to a member's account (issue 16, item 12) — every grant of a
// client, or one grant — the way the account page does (src/oidc/account-sessions.ts): the grants with their tokens,
// the client taken out of her sessions, audited with the operator, a notice on every channel on file. The CLI holds
// no provider, so no back-channel logout is sent. A grant of another account is refused like an unknown one.
import { CommandError, UsageError, type Command } from '../command.js';
import { accountSelector, appView, findAccountArg, operatorArg } from './account-view.js';

export const accountsRevokeGrant: Command = {
  name: 'accounts revoke-grant',
  summary: "remove an app's access to an account (a client's grants, or one grant) with its tokens",
  usage:
    'bhxh-id accounts revoke-grant (--bhxh NUMBER | --id ID) (--client CLIENT_ID | --grant GRANT_ID) --operator STAFF_ID',
  options: { ...accountSelector, client: { type: 'string' }, grant: { type: 'string' }, operator: { type: 'string' } },
  async run(ctx, v) {
    const operator = operatorArg(v);
    const clientId = typeof v.client === 'string' ? v.client.trim() : '';
    const grantId = typeof v.grant === 'string' ? v.grant.trim() : '';
    if (Boolean(clientId) === Boolean(grantId))
      throw new UsageError('give either --client CLIENT_ID or --grant GRANT_ID');
    const account = await findAccountArg(ctx, v);
    const { removed } = await ctx.accountSessions.revoke(account, clientId ? { clientId } : { grantId }, {
      via: 'cli',
      operator,
    });
    if (!removed)
      throw new CommandError(
        `the account holds no ${clientId ? `grant for client ${clientId}` : `grant ${grantId}`}; nothing was removed (see accounts grants)`,
      );
    return { account_id: account.id, removed: appView(removed) };
  },
};
