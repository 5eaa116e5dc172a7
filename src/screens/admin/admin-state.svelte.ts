/**
 * The management console's state: the administrator's session and the sections it shows (windows
 * and their rating cards, devices and enrollment codes, ratings, refused records).
 */
import type { Id } from '../../domain/ids';
import type { FleetResponse } from '../../sync/report-protocol';
import {
  AdminApiError,
  type AdminApi,
  type AdminIssue,
  type DeviceChange,
  type EnrollRole,
  type Enrollment,
  type RatingsResponse,
  type RejectedEvent,
  type WindowsResponse,
} from './admin-api';
import { CalendarState } from './calendar-state.svelte';
import { ChecklistState } from './checklist-state.svelte';
import { DutyAdminState } from './duty-state.svelte';
import { FiguresState, type FiguresTab } from './figures-state.svelte';
import { ReferenceDataState, type ReferenceTab } from './reference-state.svelte';
import { ProblemsState } from './problems-state.svelte';
import { RatingFlagsState } from './rating-flags-state.svelte';
import { WalksState } from './walks-state.svelte';

export type AdminTab =
  | FiguresTab
  | ReferenceTab
  | 'windows'
  | 'devices'
  | 'ratings'
  | 'rejected'
  | 'ratingFlags'
  | 'leaders'
  | 'schedule'
  | 'attendance'
  | 'problems'
  | 'walks'
  | 'checklist'
  | 'calendar';
export const ADMIN_TABS: readonly AdminTab[] = [
  'dashboard',
  'ranking',
  'report',
  'windows',
  'devices',
  'ratings',
  'rejected',
  'ratingFlags',
  'leaders',
  'schedule',
  'attendance',
  'problems',
  'walks',
  'checklist',
  'calendar',
  'departments',
  'serviceItems',
  'settings',
];
export type Session = 'checking' | 'signedOut' | 'signedIn';

/** A failure as shown: a reason code, and the server's message for codes without own words. */
export interface Failure {
  code: string;
  message: string;
  /** What the server found wrong with what was sent, field by field. */
  issues?: readonly AdminIssue[];
}

export function failure(error: unknown): Failure {
  if (error instanceof AdminApiError)
    return error.issues.length > 0
      ? { code: error.code, message: error.message, issues: error.issues }
      : { code: error.code, message: error.message };
  return { code: 'generic', message: error instanceof Error ? error.message : String(error) };
}

/** What a section's heading reloads and shows the state of. */
export interface Refreshable {
  readonly loading: boolean;
  readonly error: Failure | null;
  refresh(): Promise<void>;
}

/** Data loaded from the server on demand, with its own loading and error state. */
/** A department as forms and filters offer it. */
export interface DepartmentOption {
  id: Id;
  name: string;
  nameEn?: string;
}

export class Loadable<T> {
  #load: () => Promise<T>;
  #onError: (error: unknown) => void;
  #data = $state.raw<T | null>(null);
  #loading = $state(false);
  #error = $state.raw<Failure | null>(null);

  constructor(load: () => Promise<T>, onError: (error: unknown) => void) {
    this.#load = load;
    this.#onError = onError;
  }

  get data(): T | null {
    return this.#data;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): Failure | null {
    return this.#error;
  }

  async refresh(): Promise<void> {
    this.#loading = true;
    try {
      this.#data = await this.#load();
      this.#error = null;
    } catch (error) {
      this.#error = failure(error);
      this.#onError(error);
    } finally {
      this.#loading = false;
    }
  }

  /** Load once; later calls keep what is there. */
  ensure(): void {
    if (this.#data === null && !this.#loading) void this.refresh();
  }

  clear(): void {
    this.#data = null;
    this.#error = null;
  }
}

export class AdminState {
  #api: AdminApi;
  #session = $state<Session>('checking');
  #username = $state('');
  #tab = $state<AdminTab>('dashboard');
  #busy = $state(false);
  #loginError = $state.raw<Failure | null>(null);
  #confirming = $state<Id | null>(null);
  #enrollment = $state.raw<Enrollment | null>(null);
  #actionError = $state.raw<Failure | null>(null);

  readonly windows: Loadable<WindowsResponse>;
  /** Every device with its health, and the fleet's alerts (设备巡检). */
  readonly devices: Loadable<FleetResponse>;
  readonly ratings: Loadable<RatingsResponse>;
  readonly rejected: Loadable<{ rejected: RejectedEvent[] }>;
  /** 异常评价: flagged bursts and limits, and the repeated presses kept for audit. */
  readonly ratingFlags: RatingFlagsState;
  /** 局长坐班: leaders, schedule, attendance. */
  readonly duty: DutyAdminState;
  /** 问题整改: the problem pipeline. */
  readonly problems: ProblemsState;
  /** 走流程: walks and their reports. */
  readonly walks: WalksState;
  /** The walk checklist. */
  readonly checklist: ChecklistState;
  /** Holidays and due days. */
  readonly calendar: CalendarState;
  /** The dashboard, the department ranking and the monthly report. */
  readonly figures: FiguresState;
  /** Departments, service items and the hall's settings. */
  readonly reference: ReferenceDataState;

  constructor(api: AdminApi, now: () => number = () => Date.now()) {
    this.#api = api;
    const onError = (error: unknown) => this.#handle(error);
    this.windows = new Loadable(() => api.windows(), onError);
    this.devices = new Loadable(() => api.fleet(), onError);
    this.ratings = new Loadable(() => api.ratings(50), onError);
    this.rejected = new Loadable(() => api.rejected(), onError);
    this.ratingFlags = new RatingFlagsState({ call: api.call, onError });
    this.duty = new DutyAdminState({
      api: api.duty,
      now,
      windows: () => this.windows.data,
      onError,
    });
    this.problems = new ProblemsState({ api: api.pipeline, onError });
    this.walks = new WalksState({ api: api.pipeline, now, onError });
    this.checklist = new ChecklistState({ api: api.pipeline, onError });
    this.calendar = new CalendarState({ api: api.pipeline, onError });
    this.figures = new FiguresState({ api: api.figures, now, onError });
    this.reference = new ReferenceDataState({ call: api.call, windows: this.windows, onError });
  }

