/**
 * The citizen's rating page for one window (好差评 from the window card's QR code): load the
 * window, take one rating, save it on the phone first, then let it sync. The thank-you appears only
 * after the rating is durably saved. Below it, a phone that gave 差评 follows their handling.
 */
import type { Phone, Unsubscribe, WriteErrorCode } from '../../app/device-api';
import type { Id } from '../../domain/ids';
import { normalizeMobile } from '../../domain/mobile';
import {
  isPoorRating,
  TICKET_MAX,
  type PoorRatingReason,
  type RatingLevel,
} from '../../domain/rating';
import type { MessageKey } from '../../i18n';
import type { PublicWindowResponse } from '../../sync/protocol';
import { INITIAL_STATUS, type SyncStatus } from '../../sync/status';
import { isPoliteRefusal, writeErrorCode } from '../write-errors';
import { isQuotaError } from '../../storage/errors';
import { ProgressState } from './progress-state.svelte';

/**
 * The optional call-back number after a 差评: not asked yet, being kept, kept (and on its way to the
 * server), refused as not a mobile number, or not kept (the phone's storage failed).
 */
export type CallbackPhase = 'ask' | 'saving' | 'kept' | 'invalid' | 'failed';

export type RatePhase = 'loading' | 'linkError' | 'offline' | 'storageFull' | 'ready' | 'failed';

export interface RateDeps {
  loadPublicWindow(code: string, sig: string): Promise<PublicWindowResponse>;
  openPhone(code: string, sig: string, window: PublicWindowResponse): Promise<Phone>;
}

/** A window code as printed on cards; anything else cannot be a real card. */
const WINDOW_CODE = /^[A-Za-z0-9_-]{1,32}$/;

