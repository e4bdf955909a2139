// Dates on the account page: day, month and year, then the hour, in Vietnam's time zone whatever the server's
// ("22/11/2026 lúc 07:15", "22/11/2026 at 07:15").
import type { PageContext } from '../../src/core/locale.js';

const TIME_ZONE = 'Asia/Ho_Chi_Minh';

export function formatWhen(page: PageContext, when: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(when);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return page.t('account.sessions.when', {
    date: `${part('day')}/${part('month')}/${part('year')}`,
    time: `${part('hour')}:${part('minute')}`,
  });
}
