// Dates on the account page: day, month and year, then the hour, in Vietnam's time zone whatever the server's
// ("22/11/2026 lúc 07:15", "22/11/2026 at 07:15"; src/core/vietnam-time.ts).
import type { PageContext } from '../../src/core/locale.js';
import { vietnamDateAndTime } from '../../src/core/vietnam-time.js';

export function formatWhen(page: PageContext, when: Date): string {
  return page.t('account.sessions.when', vietnamDateAndTime(when));
}
