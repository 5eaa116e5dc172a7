/**
 * The device layer of a citizen's phone rating a window from its card (design §5): no account,
 * a random phone id, its own hash-chained log pushed to the public ratings endpoint under the
 * card's signature. The card is cached so the page works offline after a first visit. The same
 * phone follows how its 差评 are handled and may rate again once one is rectified (追评).
 */
import type { Id } from '../domain/ids';
import { normalizeMobile } from '../domain/mobile';
import type { RatingLevel } from '../domain/rating';
import { PHONE_DB_NAME, type DbEnvironment } from '../storage/db';
import { requestPersistentStorage } from '../storage/persist';
import { FollowUpRepository, type LocalFollowUp } from '../storage/follow-up-repository';
import { DeviceSettings, deviceSettings } from '../storage/settings';
import { DeviceClock, LocalStore } from '../storage/store';
import type { RoundResult } from '../sync/engine';
import { HttpError, NetworkError } from '../sync/errors';
import {
  MAX_PROGRESS_RATINGS,
  type PublicProgressItem,
  type PublicProgressRequest,
  type PublicProgressResponse,
} from '../sync/pipeline-protocol';
import { API, type EventOutcome, type PublicWindowResponse } from '../sync/protocol';
import { PHONE_SYNC_LOCK, startSession, type Session, type SessionOptions } from '../sync/session';
import { StatusStore } from '../sync/status-store';
import { httpOptions, phoneApi, requestJson, type HttpOptions } from '../sync/transport';
import { captureRating, ratingPayload } from './capture';
import { WriteError, type Phone, type RatingInput, type Unsubscribe } from './device-api';

export { WriteError };
export { FollowUpRefusal, type FollowUpRefusalCode } from '../storage/follow-up-repository';

export type PublicWindowErrorCode = 'bad_signature' | 'unknown_window' | 'offline_uncached';

export class PublicWindowError extends Error {
  constructor(
    readonly code: PublicWindowErrorCode,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'PublicWindowError';
  }
}

/** Why the progress of this phone's 差评 could not be shown; the screen words the code. */
export type ProgressErrorCode =
  /** No answer from the server (no network, or too slow). */
  | 'offline'
  /** The server answered but could not tell (busy, or a refusal). */
  | 'failed';

export class ProgressError extends Error {
  constructor(
    readonly code: ProgressErrorCode,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'ProgressError';
  }
}

/** A phone waits this long for the progress of its 差评. */
export const PROGRESS_TIMEOUT_MS = 8000;

/**
 * The server's view of this phone's 差评 with the follow-ups saved here that it has not seen yet:
 * a follow-up given on this phone shows at once, and is not offered twice while it waits to sync.
 * Newest first.
 */
