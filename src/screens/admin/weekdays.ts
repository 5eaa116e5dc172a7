/** Weekday names and short dates of the console's schedule. */
import { t } from '../../i18n';
import { isoWeekday } from '../../domain/schedule';

/** Catalog keys of the weekdays, Monday (1) first. */
export const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export function weekdayName(isoDay: number): string {
  return t(`admin.weekdays.${WEEKDAY_KEYS[isoDay - 1] ?? 'mon'}`);
}

/** "周一 11-23". */
export function dayLabel(date: string): string {
  return `${weekdayName(isoWeekday(date))} ${date.slice(5)}`;
}
