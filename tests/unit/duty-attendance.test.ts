import { describe, expect, it } from 'vitest';
import {
  ATTENDANCE_COLUMNS,
  attendanceCsv,
  computeAttendance,
  type AttendanceCounts,
  type AttendanceCsvLabels,
} from '../../src/domain/attendance';
import type { DutySession } from '../../src/domain/duty';
import { newId, type Id } from '../../src/domain/ids';
import type { DutyShift, Leader } from '../../src/domain/reference';

const deptX = newId();
const deptY = newId();
const windowId = newId();
const version = { hlc: '', id: newId() };

/** Hall-local (UTC+8) date and time as an instant. */
const hall = (date: string, time: string) => Date.parse(`${date}T${time}:00+08:00`);
const iso = (date: string, time: string) => new Date(hall(date, time)).toISOString();

// The fixed clock: Friday 20 November 2026, 10:00 in the hall.
const NOW = hall('2026-11-20', '10:00');
const FROM = '2026-11-01';
const TO = '2026-11-30';

function leader(departmentId: Id, overrides: Partial<Leader> = {}): Leader {
  return { id: newId(), departmentId, title: '税务局局长', active: true, version, ...overrides };
}

function shift(
  l: Leader,
  date: string,
  start: string,
  end: string,
  o: Partial<DutyShift> = {},
): DutyShift {
  return {
    id: newId(),
    leaderId: l.id,
    departmentId: l.departmentId,
    windowId,
    date,
    start,
    end,
    published: true,
    active: true,
    version,
    ...o,
  };
}

function session(
  l: Leader,
  date: string,
  start: string,
  end: string | null,
  o: Partial<DutySession> = {},
): DutySession {
  return {
    id: newId(),
    leaderId: l.id,
    departmentId: l.departmentId,
    windowId,
    shiftId: null,
    signedInAt: iso(date, start),
    signedOutAt: end === null ? null : iso(date, end),
    endReason: end === null ? null : 'manual',
    deviceId: newId(),
    served: 0,
    cases: 0,
    solved: 0,
    complaints: 0,
    suggestions: 0,
    ...o,
  };
}

function counts(o: Partial<AttendanceCounts>): AttendanceCounts {
  const zero = Object.fromEntries(ATTENDANCE_COLUMNS.map((c) => [c, 0])) as AttendanceCounts;
  return { ...zero, ...o };
}