export function withLocalFollowUps(
  items: readonly PublicProgressItem[],
  local: readonly LocalFollowUp[],
): PublicProgressItem[] {
  const given = new Map<Id, LocalFollowUp>();
  for (const f of local)
    if (f.status !== 'rejected' && !given.has(f.ratingId)) given.set(f.ratingId, f);
  return items
    .map((item) => {
      const mine = given.get(item.ratingId);
      if (!mine || item.progress.followUp) return item;
      return {
        ...item,
        progress: {
          ...item.progress,
          canFollowUp: false,
          followUp: { level: mine.level, comment: mine.comment, at: mine.at },
        },
      };
    })
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

export interface PhoneOptions extends SessionOptions {
  settings?: DeviceSettings;
  dbName?: string;
  db?: DbEnvironment;
}

/** A phone waits this long for the card before falling back to its cached copy. */
export const WINDOW_TIMEOUT_MS = 4000;

/**
 * The window a card points at: from the network when it answers quickly, else the copy cached on
 * this phone by an earlier visit with the same signature.
 */
export async function loadPublicWindow(
  code: string,
  sig: string,
  options: Pick<PhoneOptions, 'baseUrl' | 'fetch' | 'settings' | 'timeoutMs' | 'now'> = {},
): Promise<PublicWindowResponse> {
  if (!code || !sig) throw new PublicWindowError('bad_signature', 'the card link is incomplete');
  const settings = options.settings ?? deviceSettings();
  const http = httpOptions(options);
  const path = `${API}/public/windows/${encodeURIComponent(code)}?s=${encodeURIComponent(sig)}`;
  const fromCache = async () => {
    const cached = await settings.loadWindow(code).catch(() => undefined);
    if (cached && cached.sig === sig) return cached.window;
    throw new PublicWindowError(
      'offline_uncached',
      'this card has not been opened here with a network yet',
    );
  };
  // When the browser knows it is offline, do not wait for a request that cannot succeed.
  if (globalThis.navigator?.onLine === false) return fromCache();
  try {
    const window = await requestJson<PublicWindowResponse>(
      http,
      'GET',
      path,
      undefined,
      options.timeoutMs ?? WINDOW_TIMEOUT_MS,
    );
    await settings.saveWindow(code, sig, window, options.now?.()).catch(() => undefined);
    return window;
  } catch (error) {
    if (
      error instanceof HttpError &&
      error.status >= 400 &&
      error.status < 500 &&
      error.status !== 429
    ) {
      const unknown = error.status === 404 || error.body?.error === 'unknown_window';
      const cached = await settings.loadWindow(code).catch(() => undefined);
      // The server's word overrides the cache: a window closed or a card re-signed.
      if (unknown || cached?.sig === sig) await settings.dropWindow(code).catch(() => undefined);
      throw new PublicWindowError(
        unknown ? 'unknown_window' : 'bad_signature',
        error.body?.message,
      );
    }
    return fromCache();
  }
}

type OutcomeListener = (eventId: Id, outcome: 'stored' | 'refused', reason?: string) => void;

/** A phone rating one window. */
export class PhoneSession implements Phone {
  readonly status = new StatusStore();
  /** This phone's follow-up ratings (追评) and the 差评 they may follow. */
  readonly followUps: FollowUpRepository;
  readonly #outcomeListeners = new Set<OutcomeListener>();
  readonly #session: Session;
  readonly #http: HttpOptions;
  readonly #progressTimeoutMs: number;
  readonly #settings: DeviceSettings;
  #sendingNumbers: Promise<void> | null = null;

  private constructor(
    readonly phoneId: Id,
    readonly store: LocalStore,
    private readonly code: string,
    private readonly sig: string,
    readonly window: PublicWindowResponse,
    options: PhoneOptions,
  ) {
    this.status.update({ clockOffsetMs: store.clock.offsetMs });
    this.followUps = new FollowUpRepository(store.db, store.clock);
    this.#http = httpOptions(options);
    this.#progressTimeoutMs = options.timeoutMs ?? PROGRESS_TIMEOUT_MS;
    this.#settings = options.settings ?? deviceSettings();
    this.#session = startSession({
      store,
      api: phoneApi(httpOptions(options)),
      status: this.status,
      lockName: PHONE_SYNC_LOCK,
      channelName: 'hall-kiosk-phone',
      options,
      onOutcomes: (results) => this.#report(results),
    });
  }

  static async open(
    code: string,
    sig: string,
    window: PublicWindowResponse,
    options: PhoneOptions = {},
  ): Promise<PhoneSession> {
    const settings = options.settings ?? deviceSettings();
    const phoneId = await settings.phoneId();
    const store = await LocalStore.open(options.dbName ?? PHONE_DB_NAME, phoneId, {
      ...(options.db ? { env: options.db } : {}),
      ...(options.now ? { clock: new DeviceClock(options.now) } : {}),
    });
    const phone = new PhoneSession(phoneId, store, code, sig, window, { ...options, settings });
    await phone.#session.engine.refreshCounts();
    // Numbers left on an earlier visit that never reached the server.
    void phone.sendCallbackNumbers();
    return phone;
  }

  get engine() {
    return this.#session.engine;
  }

  recordRating(input: RatingInput) {
    return captureRating(this.status, this.#session, () =>
      this.store.ratings.record({
        hallId: this.window.hallId,
        deviceId: this.phoneId,
        payload: ratingPayload(input, 'qr', this.phoneId),
        route: { windowCode: this.code, sig: this.sig },
        refuseDuplicateTicket: true,
        minIntervalMs: this.window.settings.phoneRatingIntervalMinutes * 60_000,
      }),
    );
  }

  /**
   * Ask the server how this phone's 差评 are being handled, in one request. Answers [] without a
   * request when the server stored no 差评 of this phone. Rejects with a ProgressError.
   */
  async progress(): Promise<PublicProgressItem[]> {
    const ratings = await this.followUps.poorRatings(MAX_PROGRESS_RATINGS);
    if (ratings.length === 0) return [];
    if (globalThis.navigator?.onLine === false)
      throw new ProgressError('offline', 'the browser is offline');
    const request: PublicProgressRequest = {
      phoneId: this.phoneId,
      ratingIds: ratings.map((r) => r.id),
    };
    let body: PublicProgressResponse;
    try {
      body = await requestJson<PublicProgressResponse>(
        this.#http,
        'POST',
        `${API}/public/progress`,
        request,
        this.#progressTimeoutMs,
      );
    } catch (error) {
      if (error instanceof NetworkError) throw new ProgressError('offline', error.message);
      throw new ProgressError('failed', error instanceof Error ? error.message : String(error));
    }
    if (!Array.isArray(body.items))
      throw new ProgressError('failed', 'progress answer has the wrong shape');
    return withLocalFollowUps(body.items, await this.followUps.all());
  }

  /** Save a follow-up rating (追评) of one of this phone's 差评 here, then let it sync. */
  async followUp(ratingId: Id, level: RatingLevel, comment: string): Promise<void> {
    await captureRating(this.status, this.#session, () =>
      this.followUps.record({ phoneId: this.phoneId, ratingId, level, comment: comment.trim() }),
    );
  }

  /**
   * Keep a number for the call-back of one of this phone's 差评, then hand it to the server once
   * the rating is there. Refuses a number that is not a mainland mobile number.
   */
  async leaveCallbackNumber(ratingId: Id, number: string): Promise<void> {
    const mobile = normalizeMobile(number);
    if (mobile === null) throw new RangeError('not a mainland mobile number');
    const pending = await this.#settings.loadCallbackNumbers();
    await this.#settings.saveCallbackNumbers([
      ...pending.filter((n) => n.ratingId !== ratingId),
      { ratingId, number: mobile, windowCode: this.code, sig: this.sig },
    ]);
    void this.sendCallbackNumbers();
  }

  /** Call-back numbers kept here, waiting for the server. */
  async pendingCallbackNumbers(): Promise<number> {
    return (await this.#settings.loadCallbackNumbers()).length;
  }

  /**
   * Hand the kept numbers whose rating the server has stored to the server, one request each, and
   * forget each once the server has it (or has said it never will). One round at a time.
   */
  sendCallbackNumbers(): Promise<void> {
    this.#sendingNumbers ??= this.#sendNumbers().finally(() => (this.#sendingNumbers = null));
    return this.#sendingNumbers;
  }

  async #sendNumbers(): Promise<void> {
    const pending = await this.#settings.loadCallbackNumbers().catch(() => []);
    const done = new Set<Id>();
    for (const n of pending) {
      const status = await this.store.log.statusOf(n.ratingId).catch(() => undefined);
      if (status === 'pending') continue; // the rating itself has not reached the server
      if (status === 'rejected') {
        done.add(n.ratingId); // refused: there is nothing to call back about
        continue;
      }
      try {
        await requestJson(this.#http, 'POST', `${API}/public/callback-number`, {
          ratingId: n.ratingId,
          phoneId: this.phoneId,
          windowCode: n.windowCode,
          sig: n.sig,
          number: n.number,
        });
        done.add(n.ratingId);
      } catch (error) {
        // A refusal is final (a bad number, a rating that is not this phone's 差评); anything
        // else — no network, a busy server — is tried again after the next sync.
        if (error instanceof HttpError && error.status >= 400 && error.status < 500) {
          if (error.status !== 429 && error.status !== 408) done.add(n.ratingId);
        }
      }
    }
    if (done.size === 0) return;
    const now = await this.#settings.loadCallbackNumbers();
    await this.#settings.saveCallbackNumbers(now.filter((n) => !done.has(n.ratingId)));
  }

  onStatus(cb: Parameters<StatusStore['subscribe']>[0]): Unsubscribe {
    return this.status.subscribe(cb);
  }

  onOutcome(cb: OutcomeListener): Unsubscribe {
    this.#outcomeListeners.add(cb);
    return () => void this.#outcomeListeners.delete(cb);
  }

  requestSync(): void {
    this.#session.requestSync();
  }

  syncNow(): Promise<RoundResult> {
    return this.#session.syncNow();
  }

  stop(): void {
    this.#session.stop();
    this.store.close();
  }

  #report(results: EventOutcome[]): void {
    if (results.length > 0) void this.sendCallbackNumbers();
    for (const r of results) {
      const refused = r.status === 'rejected';
      for (const cb of [...this.#outcomeListeners]) {
        if (refused) cb(r.id, 'refused', r.reason);
        else cb(r.id, 'stored');
      }
    }
  }
}

/** Start rating the window of a card on this phone. */
export async function openPhone(
  code: string,
  sig: string,
  window: PublicWindowResponse,
  options: PhoneOptions = {},
): Promise<PhoneSession> {
  void requestPersistentStorage();
  return PhoneSession.open(code, sig, window, options);
}
