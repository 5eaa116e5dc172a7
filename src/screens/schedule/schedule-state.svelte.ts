/**
 * The public duty schedule page's state: the server's schedule as a live answer (kept for offline
 * display, refreshed every minute), grouped for today's board and the week's table.
 */
import { LiveAnswer } from '../live-answer.svelte';
import type { PublicSchedule, PublicShift } from './schedule-api';
import {
  todayBoards,
  weekRows,
  signedIn,
  type DepartmentBoard,
  type WeekRow,
} from './schedule-board';

export type { BoardShift, DepartmentBoard, WeekRow } from './schedule-board';
export { REFRESH_MS } from '../live-answer.svelte';

export class ScheduleState extends LiveAnswer<PublicSchedule> {
  get schedule(): PublicSchedule | null {
    return this.answer;
  }

  /** Today's shifts per department, earliest first; what runs now as of the last refresh. */
  get today(): DepartmentBoard[] {
    return this.answer ? todayBoards(this.answer, this.checkedAt) : [];
  }

  /** The week's shifts as one row per department and one cell per day. */
  get week(): WeekRow[] {
    return this.answer ? weekRows(this.answer) : [];
  }

  /** Whether a shift of the shown week's today has its leader signed in. */
  isOnDuty(shift: PublicShift, date: string): boolean {
    const schedule = this.answer;
    return !!schedule && date === schedule.date && signedIn(schedule, shift);
  }
}
