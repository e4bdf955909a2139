// Dates and times as members read them: day/month/year, in Vietnam's time zone whatever the server's.
const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The date ("22/11/2026") and the time ("07:15") in Vietnam's time zone, for a sentence to place. */
export function vietnamDateAndTime(when: Date): { date: string; time: string } {
  const parts = timeFormat.formatToParts(when);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${part('day')}/${part('month')}/${part('year')}`, time: `${part('hour')}:${part('minute')}` };
}

/** "22/11/2026 07:15" in Vietnam's time zone. */
export function formatVietnamTime(when: Date): string {
  const { date, time } = vietnamDateAndTime(when);
  return `${date} ${time}`;
}

/** A calendar date kept as text (`YYYY-MM-DD`, a birth date) as "dd/mm/yyyy"; anything else unchanged. */
export function formatCalendarDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : isoDate;
}
