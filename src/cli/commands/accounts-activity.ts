// bhxh-id accounts activity: a member's security activity as the account page shows it (issue 16, item 12) — the
// same plain sentences (src/audit/activity.ts, in English), with the stored type, outcome and time beside each, so an
// operator on the phone with a member reads what she reads. Newest first; at most LIMIT events.
import { activitySince, describeActivity } from '../../audit/activity.js';
import { appNamer } from '../../clients/client-names.js';
import { translator } from '../../core/i18n.js';
import { type Command, UsageError } from '../command.js';
import { accountSelector, findAccountArg } from './account-view.js';

const LIMIT = 1000;

export const accountsActivity: Command = {
  name: 'accounts activity',
  summary: "show an account's security activity in plain words (the account page's list)",
  usage: 'bhxh-id accounts activity (--bhxh NUMBER | --id ID) [--days 90]',
  options: { ...accountSelector, days: { type: 'string' } },
  async run(ctx, v) {
    const days = v.days === undefined ? 90 : Number(v.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650)
      throw new UsageError('--days must be a whole number of days from 1 to 3650');
    const account = await findAccountArg(ctx, v);
    const events = await ctx.audit.forAccount(account.id, {
      since: activitySince(ctx.clock.now(), days),
      limit: LIMIT + 1,
    });
    const shown = events.slice(0, LIMIT);
    const t = translator('en');
    const appName = await appNamer(
      ctx.clients,
      shown.map((e) => e.clientId),
      t,
    );
    return {
      account_id: account.id,
      days,
      events: shown.map((e) => {
        const line = describeActivity(e, t, appName);
        return {
          at: line.at.toISOString(),
          type: line.type,
          outcome: line.outcome,
          sentence: line.sentence,
          ...(e.clientId ? { client_id: e.clientId, app: line.app } : {}),
          ...(line.network ? { network: line.network } : {}),
        };
      }),
      ...(events.length > LIMIT ? { truncated: true } : {}),
    };
  },
};
