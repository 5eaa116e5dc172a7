/**
 * What the duty schedule and sessions add up to: the public schedule (坐班公示) with who is on duty
 * now, and the console's monthly attendance (坐班考勤) with its CSV export. Sessions are folded from
 * the stored duty.* events by the domain's own fold.
 */
import type { Db } from '../db/db';
import {
  ATTENDANCE_COLUMNS,
  attendanceCsv,
  computeAttendance,
  type AttendanceCsvLabels,
  type AttendanceCsvRow,
  type DepartmentAttendance,
  type LeaderAttendance,
} from '../../domain/attendance';
import { foldDutySessions, openSessionsAt, type DutySession } from '../../domain/duty';
import { addDays, hallDate, hallDayStartMs, isHallDate, weekOf } from '../../domain/schedule';
import { badRequest, notFound } from '../errors';
import { dutyEventsSignedInBetween, listShifts } from '../repos/duty';
import { firstHall } from '../repos/halls';
import { listDepartments, listLeaders, listWindows } from '../repos/reference';
import { isoAt } from '../repos/util';

/** Sessions signed in on the hall-local dates from … to (both included). */
export async function sessionsBetween(
  db: Db,
  hallId: string,
  from: string,
  to: string,
): Promise<DutySession[]> {
  const events = await dutyEventsSignedInBetween(
    db,
    hallId,
    isoAt(hallDayStartMs(from)),
    isoAt(hallDayStartMs(addDays(to, 1))),
  );
  return Object.values(foldDutySessions(events));
}

export interface PublicScheduleShift {
  shiftId: string;
  start: string;
  end: string;
  leader: { id: string; title: string; titleEn?: string };
  department: { id: string; name: string; nameEn?: string };
  window: { id: string; code: string; name: string; nameEn?: string } | null;
}

export interface PublicSchedule {
  hall: { name: string; nameEn?: string };
  date: string;
  week: { from: string; to: string };
  days: { date: string; shifts: PublicScheduleShift[] }[];
  onDutyNow: { leaderId: string; departmentId: string; windowId: string | null; since: string }[];
  serverTime: string;
}

/**
 * GET /public/schedule: the published, active shifts of the week holding `date` (default today,
 * hall-local) of active leaders, by day, department order and start; and who is signed in now.
 */
