/**
 * The sync engine (design §4): pushes the device's own log in batches and pulls the hall's
 * events page by page. Decisions are the pure functions beside it; I/O (server, storage, clock,
 * timers, randomness) is injected, so the whole engine runs in Node tests.
 *
 * Order within a round: commit to storage, then update memory, then notify listeners. Rounds never
 * overlap: a request during a round schedules exactly one more round after it.
 */
import type { Reference } from '../domain/reference';
import { retryDelay } from './backoff';
import { PUSH_LIMITS, nextBatch, type BatchLimits } from './batch';
import { OFFSET_TOLERANCE_MS, clockOffsetMs } from './clock';
import { HttpError, SyncError, classifyError, type SyncErrorCode } from './errors';
import { settlePush, type Settlement } from './outcomes';
import {
  PULL_PAGE,
  type EventOutcome,
  type PulledDevice,
  type PulledEvent,
  type RosterPinsResponse,
} from './protocol';
import type { DeviceHealth } from './report-protocol';
import { StatusStore } from './status-store';
import type { OutboxEntry, SyncApi } from './transport';

/** The local store as the engine needs it (implemented by LocalStore in src/storage/store.ts). */
export interface SyncStore {
  /** Own events not yet acknowledged, oldest first. */
  pending(limit: number): Promise<OutboxEntry[]>;
  /** Own events after `deviceSeq`, whatever their state (resend after a gap). */
  after(deviceSeq: number, limit: number): Promise<OutboxEntry[]>;
  has(deviceSeq: number): Promise<boolean>;
  settle(settlement: Settlement, settledAt: string): Promise<void>;
  counts(): Promise<{ pending: number; rejected: number }>;
  /** Photos waiting for their upload, and those the server refused for good. */
  photoCounts?(): Promise<{ pendingPhotos: number; refusedPhotos: number }>;
  cursor(): Promise<number>;
  /** Commit one pulled page with its cursor in one transaction; returns the folded reference. */
  applyPage(events: PulledEvent[], cursor: number): Promise<Reference>;
  setClockOffset(offsetMs: number): Promise<void>;
  /** Duty kiosks: keep the roster's PIN hashes (peppered) for offline sign-in. */
  savePins?(pins: RosterPinsResponse['pins']): Promise<void>;
  /** Photos taken here and not uploaded yet (nor refused for good), oldest first. */
  pendingPhotos?(limit: number): Promise<PhotoUpload[]>;
  /** The server has the photo (it answered 200/201). */
  photoUploaded?(sha256: string): Promise<void>;
  /** The server refused the photo's bytes for good; keep them with the reason, send no more. */
  photoRefused?(sha256: string, reason: string): Promise<void>;
}

/** A photo waiting for its upload. */
export interface PhotoUpload {
  sha256: string;
  bytes: ArrayBuffer;
  /** The image type, sent as the upload's Content-Type so the server serves it as an image. */
  type?: string;
}

/** Photos read from storage per step of the upload loop (they are a few hundred KB each). */
const PHOTO_BATCH = 4;

type TimerHandle = unknown;

export interface SyncEngineOptions {
  api: SyncApi;
  store: SyncStore;
  /** Device clock (ms). */
  now?: () => number;
  random?: () => number;
  setTimeout?: (fn: () => void, ms: number) => TimerHandle;
  clearTimeout?: (handle: TimerHandle) => void;
  status?: StatusStore;
  limits?: BatchLimits;
  /** Events per pull page. */
  pullLimit?: number;
  /** The server's answer for each event pushed (phones report refusals from this). */
  onOutcomes?: (results: EventOutcome[]) => void;
  /** Reference data after a pulled page committed. */
  onReference?: (ref: Reference) => void;
  /** After photos were uploaded (or refused) in a round. */
  onPhotos?: () => void;
  /**
   * The device's storage and app version, asked once per round before its first push and sent
   * with it. A provider that fails or answers nothing leaves the push without it.
   */
  health?: () => Promise<DeviceHealth | null>;
  /** The server's view of this device (its name and window), after each pull that carries it. */
  onDevice?: (device: PulledDevice) => void;
}

export interface RoundResult {
  ok: boolean;
  error: SyncErrorCode | null;
  /** Own events the server settled in this round. */
  pushed: number;
  /** Hall events pulled in this round. */
  pulled: number;
  /** Photos the server took in this round. */
  uploaded: number;
}

