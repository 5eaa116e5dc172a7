/**
 * The console's 局长坐班 sections: the roster of leaders with their PINs and badges, the week's
 * duty shifts (adding, weekly rules, CSV import, publishing) and the monthly attendance.
 */
import type { Id } from '../../domain/ids';
import { PIN_PATTERN } from '../../domain/pin';
import { addDays, hallDate, isClockTime, isHallDate, weekOf } from '../../domain/schedule';
import type { WindowsResponse } from './admin-api';
import { failure, Loadable, type Failure } from './admin-state.svelte';
import {
  attendanceCsvHref,
  type AdminLeader,
  type AdminShift,
  type AttendanceReport,
  type DutyApi,
  type ImportResult,
  type ShiftInput,
  type WeeklyRuleInput,
} from './duty-api';

/** A form's own problem, found before anything is sent. */
export type FormProblem =
  | 'required'
  | 'bad_date'
  | 'bad_time'
  | 'ends_before_start'
  | 'bad_range'
  | 'no_weekdays'
  | 'pin_format'
  | 'pin_mismatch';

/** The form a problem belongs to. */
export type DutyForm = 'leader' | 'pin' | 'shift' | 'rule';

/** What just succeeded, said once above the section. */
export interface Done {
  what:
    'leaderSaved' | 'pinSet' | 'shiftAdded' | 'ruleAdded' | 'imported' | 'published' | 'cancelled';
  count?: number;
}

export interface LeaderFields {
  title: string;
  titleEn: string;
  departmentId: Id | '';
  badgeCode: string;
  active: boolean;
}

export interface ImportCheck {
  fileName: string;
  csv: string;
  result: ImportResult | null;
}

export interface WeekRow {
  departmentId: Id;
  departmentName: string;
  /** One list per day, Monday first. */
  cells: AdminShift[][];
}

export interface DutyDeps {
  api: DutyApi;
  now: () => number;
  /** The windows (and through them the departments) the console has loaded. */
  windows: () => WindowsResponse | null;
  onError: (error: unknown) => void;
}

function checkSpan(date: string | null, start: string, end: string): FormProblem | null {
  if (date !== null && !isHallDate(date)) return 'bad_date';
  if (!isClockTime(start) || !isClockTime(end)) return 'bad_time';
  return start < end ? null : 'ends_before_start';
}

export class DutyAdminState {
  #deps: DutyDeps;
  #weekFrom = $state('');
  #month = $state('');
  #busy = $state(false);
  #error = $state.raw<Failure | null>(null);
  #done = $state.raw<Done | null>(null);
  #problem = $state.raw<{ form: DutyForm; code: FormProblem } | null>(null);
  #editing = $state.raw<AdminLeader | 'new' | null>(null);
  #pinFor = $state<Id | null>(null);
  #badge = $state.raw<AdminLeader | null>(null);
  #confirmCancel = $state<Id | null>(null);
  #import = $state.raw<ImportCheck | null>(null);

  readonly leaders: Loadable<{ leaders: AdminLeader[] }>;
  readonly shifts: Loadable<{ shifts: AdminShift[] }>;
  readonly attendance: Loadable<AttendanceReport>;

