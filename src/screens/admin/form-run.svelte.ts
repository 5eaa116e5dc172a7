/**
 * A console form's sending state: busy while a write runs, the server's refusal, the problem
 * found before sending, and what just succeeded (said once).
 */
import { failure, type Failure } from './admin-state.svelte';
import type { FoundProblem } from './pipeline-forms';

export class FormRun<Done extends string> {
  #onError: (error: unknown) => void;
  #busy = $state(false);
  #error = $state.raw<Failure | null>(null);
  #problem = $state.raw<FoundProblem | null>(null);
  #done = $state<Done | null>(null);
  /** Which form (or item) the last problem or refusal belongs to. */
  #where = $state<string | null>(null);

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  get busy(): boolean {
    return this.#busy;
  }
  get done(): Done | null {
    return this.#done;
  }
  /** The server's refusal, if it was met in `where`. */
  errorIn(where: string): Failure | null {
    return this.#where === where ? this.#error : null;
  }
  /** The problem found before sending, if it was found in `where`. */
  problemIn(where: string): FoundProblem | null {
    return this.#where === where ? this.#problem : null;
  }

  reset(): void {
    this.#error = null;
    this.#problem = null;
    this.#done = null;
    this.#where = null;
  }

  refuse(where: string, problem: FoundProblem): false {
    this.reset();
    this.#where = where;
    this.#problem = problem;
    return false;
  }

  async run(where: string, done: Done, work: () => Promise<void>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = true;
    this.reset();
    this.#where = where;
    try {
      await work();
      this.#done = done;
      return true;
    } catch (error) {
      this.#error = failure(error);
      this.#onError(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