describe('attendance of one leader, with the clock at Friday 10:00', () => {
  const a = leader(deptX);
  type Case = [
    string,
    (l: Leader) => { shifts: DutyShift[]; sessions: DutySession[] },
    Partial<AttendanceCounts>,
  ];
  const cases: Case[] = [
    [
      'attended: signed in before the start',
      (l) => ({
        shifts: [shift(l, '2026-11-16', '09:00', '11:00')],
        sessions: [session(l, '2026-11-16', '08:55', '11:07')],
      }),
      { scheduled: 1, attended: 1, hours: 2.2 },
    ],
    [
      'attended on time: 15 minutes after the start is not late',
      (l) => ({
        shifts: [shift(l, '2026-11-16', '09:00', '11:00')],
        sessions: [session(l, '2026-11-16', '09:15', '11:00')],
      }),
      { scheduled: 1, attended: 1, hours: 1.8 },
    ],
    [
      'late: 16 minutes after the start',
      (l) => ({
        shifts: [shift(l, '2026-11-17', '09:00', '11:00')],
        sessions: [session(l, '2026-11-17', '09:16', '11:00')],
      }),
      { scheduled: 1, attended: 1, late: 1, hours: 1.7 },
    ],
    [
      'late: signed in for the shift after it ended',
      (l) => {
        const s = shift(l, '2026-11-17', '09:00', '11:00');
        return {
          shifts: [s],
          sessions: [session(l, '2026-11-17', '13:00', '14:00', { shiftId: s.id })],
        };
      },
      { scheduled: 1, attended: 1, late: 1, hours: 1 },
    ],
    [
      'not late when an earlier session attended it',
      (l) => ({
        shifts: [shift(l, '2026-11-17', '09:00', '11:00')],
        sessions: [
          session(l, '2026-11-17', '09:40', '11:00'),
          session(l, '2026-11-17', '09:00', '09:30'),
        ],
      }),
      { scheduled: 1, attended: 1, hours: 1.8 },
    ],
    [
      'missed: ended with nobody signed in',
      (l) => ({ shifts: [shift(l, '2026-11-18', '09:00', '11:00')], sessions: [] }),
      { scheduled: 1, missed: 1 },
    ],
    [
      'missed: signed in on another day',
      (l) => ({
        shifts: [shift(l, '2026-11-18', '09:00', '11:00')],
        sessions: [session(l, '2026-11-19', '09:00', '11:00')],
      }),
      { scheduled: 1, missed: 1, unscheduled: 1, hours: 2 },
    ],
    [
      'missed: signed in and out before the shift began',
      (l) => ({
        shifts: [shift(l, '2026-11-18', '14:00', '16:00')],
        sessions: [session(l, '2026-11-18', '09:00', '11:00')],
      }),
      { scheduled: 1, missed: 1, unscheduled: 1, hours: 2 },
    ],
    [
      'upcoming: later this week',
      (l) => ({ shifts: [shift(l, '2026-11-21', '09:00', '11:00')], sessions: [] }),
      { scheduled: 1, upcoming: 1 },
    ],
    [
      'upcoming: under way with nobody signed in yet',
      (l) => ({ shifts: [shift(l, '2026-11-20', '09:00', '11:00')], sessions: [] }),
      { scheduled: 1, upcoming: 1 },
    ],
    [
      'attended: signed in now, hours so far',
      (l) => ({
        shifts: [shift(l, '2026-11-20', '09:00', '11:00')],
        sessions: [session(l, '2026-11-20', '09:10', null)],
      }),
      { scheduled: 1, attended: 1, hours: 0.8 },
    ],
    [
      'attended: signed in early for a shift that has not begun',
      (l) => ({
        shifts: [shift(l, '2026-11-20', '10:30', '12:00')],
        sessions: [session(l, '2026-11-20', '09:55', null)],
      }),
      { scheduled: 1, attended: 1, hours: 0.1 },
    ],
    [
      'unscheduled: a session matching no shift',
      (l) => ({ shifts: [], sessions: [session(l, '2026-11-19', '14:00', '15:30')] }),
      { unscheduled: 1, hours: 1.5 },
    ],
    [
      'automatic sign-out: left open on an earlier day, closed at midnight',
      (l) => ({
        shifts: [shift(l, '2026-11-16', '14:00', '16:00')],
        sessions: [session(l, '2026-11-16', '14:00', null)],
      }),
      { scheduled: 1, attended: 1, autoSignedOut: 1, hours: 10 },
    ],
    [
      'automatic sign-out: closed at the end of the day by the kiosk',
      (l) => ({
        shifts: [shift(l, '2026-11-16', '14:00', '16:00')],
        sessions: [session(l, '2026-11-16', '14:00', '23:59', { endReason: 'end_of_day' })],
      }),
      { scheduled: 1, attended: 1, autoSignedOut: 1, hours: 10 },
    ],
    [
      'one session attends two shifts it spans',
      (l) => ({
        shifts: [
          shift(l, '2026-11-19', '09:00', '11:00'),
          shift(l, '2026-11-19', '14:00', '16:00'),
        ],
        sessions: [session(l, '2026-11-19', '08:30', '16:30')],
      }),
      { scheduled: 2, attended: 2, hours: 8 },
    ],
    [
      'cancelled shifts and dates outside the month do not count',
      (l) => ({
        shifts: [
          shift(l, '2026-11-18', '09:00', '11:00', { active: false }),
          shift(l, '2026-10-31', '09:00', '11:00'),
          shift(l, '2026-12-01', '09:00', '11:00'),
        ],
        sessions: [session(l, '2026-10-31', '09:00', '11:00')],
      }),
      {},
    ],
    [
      'a draft shift counts like a published one',
      (l) => ({
        shifts: [shift(l, '2026-11-18', '09:00', '11:00', { published: false })],
        sessions: [],
      }),
      { scheduled: 1, missed: 1 },
    ],
    [
      'ledger totals from every session',
      (l) => ({
        shifts: [shift(l, '2026-11-16', '09:00', '11:00')],
        sessions: [
          session(l, '2026-11-16', '09:00', '11:00', {
            served: 12,
            cases: 4,
            solved: 1,
            complaints: 2,
          }),
          session(l, '2026-11-19', '09:00', '10:00', { served: 3, cases: 1, suggestions: 1 }),
        ],
      }),
      {
        scheduled: 1,
        attended: 1,
        unscheduled: 1,
        hours: 3,
        served: 15,
        cases: 5,
        solved: 1,
        complaints: 2,
        suggestions: 1,
      },
    ],
  ];

  it.each(cases)('%s', (_name, build, expected) => {
    const { shifts, sessions } = build(a);
    const result = computeAttendance({
      shifts,
      sessions,
      leaders: [a],
      from: FROM,
      to: TO,
      nowMs: NOW,
    });
    expect(result.leaders).toEqual([{ leaderId: a.id, departmentId: deptX, ...counts(expected) }]);
    expect(result.departments).toEqual([{ departmentId: deptX, ...counts(expected) }]);
  });

  it('does not count a session against another leader’s shift', () => {
    const other = leader(deptX);
    const result = computeAttendance({
      shifts: [shift(other, '2026-11-19', '14:00', '16:00')],
      sessions: [session(a, '2026-11-19', '14:00', '15:00')],
      leaders: [a, other],
      from: FROM,
      to: TO,
      nowMs: NOW,
    });
    expect(result.leaders).toEqual([
      { leaderId: a.id, departmentId: deptX, ...counts({ unscheduled: 1, hours: 1 }) },
      { leaderId: other.id, departmentId: deptX, ...counts({ scheduled: 1, missed: 1 }) },
    ]);
  });

  it('takes the lateness threshold from the caller', () => {
    const shifts = [shift(a, '2026-11-17', '09:00', '11:00')];
    const sessions = [session(a, '2026-11-17', '09:06', '11:00')];
    const late = (lateAfterMin?: number) =>
      computeAttendance({
        shifts,
        sessions,
        leaders: [a],
        from: FROM,
        to: TO,
        nowMs: NOW,
        lateAfterMin,
      }).leaders[0]!.late;
    expect(late()).toBe(0);
    expect(late(5)).toBe(1);
    expect(late(6)).toBe(0);
  });
});

