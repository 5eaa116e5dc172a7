/**
 * The PIN step of the kiosks that sign a leader in on the device (局长坐班终端, 走流程巡查平板):
 * the digits typed so far (shown masked), why the last PIN was refused, and a lockout counting
 * down by the second. Checking the PIN is the screen's business: it hands the check to `submit`.
 */
import { SignInError } from '../app/device-api';
import { PIN_PATTERN } from '../domain/pin';
import { Countdown, browserTimers, type Timers } from './timers';

/** Longest PIN the pad takes (PINs are 4–8 digits). */
export const PIN_MAX = 8;
/** Shortest PIN the pad offers to submit. */
export const PIN_MIN = 4;

export type PinProblem =
  | { code: 'wrong_pin'; failuresLeft: number }
  | { code: 'locked' }
  | { code: 'no_pin' | 'unknown_leader' | 'pin_format' | 'storage' };

export interface PinEntryDeps {
  /** Whether the pad takes digits now (its step is on screen). */
  accepting?: () => boolean;
  /** Called after every key and every check: the screen restarts its idle countdown. */
  onActivity?: () => void;
  timers?: Timers;
  now?: () => number;
}

export class PinEntry {
  #accepting: () => boolean;
  #onActivity: () => void;
  #now: () => number;
  #tick: Countdown;

  #digits = $state('');
  #problem = $state.raw<PinProblem | null>(null);
  #lockedUntil = $state<number | null>(null);
  #nowMs = $state(0);
  #busy = $state(false);

  constructor(deps: PinEntryDeps = {}) {
    this.#accepting = deps.accepting ?? (() => true);
    this.#onActivity = deps.onActivity ?? (() => {});
    this.#now = deps.now ?? (() => Date.now());
    this.#tick = new Countdown(deps.timers ?? browserTimers);
  }

  /** How many digits are typed (the digits themselves never leave this class but to the check). */
  get length(): number {
    return this.#digits.length;
  }
  get problem(): PinProblem | null {
    return this.#problem;
  }
  /** Time left of a lockout of the chosen leader (ms), 0 when none. */
  get remainingMs(): number {
    return this.#lockedUntil === null ? 0 : Math.max(0, this.#lockedUntil - this.#nowMs);
  }
  get locked(): boolean {
    return this.remainingMs > 0;
  }
  /** A check is running. */
  get busy(): boolean {
    return this.#busy;
  }
  /** Enough digits typed, no check running and no lockout: the submit key is offered. */
  get canSubmit(): boolean {
    return !this.locked && !this.#busy && this.#digits.length >= PIN_MIN;
  }

  pressDigit(digit: string): void {
    if (!this.#accepting() || this.locked || this.#busy) return;
    if (!/^\d$/.test(digit) || this.#digits.length >= PIN_MAX) return;
    this.#digits += digit;
    if (this.#problem?.code !== 'wrong_pin') this.#problem = null;
    this.#onActivity();
  }
  backspace(): void {
    this.#digits = this.#digits.slice(0, -1);
    this.#onActivity();
  }
  clear(): void {
    this.#digits = '';
    this.#onActivity();
  }

  /** A fresh pad: no digits, no problem, no lockout shown. */
  reset(): void {
    this.#digits = '';
    this.#problem = null;
    this.#lockedUntil = null;
    this.#tick.clear();
  }

  /**
   * Hand the typed PIN to `check` (which signs the leader in and shows what follows), clearing the
   * pad first; a refusal (SignInError) is kept as the problem shown, a lockout starts counting.
   */
  async submit(check: (pin: string) => Promise<void>): Promise<void> {
    if (this.#busy || this.locked) return;
    if (!PIN_PATTERN.test(this.#digits)) {
      this.#problem = { code: 'pin_format' };
      return;
    }
    this.#busy = true;
    const pin = this.#digits;
    this.#digits = '';
    try {
      await check(pin);
      this.#problem = null;
      this.#tick.clear();
    } catch (error) {
      this.#problem = pinProblemOf(error);
      if (error instanceof SignInError && error.code === 'locked') this.lock(error.remainingMs);
    } finally {
      this.#busy = false;
      this.#onActivity();
    }
  }

  /** A lockout counting down by the second; when it ends, the pad takes a PIN again. */
  lock(remainingMs: number): void {
    this.#nowMs = this.#now();
    this.#lockedUntil = this.#nowMs + remainingMs;
    const tick = () => {
      this.#nowMs = this.#now();
      if (this.locked) this.#tick.set(Math.min(1_000, this.remainingMs), tick);
      else if (this.#problem?.code === 'locked') this.#problem = null;
    };
    this.#tick.set(Math.min(1_000, remainingMs), tick);
  }

  /** Stops the lockout countdown (the screen is going away). */
  stop(): void {
    this.#tick.clear();
  }
}

/** Why a sign-in was refused, as the pad tells it. */
export function pinProblemOf(error: unknown): PinProblem {
  if (!(error instanceof SignInError)) return { code: 'storage' };
  switch (error.code) {
    case 'locked':
      return { code: 'locked' };
    case 'wrong_pin':
      return { code: 'wrong_pin', failuresLeft: error.failuresLeft };
    case 'no_pin':
    case 'unknown_leader':
      return { code: error.code };
    default:
      return { code: 'storage' };
  }
}

/** Remaining time as m:ss, rounded up to the second (a lockout never shows 0:00 while on). */
export function remainingText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}