/** How many times one round follows the server's `gap` answers before giving up. */
const MAX_GAP_RESENDS = 3;

export class SyncEngine {
  readonly status: StatusStore;
  readonly #api: SyncApi;
  readonly #store: SyncStore;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #setTimeout: (fn: () => void, ms: number) => TimerHandle;
  readonly #clearTimeout: (handle: TimerHandle) => void;
  readonly #limits: BatchLimits;
  readonly #pullLimit: number;
  readonly #onOutcomes: ((results: EventOutcome[]) => void) | undefined;
  readonly #onReference: ((ref: Reference) => void) | undefined;
  readonly #onPhotos: (() => void) | undefined;
  readonly #health: (() => Promise<DeviceHealth | null>) | undefined;
  readonly #onDevice: ((device: PulledDevice) => void) | undefined;

  #current: Promise<RoundResult> | null = null;
  #queued: Promise<RoundResult> | null = null;
  #timer: TimerHandle | null = null;
  #timerAt = 0;
  /** The pending timer is a backoff retry, which ordinary requests do not bring forward. */
  #backingOff = false;
  #retryDelay: number | null = null;
  /** The pending timer was set by writes (`maxWaitMs`), so a further write may move it later. */
  #timerForWrites = false;
  /** When the first write not yet taken by a round asked for one. */
  #writesSince: number | null = null;
  #failures = 0;
  #stopped = false;

  constructor(options: SyncEngineOptions) {
    this.#api = options.api;
    this.#store = options.store;
    this.#now = options.now ?? (() => Date.now());
    this.#random = options.random ?? Math.random;
    this.#setTimeout = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this.#clearTimeout =
      options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
    this.status = options.status ?? new StatusStore();
    this.#limits = options.limits ?? PUSH_LIMITS;
    this.#pullLimit = options.pullLimit ?? PULL_PAGE;
    this.#onOutcomes = options.onOutcomes;
    this.#onReference = options.onReference;
    this.#onPhotos = options.onPhotos;
    this.#health = options.health;
    this.#onDevice = options.onDevice;
  }

  /** Consecutive failed rounds since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Delay of the backoff retry now scheduled, or null. */
  get retryDelayMs(): number | null {
    return this.#backingOff ? this.#retryDelay : null;
  }

  /**
   * Run one round now: push everything pending, pull until the server has no more, then upload
   * the photos not uploaded yet (a finding reaches the server before its photos do). If a
   * round is running, the returned promise is that of the one round queued after it.
   */
  syncOnce(): Promise<RoundResult> {
    if (this.#queued) return this.#queued;
    if (!this.#current) return this.#start();
    this.#queued = this.#current.then(() => {
      this.#queued = null;
      return this.#start();
    });
    return this.#queued;
  }

