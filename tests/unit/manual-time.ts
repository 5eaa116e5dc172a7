/** A clock and timers for screen-state tests: time moves only when the test says so. */
import type { Timers } from '../../src/screens/timers';

export interface ManualTimers extends Timers {
  /** Move the clock on by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void;
  /** Timers set and not yet fired or cleared. */
  count(): number;
}

/**
 * Timers on `clock` (shared with the test when it passes one, e.g. a ManualClock whose `ms` the
 * device layer reads too), starting from its current time.
 */
export function manualTime(clock: { ms: number } = { ms: 0 }) {
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: ManualTimers = {
    setTimeout(fn, ms) {
      const id = nextId++;
      pending.set(id, { at: clock.ms + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    advance(ms) {
      const until = clock.ms + ms;
      for (;;) {
        const due = [...pending.entries()]
          .filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        clock.ms = due[1].at;
        due[1].fn();
      }
      clock.ms = until;
    },
    count: () => pending.size,
  };
  return { timers, now: () => clock.ms, advance: timers.advance, pending: timers.count };
}