describe('attendance of a hall for a month', () => {
  const director = leader(deptX, { title: '税务局局长' });
  const deputy = leader(deptX, { title: '税务局副局长' });
  const chief = leader(deptY, { title: '人社局局长' });
  const idle = leader(deptY, { title: '人社局副局长' });
  const retired = leader(deptY, { title: '医保局局长', active: false });

  const shifts = [
    shift(director, '2026-11-16', '09:00', '11:00'),
    shift(director, '2026-11-17', '09:00', '11:00'),
    shift(director, '2026-11-23', '09:00', '11:00'),
    shift(deputy, '2026-11-18', '14:00', '17:00'),
    shift(chief, '2026-11-19', '09:00', '12:00'),
  ];
  const sessions = [
    session(director, '2026-11-16', '09:00', '11:00', { served: 10, cases: 3 }),
    session(director, '2026-11-17', '09:30', '11:00', { served: 2 }),
    session(deputy, '2026-11-18', '14:00', null, { complaints: 1 }),
    session(chief, '2026-11-20', '09:00', null, { served: 1 }),
  ];
  const result = computeAttendance({
    shifts,
    sessions,
    leaders: [director, deputy, chief, idle, retired],
    from: FROM,
    to: TO,
    nowMs: NOW,
  });

  it('lists every active leader and those with duty, in the order given', () => {
    expect(result.leaders.map((r) => r.leaderId)).toEqual([
      director.id,
      deputy.id,
      chief.id,
      idle.id,
    ]);
  });

  it.each([
    [
      '税务局局长',
      director,
      { scheduled: 3, attended: 2, late: 1, upcoming: 1, hours: 3.5, served: 12, cases: 3 },
    ],
    [
      '税务局副局长',
      deputy,
      { scheduled: 1, attended: 1, autoSignedOut: 1, hours: 10, complaints: 1 },
    ],
    ['人社局局长', chief, { scheduled: 1, missed: 1, unscheduled: 1, hours: 1, served: 1 }],
    ['人社局副局长', idle, {}],
  ])('%s', (_title, l, expected) => {
    expect(result.leaders.find((r) => r.leaderId === l.id)).toEqual({
      leaderId: l.id,
      departmentId: l.departmentId,
      ...counts(expected),
    });
  });

  it('sums leaders per department', () => {
    expect(result.departments).toEqual([
      {
        departmentId: deptX,
        ...counts({
          scheduled: 4,
          attended: 3,
          late: 1,
          upcoming: 1,
          autoSignedOut: 1,
          hours: 13.5,
          served: 12,
          cases: 3,
          complaints: 1,
        }),
      },
      {
        departmentId: deptY,
        ...counts({ scheduled: 1, missed: 1, unscheduled: 1, hours: 1, served: 1 }),
      },
    ]);
  });

  it('keeps scheduled = attended + missed + upcoming', () => {
    for (const r of [...result.leaders, ...result.departments]) {
      expect(r.attended + r.missed + r.upcoming).toBe(r.scheduled);
    }
  });

  it('sums department hours before rounding', () => {
    const short = [0, 1, 2].map((i) =>
      session(leader(deptX), '2026-11-19', '09:00', `09:0${i * 3 + 2}`),
    );
    const r = computeAttendance({
      shifts: [],
      sessions: short,
      leaders: [],
      from: FROM,
      to: TO,
      nowMs: NOW,
    });
    // 2, 5 and 8 minutes: each rounds to 0 or 0.1, together 15 minutes = 0.3 h.
    expect(r.leaders.map((l) => l.hours)).toEqual([0, 0.1, 0.1]);
    expect(r.departments[0]!.hours).toBe(0.3);
  });
});

