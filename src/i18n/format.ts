/** Dates and times in the reader's language. */
import type { LocaleCode } from './catalog';

function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
const DAY_AND_TIME: Intl.DateTimeFormatOptions = {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
};
const FULL: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
};

/**
 * Formatters made so far, by language and kind. A page's first one is slow to make (the browser
 * loads its locale data then: tens of milliseconds on a kiosk tablet), later ones are not, and
 * each is reused.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(
  locale: LocaleCode,
  kind: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${locale} ${kind}`;
  let made = formatters.get(key);
  if (!made) formatters.set(key, (made = new Intl.DateTimeFormat(locale, options)));
  return made;
}

/**
 * Make the status line's formatter ahead of need, e.g. while start-up waits for storage, so the
 * first screen does not pay for the browser's locale data.
 */
export function prepareFormats(locale: LocaleCode): void {
  formatter(locale, 'time', TIME);
}

/** A moment for a status line: the time only when it is today, else date and time. */
export function formatMoment(iso: string, locale: LocaleCode, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return sameDay(date, now)
    ? formatter(locale, 'time', TIME).format(date)
    : formatter(locale, 'dayAndTime', DAY_AND_TIME).format(date);
}

/** A full date and time, for tables and expiry notes. */
export function formatDateTime(iso: string, locale: LocaleCode): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return formatter(locale, 'full', FULL).format(date);
}
