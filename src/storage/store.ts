import type { Id } from '../domain/ids';
import type { Reference } from '../domain/reference';
import type { PulledEvent } from '../sync/protocol';
import {
  openDb,
  type DbEnvironment,
  type HallKioskDb,
  type LogEntry,
  type PipelineFold,
} from './db';
import { UnsyncedRecordsError } from './errors';
import { DutyRepository } from './duty-repository';
import { HallRepository } from './hall-repository';
import { LogRepository, startCounters, type LogCounts, type Settlement } from './log-repository';
import { PhotoRepository, type PhotoUpload } from './photo-repository';
import type { PinRepository } from './pin-repository';
import type { PinRoster, RosterPin } from './pin-roster';
import { RatingRepository } from './rating-repository';

/** A device clock whose server offset can be learned and restored. */
export interface StoreClock {
  now(): number;
  serverNow(): number;
  offsetMs: number;
}

/** The default clock: the device's own, corrected by the offset learned from the server. */
export class DeviceClock implements StoreClock {
  offsetMs = 0;
  constructor(private readonly deviceNow: () => number = () => Date.now()) {}
  now(): number {
    return this.deviceNow();
  }
  serverNow(): number {
    return this.deviceNow() + this.offsetMs;
  }
}

/**
 * One device's (or phone's) local store: the database and its repositories. This is what the
 * sync engine reads and writes through; nothing else in the app touches IndexedDB.
 */
export class LocalStore {
  readonly ratings: RatingRepository;
  readonly log: LogRepository;
  readonly hall: HallRepository;
  readonly duty: DutyRepository;
  readonly photos: PhotoRepository;
  #pins: Promise<PinRepository> | null = null;
  #roster: Promise<PinRoster> | null = null;

  private constructor(
    readonly db: HallKioskDb,
    readonly deviceId: Id,
    readonly clock: StoreClock,
    foldPipeline: PipelineFold | null,
  ) {
    this.ratings = new RatingRepository(db, clock);
    this.log = new LogRepository(db);
    this.hall = new HallRepository(db, () => clock.serverNow(), foldPipeline);
    this.duty = new DutyRepository(db, clock);
    this.photos = new PhotoRepository(db);
  }

  /**
   * Open the store of `deviceId`. A database that belonged to another device (the tablet was
   * enrolled again) is emptied first: its log cannot be pushed under the new identity. An
   * inspection tablet passes the pipeline's fold (src/storage/pipeline-repository.ts), which then
   * runs on every pulled page; other devices keep the events but do not fold problems and walks.
   */
  static async open(
    name: string,
    deviceId: Id,
    options: { clock?: StoreClock; env?: DbEnvironment; foldPipeline?: PipelineFold } = {},
  ): Promise<LocalStore> {
    const db = await openDb(name, options.env);
    const clock = options.clock ?? new DeviceClock();
    await db.transaction('rw', db.tables, async () => {
      const owner = await db.getMeta('deviceId');
      if (owner === deviceId) {
        // Databases of earlier versions did not keep the counters: start them once.
        await startCounters(db);
        return;
      }
      if (owner !== undefined) {
        // A new enrollment starts a fresh log, but never at the cost of unsent records (events,
        // and photos the server does not have yet).
        const pending = await unsent(db);
        if (pending > 0) throw new UnsyncedRecordsError(pending);
        await Promise.all(db.tables.map((t) => t.clear()));
      }
      await db.putMeta('deviceId', deviceId);
      await startCounters(db);
    });
    clock.offsetMs = (await db.getMeta('clockOffsetMs')) ?? 0;
    return new LocalStore(db, deviceId, clock, options.foldPipeline ?? null);
  }

  // The sync engine's view (see SyncStore in src/sync/engine.ts).

  pending(limit: number): Promise<LogEntry[]> {
    return this.log.pending(limit);
  }
  after(deviceSeq: number, limit: number): Promise<LogEntry[]> {
    return this.log.after(deviceSeq, limit);
  }
  has(deviceSeq: number): Promise<boolean> {
    return this.log.has(deviceSeq);
  }
  settle(settlement: Settlement, settledAt: string): Promise<void> {
    return this.log.settle(settlement, settledAt);
  }
  counts(): Promise<LogCounts> {
    return this.log.counts();
  }
  /** Photos waiting for their upload, and those the server refused for good. */
  photoCounts(): Promise<{ pendingPhotos: number; refusedPhotos: number }> {
    return this.photos.counts();
  }
  pendingPhotos(limit: number): Promise<PhotoUpload[]> {
    return this.photos.pending(limit);
  }
  photoUploaded(sha256: string): Promise<void> {
    return this.photos.uploaded(sha256);
  }
  photoRefused(sha256: string, reason: string): Promise<void> {
    return this.photos.refused(sha256, reason);
  }
  cursor(): Promise<number> {
    return this.hall.cursor();
  }
  applyPage(events: PulledEvent[], cursor: number): Promise<Reference> {
    return this.hall.applyPage(events, cursor, this.deviceId);
  }
  reference(): Promise<Reference> {
    return this.hall.reference();
  }
  /**
   * Leaders' PINs and wrong-PIN times, for checking a typed PIN: duty kiosks and inspection
   * tablets only, loaded on first use.
   */
  pins(): Promise<PinRepository> {
    this.#pins ??= import('./pin-repository').then(
      ({ PinRepository }) => new PinRepository(this.db),
    );
    return this.#pins;
  }

  /** Keep the roster's PINs (every sync of a duty kiosk or tablet): only saving them is loaded. */
  async savePins(pins: readonly RosterPin[]): Promise<void> {
    this.#roster ??= import('./pin-roster').then(({ PinRoster }) => new PinRoster(this.db));
    await (await this.#roster).replaceAll(pins);
  }
  async setClockOffset(offsetMs: number): Promise<void> {
    this.clock.offsetMs = offsetMs;
    await this.db.putMeta('clockOffsetMs', offsetMs);
  }

  close(): void {
    this.db.close();
  }
}

/** Own events not acknowledged and photos not uploaded (nor refused for good). */
async function unsent(db: HallKioskDb): Promise<number> {
  const [log, photos] = await Promise.all([
    new LogRepository(db).counts(),
    new PhotoRepository(db).counts(),
  ]);
  return log.pending + photos.pendingPhotos;
}

/**
 * Does a database hold events the server has not acknowledged, or photos it does not have yet?
 * (Without keeping it open.)
 */
export async function countPending(name: string, env?: DbEnvironment): Promise<number> {
  const db = await openDb(name, env);
  try {
    return await unsent(db);
  } finally {
    db.close();
  }
}
