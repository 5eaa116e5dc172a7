/** Timers as a dependency, so screen state can be driven by a fake clock in tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One pending timeout that each `set` replaces. */
export class Countdown {
  #timers: Timers;
  #handle: unknown = null;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  set(ms: number, fn: () => void): void {
    this.clear();
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = null;
      fn();
    }, ms);
  }

  clear(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
  }
}
