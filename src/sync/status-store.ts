import type { Unsubscribe } from '../app/device-api';
import { INITIAL_STATUS, type SyncStatus } from './status';

/** A small observable holding the sync status; listeners hear the current value, then changes. */
export class StatusStore {
  #status: SyncStatus;
  readonly #listeners = new Set<(status: SyncStatus) => void>();

  constructor(initial: Partial<SyncStatus> = {}) {
    this.#status = { ...INITIAL_STATUS, ...initial };
  }

  get(): SyncStatus {
    return this.#status;
  }

  /** Change some fields; listeners are told only when something actually changed. */
  update(patch: Partial<SyncStatus>): void {
    const next = { ...this.#status, ...patch };
    const changed = (Object.keys(patch) as (keyof SyncStatus)[]).some(
      (k) => next[k] !== this.#status[k],
    );
    if (!changed) return;
    this.#status = next;
    for (const listener of [...this.#listeners]) {
      try {
        listener(next);
      } catch (error) {
        // One failing screen must not stop others hearing about the change.
        console.error(error);
      }
    }
  }

  subscribe(listener: (status: SyncStatus) => void): Unsubscribe {
    this.#listeners.add(listener);
    listener(this.#status);
    return () => void this.#listeners.delete(listener);
  }
}
