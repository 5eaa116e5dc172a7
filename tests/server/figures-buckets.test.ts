import { describe, expect, it } from 'vitest';
import type { DutySession } from '../../src/domain/duty';
import { holidayCalendar } from '../../src/domain/calendar';
import { DEFAULT_SETTINGS } from '../../src/domain/reference';
import type { ProblemGroup } from '../../src/server/repos/figures';
import type { HallView } from '../../src/server/services/pipeline-console';
import {
  dutyBuckets,
  judgeGroups,
  parseDashboardQuery,
  periodDays,
  trendBuckets,
} from '../../src/server/services/dashboard';
import { previousMonth } from '../../src/server/services/ranking';
import { local } from './figures-support';

const session = (
  departmentId: string,
  signedIn: string,
  signedOut: string | null,
): DutySession => ({
  id: `${departmentId}-${signedIn}`,
  leaderId: 'leader',
  departmentId,
  windowId: null,
  shiftId: null,
  signedInAt: new Date(local(signedIn)).toISOString(),
  signedOutAt: signedOut === null ? null : new Date(local(signedOut)).toISOString(),
  endReason: signedOut === null ? null : 'manual',
  deviceId: 'kiosk',
  served: 0,
  cases: 0,
  solved: 0,
  complaints: 0,
  suggestions: 0,
});

const keys = (b: { departmentId: string; day: string; hour: number }[]) =>
  b.map((x) => `${x.departmentId} ${x.day} ${x.hour}`).sort();

describe('hours with a leader on duty', () => {
  it('takes every hall-local hour a session touches, once per department', () => {
    const buckets = dutyBuckets(
      [
        session('tax', '2026-03-02 09:05', '2026-03-02 10:50'),
        // The same hours for a second leader of the department count once.
        session('tax', '2026-03-02 09:30', '2026-03-02 10:00'),
        session('hrss', '2026-03-02 14:00', '2026-03-02 15:00'),
      ],
      '2026-03-01',
      '2026-03-31',
      local('2026-04-01 12:00'),
    );
    expect(keys(buckets)).toEqual(['hrss 2026-03-02 14', 'tax 2026-03-02 10', 'tax 2026-03-02 9']);
  });

  it('runs an open session to now today, and to its day’s end on an earlier day', () => {
    const now = local('2026-03-03 11:30');
    const today = dutyBuckets(
      [session('tax', '2026-03-03 09:40', null)],
      '2026-03-01',
      '2026-03-31',
      now,
    );
    expect(keys(today)).toEqual(['tax 2026-03-03 10', 'tax 2026-03-03 11', 'tax 2026-03-03 9']);
    const earlier = dutyBuckets(
      [session('tax', '2026-03-02 21:10', null)],
      '2026-03-01',
      '2026-03-31',
      now,
    );
    expect(keys(earlier)).toEqual(['tax 2026-03-02 21', 'tax 2026-03-02 22', 'tax 2026-03-02 23']);
  });

  it('leaves out hours outside the period', () => {
    const buckets = dutyBuckets(
      [
        session('tax', '2026-02-28 09:00', '2026-02-28 10:00'),
        session('tax', '2026-03-01 09:00', '2026-03-01 09:30'),
      ],
      '2026-03-01',
      '2026-03-31',
      local('2026-04-01 12:00'),
    );
    expect(keys(buckets)).toEqual(['tax 2026-03-01 9']);
  });
});

describe('periods and trend buckets', () => {
  it('counts both ends of a period', () => {
    expect(periodDays('2026-03-02', '2026-03-02')).toBe(1);
    expect(periodDays('2026-02-01', '2026-03-01')).toBe(29);
  });

  it('draws by day up to 62 days and by week beyond unless told', () => {
    expect(parseDashboardQuery({ from: '2026-01-01', to: '2026-03-03' }).grain).toBe('day');
    expect(parseDashboardQuery({ from: '2026-01-01', to: '2026-03-04' }).grain).toBe('week');
    expect(
      parseDashboardQuery({ from: '2026-01-01', to: '2026-01-02', grain: 'month' }).grain,
    ).toBe('month');
    expect(parseDashboardQuery({ from: '2026-01-01', to: '2026-01-02', department: '' })).toEqual({
      from: '2026-01-01',
      to: '2026-01-02',
      departmentId: null,
      grain: 'day',
    });
  });

  it('labels weeks by their Monday and months across a year’s end', () => {
    // Thursday 2026-01-01 belongs to the week of Monday 2025-12-29.
    expect(trendBuckets('2026-01-01', '2026-01-12', 'week')).toEqual([
      '2025-12-29',
      '2026-01-05',
      '2026-01-12',
    ]);
    expect(trendBuckets('2025-11-30', '2026-02-01', 'month')).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-03')).toBe('2026-02');
  });
});

describe('overdue and in time', () => {
  const hall = { calendar: holidayCalendar(), settings: DEFAULT_SETTINGS } as HallView;
  const group = (g: Partial<ProblemGroup>): ProblemGroup => ({
    departmentId: 'tax',
    source: 'walk',
    status: 'found',
    startDay: '2026-03-02',
    doneDay: null,
    rectifiedAt: false,
    closedAt: false,
    calledBack: false,
    n: 1,
    ...g,
  });
  const judge = (g: Partial<ProblemGroup>, now: string) => {
    const [j] = judgeGroups([group(g)], hall, local(now));
    return { overdue: j!.overdue, inTime: j!.rectifiedInTime };
  };

  it('is overdue once the due day has passed with nothing done', () => {
    // A duty item: 10 working days from Monday 03-02.
    expect(judge({ source: 'duty' }, '2026-03-10 12:00')).toEqual({
      overdue: false,
      inTime: false,
    });
    expect(judge({ source: 'duty' }, '2026-04-10 12:00')).toEqual({ overdue: true, inTime: false });
    const closed = { status: 'closed' as const, doneDay: '2026-03-03', closedAt: true };
    expect(judge(closed, '2026-04-10 12:00')).toEqual({ overdue: false, inTime: false });
  });

  it('tells a rectification in time from a late one', () => {
    const rectified = (doneDay: string) => ({
      status: 'rectified' as const,
      doneDay,
      rectifiedAt: true,
    });
    expect(judge(rectified('2026-03-05'), '2026-05-10 12:00')).toEqual({
      overdue: false,
      inTime: true,
    });
    expect(judge(rectified('2026-04-30'), '2026-05-10 12:00')).toEqual({
      overdue: false,
      inTime: false,
    });
  });

  it('keeps a rectified 差评 overdue until its citizen is called back', () => {
    const rating = {
      source: 'rating' as const,
      status: 'rectified' as const,
      doneDay: '2026-03-05',
      rectifiedAt: true,
    };
    expect(judge(rating, '2026-04-10 12:00')).toEqual({ overdue: true, inTime: true });
    expect(judge({ ...rating, calledBack: true }, '2026-04-10 12:00')).toEqual({
      overdue: false,
      inTime: true,
    });
  });
});