export async function publicSchedule(
  db: Db,
  query: { date?: unknown },
  now: number,
): Promise<PublicSchedule> {
  const hall = await firstHall(db);
  if (!hall) throw notFound('unknown_hall', 'This server has no hall yet.');
  const date = query.date === undefined || query.date === '' ? hallDate(now) : query.date;
  if (typeof date !== 'string' || !isHallDate(date)) {
    throw badRequest('invalid_query', 'date must be a date YYYY-MM-DD.');
  }
  const week = weekOf(date);
  const today = hallDate(now);
  const [shifts, leaders, departments, windows, sessions] = await Promise.all([
    listShifts(db, hall.id, week.from, week.to, { active: true, published: true }),
    listLeaders(db, hall.id),
    listDepartments(db, hall.id),
    listWindows(db, hall.id),
    sessionsBetween(db, hall.id, today, today),
  ]);
  const leader = new Map(leaders.map((l) => [l.id, l]));
  const department = new Map(departments.map((d) => [d.id, d]));
  const window = new Map(windows.map((w) => [w.id, w]));

  const days: PublicSchedule['days'] = [];
  for (let d = week.from; d <= week.to; d = addDays(d, 1)) days.push({ date: d, shifts: [] });
  const byDate = new Map(days.map((d) => [d.date, d]));
  const sortKey = new Map<string, number>();
  for (const s of shifts) {
    const l = leader.get(s.leaderId);
    const dept = department.get(s.departmentId);
    if (!l || !l.active || !dept) continue;
    const w = s.windowId !== null ? window.get(s.windowId) : undefined;
    sortKey.set(s.id, dept.sort);
    byDate.get(s.date)?.shifts.push({
      shiftId: s.id,
      start: s.start,
      end: s.end,
      leader: { id: l.id, title: l.title, ...(l.titleEn ? { titleEn: l.titleEn } : {}) },
      department: { id: dept.id, name: dept.name, ...(dept.nameEn ? { nameEn: dept.nameEn } : {}) },
      window: w
        ? { id: w.id, code: w.code, name: w.name, ...(w.nameEn ? { nameEn: w.nameEn } : {}) }
        : null,
    });
  }
  for (const day of days) {
    day.shifts.sort(
      (a, b) =>
        sortKey.get(a.shiftId)! - sortKey.get(b.shiftId)! ||
        a.start.localeCompare(b.start) ||
        a.end.localeCompare(b.end),
    );
  }

  return {
    hall: { name: hall.name, ...(hall.nameEn ? { nameEn: hall.nameEn } : {}) },
    date,
    week,
    days,
    onDutyNow: openSessionsAt(sessions, now).map((s) => ({
      leaderId: s.leaderId,
      departmentId: s.departmentId,
      windowId: s.windowId,
      since: s.signedInAt,
    })),
    serverTime: isoAt(now),
  };
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The first and last date of a month YYYY-MM; 400 invalid_query otherwise. */
export function monthSpan(month: unknown): { month: string; from: string; to: string } {
  const m = typeof month === 'string' ? MONTH.exec(month) : null;
  if (!m) throw badRequest('invalid_query', 'month must be YYYY-MM.');
  const days = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { month: m[0], from: `${m[0]}-01`, to: `${m[0]}-${String(days).padStart(2, '0')}` };
}

export interface MonthAttendance {
  month: string;
  from: string;
  to: string;
  leaders: (LeaderAttendance & { title: string; titleEn?: string })[];
  departments: (DepartmentAttendance & { name: string; nameEn?: string })[];
}

/** GET /admin/attendance: attendance of a month as known now. */
export async function monthAttendance(
  db: Db,
  hallId: string,
  query: { month?: unknown },
  now: number,
): Promise<MonthAttendance> {
  const { month, from, to } = monthSpan(query.month);
  const [shifts, sessions, leaders, departments] = await Promise.all([
    listShifts(db, hallId, from, to),
    sessionsBetween(db, hallId, from, to),
    listLeaders(db, hallId),
    listDepartments(db, hallId),
  ]);
  const result = computeAttendance({ shifts, sessions, leaders, from, to, nowMs: now });
  const leader = new Map(leaders.map((l) => [l.id, l]));
  const department = new Map(departments.map((d) => [d.id, d]));
  return {
    month,
    from,
    to,
    leaders: result.leaders.map((r) => {
      const l = leader.get(r.leaderId);
      return { ...r, title: l?.title ?? '', ...(l?.titleEn ? { titleEn: l.titleEn } : {}) };
    }),
    departments: result.departments.map((r) => {
      const d = department.get(r.departmentId);
      return { ...r, name: d?.name ?? '', ...(d?.nameEn ? { nameEn: d.nameEn } : {}) };
    }),
  };
}

export type CsvLanguage = 'zh-CN' | 'en';

/** Column headings of the export, and the name of a department's total line. */
export const ATTENDANCE_CSV_LABELS: Record<
  CsvLanguage,
  AttendanceCsvLabels & { departmentTotal: string }
> = {
  'zh-CN': {
    name: '领导',
    department: '部门',
    scheduled: '排班次数',
    attended: '到岗次数',
    late: '迟到次数',
    missed: '缺岗次数',
    upcoming: '待坐班次数',
    unscheduled: '排班外坐班次数',
    autoSignedOut: '自动签退次数',
    hours: '坐班时长（小时）',
    served: '接待群众',
    cases: '办理事项',
    solved: '现场解决问题',
    complaints: '收到投诉',
    suggestions: '收到建议',
    departmentTotal: '部门合计',
  },
  en: {
    name: 'Leader',
    department: 'Department',
    scheduled: 'Scheduled',
    attended: 'Attended',
    late: 'Late',
    missed: 'Missed',
    upcoming: 'Upcoming',
    unscheduled: 'Unscheduled',
    autoSignedOut: 'Auto signed out',
    hours: 'Hours on duty',
    served: 'People served',
    cases: 'Cases handled',
    solved: 'Solved on the spot',
    complaints: 'Complaints',
    suggestions: 'Suggestions',
    departmentTotal: 'Department total',
  },
};

/**
 * GET /admin/attendance.csv: one line per leader, then one total line per department.
 * Headings in Chinese unless `lang=en`.
 */
export async function monthAttendanceCsv(
  db: Db,
  hallId: string,
  query: { month?: unknown; lang?: unknown },
  now: number,
): Promise<{ filename: string; csv: string }> {
  const report = await monthAttendance(db, hallId, query, now);
  const labels = ATTENDANCE_CSV_LABELS[query.lang === 'en' ? 'en' : 'zh-CN'];
  const en = query.lang === 'en';
  const deptName = new Map(
    report.departments.map((d) => [d.departmentId, en && d.nameEn ? d.nameEn : d.name]),
  );
  const counts = (r: LeaderAttendance | DepartmentAttendance) =>
    Object.fromEntries(ATTENDANCE_COLUMNS.map((c) => [c, r[c]])) as Omit<
      AttendanceCsvRow,
      'name' | 'department'
    >;
  const rows: AttendanceCsvRow[] = [
    ...report.leaders.map((r) => ({
      name: en && r.titleEn ? r.titleEn : r.title,
      department: deptName.get(r.departmentId) ?? '',
      ...counts(r),
    })),
    ...report.departments.map((r) => ({
      name: labels.departmentTotal,
      department: deptName.get(r.departmentId) ?? '',
      ...counts(r),
    })),
  ];
  return { filename: `attendance-${report.month}.csv`, csv: attendanceCsv(rows, labels) };
}
