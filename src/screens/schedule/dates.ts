/** Calendar dates (YYYY-MM-DD, hall-local) in the words of the schedule page. */
import { t } from '../../i18n';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export function weekdayOf(date: string): (typeof WEEKDAYS)[number] {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? 'mon';
}

/** "11月21日" / "21/11". */
export function dayDate(date: string): string {
  const [, month, day] = date.split('-').map(Number);
  return t('schedule.dayDate', { month: month ?? '', day: day ?? '' });
}

export function weekdayName(date: string): string {
  return t(`schedule.weekdays.${weekdayOf(date)}`);
}