describe('attendance CSV', () => {
  const labels: AttendanceCsvLabels = {
    name: '领导',
    department: '部门',
    scheduled: '排班',
    attended: '到岗',
    late: '迟到',
    missed: '缺勤',
    upcoming: '待坐班',
    unscheduled: '计划外',
    autoSignedOut: '自动签退',
    hours: '时长(小时)',
    served: '接待人数',
    cases: '办件数',
    solved: '现场解决',
    complaints: '投诉',
    suggestions: '建议',
  };
  const row = (name: string, department: string, o: Partial<AttendanceCounts> = {}) => ({
    name,
    department,
    ...counts(o),
  });

  it('starts with a byte-order mark and a header, with CRLF lines', () => {
    const text = attendanceCsv(
      [row('税务局局长', '税务', { scheduled: 3, attended: 2, hours: 3 })],
      labels,
    );
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.slice(1).split('\r\n')).toEqual([
      '领导,部门,排班,到岗,迟到,缺勤,待坐班,计划外,自动签退,时长(小时),接待人数,办件数,现场解决,投诉,建议',
      '税务局局长,税务,3,2,0,0,0,0,0,3.0,0,0,0,0,0',
      '',
    ]);
  });

  it.each([
    ['plain text', '税务局局长', '税务局局长'],
    ['a comma', '局长,副局长', '"局长,副局长"'],
    ['quotes', '"一把手"', '"""一把手"""'],
    ['a line break', '局长\n值班', '"局长\n值班"'],
    ['a formula', '=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['a leading minus', '-1', "'-1"],
  ])('quotes %s as RFC 4180 says', (_name, name, cell) => {
    const text = attendanceCsv([row(name, 'D')], labels);
    expect(text.slice(1).split('\r\n')[1]!.startsWith(`${cell},D,`)).toBe(true);
  });

  it('has a header only when there are no rows', () => {
    expect(attendanceCsv([], labels).split('\r\n')).toHaveLength(2);
  });
});
