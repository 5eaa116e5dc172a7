/**
 * Duty attendance (坐班考勤): scheduled shifts set against the duty sessions leaders actually
 * signed in for, per leader and per department, with the duty ledger's totals.
 */
import { sessionEnd, type DutySession } from './duty';
import type { Id } from './ids';
import type { DutyShift, Leader } from './reference';
import { hallDate, shiftEndMs, shiftStartMs } from './schedule';

/** Minutes after a shift's start from which a sign-in counts as late, unless told otherwise. */
export const DEFAULT_LATE_AFTER_MIN = 15;

export const ATTENDANCE_COLUMNS = [
  'scheduled',
  'attended',
  'late',
  'missed',
  'upcoming',
  'unscheduled',
  'autoSignedOut',
  'hours',
  'served',
  'cases',
  'solved',
  'complaints',
  'suggestions',
] as const;
export type AttendanceColumn = (typeof ATTENDANCE_COLUMNS)[number];

/**
 * scheduled = attended + missed + upcoming. `attended` includes the `late` ones; `upcoming` are
 * shifts not yet over with nobody signed in; `unscheduled` and `autoSignedOut` count sessions;
 * `hours` is time on duty to one decimal.
 */
export type AttendanceCounts = Record<AttendanceColumn, number>;

export interface LeaderAttendance extends AttendanceCounts {
  leaderId: Id;
  departmentId: Id;
}

export interface DepartmentAttendance extends AttendanceCounts {
  departmentId: Id;
}

export interface AttendanceInput {
  shifts: readonly DutyShift[];
  sessions: readonly DutySession[];
  leaders: readonly Leader[];
  /** First and last hall-local date, both included. */
  from: string;
  to: string;
  nowMs: number;
  lateAfterMin?: number;
}

export interface Attendance {
  leaders: LeaderAttendance[];
  departments: DepartmentAttendance[];
}

function zero(): AttendanceCounts {
  return Object.fromEntries(ATTENDANCE_COLUMNS.map((c) => [c, 0])) as AttendanceCounts;
}

const HOUR_MS = 3_600_000;
const roundHours = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;

/**
 * Whether a session attends a shift: a shift of its leader on the session's hall-local date that
 * it overlaps (a session still open is taken to run to the end of its day), or that it was signed
 * in for.
 */
export function attendsShift(session: DutySession, shift: DutyShift, nowMs: number): boolean {
  const startMs = Date.parse(session.signedInAt);
  if (shift.leaderId !== session.leaderId || shift.date !== hallDate(startMs)) return false;
  if (shift.id === session.shiftId) return true;
  const end = sessionEnd(session, nowMs);
  // Matching runs the open session to the end of its day: signed in early, it still attends.
  const matchEndMs = end.open ? Number.POSITIVE_INFINITY : end.endMs;
  return startMs < shiftEndMs(shift) && matchEndMs > shiftStartMs(shift);
}

/** A sign-in more than `lateAfterMin` minutes after the shift's start is late. */
export function isLate(
  shift: DutyShift,
  signedInMs: number,
  lateAfterMin = DEFAULT_LATE_AFTER_MIN,
): boolean {
  return signedInMs > shiftStartMs(shift) + lateAfterMin * 60_000;
}

/**
 * Attendance between two dates as known at `nowMs`. Cancelled shifts do not count; drafts do.
 * A session attends the shifts of its leader on its hall-local date whose span it overlaps (a
 * session still open is taken to run to the end of its day), and the shift it was signed in for;
 * a session attending none is unscheduled. A shift is late when its first attending session
 * began more than `lateAfterMin` after the start, missed when it ended with none. A session left
 * open on an earlier day counts as signed out at that day's end, and as automatically signed out.
 * Leaders appear in the order given (active ones always, inactive ones when they have shifts or
 * sessions), then any others seen in shifts or sessions; departments in order of first appearance.
 */