  constructor(deps: DutyDeps) {
    this.#deps = deps;
    const today = hallDate(deps.now());
    this.#weekFrom = weekOf(today).from;
    this.#month = today.slice(0, 7);
    this.leaders = new Loadable(() => deps.api.leaders(), deps.onError);
    this.shifts = new Loadable(() => deps.api.shifts(this.weekFrom, this.weekTo), deps.onError);
    this.attendance = new Loadable(() => deps.api.attendance(this.#month), deps.onError);
  }

  get busy(): boolean {
    return this.#busy;
  }
  get error(): Failure | null {
    return this.#error;
  }
  get done(): Done | null {
    return this.#done;
  }
  /** The problem found in a form before sending, if that form was the last one used. */
  problemIn(form: DutyForm): FormProblem | null {
    return this.#problem?.form === form ? this.#problem.code : null;
  }
  get editing(): AdminLeader | 'new' | null {
    return this.#editing;
  }
  get pinFor(): Id | null {
    return this.#pinFor;
  }
  get badge(): AdminLeader | null {
    return this.#badge;
  }
  get confirmCancel(): Id | null {
    return this.#confirmCancel;
  }
  get importCheck(): ImportCheck | null {
    return this.#import;
  }
  get weekFrom(): string {
    return this.#weekFrom;
  }
  get weekTo(): string {
    return addDays(this.#weekFrom, 6);
  }
  get weekDays(): string[] {
    return [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(this.#weekFrom, n));
  }
  get month(): string {
    return this.#month;
  }
  get csvHref(): string {
    return attendanceCsvHref(this.#month);
  }

  /** Departments known from the windows list, by name. */
  get departments(): { id: Id; name: string }[] {
    const seen: Record<Id, { id: Id; name: string }> = {};
    for (const w of this.#deps.windows()?.windows ?? []) {
      seen[w.department.id] ??= { id: w.department.id, name: w.department.name };
    }
    return Object.values(seen).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }

  windowsOf(departmentId: Id | ''): { id: Id; code: string; name: string }[] {
    return (this.#deps.windows()?.windows ?? []).filter(
      (w) => w.active && w.department.id === departmentId,
    );
  }

  activeLeaders(): AdminLeader[] {
    return (this.leaders.data?.leaders ?? []).filter((l) => l.active);
  }

  /** The shown week's shifts (cancelled ones left out): a row per department, a cell per day. */
  get weekRows(): WeekRow[] {
    const days = this.weekDays;
    const rows: Record<Id, WeekRow> = {};
    const shifts = (this.shifts.data?.shifts ?? []).filter((s) => s.active);
    shifts.sort((a, b) => a.start.localeCompare(b.start));
    for (const shift of shifts) {
      const index = days.indexOf(shift.date);
      if (index < 0) continue;
      const row = (rows[shift.departmentId] ??= {
        departmentId: shift.departmentId,
        departmentName: shift.departmentName,
        cells: days.map(() => []),
      });
      row.cells[index]!.push(shift);
    }
    return Object.values(rows).sort((a, b) =>
      a.departmentName.localeCompare(b.departmentName, 'zh-CN'),
    );
  }

  /** Shifts of the shown week not yet on the public schedule. */
  get drafts(): number {
    return (this.shifts.data?.shifts ?? []).filter((s) => s.active && !s.published).length;
  }

  // ── Leaders ──────────────────────────────────────────────

  edit(leader: AdminLeader | 'new' | null): void {
    this.#editing = leader;
    this.#pinFor = null;
    this.#reset();
  }

  async saveLeader(fields: LeaderFields): Promise<boolean> {
    if (!fields.title.trim() || !fields.departmentId) return this.#refuse('leader', 'required');
    const editing = this.#editing;
    return this.#run(async () => {
      await this.#deps.api.saveLeader({
        ...(editing && editing !== 'new' ? { leaderId: editing.id } : {}),
        title: fields.title.trim(),
        ...(fields.titleEn.trim() ? { titleEn: fields.titleEn.trim() } : {}),
        departmentId: fields.departmentId as Id,
        ...(fields.badgeCode.trim() ? { badgeCode: fields.badgeCode.trim() } : {}),
        active: fields.active,
      });
      this.#editing = null;
      this.#done = { what: 'leaderSaved' };
      await this.leaders.refresh();
    });
  }

  /** Take a leader off (or back on) the roster; history stays. */
  setActive(leader: AdminLeader, active: boolean): Promise<boolean> {
    return this.#run(async () => {
      await this.#deps.api.saveLeader({
        leaderId: leader.id,
        title: leader.title,
        ...(leader.titleEn ? { titleEn: leader.titleEn } : {}),
        departmentId: leader.departmentId,
        ...(leader.badgeCode ? { badgeCode: leader.badgeCode } : {}),
        active,
      });
      this.#done = { what: 'leaderSaved' };
      await this.leaders.refresh();
    });
  }

  askPin(id: Id | null): void {
    this.#pinFor = id;
    this.#editing = null;
    this.#reset();
  }

  /** Set or reset a leader's PIN, typed twice; it is never shown again. */
  async setPin(leaderId: Id, pin: string, repeat: string): Promise<boolean> {
    if (!PIN_PATTERN.test(pin)) return this.#refuse('pin', 'pin_format');
    if (pin !== repeat) return this.#refuse('pin', 'pin_mismatch');
    return this.#run(async () => {
      await this.#deps.api.setPin(leaderId, pin);
      this.#pinFor = null;
      this.#done = { what: 'pinSet' };
      await this.leaders.refresh();
    });
  }

  showBadge(leader: AdminLeader | null): void {
    this.#badge = leader;
  }

  // ── Schedule ─────────────────────────────────────────────

  showWeekOf(date: string): void {
    this.#weekFrom = weekOf(date).from;
    this.#confirmCancel = null;
    void this.shifts.refresh();
  }

  previousWeek(): void {
    this.showWeekOf(addDays(this.#weekFrom, -7));
  }

  nextWeek(): void {
    this.showWeekOf(addDays(this.#weekFrom, 7));
  }

  askCancel(id: Id | null): void {
    this.#confirmCancel = id;
  }

  cancelShift(id: Id): Promise<boolean> {
    return this.#run(async () => {
      await this.#deps.api.cancelShift(id);
      this.#confirmCancel = null;
      this.#done = { what: 'cancelled' };
      await this.shifts.refresh();
    });
  }

  async addShift(
    input: Omit<ShiftInput, 'departmentId'> & { leaderId: Id | '' },
  ): Promise<boolean> {
    const leader = this.#leader(input.leaderId);
    if (!leader) return this.#refuse('shift', 'required');
    const problem = checkSpan(input.date, input.start, input.end);
    if (problem) return this.#refuse('shift', problem);
    return this.#run(async () => {
      await this.#deps.api.addShift({
        ...input,
        leaderId: leader.id,
        departmentId: leader.departmentId,
      });
      this.#done = { what: 'shiftAdded' };
      await this.shifts.refresh();
    });
  }

  async addRule(
    input: Omit<WeeklyRuleInput, 'departmentId'> & { leaderId: Id | '' },
  ): Promise<boolean> {
    const leader = this.#leader(input.leaderId);
    if (!leader) return this.#refuse('rule', 'required');
    if (input.weekdays.length === 0) return this.#refuse('rule', 'no_weekdays');
    if (!isHallDate(input.from) || !isHallDate(input.to)) return this.#refuse('rule', 'bad_date');
    if (input.from > input.to) return this.#refuse('rule', 'bad_range');
    const problem = checkSpan(null, input.start, input.end);
    if (problem) return this.#refuse('rule', problem);
    return this.#run(async () => {
      const { created } = await this.#deps.api.addWeeklyRule({
        ...input,
        weekdays: [...input.weekdays].sort((a, b) => a - b),
        leaderId: leader.id,
        departmentId: leader.departmentId,
      });
      this.#done = { what: 'ruleAdded', count: created };
      await this.shifts.refresh();
    });
  }

  /**
   * Check a CSV file row by row; nothing is imported yet. Refused (false, nothing changed) while
   * another action is still running, so the panel keeps its file chooser disabled until then.
   */
  checkImport(fileName: string, csv: string): Promise<boolean> {
    if (this.#busy) return Promise.resolve(false);
    this.#import = { fileName, csv, result: null };
    return this.#run(async () => {
      const result = await this.#deps.api.importCsv(csv, 'check');
      this.#import = { fileName, csv, result };
    });
  }

  /** Rows of the checked file with at least one error. */
  get importErrors(): ImportResult['rows'] {
    return (this.#import?.result?.rows ?? []).filter((r) => r.errors.length > 0);
  }

  /** Import the checked file: every row (only when none has errors) or only the valid ones. */
  importRows(mode: 'all' | 'valid_rows'): Promise<boolean> {
    const check = this.#import;
    const result = check?.result;
    if (!check || !result || result.fatal) return Promise.resolve(false);
    if (mode === 'all' && result.invalid > 0) return Promise.resolve(false);
    if (mode === 'valid_rows' && result.valid === 0) return Promise.resolve(false);
    return this.#run(async () => {
      const { imported } = await this.#deps.api.importCsv(check.csv, mode);
      this.#import = null;
      this.#done = { what: 'imported', count: imported };
      await this.shifts.refresh();
    });
  }

  clearImport(): void {
    this.#import = null;
    this.#reset();
  }

  publishWeek(): Promise<boolean> {
    return this.#run(async () => {
      const { published } = await this.#deps.api.publish(this.weekFrom, this.weekTo);
      this.#done = { what: 'published', count: published };
      await this.shifts.refresh();
    });
  }

  // ── Attendance ───────────────────────────────────────────

  showMonth(month: string): void {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return;
    this.#month = month;
    void this.attendance.refresh();
  }

  /** Forget everything loaded (signing out). */
  clear(): void {
    for (const source of [this.leaders, this.shifts, this.attendance]) source.clear();
    this.#editing = null;
    this.#pinFor = null;
    this.#badge = null;
    this.#import = null;
    this.#confirmCancel = null;
    this.#reset();
  }

  #leader(id: Id | ''): AdminLeader | undefined {
    return id ? this.leaders.data?.leaders.find((l) => l.id === id) : undefined;
  }

  #reset(): void {
    this.#problem = null;
    this.#error = null;
    this.#done = null;
  }

  #refuse(form: DutyForm, code: FormProblem): false {
    this.#done = null;
    this.#error = null;
    this.#problem = { form, code };
    return false;
  }

  async #run(work: () => Promise<void>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = true;
    this.#reset();
    try {
      await work();
      return true;
    } catch (error) {
      this.#error = failure(error);
      this.#deps.onError(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