  /** Departments known from the windows list, by name (with their English names). */
  get departments(): DepartmentOption[] {
    const seen: Record<Id, DepartmentOption> = {};
    for (const w of this.windows.data?.windows ?? []) {
      seen[w.department.id] ??= {
        id: w.department.id,
        name: w.department.name,
        ...(w.department.nameEn ? { nameEn: w.department.nameEn } : {}),
      };
    }
    return Object.values(seen).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }

  get session(): Session {
    return this.#session;
  }
  get username(): string {
    return this.#username;
  }
  get tab(): AdminTab {
    return this.#tab;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get loginError(): Failure | null {
    return this.#loginError;
  }
  /** The device whose revocation waits for a confirmation. */
  get confirming(): Id | null {
    return this.#confirming;
  }
  get enrollment(): Enrollment | null {
    return this.#enrollment;
  }
  get actionError(): Failure | null {
    return this.#actionError;
  }

  /** Find out whether the browser already holds a session. */
  async start(): Promise<void> {
    try {
      const me = await this.#api.me();
      this.#signedIn(me.username);
    } catch {
      this.#session = 'signedOut';
    }
  }

  async login(username: string, password: string): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    this.#loginError = null;
    try {
      const me = await this.#api.login(username.trim(), password);
      this.#signedIn(me.username);
    } catch (error) {
      this.#loginError = failure(error);
    } finally {
      this.#busy = false;
    }
  }

  async logout(): Promise<void> {
    try {
      await this.#api.logout();
    } catch {
      // Signed out here either way; the cookie expires on its own.
    }
    this.#signedOut(null);
  }

  show(tab: AdminTab): void {
    this.#tab = tab;
    this.#actionError = null;
    this.#section(tab).ensure();
  }

  /** Open a problem in 问题整改 (from a walk report's finding, say). */
  openProblem(id: Id): void {
    this.show('problems');
    void this.problems.open(id);
  }

  askRevoke(id: Id | null): void {
    this.#confirming = id;
  }

  async revoke(id: Id): Promise<void> {
    this.#busy = true;
    this.#actionError = null;
    try {
      await this.#api.revokeDevice(id);
      this.#confirming = null;
      await this.devices.refresh();
    } catch (error) {
      this.#action(error);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Rename a device and/or bind an evaluator to another window, then reload the fleet; resolves
   * true when the server took it (its refusal is `actionError`).
   */
  async changeDevice(id: Id, change: DeviceChange): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = true;
    this.#actionError = null;
    try {
      await this.#api.changeDevice(id, change);
      await this.devices.refresh();
      return true;
    } catch (error) {
      this.#action(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  async enroll(role: EnrollRole, windowId: Id | null, name: string): Promise<void> {
    this.#busy = true;
    this.#actionError = null;
    this.#enrollment = null;
    try {
      this.#enrollment = await this.#api.createEnrollment(role, windowId, name.trim() || undefined);
    } catch (error) {
      this.#action(error);
    } finally {
      this.#busy = false;
    }
  }

  #section(tab: AdminTab): Loadable<unknown> {
    switch (tab) {
      case 'dashboard':
      case 'ranking':
      case 'report':
        return this.figures.section(tab);
      case 'departments':
      case 'serviceItems':
      case 'settings':
        return this.reference.section(tab);
      case 'windows':
        return this.windows;
      case 'devices':
        // The enrollment form picks its window from the windows list.
        this.windows.ensure();
        return this.devices;
      case 'ratings':
        return this.ratings;
      case 'rejected':
        return this.rejected;
      case 'ratingFlags':
        this.ratingFlags.extras.ensure();
        return this.ratingFlags.flags;
      case 'leaders':
        // Departments are known from the windows list.
        this.windows.ensure();
        return this.duty.leaders;
      case 'schedule':
        this.windows.ensure();
        this.duty.leaders.ensure();
        return this.duty.shifts;
      case 'attendance':
        return this.duty.attendance;
      case 'problems':
        // Filters and assigning pick departments from the windows list.
        this.windows.ensure();
        this.problems.missing.ensure();
        return this.problems.list;
      case 'walks':
        return this.walks.list;
      case 'checklist':
        return this.checklist.items;
      case 'calendar':
        return this.calendar.calendar;
    }
  }

  #signedIn(username: string): void {
    this.#username = username;
    this.#session = 'signedIn';
    this.#section(this.#tab).ensure();
  }

  #signedOut(reason: Failure | null): void {
    this.#session = 'signedOut';
    this.#username = '';
    this.#loginError = reason;
    this.#enrollment = null;
    this.#confirming = null;
    for (const section of [this.windows, this.devices, this.ratings, this.rejected])
      section.clear();
    this.duty.clear();
    this.ratingFlags.clear();
    this.problems.clear();
    this.walks.clear();
    this.checklist.clear();
    this.calendar.clear();
    this.reference.clear();
    this.figures.clear();
  }

  #action(error: unknown): void {
    this.#actionError = failure(error);
    this.#handle(error);
  }

  /** A lost session sends the administrator back to the sign-in form. */
  #handle(error: unknown): void {
    if (error instanceof AdminApiError && error.status === 401 && this.#session === 'signedIn') {
      this.#signedOut({ code: 'unauthorized', message: error.message });
    }
  }
}