/** A rating the server later refused, with the reason code it gave. */
export interface Refusal {
  eventId: Id;
  reason: string | undefined;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class RateState {
  #deps: RateDeps;
  #code: string;
  #sig: string | null;
  #phone: Phone | null = null;
  #unsubscribe: Unsubscribe[] = [];
  #stopped = false;

  #phase = $state<RatePhase>('loading');
  #window = $state.raw<PublicWindowResponse | null>(null);
  #status = $state.raw<SyncStatus>(INITIAL_STATUS);
  #level = $state<RatingLevel | null>(null);
  #reasons = $state<PoorRatingReason[]>([]);
  #comment = $state('');
  #ticket = $state('');
  #invalid = $state<MessageKey | null>(null);
  #saving = $state(false);
  #error = $state<WriteErrorCode | null>(null);
  #thanked = $state<RatingLevel | null>(null);
  #thankedId: Id | null = null;
  #callbackNumber = $state('');
  #callback = $state<CallbackPhase>('ask');
  #refusals = $state.raw<Refusal[]>([]);
  #progress = $state.raw<ProgressState | null>(null);
  #lastSuccessAt: string | null = null;

  constructor(deps: RateDeps, windowCode: string, sig: string | null) {
    this.#deps = deps;
    this.#code = windowCode;
    this.#sig = sig;
  }

  get phase(): RatePhase {
    return this.#phase;
  }
  get window(): PublicWindowResponse | null {
    return this.#window;
  }
  get status(): SyncStatus {
    return this.#status;
  }
  get level(): RatingLevel | null {
    return this.#level;
  }
  get poor(): boolean {
    return this.#level !== null && isPoorRating(this.#level);
  }
  /** Why the last submit was not accepted by the form (nothing was saved). */
  get invalid(): MessageKey | null {
    return this.#invalid;
  }
  get saving(): boolean {
    return this.#saving;
  }
  get error(): WriteErrorCode | null {
    return this.#error;
  }
  /** The level just saved, while the thank-you shows. */
  get thanked(): RatingLevel | null {
    return this.#thanked;
  }
  /** The number typed for the call-back of the 差评 just thanked for. */
  get callbackNumber(): string {
    return this.#callbackNumber;
  }
  set callbackNumber(value: string) {
    this.#callbackNumber = value.slice(0, 20);
    if (this.#callback === 'invalid') this.#callback = 'ask';
  }
  get callback(): CallbackPhase {
    return this.#callback;
  }
  get refusals(): Refusal[] {
    return this.#refusals;
  }
  /** How this phone's 差评 are handled; null until the phone is open. */
  get progress(): ProgressState | null {
    return this.#progress;
  }

  get reasons(): PoorRatingReason[] {
    return this.#reasons;
  }
  set reasons(value: PoorRatingReason[]) {
    this.#reasons = value;
    if (value.length > 0 && this.#invalid === 'rating.needReason') this.#invalid = null;
  }
  get comment(): string {
    return this.#comment;
  }
  set comment(value: string) {
    this.#comment = value;
    if (value.trim() && this.#invalid === 'rating.needReason') this.#invalid = null;
  }
  get ticket(): string {
    return this.#ticket;
  }
  set ticket(value: string) {
    this.#ticket = value.slice(0, TICKET_MAX);
  }

  async start(): Promise<void> {
    const sig = this.#sig;
    if (!sig || !WINDOW_CODE.test(this.#code)) {
      this.#phase = 'linkError';
      return;
    }
    this.#phase = 'loading';
    let info: PublicWindowResponse;
    try {
      info = await this.#deps.loadPublicWindow(this.#code, sig);
    } catch (error) {
      const code = errorCode(error);
      this.#phase =
        code === 'offline_uncached'
          ? 'offline'
          : code === 'bad_signature' || code === 'unknown_window'
            ? 'linkError'
            : 'failed';
      return;
    }
    let phone: Phone;
    try {
      phone = await this.#deps.openPhone(this.#code, sig, info);
    } catch (error) {
      // The phone's storage cannot even hold its database: say so, not "check the network".
      this.#phase = isQuotaError(error) ? 'storageFull' : 'failed';
      return;
    }
    if (this.#stopped) {
      phone.stop();
      return;
    }
    this.#phone = phone;
    this.#window = info;
    const progress = new ProgressState(phone);
    this.#progress = progress;
    this.#unsubscribe.push(
      phone.onStatus((status) => {
        this.#status = status;
        // Back in touch with the server: ask again what could not be asked before.
        const synced = status.lastSuccessAt !== this.#lastSuccessAt;
        this.#lastSuccessAt = status.lastSuccessAt;
        if (synced && status.lastSuccessAt && progress.error) void progress.refresh();
      }),
      phone.onOutcome((eventId, outcome, reason) => {
        if (outcome === 'refused') this.#refusals = [...this.#refusals, { eventId, reason }];
        // A 差评 the server just stored, or a follow-up it answered, changes the progress shown.
        void progress.refresh();
      }),
    );
    this.#phase = 'ready';
    void progress.refresh();
  }

  stop(): void {
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#phone?.stop();
    this.#phone = null;
  }

  choose(level: RatingLevel): void {
    if (this.#saving) return;
    this.#level = level;
    this.#error = null;
    if (this.#invalid === 'rating.needLevel') this.#invalid = null;
    if (!isPoorRating(level)) {
      this.#reasons = [];
      if (this.#invalid === 'rating.needReason') this.#invalid = null;
    }
  }

  /** Check the form, then save; the thank-you shows only once the phone has committed it. */
  async submit(): Promise<void> {
    const phone = this.#phone;
    const info = this.#window;
    if (!phone || !info || this.#saving) return;
    const level = this.#level;
    if (!level) {
      this.#invalid = 'rating.needLevel';
      return;
    }
    const poor = isPoorRating(level);
    const comment = poor ? this.#comment.trim() : '';
    const reasons = poor ? [...this.#reasons] : [];
    if (poor && reasons.length === 0 && !comment) {
      this.#invalid = 'rating.needReason';
      return;
    }
    this.#invalid = null;
    this.#error = null;
    this.#saving = true;
    try {
      const saved = await phone.recordRating({
        level,
        reasons,
        comment,
        ticket: this.#ticket.trim() || null,
        windowId: info.window.id,
        departmentId: info.department.id,
      });
      this.#thanked = level;
      this.#thankedId = saved.id;
      this.#callbackNumber = '';
      this.#callback = 'ask';
      this.#clearForm();
    } catch (error) {
      const code = writeErrorCode(error);
      this.#error = code;
      // An already-counted rating is not the citizen's problem to fix: start afresh.
      if (isPoliteRefusal(code)) this.#clearForm();
    } finally {
      this.#saving = false;
    }
  }

  /**
   * Keep the citizen's number for the call-back of the 差评 just given. It goes to the server on
   * its own, never inside the rating, and is erased there when the problem closes.
   */
  async leaveNumber(): Promise<void> {
    const phone = this.#phone;
    const ratingId = this.#thankedId;
    if (!phone || !ratingId || this.#callback === 'saving' || this.#callback === 'kept') return;
    if (normalizeMobile(this.#callbackNumber) === null) {
      this.#callback = 'invalid';
      return;
    }
    this.#callback = 'saving';
    try {
      await phone.leaveCallbackNumber(ratingId, this.#callbackNumber);
      this.#callback = 'kept';
      this.#callbackNumber = '';
    } catch {
      this.#callback = 'failed';
    }
  }

  /** After the thank-you: rate another service at the same window. */
  again(): void {
    this.#thanked = null;
    this.#thankedId = null;
    this.#callbackNumber = '';
    this.#callback = 'ask';
    this.#error = null;
    this.#clearForm();
  }

  #clearForm(): void {
    this.#level = null;
    this.#reasons = [];
    this.#comment = '';
    this.#ticket = '';
    this.#invalid = null;
  }
}
