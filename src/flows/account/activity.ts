// The account page's security activity (issue 16, item 10): the member's own audit events of the last 90 days,
// newest first, in plain words (src/audit/activity.ts, the same sentences as `bhxh-id accounts activity`), PAGE_SIZE
// at a time. "Xem thêm" is a plain link carrying the id of the last event shown (`?before=`), so the list pages
// without JavaScript and a new event does not shift it. Reading needs no recent sign-in: it changes nothing.
import type Router from '@koa/router';
import { ACTIVITY_DAYS, activitySince, describeActivity } from '../../audit/activity.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { appNamer } from '../../clients/client-names.js';
import type { ClientRepository } from '../../clients/client-repository.js';
import type { Clock } from '../../core/clock.js';
import { formatVietnamTime } from '../../core/vietnam-time.js';
import { activityPage } from '../../../views/account/activity.js';
import { member } from './account-session.js';
import type { SectionTools } from './section.js';

export interface ActivitySectionDeps {
  audit: Pick<AuditLog, 'forAccount'>;
  clients: Pick<ClientRepository, 'find'>;
  clock: Clock;
}

const PAGE_SIZE = 50;
/** An event id as `?before=` carries it: a positive whole number that fits the column (bigint, as text). */
const CURSOR = /^[1-9][0-9]{0,18}$/;
const isCursor = (value: unknown): value is string =>
  typeof value === 'string' && CURSOR.test(value) && BigInt(value) <= 9223372036854775807n;

export function registerActivitySection(router: Router, deps: ActivitySectionDeps, tools: SectionTools): void {
  router.get('/account/activity', tools.signedIn, async (ctx) => {
    const m = member(ctx);
    const frame = tools.frame(ctx);
    const { t } = frame.page;
    const before = ctx.query.before;
    if (before !== undefined && !isCursor(before)) {
      ctx.status = 400;
      ctx.body = activityPage(frame, { days: ACTIVITY_DAYS, items: [], error: t('account.activity.bad_cursor') });
      return;
    }
    // One more than a page: whether there is a next page, without counting.
    const events = await deps.audit.forAccount(m.account.id, {
      since: activitySince(deps.clock.now()),
      limit: PAGE_SIZE + 1,
      before,
    });
    const shown = events.slice(0, PAGE_SIZE);
    const appName = await appNamer(
      deps.clients,
      shown.map((e) => e.clientId),
      t,
    );
    const items = shown.map((e) => {
      const line = describeActivity(e, t, appName);
      return {
        sentence: line.sentence,
        when: formatVietnamTime(line.at),
        failed: line.outcome === 'failure',
        app: line.app,
        network: line.network,
      };
    });
    const last = shown.at(-1);
    ctx.body = activityPage(frame, {
      days: ACTIVITY_DAYS,
      items,
      moreHref: events.length > PAGE_SIZE && last ? `/account/activity?before=${last.id}` : undefined,
    });
  });
}
