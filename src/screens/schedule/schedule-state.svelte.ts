/**
 * The public duty schedule page's state: the last good answer from the server (kept for offline
 * display), refreshed every minute, grouped for today's board and the week's table.
 */
import type { Timers } from '../timers';
import type { PublicSchedule, PublicShift } from './schedule-api';
import {
  todayBoards,
  weekRows,
  signedIn,
  type DepartmentBoard,
  type WeekRow,
} from './schedule-board';

export type { BoardShift, DepartmentBoard, WeekRow } from './schedule-board';

export const REFRESH_MS = 60_000;

/** Where the last good answer is kept between visits; failures are ignored. */
export interface ScheduleCache {
  load(): Promise<CachedSchedule | undefined>;
  save(value: CachedSchedule): Promise<void>;
}

export interface CachedSchedule {
  schedule: PublicSchedule;
  savedAt: number;
}

export interface ScheduleDeps {
  load: () => Promise<PublicSchedule>;
  cache: ScheduleCache;
  timers: Timers;
  now: () => number;
}

export type ScheduleStatus = 'loading' | 'live' | 'stale' | 'failed';

export class ScheduleState {
  #deps: ScheduleDeps;
  #schedule = $state.raw<PublicSchedule | null>(null);
  #savedAt = $state<number | null>(null);
  #status = $state<ScheduleStatus>('loading');
  #now = $state(0);
  #timer: unknown = null;
  #stopped = false;

  constructor(deps: ScheduleDeps) {
    this.#deps = deps;
    this.#now = deps.now();
  }

  get schedule(): PublicSchedule | null {
    return this.#schedule;
  }
  get status(): ScheduleStatus {
    return this.#status;
  }
  /** When the shown answer came from the server (ms). */
  get savedAt(): number | null {
    return this.#savedAt;
  }

  /** Today's shifts per department, earliest first. */
  get today(): DepartmentBoard[] {
    return this.#schedule ? todayBoards(this.#schedule, this.#now) : [];
  }

  /** The week's shifts as one row per department and one cell per day. */
  get week(): WeekRow[] {
    return this.#schedule ? weekRows(this.#schedule) : [];
  }

  /** Whether a shift of the shown week's today has its leader signed in. */
  isOnDuty(shift: PublicShift, date: string): boolean {
    const schedule = this.#schedule;
    return !!schedule && date === schedule.date && signedIn(schedule, shift);
  }

  /** Show the kept answer at once, then ask the server, and again every minute. */
  async start(): Promise<void> {
    this.#stopped = false;
    try {
      const cached = await this.#deps.cache.load();
      if (cached && this.#schedule === null) {
        this.#schedule = cached.schedule;
        this.#savedAt = cached.savedAt;
        this.#status = 'stale';
      }
    } catch {
      // Nothing kept: wait for the server.
    }
    await this.refresh();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.#deps.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  async refresh(): Promise<void> {
    if (this.#timer !== null) this.#deps.timers.clearTimeout(this.#timer);
    this.#timer = null;
    try {
      const schedule = await this.#deps.load();
      const savedAt = this.#deps.now();
      this.#schedule = schedule;
      this.#savedAt = savedAt;
      this.#status = 'live';
      this.#deps.cache.save({ schedule, savedAt }).catch(() => undefined);
    } catch {
      this.#status = this.#schedule ? 'stale' : 'failed';
    }
    this.#now = this.#deps.now();
    if (!this.#stopped) {
      this.#timer = this.#deps.timers.setTimeout(() => void this.refresh(), REFRESH_MS);
    }
  }
}
