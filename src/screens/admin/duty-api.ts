/**
 * The console's calls for 局长坐班: the roster of leaders and their PINs, duty shifts (single,
 * weekly rules, CSV import, publishing) and the monthly attendance.
 */
import type { Id } from '../../domain/ids';
import type { AdminCall } from './admin-api';

export interface AdminLeader {
  id: Id;
  title: string;
  titleEn?: string;
  departmentId: Id;
  departmentName: string;
  badgeCode?: string;
  active: boolean;
  hasPin: boolean;
}

export interface LeaderInput {
  leaderId?: Id;
  title: string;
  titleEn?: string;
  departmentId: Id;
  badgeCode?: string;
  active: boolean;
}

export interface AdminShift {
  id: Id;
  leaderId: Id;
  departmentId: Id;
  windowId: Id | null;
  date: string;
  start: string;
  end: string;
  published: boolean;
  active: boolean;
  leaderTitle: string;
  departmentName: string;
  windowCode: string | null;
}

export interface ShiftInput {
  leaderId: Id;
  departmentId: Id;
  windowId: Id | null;
  date: string;
  start: string;
  end: string;
  published: boolean;
}

export interface WeeklyRuleInput extends Omit<ShiftInput, 'date'> {
  /** 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  from: string;
  to: string;
}

export type ImportMode = 'check' | 'valid_rows' | 'all';

export interface ImportIssue {
  code: string;
  message: string;
}

export interface ImportResult {
  rows: { line: number; errors: ImportIssue[] }[];
  valid: number;
  invalid: number;
  imported: number;
  fatal?: ImportIssue;
}

export interface AttendanceCounts {
  scheduled: number;
  attended: number;
  late: number;
  missed: number;
  upcoming: number;
  unscheduled: number;
  autoSignedOut: number;
  hours: number;
  served: number;
  cases: number;
  solved: number;
  complaints: number;
  suggestions: number;
}

export interface AttendanceReport {
  month: string;
  leaders: (AttendanceCounts & { leaderId: Id; departmentId: Id; title: string })[];
  departments: (AttendanceCounts & { departmentId: Id; name: string })[];
}

const at = (id: Id) => encodeURIComponent(id);

export function createDutyApi(call: AdminCall) {
  return {
    leaders: () => call<{ leaders: AdminLeader[] }>('GET', '/leaders'),
    saveLeader: (leader: LeaderInput) => call<{ leader: AdminLeader }>('POST', '/leaders', leader),
    setPin: (leaderId: Id, pin: string) =>
      call<unknown>('POST', `/leaders/${at(leaderId)}/pin`, { pin }),
    shifts: (from: string, to: string) =>
      call<{ shifts: AdminShift[] }>('GET', `/shifts?from=${from}&to=${to}`),
    addShift: (shift: ShiftInput) => call<unknown>('POST', '/shifts', shift),
    cancelShift: (id: Id) => call<unknown>('POST', `/shifts/${at(id)}/cancel`),
    addWeeklyRule: (rule: WeeklyRuleInput) =>
      call<{ created: number }>('POST', '/shifts/weekly', rule),
    importCsv: (csv: string, mode: ImportMode) =>
      call<ImportResult>('POST', '/shifts/import', { csv, mode }),
    publish: (from: string, to: string) =>
      call<{ published: number }>('POST', '/shifts/publish', { from, to }),
    attendance: (month: string) =>
      call<AttendanceReport>('GET', `/attendance?month=${encodeURIComponent(month)}`),
  };
}

export type DutyApi = ReturnType<typeof createDutyApi>;

/** Where the browser downloads a month's attendance as CSV. */
export function attendanceCsvHref(month: string): string {
  return `/api/v1/admin/attendance.csv?month=${encodeURIComponent(month)}`;
}