  /** Resolves once no round is running or queued (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#current || this.#queued) await (this.#queued ?? this.#current);
  }

  /**
   * Ask for a round after `delayMs` (coalesced with any earlier request). While backing off after
   * a failure, only a `force`d request (the network came back, the app became visible) comes
   * before the scheduled retry.
   */
  requestSync(delayMs = 0, options: { force?: boolean; maxWaitMs?: number } = {}): void {
    if (this.#stopped) return;
    if (this.#backingOff && !options.force) return;
    const now = this.#now();
    if (options.maxWaitMs !== undefined)
      return this.#requestAfterWrite(now, delayMs, options.maxWaitMs);
    const at = now + delayMs;
    if (this.#timer !== null && !this.#backingOff && this.#timerAt <= at) {
      // The round set by writes now also answers this request: later writes no longer move it.
      this.#timerForWrites = false;
      return;
    }
    this.#schedule(delayMs, false);
  }

  /**
   * A local write asks for a round `delayMs` after it, and each further write moves that round on,
   * up to `maxWaitMs` after the first write still waiting: a stream of taps is synced once it
   * pauses (or every `maxWaitMs` while it goes on), not in the middle of it, where the round's
   * IndexedDB work would hold up the next tap's commit. A round asked for otherwise (start, the
   * network back, the interval) that comes sooner is kept, and takes the writes.
   */
  #requestAfterWrite(now: number, delayMs: number, maxWaitMs: number): void {
    this.#writesSince ??= now;
    const at = Math.max(now, Math.min(now + delayMs, this.#writesSince + maxWaitMs));
    if (this.#timer !== null && !this.#timerForWrites && this.#timerAt <= at) return;
    this.#schedule(at - now, false);
    this.#timerForWrites = true;
  }

  /** Recount pending and rejected events and photos into the status (after a local write). */
  async refreshCounts(): Promise<void> {
    this.status.update(await this.#counts());
  }

  /**
   * What waits, for the status: own events and photos not uploaded yet. A photo the server
   * refused for good counts among the refused records shown to staff.
   */
  async #counts(): Promise<{ pending: number; rejected: number; pendingPhotos: number }> {
    const [log, photos] = await Promise.all([
      this.#store.counts(),
      this.#store.photoCounts?.() ?? { pendingPhotos: 0, refusedPhotos: 0 },
    ]);
    return {
      pending: log.pending,
      rejected: log.rejected + photos.refusedPhotos,
      pendingPhotos: photos.pendingPhotos,
    };
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelTimer();
  }

  #schedule(delayMs: number, backingOff: boolean): void {
    this.#cancelTimer();
    this.#timerForWrites = false;
    this.#backingOff = backingOff;
    this.#retryDelay = backingOff ? delayMs : null;
    this.#timerAt = this.#now() + delayMs;
    this.#timer = this.#setTimeout(() => {
      this.#timer = null;
      this.#backingOff = false;
      void this.syncOnce();
    }, delayMs);
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.#clearTimeout(this.#timer);
    this.#timer = null;
    this.#backingOff = false;
    this.#retryDelay = null;
  }

  #start(): Promise<RoundResult> {
    // This round takes every write made so far; a write from now on waits for its own.
    this.#writesSince = null;
    const round = this.#round().finally(() => {
      if (this.#current === round) this.#current = null;
    });
    this.#current = round;
    return round;
  }

  async #round(): Promise<RoundResult> {
    // A round now makes any scheduled one (a request or a backoff retry) redundant. Requests made
    // while it runs schedule afresh: what they ask for may come too late for this round.
    this.#cancelTimer();
    this.status.update({ syncing: true });
    let pushed = 0;
    let pulled = 0;
    let uploaded = 0;
    try {
      // The browser knows it has no network: do not knock; the `online` event brings us back.
      if (!this.status.get().online) throw new SyncError('offline', 'the device is offline');
      pushed = await this.#pushAll();
      pulled = await this.#pullAll();
      await this.#fetchRoster();
      uploaded = await this.#uploadPhotos();
      this.#failures = 0;
      this.status.update({
        ...(await this.#counts()),
        syncing: false,
        lastError: null,
        lastSuccessAt: new Date(this.#now()).toISOString(),
      });
      return { ok: true, error: null, pushed, pulled, uploaded };
    } catch (error) {
      const { code, retryable, retryAfterMs } = classifyError(error);
      const attempt = this.#failures++;
      if (retryable && !this.#stopped)
        this.#schedule(retryDelay(attempt, this.#random, retryAfterMs), true);
      let counts = {};
      try {
        counts = await this.#counts();
      } catch {
        // Storage trouble is already what this round reports.
      }
      this.status.update({ ...counts, syncing: false, lastError: code });
      return { ok: false, error: code, pushed, pulled, uploaded };
    }
  }

  /**
   * Push everything pending, batch after batch, one push in flight at a time and in deviceSeq
   * order. A batch's answers are recorded while the next batch is read and pushed: the server
   * has already processed the batch (it answered), so the next one may follow it at once, and
   * the two never overlap on the server. At most one recording runs behind the push in flight,
   * and the round never ends before it has committed (or failed: its failure is the round's).
   *
   * Why this is safe: the device marks an event acknowledged only from the server's answer for
   * it, whenever that answer is recorded; a device that dies with an answer unrecorded pushes
   * those events again next round, and the server answers `duplicate` for every deviceSeq at or
   * below its lastSeq. The next batch starts after the last event of one the server settled
   * entirely; an answer that settles fewer events than were sent waits for its recording and
   * reads what is still pending, as every batch did before. That next batch is read while the
   * push before it is in flight, and used only if that push is settled whole.
   */
  async #pushAll(): Promise<number> {
    const done = { settled: 0 };
    let resendAfter: number | null = null;
    /** The next batch starts after this deviceSeq: the previous batch, settled whole. */
    let nextAfter: number | null = null;
    let gaps = 0;
    let { pending } = await this.#store.counts();
    const group = this.#api.group?.bind(this.#api);
    let health: DeviceHealth | undefined | null;
    let recording: Promise<void> | null = null;
    /** The batch after the push in flight, read while it travels. */
    let upcoming: { after: number; batch: Promise<OutboxEntry[]> } | null = null;
    const read = async (after: number | null): Promise<OutboxEntry[]> => {
      const queue =
        after === null
          ? await this.#store.pending(this.#limits.maxEvents)
          : await this.#store.after(after, this.#limits.maxEvents);
      return nextBatch(queue, this.#limits, group);
    };
    try {
      for (;;) {
        const from: number | null = resendAfter ?? nextAfter;
        const batch: OutboxEntry[] =
          upcoming && resendAfter === null && upcoming.after === nextAfter
            ? await upcoming.batch
            : await read(from);
        if (upcoming) await upcoming.batch.catch(() => undefined);
        upcoming = null;
        if (batch.length === 0) break;
        if (resendAfter === null) {
          const after = batch[batch.length - 1]!.deviceSeq;
          upcoming = { after, batch: read(after) };
          // A read failure is reported where the batch is used; an unused one reports nothing.
          upcoming.batch.catch(() => undefined);
        }
        // Asked lazily: a round with nothing to push asks nothing; the round's first push carries it.
        if (health === undefined) health = await this.#readHealth();
        // A push that travels beside a recording may be answered while this device is busy
        // recording, which would skew the time it measures: only a push alone teaches the clock.
        const alone = recording === null;
        const sentAt = this.#now();
        let answer;
        try {
          answer = await this.#api.push(batch, pending, health ?? undefined);
          health = null;
        } catch (error) {
          // The answers already received are recorded first; a failure to record them (storage
          // full) is what the round reports, before any trouble with this push.
          await recording;
          recording = null;
          nextAfter = null;
          const lastSeq = gapOf(error);
          if (lastSeq === null) throw error;
          // The server is missing events before this batch: send again from what it has. If we
          // no longer hold them, looping would not help; report it for an administrator.
          if (++gaps > MAX_GAP_RESENDS || !(await this.#store.has(lastSeq + 1)))
            throw new SyncError('gap', `the server is missing events after ${lastSeq}`);
          resendAfter = lastSeq;
          continue;
        }
        const receivedAt = this.#now();
        if (alone) await this.#learnOffset(answer.serverTime, sentAt, receivedAt);
        // One recording behind the push in flight at most, and recordings commit in order.
        await recording;
        recording = null;
        const settlement = settlePush(batch, answer);
        const count = settlement.acked.length + settlement.rejected.length;
        if (count === 0)
          throw new SyncError('bad_response', 'the server settled none of the events sent');
        recording = this.#record(settlement, receivedAt, answer.results, count, done);
        // A recording that fails while nothing awaits it is still reported, by the next await.
        recording.catch(() => undefined);
        pending = Math.max(0, pending - count);
        const last: number = batch[batch.length - 1]!.deviceSeq;
        if (resendAfter !== null) {
          const next: number = answer.lastSeq ?? last;
          if (next <= resendAfter)
            throw new SyncError('gap', 'resending did not move the server forward');
          resendAfter = next;
        } else if (count === batch.length && (answer.lastSeq === null || answer.lastSeq >= last)) {
          nextAfter = last;
        } else {
          // Some events stay pending: read them again once this answer is recorded.
          await recording;
          recording = null;
          nextAfter = null;
        }
      }
      await recording;
      recording = null;
      return done.settled;
    } catch (error) {
      // A round that fails ends only after the recording it started; a failure to record the
      // answers (a full disk) is what it then reports.
      await recording;
      throw error;
    } finally {
      if (upcoming) await upcoming.batch.catch(() => undefined);
    }
  }

  /** Record one push's answers: the log and records, then the status, then the listeners. */
  async #record(
    settlement: Settlement,
    receivedAt: number,
    results: EventOutcome[],
    count: number,
    done: { settled: number },
  ): Promise<void> {
    await this.#store.settle(settlement, new Date(receivedAt).toISOString());
    done.settled += count;
    this.status.update(await this.#counts());
    this.#onOutcomes?.(results);
  }

  /**
   * Pull until the server has no more. Each page commits with its cursor in one transaction, in
   * order; the next page is asked for (from the cursor the server answered) while this one
   * commits, and is dropped unapplied if the commit fails.
   */
  async #pullAll(): Promise<number> {
    const pull = this.#api.pull?.bind(this.#api);
    if (!pull) return 0;
    const fetchPage = async (after: number) => {
      const sentAt = this.#now();
      const page = await pull(after, this.#pullLimit);
      return { page, sentAt, receivedAt: this.#now() };
    };
    let cursor = await this.#store.cursor();
    let pulled = 0;
    let current = await fetchPage(cursor);
    // Only the first page travels alone; the later ones arrive while a page commits, so the time
    // they measure may include this device's own work, and the clock does not learn from them.
    await this.#learnOffset(current.page.serverTime, current.sentAt, current.receivedAt);
    for (;;) {
      const { page } = current;
      const next = page.more && page.cursor > cursor ? fetchPage(page.cursor) : null;
      // Its failure is reported when it is awaited; a page dropped unawaited reports nothing.
      next?.catch(() => undefined);
      let ref: Reference;
      try {
        ref = await this.#store.applyPage(page.events, page.cursor);
      } catch (error) {
        if (next) await next.catch(() => undefined);
        throw error;
      }
      pulled += page.events.length;
      if (page.device) this.#onDevice?.(page.device);
      if (page.events.length > 0) this.#onReference?.(ref);
      if (!page.more) return pulled;
      if (!next) throw new SyncError('bad_response', 'the pull cursor did not advance');
      cursor = page.cursor;
      current = await next;
    }
  }

  /**
   * Upload the photos not uploaded yet, one by one, each marked only after the server's 200/201.
   * A failed upload fails the round (backoff applies) and is tried again next round; bytes the
   * server refuses for good (400: their hash is not their name — a corrupt copy) are kept, marked
   * with the reason, and not sent again.
   */
  async #uploadPhotos(): Promise<number> {
    const store = this.#store;
    const put = this.#api.putBlob?.bind(this.#api);
    if (!put || !store.pendingPhotos || !store.photoUploaded || !store.photoRefused) return 0;
    let uploaded = 0;
    let changed = false;
    try {
      for (;;) {
        const batch = await store.pendingPhotos(PHOTO_BATCH);
        if (batch.length === 0) return uploaded;
        for (const photo of batch) {
          try {
            await put(photo.sha256, photo.bytes, photo.type);
          } catch (error) {
            if (!(error instanceof HttpError) || !isPermanentRefusal(error)) throw error;
            await store.photoRefused(photo.sha256, error.body?.error ?? `http_${error.status}`);
            changed = true;
            continue;
          }
          await store.photoUploaded(photo.sha256);
          uploaded++;
          changed = true;
          this.status.update(await this.#counts());
        }
      }
    } finally {
      if (changed) this.#onPhotos?.();
    }
  }

  /** The health provider's answer; a failing provider never stops a sync. */
  async #readHealth(): Promise<DeviceHealth | null> {
    if (!this.#health) return null;
    try {
      return await this.#health();
    } catch {
      return null;
    }
  }

  /** After the pull, a duty kiosk refreshes the leaders' PINs it checks sign-ins against. */
  async #fetchRoster(): Promise<void> {
    if (!this.#api.roster || !this.#store.savePins) return;
    const { pins } = await this.#api.roster();
    await this.#store.savePins(pins);
  }

  async #learnOffset(serverTime: string, sentAt: number, receivedAt: number): Promise<void> {
    const offset = clockOffsetMs(serverTime, sentAt, receivedAt);
    if (offset === null) return;
    if (Math.abs(offset - this.status.get().clockOffsetMs) < OFFSET_TOLERANCE_MS) return;
    await this.#store.setClockOffset(offset);
    this.status.update({ clockOffsetMs: offset });
  }
}

/** A 400 or 413 for a photo: sending the same bytes again can never succeed. */
function isPermanentRefusal(error: HttpError): boolean {
  return error.status === 400 || error.status === 413;
}

/** The server's lastSeq when an error is its `gap` answer, else null. */
function gapOf(error: unknown): number | null {
  if (!(error instanceof HttpError) || error.status !== 409 || error.body?.error !== 'gap')
    return null;
  const lastSeq = error.body.lastSeq;
  return typeof lastSeq === 'number' && Number.isInteger(lastSeq) && lastSeq >= 0 ? lastSeq : null;
}
