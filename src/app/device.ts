/**
 * The device layer of an enrolled tablet or kiosk: its credentials, its local store and its sync
 * engine, behind the small interface the screens use (src/app/device-api.ts).
 */
import { REPEAT_PRESS_MS } from '../domain/rating-integrity';
import { dutyLeaderFor, type DutySession } from '../domain/duty';
import { DEFAULT_SETTINGS, type Reference } from '../domain/reference';
import { DEVICE_DB_NAME, type DbEnvironment } from '../storage/db';
import { UnsyncedRecordsError } from '../storage/errors';
import { requestPersistentStorage } from '../storage/persist';
import { DeviceSettings, deviceSettings } from '../storage/settings';
import type { PruneResult } from '../storage/prune';
import { DeviceClock, LocalStore, countPending } from '../storage/store';
import { clockOffsetMs, signingClock } from '../sync/clock';
import type { RoundResult } from '../sync/engine';
import { HttpError, NetworkError } from '../sync/errors';
import { exportPublicKey, generateDeviceKey, isDeviceKeyPair } from '../sync/signing';
import { API, type EnrollRequest, type EnrollResponse, type PulledDevice } from '../sync/protocol';
import type { DeviceHealth } from '../sync/report-protocol';
import { DEVICE_SYNC_LOCK, startSession, type Session, type SessionOptions } from '../sync/session';
import { StatusStore } from '../sync/status-store';
import {
  deviceApi,
  deviceHttp,
  getBlob,
  httpOptions,
  requestJson,
  type HttpOptions,
} from '../sync/transport';
import { captureRating, ratingPayload } from './capture';
import type { PhotoPreparer } from './inspection';
import {
  SignInError,
  WriteError,
  type Device,
  type DeviceCredentials,
  type DutyKiosk,
  type Inspection,
  type RatingInput,
  type Unsubscribe,
} from './device-api';

export { SignInError, WriteError };

/** How often a kiosk closes forgotten sessions and an evaluator re-reads who is on duty. */
export const DUTY_TICK_MS = 60_000;
/** Synced records past the retention are looked for after start, then after a sync at most this often. */
export const PRUNE_EVERY_MS = 60 * 60_000;
/** The first look waits this long after start, so it does not compete with the screen opening. */
export const PRUNE_AFTER_START_MS = 60_000;

export interface DeviceOptions extends SessionOptions {
  settings?: DeviceSettings;
  /** Database name (tests give each their own). */
  dbName?: string;
  /** IndexedDB implementation for Dexie (tests pass fake-indexeddb). */
  db?: DbEnvironment;
  /**
   * How an inspection tablet turns a picked photo into what it stores; default the browser's
   * downscaling (src/app/photo.ts). Node tests, which have no canvas, pass their own.
   */
  preparePhoto?: PhotoPreparer;
  /** What the device reports of its health with each push; default {@link readDeviceHealth}. */
  health?: () => Promise<DeviceHealth | null>;
  /** Prune by itself, after start and after syncs; default: when the triggers run. */
  autoPrune?: boolean;
}

/** The version this build runs: package.json's version and the build (vite.config.ts). */
export const APP_VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

interface HealthStorage {
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  persisted?: () => Promise<boolean>;
}

/**
 * Storage used and offered, whether it is persistent, and the app version, for fleet health.
 * What the browser cannot tell is null; never throws.
 */
export async function readDeviceHealth(
  storage: HealthStorage | undefined = globalThis.navigator?.storage,
): Promise<DeviceHealth> {
  const [estimate, persisted] = await Promise.all([
    Promise.resolve()
      .then(() => storage?.estimate?.() ?? null)
      .catch(() => null),
    Promise.resolve()
      .then(() => storage?.persisted?.() ?? null)
      .catch(() => null),
  ]);
  const bytes = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null);
  return {
    storageUsage: bytes(estimate?.usage),
    storageQuota: bytes(estimate?.quota),
    persisted: typeof persisted === 'boolean' ? persisted : null,
    appVersion: APP_VERSION,
  };
}

export type EnrollErrorCode =
  'invalid_code' | 'expired_code' | 'used_code' | 'offline' | 'server_error' | 'unsynced_records';

export class EnrollError extends Error {
  constructor(
    readonly code: EnrollErrorCode,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'EnrollError';
  }
}

