/**
 * The window evaluator (窗口评价器): one tap rates, a 差评 asks for reasons, a thank-you returns
 * to the start by itself, and any unfinished step returns to the start after the hall's idle time.
 * A new app version is applied only while the start screen sits untouched.
 *
 * Armed mode (hall setting `armedRatingSeconds` above 0): the buttons stay closed until the
 * window's staff press 请评价 after serving a citizen; then one rating is taken within that many
 * seconds, counted down on screen, and the evaluator closes again after it or when time runs out.
 * It needs no network.
 */
import { openKioskDevice } from '../open-kiosk';
import type {
  Device,
  DeviceCredentials,
  DutySession,
  Unsubscribe,
  WriteErrorCode,
} from '../../app/device-api';
import type { DeviceRole } from '../../domain/device';
import type { Id } from '../../domain/ids';
import { isPoorRating, type PoorRatingReason, type RatingLevel } from '../../domain/rating';
import { DEFAULT_SETTINGS, type Reference } from '../../domain/reference';
import { INITIAL_STATUS, type SyncStatus } from '../../sync/status';
import { Countdown, browserTimers, type Timers } from '../timers';
import { writeErrorCode } from '../write-errors';

/** How long the thank-you stays before the start screen returns. */
export const THANKS_MS = 4_000;
/** How long the start screen must sit untouched before a waiting update is applied. */
export const UPDATE_IDLE_MS = 10_000;
/** A write that takes longer than this shows 正在保存 until it is committed. */
export const SAVING_SHOWN_AFTER_MS = 150;

export type EvaluatorPhase = 'loading' | 'notEnrolled' | 'wrongRole' | 'ready' | 'failed';
export type EvaluatorStep = 'start' | 'reasons' | 'saving' | 'thanks' | 'error';

export interface NamedPlace {
  name: string;
  nameEn?: string;
}

export interface EvaluatorDeps {
  openDevice: () => Promise<Device | null>;
  /**
   * What the start screen can show while the device still opens: this browser's evaluator and the
   * reference its start screen last showed (see start-snapshot.ts), or null when that is not known.
   * With it the buttons show at once; a tap made before the device is open waits for it.
   */
  startEarly?: () => Promise<{ credentials: DeviceCredentials; reference: Reference } | null>;
  /** Keep what the start screen shows with this reference, for the next cold start. */
  keepStart?: (credentials: DeviceCredentials, reference: Reference) => void;
  /** The app-update offer (see UpdateState). */
  updates: { onWaiting(listener: () => void): Unsubscribe; apply(): Promise<void> };
  timers?: Timers;
}

export class EvaluatorState {
  #deps: EvaluatorDeps;
  #timer: Countdown;
  /** The armed countdown's next second. */
  #armTimer: Countdown;
  #device: Device | null = null;
  /** The device once the opening under way has settled; null when it did not open for the screen. */
  #opening: Promise<Device | null> = Promise.resolve(null);
  /** The first start may show the start screen early; a retry waits for the device. */
  #firstStart = true;
  /** The rating being taken was opened by the staff's 请评价 (armed mode). */
  #invited = false;
  #unsubscribe: Unsubscribe[] = [];
  #updateWaiting = false;
  #stopped = false;
  /**
   * A rating is being written. Taps wait for it, and the screen does not change until it is
   * committed: a frame drawn in the middle of the transaction would delay the commit. Only a write
   * slower than {@link SAVING_SHOWN_AFTER_MS} shows 正在保存.
   */
  #writing = false;

  #phase = $state<EvaluatorPhase>('loading');
  /** The device is open (the start screen may show before it is, from what it last showed). */
  #opened = $state(false);
  #role = $state<DeviceRole | null>(null);
  #windowId = $state<Id | null>(null);
  #step = $state<EvaluatorStep>('start');
  #reference = $state.raw<Reference | null>(null);
  #status = $state.raw<SyncStatus>(INITIAL_STATUS);
  #level = $state<RatingLevel | null>(null);
  #reasons = $state<PoorRatingReason[]>([]);
  #comment = $state('');
  #needReason = $state(false);
  #error = $state<WriteErrorCode | null>(null);
  #onDuty = $state.raw<DutySession | null>(null);
  /** Seconds left to rate after 请评价, or null while not armed. */
  #armedLeft = $state<number | null>(null);

  constructor(deps: EvaluatorDeps) {
    this.#deps = deps;
    this.#timer = new Countdown(deps.timers ?? browserTimers);
    this.#armTimer = new Countdown(deps.timers ?? browserTimers);
  }

