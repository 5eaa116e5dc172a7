import { describe, expect, it } from 'vitest';
import { EMPTY_HEAD, appendToLog } from '../../src/domain/device';
import type { DutyShiftSaved, EventType, PayloadOf } from '../../src/domain/events';
import { formatHlc, hlcNode } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import { foldReference } from '../../src/domain/reference';
import {
  HALL_UTC_OFFSET_MIN,
  addDays,
  expandWeeklyRule,
  hallDate,
  hallMinutes,
  isHallDate,
  isoWeekday,
  shiftEndMs,
  shiftStartMs,
  weekOf,
  type WeeklyRule,
} from '../../src/domain/schedule';

describe('hall-local time', () => {
  it('is China Standard Time', () => {
    expect(HALL_UTC_OFFSET_MIN).toBe(480);
  });

  it.each([
    ['2026-11-21T00:00:00Z', '2026-11-21', 8 * 60],
    ['2026-11-20T15:59:00Z', '2026-11-20', 23 * 60 + 59],
    ['2026-11-20T16:00:00Z', '2026-11-21', 0],
    ['2026-12-31T16:30:00Z', '2027-01-01', 30],
    ['2024-02-28T17:05:00Z', '2024-02-29', 65],
  ])('%s is %s at minute %i in the hall', (iso, date, minutes) => {
    const ms = Date.parse(iso);
    expect(hallDate(ms)).toBe(date);
    expect(hallMinutes(ms)).toBe(minutes);
  });

  it.each([
    [
      { date: '2026-11-21', start: '09:00', end: '11:30' },
      '2026-11-21T01:00:00Z',
      '2026-11-21T03:30:00Z',
    ],
    [
      { date: '2026-11-21', start: '00:00', end: '23:59' },
      '2026-11-20T16:00:00Z',
      '2026-11-21T15:59:00Z',
    ],
  ])('shift %o runs from %s to %s', (shift, start, end) => {
    expect(shiftStartMs(shift)).toBe(Date.parse(start));
    expect(shiftEndMs(shift)).toBe(Date.parse(end));
  });

  it.each([
    ['2026-11-21', true],
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-1-1', false],
    ['21/11/2026', false],
    ['', false],
  ])('isHallDate(%s) is %s', (value, ok) => {
    expect(isHallDate(value)).toBe(ok);
  });

  it.each([
    ['2026-11-16', 1, { from: '2026-11-16', to: '2026-11-22' }],
    ['2026-11-21', 6, { from: '2026-11-16', to: '2026-11-22' }],
    ['2026-11-22', 7, { from: '2026-11-16', to: '2026-11-22' }],
    ['2026-12-31', 4, { from: '2026-12-28', to: '2027-01-03' }],
    ['2024-03-01', 5, { from: '2024-02-26', to: '2024-03-03' }],
  ])('%s is weekday %i in week %o', (date, weekday, week) => {
    expect(isoWeekday(date)).toBe(weekday);
    expect(weekOf(date)).toEqual(week);
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});

describe('weekly rule expansion', () => {
  const leaderId = newId();
  const departmentId = newId();
  const windowId = newId();
  const rule = (overrides: Partial<WeeklyRule> = {}): WeeklyRule => ({
    leaderId,
    departmentId,
    windowId,
    weekdays: [1, 3],
    from: '2026-11-01',
    to: '2026-11-30',
    start: '09:00',
    end: '11:30',
    published: true,
    ...overrides,
  });

  it('makes one shift per matching date with fresh ids', () => {
    const shifts = expandWeeklyRule(rule(), newId);
    expect(shifts.map((s) => s.date)).toEqual([
      '2026-11-02',
      '2026-11-04',
      '2026-11-09',
      '2026-11-11',
      '2026-11-16',
      '2026-11-18',
      '2026-11-23',
      '2026-11-25',
      '2026-11-30',
    ]);
    expect(new Set(shifts.map((s) => s.shiftId)).size).toBe(shifts.length);
    expect(shifts[0]).toEqual({
      shiftId: shifts[0]!.shiftId,
      leaderId,
      departmentId,
      windowId,
      date: '2026-11-02',
      start: '09:00',
      end: '11:30',
      published: true,
      active: true,
    });
  });

  it.each([
    ['a single day that matches', { from: '2026-11-22', to: '2026-11-22', weekdays: [7] }, 1],
    ['a single day that does not', { from: '2026-11-21', to: '2026-11-21', weekdays: [7] }, 0],
    [
      'every day of a week',
      { from: '2026-11-16', to: '2026-11-22', weekdays: [1, 2, 3, 4, 5, 6, 7] },
      7,
    ],
    ['repeated weekdays once', { from: '2026-11-16', to: '2026-11-22', weekdays: [5, 5] }, 1],
    [
      'whole department',
      { windowId: null, from: '2026-11-16', to: '2026-11-22', weekdays: [2] },
      1,
    ],
    [
      'exactly 400 shifts',
      { from: '2026-01-01', to: addDays('2026-01-01', 399), weekdays: [1, 2, 3, 4, 5, 6, 7] },
      400,
    ],
  ])('%s', (_name, overrides, count) => {
    expect(expandWeeklyRule(rule(overrides), newId)).toHaveLength(count);
  });

  it.each([
    [
      'more than 400 shifts',
      { from: '2026-01-01', to: addDays('2026-01-01', 400), weekdays: [1, 2, 3, 4, 5, 6, 7] },
      /at most 400/,
    ],
    [
      'years of daily shifts',
      { from: '2020-01-01', to: '2099-12-31', weekdays: [1] },
      /at most 400/,
    ],
    ['ends before it begins', { from: '2026-11-30', to: '2026-11-01' }, /ends before/],
    ['a bad date', { from: '2026-02-30' }, /dates/],
    ['a bad time', { start: '9:00' }, /times/],
    ['ends before start', { start: '12:00', end: '11:00' }, /end after/],
    ['no weekday', { weekdays: [] }, /weekday/],
    ['weekday 0', { weekdays: [0] }, /weekdays/],
    ['weekday 8', { weekdays: [8] }, /weekdays/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => expandWeeklyRule(rule(overrides), newId)).toThrow(RangeError);
    expect(() => expandWeeklyRule(rule(overrides), newId)).toThrow(message);
  });
});

describe('reference fold of duty shifts and leaders', () => {
  const hallId = newId();
  const deviceId = newId();

  function events(items: { type: EventType; payload: unknown; millis: number }[]) {
    let head = EMPTY_HEAD;
    return items.map(({ type, payload, millis }) => {
      const next = appendToLog(head, {
        type,
        payload: payload as PayloadOf<typeof type>,
        hallId,
        deviceId,
        at: new Date(millis).toISOString(),
        hlc: formatHlc({ millis, counter: 0, node: hlcNode(deviceId) }),
      });
      head = next.head;
      return next.event;
    });
  }

  it('keeps the latest version of each shift whatever the order, and badge codes', () => {
    const shiftId = newId();
    const leaderId = newId();
    const departmentId = newId();
    const shift: DutyShiftSaved = {
      shiftId,
      leaderId,
      departmentId,
      windowId: null,
      date: '2026-11-21',
      start: '09:00',
      end: '11:00',
      published: false,
      active: true,
    };
    const log = events([
      { type: 'ref.dutyShiftSaved', payload: shift, millis: 1000 },
      { type: 'ref.dutyShiftSaved', payload: { ...shift, published: true }, millis: 2000 },
      { type: 'ref.dutyShiftSaved', payload: { ...shift, active: false }, millis: 3000 },
      {
        type: 'ref.leaderSaved',
        payload: { leaderId, departmentId, title: '税务局局长', badgeCode: 'B-001', active: true },
        millis: 1500,
      },
    ]);
    const orders = [log, [...log].reverse(), [log[2]!, log[0]!, log[3]!, log[1]!]];
    for (const order of orders) {
      const ref = foldReference(order);
      expect(Object.keys(ref.shifts)).toEqual([shiftId]);
      const { version, ...rest } = ref.shifts[shiftId]!;
      expect(rest).toEqual({
        id: shiftId,
        leaderId,
        departmentId,
        windowId: null,
        date: '2026-11-21',
        start: '09:00',
        end: '11:00',
        published: false,
        active: false,
      });
      expect(version.id).toBe(log[2]!.id);
      expect(ref.leaders[leaderId]?.badgeCode).toBe('B-001');
    }
  });
});
