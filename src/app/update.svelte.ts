/**
 * A new version of the app waiting to take over. Most screens offer it with a prompt; a kiosk
 * screen that must never be interrupted (the evaluator) applies it itself when idle and hides the
 * prompt while it is shown.
 */
export type Unsubscribe = () => void;

export class UpdateState {
  #waiting = $state(false);
  #applying = $state(false);
  #selfApplying = $state(0);
  #apply: (() => Promise<void>) | null = null;
  // Plain callbacks, not state: nothing renders from this set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #listeners = new Set<() => void>();

  get waiting(): boolean {
    return this.#waiting;
  }

  get applying(): boolean {
    return this.#applying;
  }

  /** Whether to show the update prompt: an update waits and no screen applies it by itself. */
  get showPrompt(): boolean {
    return this.#waiting && this.#selfApplying === 0;
  }

  /** Called by the service-worker layer when a new version has installed and waits. */
  offer(apply: () => Promise<void>): void {
    this.#apply = apply;
    this.#waiting = true;
    for (const listener of this.#listeners) listener();
  }

  /** Called now if an update already waits, and whenever one is offered later. */
  onWaiting(listener: () => void): Unsubscribe {
    this.#listeners.add(listener);
    if (this.#waiting) listener();
    return () => this.#listeners.delete(listener);
  }

  /** A screen takes over applying updates while it is shown; call the result when it leaves. */
  applyWhenIdle(): () => void {
    this.#selfApplying += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#selfApplying -= 1;
    };
  }

  /** Activate the waiting version; the page reloads once it controls the page. */
  async apply(): Promise<void> {
    if (!this.#apply || this.#applying) return;
    this.#applying = true;
    try {
      await this.#apply();
    } catch {
      this.#applying = false;
    }
  }
}

export const updates = new UpdateState();
