/** The public schedule grouped for display: today per department, the week as a table. Pure. */
import type { Id } from '../../domain/ids';
import { clockMinutes, hallMinutes, isClockTime } from '../../domain/schedule';
import type { PublicSchedule, PublicShift } from './schedule-api';

export interface BoardShift extends PublicShift {
  /** The leader has signed in for this duty. */
  onDuty: boolean;
  /** The shift's time span holds the present moment. */
  current: boolean;
}

export interface DepartmentBoard {
  department: PublicShift['department'];
  shifts: BoardShift[];
}

export interface WeekRow {
  department: PublicShift['department'];
  /** One list per day of the week, in the order of `days`. */
  cells: PublicShift[][];
}

/** Minutes since midnight, or -1 for a time that is not HH:MM (never current). */
function minutes(time: string): number {
  return isClockTime(time) ? clockMinutes(time) : -1;
}

function byStart(a: PublicShift, b: PublicShift): number {
  return a.start.localeCompare(b.start) || a.leader.title.localeCompare(b.leader.title);
}

/** Whether the shift's leader is signed in for that department now. */
export function signedIn(schedule: PublicSchedule, shift: PublicShift): boolean {
  return schedule.onDutyNow.some(
    (o) => o.leaderId === shift.leader.id && o.departmentId === shift.department.id,
  );
}

/** Today's shifts per department, earliest first, with who is on duty and what runs now. */
export function todayBoards(schedule: PublicSchedule, nowMs: number): DepartmentBoard[] {
  const day = schedule.days.find((d) => d.date === schedule.date);
  const now = hallMinutes(nowMs);
  const boards = new Map<Id, DepartmentBoard>();
  for (const shift of [...(day?.shifts ?? [])].sort(byStart)) {
    let board = boards.get(shift.department.id);
    if (!board) {
      board = { department: shift.department, shifts: [] };
      boards.set(shift.department.id, board);
    }
    board.shifts.push({
      ...shift,
      onDuty: signedIn(schedule, shift),
      current: minutes(shift.start) <= now && now < minutes(shift.end),
    });
  }
  return [...boards.values()];
}

/** The week's shifts as one row per department and one cell per day. */
export function weekRows(schedule: PublicSchedule): WeekRow[] {
  const rows = new Map<Id, WeekRow>();
  schedule.days.forEach((day, index) => {
    for (const shift of [...day.shifts].sort(byStart)) {
      let row = rows.get(shift.department.id);
      if (!row) {
        row = { department: shift.department, cells: schedule.days.map(() => []) };
        rows.set(shift.department.id, row);
      }
      row.cells[index]!.push(shift);
    }
  });
  return [...rows.values()];
}