  get phase(): EvaluatorPhase {
    return this.#phase;
  }
  /** The device is open: its sync status and duty are known, and taps are written at once. */
  get opened(): boolean {
    return this.#opened;
  }
  get role(): DeviceRole | null {
    return this.#role;
  }
  get step(): EvaluatorStep {
    return this.#step;
  }
  get status(): SyncStatus {
    return this.#status;
  }
  get level(): RatingLevel | null {
    return this.#level;
  }
  get needReason(): boolean {
    return this.#needReason;
  }
  get error(): WriteErrorCode | null {
    return this.#error;
  }
  get revoked(): boolean {
    return this.#status.lastError === 'revoked';
  }

  get reasons(): PoorRatingReason[] {
    return this.#reasons;
  }
  set reasons(value: PoorRatingReason[]) {
    this.#reasons = value;
    if (value.length > 0) this.#needReason = false;
  }
  get comment(): string {
    return this.#comment;
  }
  set comment(value: string) {
    this.#comment = value;
    if (value.trim()) this.#needReason = false;
  }

  /** The window this tablet is bound to, once its reference data has arrived. */
  get window(): (NamedPlace & { id: string; code: string; departmentId: string }) | null {
    const id = this.#windowId;
    return (id && this.#reference?.windows[id]) || null;
  }
  get department(): NamedPlace | null {
    const w = this.window;
    return (w && this.#reference?.departments[w.departmentId]) || null;
  }
  /** The leader on duty (局长坐班) for this window or its department, by title. */
  get dutyLeader(): { title: string; titleEn?: string } | null {
    const session = this.#onDuty;
    return (session && this.#reference?.leaders[session.leaderId]) || null;
  }
  get hall(): NamedPlace | null {
    return this.#reference?.hall ?? null;
  }
  /** Seconds a rating is taken after 请评价; 0 when the hall does not use armed evaluators. */
  get armedSeconds(): number {
    return this.#reference?.settings.armedRatingSeconds ?? DEFAULT_SETTINGS.armedRatingSeconds;
  }
  /** Seconds left to rate after the staff pressed 请评价, or null while not armed. */
  get armedLeft(): number | null {
    return this.#armedLeft;
  }
  /** The buttons are closed: armed mode is on and the staff have not pressed 请评价. */
  get closed(): boolean {
    return this.armedSeconds > 0 && this.#armedLeft === null;
  }

  /** The staff's 请评价: open the buttons for one rating within the hall's armed seconds. */
  arm(): void {
    const seconds = this.armedSeconds;
    if (this.#phase !== 'ready' || seconds <= 0 || this.#step !== 'start') return;
    this.#armedLeft = seconds;
    this.#tick();
    this.#schedule();
  }

  #tick(): void {
    this.#armTimer.set(1000, () => {
      const left = (this.#armedLeft ?? 1) - 1;
      if (left <= 0) this.#disarm();
      else {
        this.#armedLeft = left;
        this.#tick();
      }
    });
  }

  #disarm(): void {
    this.#armTimer.clear();
    if (this.#armedLeft === null) return;
    this.#armedLeft = null;
    this.#schedule();
  }

  get idleMs(): number {
    return (this.#reference?.settings.kioskIdleSeconds ?? DEFAULT_SETTINGS.kioskIdleSeconds) * 1000;
  }

  async start(): Promise<void> {
    this.#phase = 'loading';
    this.#opened = false;
    let settled = false;
    const opening = openKioskDevice(this.#deps.openDevice, () => this.#stopped).finally(() => {
      settled = true;
    });
    const attached = opening.then((result) => this.#attach(result));
    this.#opening = attached;
    const early = this.#firstStart ? this.#deps.startEarly : undefined;
    this.#firstStart = false;
    if (early) {
      void early()
        .catch(() => null)
        .then((start) => {
          if (start && !settled && !this.#stopped && this.#phase === 'loading')
            this.#showEarly(start.credentials, start.reference);
        });
    }
    await attached;
  }

  /** The start screen from what it last showed, while the device still opens. */
  #showEarly(credentials: DeviceCredentials, reference: Reference): void {
    this.#role = credentials.role;
    this.#windowId = credentials.windowId;
    this.#reference = reference;
    this.#watchUpdates();
    this.#phase = 'ready';
    this.#schedule();
  }

  #watchUpdates(): void {
    this.#unsubscribe.push(
      this.#deps.updates.onWaiting(() => {
        this.#updateWaiting = true;
        this.#schedule();
      }),
    );
  }

  /** Take the opened device, or show why there is none; the device when the screen can use it. */
  #attach(opening: Awaited<ReturnType<typeof openKioskDevice>>): Device | null {
    if (opening.outcome !== 'opened') {
      if (opening.outcome !== 'stopped') this.#leaveEarly(opening.outcome);
      return null;
    }
    const device = opening.device;
    this.#device = device;
    this.#role = device.credentials.role;
    this.#windowId = device.credentials.windowId;
    if (device.credentials.role !== 'evaluator' || !device.credentials.windowId) {
      this.#leaveEarly('wrongRole');
      return null;
    }
    const early = this.#phase === 'ready';
    this.#unsubscribe.push(
      // The console may bind the tablet to another window; the device says so with the reference.
      device.onReference((ref) => {
        this.#windowId = device.credentials.windowId ?? this.#windowId;
        this.#reference = ref;
        this.#deps.keepStart?.(device.credentials, ref);
      }),
      device.onStatus((status) => (this.#status = status)),
      device.onDutyLeader?.((session) => (this.#onDuty = session)) ?? (() => {}),
    );
    if (!early) this.#watchUpdates();
    this.#opened = true;
    this.#phase = 'ready';
    this.#schedule();
    return device;
  }

  /** The device did not open for this screen: show why, with nothing of the early start left. */
  #leaveEarly(phase: Exclude<EvaluatorPhase, 'ready' | 'loading'>): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#timer.clear();
    this.#armTimer.clear();
    this.#armedLeft = null;
    this.#phase = phase;
    if (!this.#writing) this.#clearStep();
  }

  stop(): void {
    this.#stopped = true;
    this.#opened = false;
    this.#timer.clear();
    this.#armTimer.clear();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#device?.stop();
    this.#device = null;
  }

  /** A tap on a level: good and middling levels are saved at once, a 差评 asks why first. */
  choose(level: RatingLevel): void {
    if (this.#writing || this.#phase !== 'ready' || !this.window || this.revoked) return;
    if (this.#step !== 'start' && this.#step !== 'reasons') return;
    // Armed: a tap on the start screen takes the one rating 请评价 opened; closed, it takes none.
    if (this.#step === 'start' && this.closed) return;
    if (this.#step === 'start') {
      this.#invited = this.#armedLeft !== null;
      this.#disarm();
    }
    if (isPoorRating(level)) {
      this.#level = level;
      this.#step = 'reasons';
      this.#schedule();
      return;
    }
    void this.#record(level, [], '');
  }

  /** Submit the reasons step; without a ticked reason or a comment nothing is saved. */
  submitReasons(): void {
    if (this.#writing || this.#step !== 'reasons' || !this.#level) return;
    if (this.#reasons.length === 0 && !this.#comment.trim()) {
      this.#needReason = true;
      this.#schedule();
      return;
    }
    void this.#record(this.#level, [...this.#reasons], this.#comment.trim());
  }

  /** Back to the start, dropping anything unfinished. */
  reset(): void {
    if (this.#writing) return;
    this.#clearStep();
    this.#schedule();
  }

  #clearStep(): void {
    this.#step = 'start';
    this.#level = null;
    this.#reasons = [];
    this.#comment = '';
    this.#needReason = false;
    this.#error = null;
    this.#invited = false;
  }

  /** Any touch, key or input: restarts the idle countdown. */
  touch(): void {
    if (this.#phase === 'ready') this.#schedule();
  }

  async #record(level: RatingLevel, reasons: PoorRatingReason[], comment: string): Promise<void> {
    if (!this.window) return;
    this.#writing = true;
    this.#timer.set(SAVING_SHOWN_AFTER_MS, () => (this.#step = 'saving'));
    try {
      // Tapped on the start screen shown before the device opened: the tap waits for it.
      const waited = this.#device === null;
      const device = this.#device ?? (await this.#opening);
      const bound = this.window;
      // Nothing is taken when the device did not open, or when what it holds refuses this tap
      // where the screen shown from the last start did not (no window, revoked, or the buttons
      // closed until the staff's 请评价): the screen shows what the device says instead.
      if (
        !device ||
        this.#phase !== 'ready' ||
        !bound ||
        this.revoked ||
        (waited && this.armedSeconds > 0 && !this.#invited)
      ) {
        this.#timer.clear();
        this.#writing = false;
        this.reset();
        return;
      }
      await device.recordRating({
        level,
        reasons,
        comment,
        ticket: null,
        windowId: bound.id,
        departmentId: bound.departmentId,
      });
      this.#clearStep();
      this.#step = 'thanks';
    } catch (error) {
      this.#error = writeErrorCode(error);
      this.#step = 'error';
    } finally {
      this.#writing = false;
    }
    this.#schedule();
  }

  /** One countdown at a time, chosen by the step: thank-you, idle return, or idle update. */
  #schedule(): void {
    if (this.#writing) return; // the write schedules what follows it
    this.#timer.clear();
    if (this.#phase !== 'ready' || this.#stopped) return;
    switch (this.#step) {
      case 'thanks':
        this.#timer.set(THANKS_MS, () => this.reset());
        break;
      case 'reasons':
      case 'error':
        this.#timer.set(this.idleMs, () => this.reset());
        break;
      case 'start':
        // Never while a citizen has been invited to rate.
        if (this.#updateWaiting && this.#armedLeft === null)
          this.#timer.set(UPDATE_IDLE_MS, () => void this.#deps.updates.apply());
        break;
      case 'saving':
        break;
    }
  }
}