export function computeAttendance(input: AttendanceInput): Attendance {
  const { from, to, nowMs } = input;
  const inRange = (date: string) => date >= from && date <= to;

  const shifts = input.shifts.filter((s) => s.active && inRange(s.date));
  const sessions = input.sessions
    .map((s) => {
      const startMs = Date.parse(s.signedInAt);
      return { s, startMs, date: hallDate(startMs), end: sessionEnd(s, nowMs) };
    })
    .filter((x) => inRange(x.date));

  const rows = new Map<Id, LeaderAttendance>();
  const hoursMs = new Map<Id, number>();
  const row = (leaderId: Id, departmentId: Id): LeaderAttendance => {
    let r = rows.get(leaderId);
    if (!r) {
      r = { leaderId, departmentId, ...zero() };
      rows.set(leaderId, r);
    }
    return r;
  };
  const seen = new Set<Id>([
    ...shifts.map((s) => s.leaderId),
    ...sessions.map((x) => x.s.leaderId),
  ]);
  for (const l of input.leaders) if (l.active || seen.has(l.id)) row(l.id, l.departmentId);

  // For each shift, the earliest sign-in among the sessions attending it.
  const firstSignIn = new Map<Id, number>();
  for (const x of sessions) {
    const { s, startMs } = x;
    let attends = false;
    for (const shift of shifts) {
      if (!attendsShift(s, shift, nowMs)) continue;
      attends = true;
      const first = firstSignIn.get(shift.id);
      if (first === undefined || startMs < first) firstSignIn.set(shift.id, startMs);
    }
    const r = row(s.leaderId, s.departmentId);
    if (!attends) r.unscheduled++;
    if (x.end.autoClosed) r.autoSignedOut++;
    hoursMs.set(s.leaderId, (hoursMs.get(s.leaderId) ?? 0) + Math.max(0, x.end.endMs - startMs));
    r.served += s.served;
    r.cases += s.cases;
    r.solved += s.solved;
    r.complaints += s.complaints;
    r.suggestions += s.suggestions;
  }

  for (const shift of shifts) {
    const r = row(shift.leaderId, shift.departmentId);
    r.scheduled++;
    const first = firstSignIn.get(shift.id);
    if (first !== undefined) {
      r.attended++;
      if (isLate(shift, first, input.lateAfterMin)) r.late++;
    } else if (shiftEndMs(shift) <= nowMs) r.missed++;
    else r.upcoming++;
  }

  const departments = new Map<Id, DepartmentAttendance>();
  const departmentMs = new Map<Id, number>();
  for (const r of rows.values()) {
    const ms = hoursMs.get(r.leaderId) ?? 0;
    r.hours = roundHours(ms);
    let d = departments.get(r.departmentId);
    if (!d) {
      d = { departmentId: r.departmentId, ...zero() };
      departments.set(r.departmentId, d);
    }
    for (const c of ATTENDANCE_COLUMNS) if (c !== 'hours') d[c] += r[c];
    departmentMs.set(r.departmentId, (departmentMs.get(r.departmentId) ?? 0) + ms);
  }
  for (const d of departments.values()) d.hours = roundHours(departmentMs.get(d.departmentId)!);

  return { leaders: [...rows.values()], departments: [...departments.values()] };
}

/** One line of the attendance export: who (a leader's title, or a department) and the counts. */
export interface AttendanceCsvRow extends AttendanceCounts {
  name: string;
  department: string;
}

/** Column headings in the reader's language. */
export type AttendanceCsvLabels = Record<'name' | 'department' | AttendanceColumn, string>;

// A cell a spreadsheet would run as a formula is kept as text.
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: string | number): string {
  let text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Attendance as CSV text (RFC 4180: CRLF lines, quoted cells where needed) beginning with a
 * byte-order mark, so spreadsheet programs read the Chinese text as UTF-8.
 */
export function attendanceCsv(
  rows: readonly AttendanceCsvRow[],
  labels: AttendanceCsvLabels,
): string {
  const columns = ['name', 'department', ...ATTENDANCE_COLUMNS] as const;
  const lines = [columns.map((c) => csvCell(labels[c]))];
  for (const r of rows) {
    lines.push(columns.map((c) => (c === 'hours' ? r.hours.toFixed(1) : csvCell(r[c]))));
  }
  return '\uFEFF' + lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}