const CODE_ERRORS: readonly string[] = ['invalid_code', 'expired_code', 'used_code'];

/** An enrolled device running on this browser. */
export class EnrolledDevice implements Device {
  readonly status: StatusStore;
  #reference: Reference;
  readonly #referenceListeners = new Set<(ref: Reference) => void>();
  readonly #session: Session;
  readonly #now: () => number;
  readonly #dutyListeners = new Set<() => void>();
  #sessions: DutySession[] = [];
  #tick: ReturnType<typeof setInterval> | null = null;
  /** The duty kiosk API; loaded only on a duty kiosk, so other screens do not carry it. */
  duty: DutyKiosk | null = null;
  /** The inspection tablet API; loaded only on an inspection tablet. */
  inspection: Inspection | null = null;
  readonly #pipelineListeners = new Set<() => void>();
  readonly #http: HttpOptions;
  /** Prunes on start and after syncs by itself (not in tests that drive syncing by hand). */
  readonly #autoPrune: boolean;
  #pruning: Promise<PruneResult | null> | null = null;
  #pruneTimer: ReturnType<typeof setTimeout> | null = null;
  #prunedAt = -Infinity;
  /** Device time the device was opened: a sync in the first minute does not prune yet. */
  readonly #openedAt: number;

  #credentials: DeviceCredentials;

