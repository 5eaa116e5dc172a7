/**
 * A public page's live data (大厅公示屏, 坐班公示): the last good answer from the server, shown until a
 * newer one arrives — kept between visits, so a reload with the server away still shows something —
 * asked for again every interval and whenever the screen becomes visible again.
 */
import type { KeyValueStore } from '../storage/settings';
import type { Timers } from './timers';

export const REFRESH_MS = 60_000;

/** An answer with the moment (ms) it came from the server. */
export interface KeptAnswer<T> {
  answer: T;
  savedAt: number;
}

/** Where the last good answer is kept between visits; failures are ignored. */
export interface AnswerCache<T> {
  load(): Promise<KeptAnswer<T> | undefined>;
  save(value: KeptAnswer<T>): Promise<void>;
}

export interface LiveAnswerDeps<T> {
  load: () => Promise<T>;
  cache: AnswerCache<T>;
  timers: Timers;
  now: () => number;
  /** Time between two refreshes; default a minute. */
  refreshMs?: number;
}

/** `live`: the latest answer is fresh; `stale`: the server cannot be reached, older data shown. */
export type LiveStatus = 'loading' | 'live' | 'stale' | 'failed';

export class LiveAnswer<T> {
  #deps: LiveAnswerDeps<T>;
  #answer = $state.raw<T | null>(null);
  #savedAt = $state<number | null>(null);
  #status = $state<LiveStatus>('loading');
  #checkedAt = $state(0);
  #timer: unknown = null;
  #loading: Promise<void> | null = null;
  #stopped = false;

  constructor(deps: LiveAnswerDeps<T>) {
    this.#deps = deps;
    this.#checkedAt = deps.now();
  }

  /** The shown answer: the server's latest, or the one kept from an earlier visit; null if none. */
  get answer(): T | null {
    return this.#answer;
  }
  get status(): LiveStatus {
    return this.#status;
  }
  /** When the shown answer came from the server (ms), or null. */
  get savedAt(): number | null {
    return this.#savedAt;
  }
  /** When the server was last asked (ms), answered or not; the page's "now" between refreshes. */
  get checkedAt(): number {
    return this.#checkedAt;
  }
  get refreshMs(): number {
    return this.#deps.refreshMs ?? REFRESH_MS;
  }

  /** Show the kept answer at once, then ask the server, and again every refresh interval. */
  async start(): Promise<void> {
    this.#stopped = false;
    try {
      const kept = await this.#deps.cache.load();
      if (kept && this.#answer === null) {
        this.#answer = kept.answer;
        this.#savedAt = kept.savedAt;
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
      const answer = await this.#deps.load();
      const savedAt = this.#deps.now();
      this.#answer = answer;
      this.#savedAt = savedAt;
      this.#status = 'live';
      this.#deps.cache.save({ answer, savedAt }).catch(() => undefined);
    } catch {
      this.#status = this.#answer === null ? 'failed' : 'stale';
    }
    this.#checkedAt = this.#deps.now();
    if (!this.#stopped)
      this.#timer = this.#deps.timers.setTimeout(() => void this.refresh(), this.refreshMs);
  }
}

/**
 * A kept answer in the browser's settings store under `key`, as `{ [field]: answer, savedAt }`;
 * what `isAnswer` does not recognise (an older or damaged record) reads as nothing kept.
 */
export function storedAnswer<T>(
  store: KeyValueStore,
  key: string,
  field: string,
  isAnswer: (value: unknown) => boolean,
): AnswerCache<T> {
  return {
    async load() {
      const value = await store.get<Record<string, unknown>>(key);
      return value && typeof value.savedAt === 'number' && isAnswer(value[field])
        ? { answer: value[field] as T, savedAt: value.savedAt }
        : undefined;
    },
    save: ({ answer, savedAt }) => store.set(key, { [field]: answer, savedAt }),
  };
}
