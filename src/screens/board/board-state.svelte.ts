/**
 * The hall board's state (大厅公示屏): the last good answer from the server, shown until a newer
 * one arrives — kept between visits, so a reload with the server away still shows something —
 * refreshed every minute and whenever the screen becomes visible again.
 */
import { hallMinutes } from '../../domain/schedule';
import type { BoardResponse } from '../../sync/report-protocol';
import type { Timers } from '../timers';

export const REFRESH_MS = 60_000;

export interface CachedBoard {
  board: BoardResponse;
  savedAt: number;
}

/** Where the last good answer is kept between visits; failures are ignored. */
export interface BoardCache {
  load(): Promise<CachedBoard | undefined>;
  save(value: CachedBoard): Promise<void>;
}

export interface BoardDeps {
  load: () => Promise<BoardResponse>;
  cache: BoardCache;
  timers: Timers;
  now: () => number;
  /** Time between two refreshes; default a minute. */
  refreshMs?: number;
}

/** `live`: the latest answer is fresh; `stale`: the server cannot be reached, older data shown. */
export type BoardStatus = 'loading' | 'live' | 'stale' | 'failed';

/** HH:MM, hall-local, of an instant. */
export function hallClock(ms: number): string {
  const m = hallMinutes(ms);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** A share 0–1 as a percentage with one decimal ("96.5"), or null. */
export function percentText(rate: number | null): string | null {
  return rate === null ? null : (Math.round(rate * 1000) / 10).toFixed(1);
}

export class BoardState {
  #deps: BoardDeps;
  #board = $state.raw<BoardResponse | null>(null);
  #savedAt = $state<number | null>(null);
  #status = $state<BoardStatus>('loading');
  #timer: unknown = null;
  #loading: Promise<void> | null = null;
  #stopped = false;

  constructor(deps: BoardDeps) {
    this.#deps = deps;
  }

  get board(): BoardResponse | null {
    return this.#board;
  }
  get status(): BoardStatus {
    return this.#status;
  }
  /** When the shown answer came from the server (ms), or null. */
  get savedAt(): number | null {
    return this.#savedAt;
  }
  /** "HH:MM" (hall-local) of the shown answer, for "更新于 HH:MM". */
  get updatedAt(): string | null {
    return this.#savedAt === null ? null : hallClock(this.#savedAt);
  }
  get refreshMs(): number {
    return this.#deps.refreshMs ?? REFRESH_MS;
  }

  /** Show the kept answer at once, then ask the server, and again every refresh interval. */
  async start(): Promise<void> {
    this.#stopped = false;
    try {
      const cached = await this.#deps.cache.load();
      if (cached && this.#board === null) {
        this.#board = cached.board;
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

  /** The screen became visible again (a wall screen woken up): refresh now. */
  visible(): Promise<void> {
    return this.refresh();
  }

  /** Ask the server now; a refresh already under way is the one answered. */
  refresh(): Promise<void> {
    this.#loading ??= this.#refresh().finally(() => (this.#loading = null));
    return this.#loading;
  }

  async #refresh(): Promise<void> {
    if (this.#timer !== null) this.#deps.timers.clearTimeout(this.#timer);
    this.#timer = null;
    try {
      const board = await this.#deps.load();
      const savedAt = this.#deps.now();
      this.#board = board;
      this.#savedAt = savedAt;
      this.#status = 'live';
      this.#deps.cache.save({ board, savedAt }).catch(() => undefined);
    } catch {
      this.#status = this.#board ? 'stale' : 'failed';
    }
    if (!this.#stopped)
      this.#timer = this.#deps.timers.setTimeout(() => void this.refresh(), this.refreshMs);
  }
}