  private constructor(
    credentials: DeviceCredentials,
    readonly store: LocalStore,
    private readonly settings: DeviceSettings,
    reference: Reference,
    lastSuccessAt: string | null,
    options: DeviceOptions,
  ) {
    this.#credentials = credentials;
    this.#reference = reference;
    this.#now = options.now ?? (() => Date.now());
    this.#autoPrune = options.autoPrune ?? options.triggers !== false;
    this.#openedAt = this.#now();
    this.status = new StatusStore({ lastSuccessAt, clockOffsetMs: store.clock.offsetMs });
    this.#http = deviceHttp(options, credentials, signingClock(store));
    this.#session = startSession({
      store,
      // Duty kiosks and inspection tablets check leaders' PINs offline: they fetch the roster.
      api: deviceApi(this.#http, credentials.deviceId, {
        roster: credentials.role === 'duty_kiosk' || credentials.role === 'inspection_tablet',
      }),
      status: this.status,
      lockName: DEVICE_SYNC_LOCK,
      channelName: 'hall-kiosk-device',
      options,
      onReference: (ref) => {
        this.#setReference(ref);
        void this.refreshDuty();
        this.notifyPipeline();
      },
      onRemoteReference: () => {
        void store.reference().then((ref) => this.#setReference(ref));
        void this.refreshDuty();
        this.notifyPipeline();
      },
      onPhotos: () => this.notifyPipeline(),
      health: options.health ?? (() => readDeviceHealth()),
      onDevice: (device) => void this.#learnBinding(device),
    });
    let saved = lastSuccessAt;
    this.status.subscribe((s) => {
      if (s.lastSuccessAt && s.lastSuccessAt !== saved) {
        saved = s.lastSuccessAt;
        void settings.saveLastSync(s.lastSuccessAt).catch(() => undefined);
        // What this sync settled may now be old enough to go; not in the first minute, which
        // belongs to the screen opening (the look after start comes then).
        if (this.#autoPrune && this.#now() - this.#openedAt >= PRUNE_AFTER_START_MS)
          void this.prune();
      }
    });
  }

  static async open(
    credentials: DeviceCredentials,
    settings: DeviceSettings,
    options: DeviceOptions,
  ): Promise<EnrolledDevice> {
    // Only an inspection tablet folds problems and walks, so only it loads the fold.
    const pipeline =
      credentials.role === 'inspection_tablet'
        ? await import('../storage/pipeline-repository')
        : null;
    const store = await LocalStore.open(options.dbName ?? DEVICE_DB_NAME, credentials.deviceId, {
      ...(options.db ? { env: options.db } : {}),
      ...(options.now ? { clock: new DeviceClock(options.now) } : {}),
      ...(pipeline ? { foldPipeline: pipeline.refoldPipeline } : {}),
    });
    if (pipeline) await pipeline.foldAllOnce(store.db);
    const [reference, lastSync] = await Promise.all([store.reference(), settings.loadLastSync()]);
    const device = new EnrolledDevice(credentials, store, settings, reference, lastSync, options);
    if (credentials.role === 'duty_kiosk') {
      const { KioskDuty } = await import('./kiosk-duty');
      device.duty = new KioskDuty(device);
    }
    if (credentials.role === 'inspection_tablet') {
      const { InspectionTablet } = await import('./inspection');
      const prepare = options.preparePhoto ?? (await import('./photo')).preparePhoto;
      device.inspection = new InspectionTablet(device, prepare);
    }
    await device.#session.engine.refreshCounts();
    await device.#startDuty(options);
    if (device.#autoPrune)
      device.#pruneTimer = setTimeout(() => {
        device.#pruneTimer = null;
        void device.prune();
      }, PRUNE_AFTER_START_MS);
    return device;
  }

  /**
   * Delete synced records older than the hall's `deviceRetentionDays` (src/storage/prune.ts), in
   * small batches that let taps through. Runs at most once per {@link PRUNE_EVERY_MS} unless
   * forced; a run already going is joined. Resolves with what went, or null when it did not run
   * or failed (the next one tries again).
   */
  prune(force = false): Promise<PruneResult | null> {
    if (this.#pruning) return this.#pruning;
    const now = this.#now();
    if (!force && now - this.#prunedAt < PRUNE_EVERY_MS) return Promise.resolve(null);
    this.#prunedAt = now;
    const retentionDays =
      this.#reference.settings.deviceRetentionDays ?? DEFAULT_SETTINGS.deviceRetentionDays;
    const run = import('../storage/prune')
      .then(({ pruneDevice }) => pruneDevice(this.store.db, { now, retentionDays }))
      .then(async (result) => {
        if (result.dutySessions > 0) await this.refreshDuty();
        return result;
      })
      .catch(() => null)
      .finally(() => {
        this.#pruning = null;
      });
    this.#pruning = run;
    return run;
  }

  /** Who this device is; an evaluator's window follows what the server says after a pull. */
  get credentials(): DeviceCredentials {
    return this.#credentials;
  }

  /**
   * The console bound this evaluator to another window: keep the new binding and tell the
   * screens (through the reference listeners, which re-read the window), so the next rating is
   * the new window's.
   */
  async #learnBinding(device: PulledDevice): Promise<void> {
    const current = this.#credentials;
    if (current.role !== 'evaluator' || !device.windowId || device.windowId === current.windowId)
      return;
    this.#credentials = { ...current, windowId: device.windowId };
    await this.settings.saveCredentials(this.#credentials).catch(() => undefined);
    this.#setReference(this.#reference);
    for (const cb of [...this.#dutyListeners]) cb();
  }

  /** The engine itself, for diagnostics and tests. */
  get engine() {
    return this.#session.engine;
  }

  recordRating(input: RatingInput) {
    // The rating carries the duty session it happened under (局长坐班), as this device knows it:
    // the sessions held in memory, so the tap costs no read beyond the write itself.
    const onDuty = dutyLeaderFor(this.#sessions, input.windowId, input.departmentId, this.#now());
    return captureRating(this.status, this.#session, () =>
      this.store.ratings.record({
        hallId: this.credentials.hallId,
        deviceId: this.credentials.deviceId,
        payload: {
          ...ratingPayload(input, 'hall_tablet', null),
          dutySessionId: onDuty?.id ?? null,
        },
        refuseDuplicateTicket: true,
        repeatWithinMs: REPEAT_PRESS_MS,
      }),
    );
  }

  /** The leader on duty for this device's window (or its department), as far as it knows. */
  dutyLeader(): DutySession | null {
    const windowId = this.credentials.windowId;
    const window = windowId ? this.#reference.windows[windowId] : undefined;
    if (!window) return null;
    return dutyLeaderFor(this.#sessions, window.id, window.departmentId, this.#now());
  }

  onDutyLeader(cb: (session: DutySession | null) => void): Unsubscribe {
    let last: string | null | undefined;
    const listener = () => {
      const session = this.dutyLeader();
      const key = session ? `${session.id}:${session.signedOutAt ?? ''}` : null;
      if (key === last) return;
      last = key;
      cb(session);
    };
    this.#dutyListeners.add(listener);
    listener();
    return () => void this.#dutyListeners.delete(listener);
  }

  /** Re-read the duty sessions this device knows and tell the listeners. */
  async refreshDuty(): Promise<void> {
    try {
      this.#sessions = await this.store.duty.sessions();
    } catch {
      return; // The database is closing or unavailable; the next change tries again.
    }
    for (const cb of [...this.#dutyListeners]) cb();
  }

  /** Sessions of this device (used by its duty kiosk API). */
  get sessions(): readonly DutySession[] {
    return this.#sessions;
  }
  get reference(): Reference {
    return this.#reference;
  }
  now(): number {
    return this.#now();
  }
  /** A duty record was committed here: refresh, notify, and sync it shortly. */
  async wroteDuty(): Promise<void> {
    this.status.update({ storageFull: false });
    await this.refreshDuty();
    await this.#session.wrote();
  }
  /** A walk or problem record was committed here: notify, and sync it (and its photos) shortly. */
  async wrotePipeline(): Promise<void> {
    this.status.update({ storageFull: false });
    this.notifyPipeline();
    await this.#session.wrote();
  }
  /** Tell the screens walks, problems or photos changed (a write, a pull, an upload). */
  notifyPipeline(): void {
    for (const cb of [...this.#pipelineListeners]) {
      try {
        cb();
      } catch (error) {
        console.error(error);
      }
    }
  }
  onPipelineChange(cb: () => void): Unsubscribe {
    this.#pipelineListeners.add(cb);
    return () => void this.#pipelineListeners.delete(cb);
  }
  /** A blob from the server with this device's token (photos not taken here); null if unknown. */
  fetchBlob(sha256: string): Promise<Blob | null> {
    return getBlob(this.#http, sha256);
  }
  onDutyChange(cb: () => void): Unsubscribe {
    this.#dutyListeners.add(cb);
    return () => void this.#dutyListeners.delete(cb);
  }

  async #startDuty(options: DeviceOptions): Promise<void> {
    await this.refreshDuty();
    if (this.duty) await this.duty.closeStale().catch(() => 0);
    // Sessions and "today" change with the clock: once a minute, close forgotten sessions and
    // tell the screens. Tests that drive syncing by hand drive this by hand too.
    if (options.triggers !== false) {
      this.#tick = setInterval(() => {
        if (this.duty) void this.duty.closeStale().catch(() => 0);
        else void this.refreshDuty();
      }, DUTY_TICK_MS);
    }
  }

  onReference(cb: (ref: Reference) => void): Unsubscribe {
    this.#referenceListeners.add(cb);
    cb(this.#reference);
    return () => void this.#referenceListeners.delete(cb);
  }

  onStatus(cb: Parameters<StatusStore['subscribe']>[0]): Unsubscribe {
    return this.status.subscribe(cb);
  }

  requestSync(): void {
    this.#session.requestSync();
  }

  /** Run a sync round now and wait for it (tests, diagnostics). */
  syncNow(): Promise<RoundResult> {
    return this.#session.syncNow();
  }

  stop(): void {
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#tick = null;
    if (this.#pruneTimer !== null) clearTimeout(this.#pruneTimer);
    this.#pruneTimer = null;
    this.#dutyListeners.clear();
    this.#pipelineListeners.clear();
    this.#session.stop();
    this.store.close();
  }

  #setReference(ref: Reference): void {
    this.#reference = ref;
    for (const cb of [...this.#referenceListeners]) cb(ref);
  }
}

/**
 * This browser's credentials, or undefined when there are none or they cannot be used: a key that
 * storage handed back damaged cannot sign, so the device must be enrolled again.
 */
export async function loadUsableCredentials(
  settings: DeviceSettings,
): Promise<DeviceCredentials | undefined> {
  const credentials = await settings.loadCredentials();
  if (!credentials) return undefined;
  if (credentials.key !== undefined && !isDeviceKeyPair(credentials.key)) return undefined;
  return credentials;
}

/** The enrolled device on this browser, started; null when it has not been enrolled. */
export async function openDevice(options: DeviceOptions = {}): Promise<EnrolledDevice | null> {
  const settings = options.settings ?? deviceSettings();
  const credentials = await loadUsableCredentials(settings);
  if (!credentials) return null;
  void requestPersistentStorage();
  return EnrolledDevice.open(credentials, settings, options);
}

/**
 * Trade an enrollment code for this device's credentials and keep them. If the browser holds an
 * earlier enrollment's unsynced records, they are delivered first; while they cannot be, the
 * enrollment is refused with `unsynced_records` and nothing is lost.
 */
export async function enrollDevice(
  code: string,
  name?: string,
  options: DeviceOptions = {},
): Promise<DeviceCredentials> {
  const settings = options.settings ?? deviceSettings();
  const now = options.now ?? (() => Date.now());
  const http = httpOptions(options);
  // A new enrollment starts a fresh log, so the records of the device enrolled here before must
  // reach the server first; the code is not spent while they cannot.
  await deliverPrevious(settings, options);

  // A fresh key for each enrollment; the server keeps its public half and from then on takes
  // only requests signed with the private half, which never leaves this browser. A page served
  // without a secure context (plain HTTP on an intranet address) has no WebCrypto: it enrolls on
  // its token alone rather than not at all.
  const key = globalThis.crypto?.subtle ? await generateDeviceKey() : undefined;
  const request: EnrollRequest = {
    code: code.trim(),
    ...(name?.trim() ? { name: name.trim() } : {}),
    ...(key ? { publicKey: await exportPublicKey(key.publicKey) } : {}),
  };

  const sentAt = now();
  let answer: EnrollResponse;
  try {
    answer = await requestJson<EnrollResponse>(
      http,
      'POST',
      `${API}/devices/enroll`,
      request,
      15_000,
    );
  } catch (error) {
    throw toEnrollError(error);
  }
  const receivedAt = now();
  const credentials: DeviceCredentials = {
    deviceId: answer.deviceId,
    token: answer.token,
    hallId: answer.hallId,
    role: answer.role,
    windowId: answer.windowId ?? null,
    enrolledAt: new Date(receivedAt).toISOString(),
    ...(key ? { key } : {}),
  };

  // Claim the local log for the new device before keeping its credentials; the store itself
  // refuses to drop records that were never acknowledged.
  let store: LocalStore;
  try {
    store = await LocalStore.open(options.dbName ?? DEVICE_DB_NAME, credentials.deviceId, {
      ...(options.db ? { env: options.db } : {}),
    });
  } catch (error) {
    if (error instanceof UnsyncedRecordsError)
      throw new EnrollError('unsynced_records', error.message);
    throw error;
  }
  await settings.saveCredentials(credentials);
  try {
    const offset = clockOffsetMs(answer.serverTime, sentAt, receivedAt);
    if (offset !== null) await store.setClockOffset(offset);
  } finally {
    store.close();
  }
  return credentials;
}

/** Deliver what the device enrolled here before still holds, or refuse to replace it. */
async function deliverPrevious(settings: DeviceSettings, options: DeviceOptions): Promise<void> {
  const dbName = options.dbName ?? DEVICE_DB_NAME;
  if ((await countPending(dbName, options.db)) === 0) return;
  const previous = await loadUsableCredentials(settings);
  if (previous) {
    const old = await EnrolledDevice.open(previous, settings, { ...options, triggers: false });
    try {
      await old.syncNow().catch(() => undefined);
    } finally {
      old.stop();
    }
  }
  const left = await countPending(dbName, options.db);
  if (left > 0) throw new EnrollError('unsynced_records', new UnsyncedRecordsError(left).message);
}

function toEnrollError(error: unknown): EnrollError {
  if (error instanceof NetworkError) return new EnrollError('offline', error.message);
  if (error instanceof HttpError) {
    const code = error.body?.error;
    if (code && CODE_ERRORS.includes(code))
      return new EnrollError(code as EnrollErrorCode, error.body?.message);
    if (error.status === 400 || error.status === 404)
      return new EnrollError('invalid_code', error.body?.message);
  }
  return new EnrollError('server_error', error instanceof Error ? error.message : String(error));
}

/**
 * Forget this device's enrollment (its token and its key). Its records stay: a later enrollment on this
 * browser starts a fresh log only once none of them waits to be sent.
 */
export async function forgetDevice(options: Pick<DeviceOptions, 'settings'> = {}): Promise<void> {
  await (options.settings ?? deviceSettings()).clearCredentials();
}
