/**
 * Working days for rectification deadlines. China's public holidays move every year, and some
 * weekend days become make-up working days (调休), so a deadline "within 15 working days" needs
 * the year's arrangement as data. The years shipped here are the defaults; a hall updates them
 * (`ref.holidaysSaved`) when the State Council publishes a new year's arrangement.
 */
import type { HolidaysSaved } from './events';
import { isHallDate } from './schedule';

/** One year of the calendar: holidays, make-up working days, and whether it is the official arrangement. */
export type HolidayYear = HolidaysSaved;

/** Holiday years by year number. */
export type HolidayCalendar = Record<number, HolidayYear>;

const DAY_MS = 86_400_000;

const range = (from: string, days: number): string[] => {
  const out: string[] = [];
  const start = Date.parse(`${from}T00:00:00Z`);
  for (let i = 0; i < days; i++) out.push(new Date(start + i * DAY_MS).toISOString().slice(0, 10));
  return out;
};

/**
 * Shipped with the product. 2026 is the State Council's published arrangement (国办发明电〔2025〕
 * 7号). For 2027 only the statutory holidays are known when this was shipped, so the year is
 * marked unconfirmed until the hall enters the official arrangement with its make-up days.
 */
export const SHIPPED_HOLIDAYS: readonly HolidayYear[] = [
  {
    year: 2026,
    holidays: [
      ...range('2026-01-01', 3), // 元旦
      ...range('2026-02-15', 9), // 春节
      ...range('2026-04-04', 3), // 清明节
      ...range('2026-05-01', 5), // 劳动节
      ...range('2026-06-19', 3), // 端午节
      ...range('2026-09-25', 3), // 中秋节
      ...range('2026-10-01', 7), // 国庆节
    ],
    workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
    confirmed: true,
  },
  {
    year: 2027,
    holidays: [
      '2027-01-01', // 元旦
      ...range('2027-02-05', 4), // 春节: 除夕 to 初三
      '2027-04-05', // 清明节
      ...range('2027-05-01', 2), // 劳动节
      '2027-06-09', // 端午节
      '2027-09-15', // 中秋节
      ...range('2027-10-01', 3), // 国庆节
    ],
    workdays: [],
    confirmed: false,
  },
];

/** The shipped years with the hall's own updates laid over them (a hall's year replaces ours). */
export function holidayCalendar(updates: Readonly<HolidayCalendar> = {}): HolidayCalendar {
  const cal: HolidayCalendar = {};
  for (const y of SHIPPED_HOLIDAYS) cal[y.year] = y;
  for (const [year, y] of Object.entries(updates)) cal[Number(year)] = y;
  return cal;
}

interface YearSets {
  holidays: Set<string>;
  workdays: Set<string>;
}

const setsCache = new WeakMap<HolidayYear, YearSets>();

function setsOf(year: HolidayYear | undefined): YearSets | null {
  if (!year) return null;
  let sets = setsCache.get(year);
  if (!sets) {
    sets = { holidays: new Set(year.holidays), workdays: new Set(year.workdays) };
    setsCache.set(year, sets);
  }
  return sets;
}

function weekday(date: string): number {
  // 1 = Monday … 7 = Sunday.
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

function checkDate(date: string): void {
  if (!isHallDate(date)) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
}

/** A make-up working day is worked whatever its weekday; a holiday is not; otherwise Mon–Fri. */
export function isWorkingDay(date: string, cal: HolidayCalendar): boolean {
  checkDate(date);
  const sets = setsOf(cal[Number(date.slice(0, 4))]);
  if (sets?.workdays.has(date)) return true;
  if (sets?.holidays.has(date)) return false;
  return weekday(date) <= 5;
}

function nextDate(date: string, step: 1 | -1): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + step * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The date `n` working days after `date` (the day itself not counted): a problem found on a
 * Friday with 1 working day to call back is due the next Monday, or later across a holiday.
 */
export function addWorkingDays(date: string, n: number, cal: HolidayCalendar): string {
  checkDate(date);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a count of days: ${n}`);
  let d = date;
  for (let left = n; left > 0;) {
    d = nextDate(d, 1);
    if (isWorkingDay(d, cal)) left--;
  }
  return d;
}

/**
 * Working days from `from` to `to`: the count of working days in (from, to] when `to` is later
 * (days left until a deadline), minus the count in (to, from] when it is earlier (days overdue).
 */
export function workingDaysBetween(from: string, to: string, cal: HolidayCalendar): number {
  checkDate(from);
  checkDate(to);
  if (from === to) return 0;
  const step = to > from ? 1 : -1;
  let count = 0;
  for (let d = from; d !== to;) {
    d = nextDate(d, step);
    if (isWorkingDay(step === 1 ? d : nextDate(d, 1), cal)) count++;
  }
  return step * count;
}
