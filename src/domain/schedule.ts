/**
 * Hall-local calendar arithmetic for the duty schedule (坐班排班). Shifts are written as a
 * hall-local date and HH:MM times; the hall is in China (UTC+8, no daylight saving), so a fixed
 * offset converts between those and instants without any time-zone database.
 */
import type { DutyShiftSaved } from './events';
import type { Id } from './ids';

/** Offset of the hall's local time from UTC, in minutes (China Standard Time). */
export const HALL_UTC_OFFSET_MIN = 480;

const OFFSET_MS = HALL_UTC_OFFSET_MIN * 60_000;
const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** At most this many dated shifts come from one weekly rule. */
export const MAX_RULE_SHIFTS = 400;

/** The hall-local calendar date (YYYY-MM-DD) of an instant. */
export function hallDate(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

/** Minutes since hall-local midnight of an instant (0–1439). */
export function hallMinutes(ms: number): number {
  const local = new Date(ms + OFFSET_MS);
  return local.getUTCHours() * 60 + local.getUTCMinutes();
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isHallDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** True for a 24-hour clock time written HH:MM. */
export function isClockTime(value: string): boolean {
  return TIME_RE.test(value);
}

/** Minutes since midnight of an HH:MM time. */
export function clockMinutes(time: string): number {
  const m = TIME_RE.exec(time);
  if (!m) throw new RangeError(`not a time HH:MM: ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Instant (ms since epoch) of midnight starting a hall-local date. */
export function hallDayStartMs(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m || !isHallDate(date)) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - OFFSET_MS;
}

/** Instant of a hall-local date and HH:MM time. */
export function hallTimeMs(date: string, time: string): number {
  return hallDayStartMs(date) + clockMinutes(time) * 60_000;
}

export function shiftStartMs(shift: { date: string; start: string }): number {
  return hallTimeMs(shift.date, shift.start);
}

export function shiftEndMs(shift: { date: string; end: string }): number {
  return hallTimeMs(shift.date, shift.end);
}

/** The date `days` days after (or before, when negative) a date. */
export function addDays(date: string, days: number): string {
  return new Date(hallDayStartMs(date) + OFFSET_MS + days * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const day = new Date(hallDayStartMs(date) + OFFSET_MS).getUTCDay();
  return day === 0 ? 7 : day;
}

/** The Monday-to-Sunday week containing a date. */
export function weekOf(date: string): { from: string; to: string } {
  const from = addDays(date, 1 - isoWeekday(date));
  return { from, to: addDays(from, 6) };
}

/** A recurring duty: the same leader, place and hours on chosen weekdays between two dates. */
export interface WeeklyRule {
  leaderId: Id;
  departmentId: Id;
  windowId: Id | null;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  /** First and last date, both included. */
  from: string;
  to: string;
  start: string;
  end: string;
  published: boolean;
}

/**
 * Expand a weekly rule to dated shifts, one per matching date, each with a fresh id.
 * Throws RangeError (with a message saying why) for a rule that is not well formed or that
 * would make more than {@link MAX_RULE_SHIFTS} shifts.
 */
export function expandWeeklyRule(rule: WeeklyRule, newId: () => Id): DutyShiftSaved[] {
  if (!isHallDate(rule.from) || !isHallDate(rule.to)) {
    throw new RangeError('the rule needs dates YYYY-MM-DD');
  }
  if (rule.from > rule.to) throw new RangeError('the rule ends before it begins');
  if (!isClockTime(rule.start) || !isClockTime(rule.end)) {
    throw new RangeError('the rule needs times HH:MM');
  }
  if (rule.start >= rule.end) throw new RangeError('a shift must end after it starts');
  if (rule.weekdays.length === 0) throw new RangeError('the rule needs at least one weekday');
  if (rule.weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new RangeError('weekdays are numbered 1 (Monday) to 7 (Sunday)');
  }
  const days = new Set(rule.weekdays);
  const shifts: DutyShiftSaved[] = [];
  for (let date = rule.from; date <= rule.to; date = addDays(date, 1)) {
    if (!days.has(isoWeekday(date))) continue;
    if (shifts.length === MAX_RULE_SHIFTS) {
      throw new RangeError(`a weekly rule may make at most ${MAX_RULE_SHIFTS} shifts`);
    }
    shifts.push({
      shiftId: newId(),
      leaderId: rule.leaderId,
      departmentId: rule.departmentId,
      windowId: rule.windowId,
      date,
      start: rule.start,
      end: rule.end,
      published: rule.published,
      active: true,
    });
  }
  return shifts;
}
