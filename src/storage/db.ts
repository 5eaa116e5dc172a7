/**
 * The device's IndexedDB database (Dexie). Every schema version lives in this one file, oldest
 * first; nothing else in the app declares tables. Only the repositories in src/storage read or
 * write it.
 */
import Dexie, { type Table } from 'dexie';
import { foldDutySessions } from '../domain/duty';
import { DUTY_EVENT_TYPES, problemIdOf, sessionIdOf, walkIdOf } from '../domain/links';
import type { Problem } from '../domain/problem';
import type { Walk } from '../domain/walk';
import type { LogHead } from '../domain/device';
import type { EventEnvelope, EventType, Photo } from '../domain/events';
import type { Id } from '../domain/ids';
import type { RatingChannel, RatingLevel } from '../domain/rating';
import type { LedgerKind } from '../domain/events';
import type { DutySession } from '../domain/duty';
import type { Reference } from '../domain/reference';
import type { PulledEvent } from '../sync/protocol';
import { currentStorageChange, reportStorageChange } from './storage-change';

/** Database of an enrolled device (evaluator tablet, duty kiosk, inspection tablet). */
export const DEVICE_DB_NAME = 'hall-kiosk';
/** Database of a citizen's phone rating windows from their cards. */
export const PHONE_DB_NAME = 'hall-kiosk-phone';

/** Where an own event stands with the server. */
export type LogStatus = 'pending' | 'acked' | 'rejected';

/** The window card a phone's event is pushed under (phones have no device token). */
export interface CardRoute {
  windowCode: string;
  sig: string;
}

/** One event of this device's own hash-chained log (design §4), with its sync state. */
export interface LogEntry {
  /** 1, 2, 3 … with no gaps; the primary key. */
  deviceSeq: number;
  id: Id;
  type: EventType;
  /** As stored: `pending` up to `ackedThrough` in meta means acknowledged (see `standing`). */
  status: LogStatus;
  /** SHA-256 of the event: the next event's prevHash. */
  hash: string;
  event: EventEnvelope;
  /** Phones only: the card that authorises pushing this event. */
  route?: CardRoute;
  /** Set when the server refused the event: its reason code and message. */
  reason?: string;
  message?: string;
  /**
   * Device time the server's answer was written on the entry: a refusal, or an acknowledgement
   * out of order (one covered by `ackedThrough` leaves the entry as it was written).
   */
  settledAt?: string;
  /** The problem / walk the event belongs to (version 3), so a fold can find its events. */
  problemId?: Id;
  walkId?: Id;
  /** The duty session a duty event belongs to (version 5). */
  sessionId?: Id;
}

/** A rating as this device recorded it, kept beside its log entry for counts and local checks. */
export interface RatingRecord {
  id: Id;
  deviceSeq: number;
  windowId: Id;
  departmentId: Id;
  level: RatingLevel;
  channel: RatingChannel;
  /** Device time (ms) the rating was given; used by the phone's "too soon" check. */
  atMs: number;
  /** A repeated press: the counted rating it repeats (not counted itself). */
  repeatOf?: Id;
  at: string;
  /** Queue ticket or case number (办件号); '' when none, so it can be indexed. */
  ticket: string;
  /** As stored, like its log entry's: read it through `standing`. */
  status: LogStatus;
  reason?: string;
}

/** An event of the hall as pulled from the server, in the hall's order. */
export interface HallEventRow {
  hallSeq: number;
  id: Id;
  type: string;
  /** False when the event did not pass validation here; it is kept but not folded. */
  valid: boolean;
  event: PulledEvent;
  /** The problem / walk the event belongs to (version 3). */
  problemId?: Id;
  walkId?: Id;
  /** The duty session a duty event belongs to (version 5). */
  sessionId?: Id;
}

/**
 * A photo taken on this device (a finding's or a step's evidence), kept until the server has it
 * and after: the tablet shows it from here. Bytes as an ArrayBuffer, not a Blob: Safari and
 * fake-indexeddb do not keep Blobs reliably.
 */
export interface PhotoRow {
  sha256: string;
  bytes: ArrayBuffer;
  type: Photo['type'];
  size: number;
  /** Device time it was stored (ISO). */
  createdAt: string;
  /** 1 once the server answered 200/201 to its upload; indexed (booleans are not keys). */
  uploaded: 0 | 1;
  /**
   * Set when the server refused the bytes for good (`hash_mismatch`: the local copy is corrupt);
   * it is kept for inspection but not sent again.
   */
  refused?: string;
}

/** A problem as folded on this device from the events it holds. */
export type ProblemRow = Problem;
/** A walk as folded on this device from the events it holds. */
export type WalkRow = Walk;

export interface ReferenceRow {
  key: 'current';
  ref: Reference;
}

/** Small values that must commit together with the records they describe. */
export interface MetaValues {
  /** The device this database belongs to; a different enrolled device starts afresh. */
  deviceId: Id;
  /** Inspection tablets: every problem and walk held has been folded into its table. */
  pipelineFolded: boolean;
  /** Head of the own log: last deviceSeq and its hash. */
  head: LogHead;
  /**
   * Pull cursor (last hallSeq applied). Kept here rather than in the idb-keyval settings because
   * pulled events and the cursor must commit in one transaction (design §4): a cursor that ran
   * ahead of its events would skip them for good.
   */
  cursor: number;
  /**
   * Own events ever settled by the server (acknowledged or refused), kept with the answers: the
   * events pending are the head's seq less this, without counting a backlog.
   */
  settled: number;
  /**
   * Every own event up to this deviceSeq has its answer from the server: those not marked
   * `rejected` are acknowledged, whatever status their entry and rating record still hold. An
   * answer covering the events right after it only moves this mark (one write, however large the
   * batch); an event answered out of that order, and every refusal, is written on its entry.
   * Read an entry's standing through `standing` (src/storage/log-repository.ts).
   */
  ackedThrough: number;
  /** Last hlc issued or received, so the clock never runs backwards across restarts. */
  hlc: string;
  /** Server time minus device time (ms), learned on the last sync. */
  clockOffsetMs: number;
  /**
   * Duty kiosks: the key that peppers the leaders' PIN hashes held here. Generated once on the
   * device, non-extractable (IndexedDB stores the CryptoKey itself, never its bytes), so a copy of
   * the database alone does not give an attacker the hashes to guess PINs against.
   */
  pinPepper: CryptoKey;
}

export type MetaKey = keyof MetaValues;

/** A duty session as this device knows it: folded from its own and the pulled duty events. */
export type DutySessionRow = DutySession;

/** One line of a duty session's ledger, from this device's own log or pulled. */
export interface DutyLedgerRow {
  entryId: Id;
  sessionId: Id;
  kind: LedgerKind;
  count: number;
  text: string;
  needsFollowUp: boolean;
  /** When it was written (the event's `at`). */
  at: string;
}

/**
 * A leader's PIN as a duty kiosk keeps it: the server's PBKDF2 salt and iterations, and the
 * resulting hash only PEPPERED (HMAC-SHA256 keyed by the kiosk's `pinPepper`), never the raw hash.
 */
export interface PinRow {
  leaderId: Id;
  version: number;
  salt: string;
  iterations: number;
  /** Hex HMAC-SHA256 of the PBKDF2 hash under the kiosk's pepper key. */
  peppered: string;
}

/** Times (device ms) of a leader's recent wrong PINs on this kiosk: the lockout survives reloads. */
export interface PinFailureRow {
  leaderId: Id;
  times: number[];
}

export interface MetaRow<K extends MetaKey = MetaKey> {
  key: K;
  value: MetaValues[K];
}

/** Dexie options a test passes to run on fake-indexeddb. */
export interface DbEnvironment {
  indexedDB?: { open: (...args: never[]) => unknown };
  IDBKeyRange?: { bound: unknown; lowerBound: unknown; upperBound: unknown };
}

export class HallKioskDb extends Dexie {
  log!: Table<LogEntry, number>;
  ratings!: Table<RatingRecord, Id>;
  hallEvents!: Table<HallEventRow, number>;
  reference!: Table<ReferenceRow, string>;
  meta!: Table<MetaRow, MetaKey>;
  dutySessions!: Table<DutySessionRow, Id>;
  dutyLedger!: Table<DutyLedgerRow, Id>;
  pins!: Table<PinRow, Id>;
  pinFailures!: Table<PinFailureRow, Id>;
  photos!: Table<PhotoRow, string>;
  problems!: Table<ProblemRow, Id>;
  walks!: Table<WalkRow, Id>;

  constructor(name: string, env: DbEnvironment = {}) {
    // Strict durability: a commit is on disk before the UI says "thank you" (design §4).
    super(name, {
      chromeTransactionDurability: 'strict',
      ...(env.indexedDB ? { indexedDB: env.indexedDB as never } : {}),
      ...(env.IDBKeyRange ? { IDBKeyRange: env.IDBKeyRange as never } : {}),
    });

    // Version 1: the device log, ratings, pulled hall events, folded reference data, meta.
    this.version(1).stores({
      log: 'deviceSeq, &id, [status+deviceSeq]',
      ratings: 'id, status, ticket, [windowId+atMs]',
      hallEvents: 'hallSeq, &id, type',
      reference: 'key',
      meta: 'key',
    });

    // Version 2 (局长坐班): duty sessions and their ledgers as this device knows them, the
    // leaders' peppered PIN hashes and the wrong-PIN times per leader. The log gains a `type`
    // index so the duty events can be found for folding. Duty events pulled under version 1 are
    // folded into the new tables on upgrade.
    this.version(2)
      .stores({
        log: 'deviceSeq, &id, [status+deviceSeq], type',
        dutySessions: 'id, leaderId',
        dutyLedger: 'entryId, sessionId',
        pins: 'leaderId',
        pinFailures: 'leaderId',
      })
      .upgrade(async (tx) => {
        const pulled = await tx
          .table<HallEventRow, number>('hallEvents')
          .where('type')
          .anyOf([...DUTY_EVENT_TYPES])
          .filter((row) => row.valid)
          .toArray();
        const events = pulled.map((row) => row.event);
        const sessions = Object.values(foldDutySessions(events));
        await tx.table<DutySessionRow, Id>('dutySessions').bulkPut(sessions);
        await tx.table<DutyLedgerRow, Id>('dutyLedger').bulkPut(ledgerRows(events));
      });

    // Version 3 (走流程 and the problem pipeline): photos kept as bytes until uploaded, problems
    // and walks as an inspection tablet folds them, and the problem / walk of each own and pulled
    // event indexed, so re-folding one problem reads only its events. Rows of earlier versions
    // are linked here; an inspection tablet folds what it holds when it first opens the store
    // (`pipelineFolded`), so the other kiosks never load the fold.
    this.version(3)
      .stores({
        log: 'deviceSeq, &id, [status+deviceSeq], type, problemId, walkId',
        hallEvents: 'hallSeq, &id, type, problemId, walkId',
        photos: 'sha256, uploaded',
        problems: 'id, walkId',
        walks: 'id',
      })
      .upgrade(async (tx) => {
        for (const table of ['log', 'hallEvents'])
          await tx
            .table<LogEntry | HallEventRow>(table)
            .toCollection()
            .modify((row) => void Object.assign(row, eventLinks(row.event)));
      });

    // Version 4 (storage at scale): problems indexed by when they were recorded, so the
    // tablet's problem list reads one page, newest first, instead of every problem it holds.
    this.version(4).stores({
      problems: 'id, walkId, recordedHlc',
    });

    // Version 5 (storage at scale): duty events indexed by their session, so re-folding the
    // sessions a write or a pulled page touches reads their events only, not every duty event
    // held. Duty events held before are linked here (found through the type index).
    this.version(5)
      .stores({
        log: 'deviceSeq, &id, [status+deviceSeq], type, problemId, walkId, sessionId',
        hallEvents: 'hallSeq, &id, type, problemId, walkId, sessionId',
      })
      .upgrade(async (tx) => {
        for (const table of ['log', 'hallEvents'])
          await tx
            .table<LogEntry | HallEventRow>(table)
            .where('type')
            .anyOf([...DUTY_EVENT_TYPES])
            .modify((row) => void Object.assign(row, eventLinks(row.event)));
      });

    // Version 6: problems indexed by status too, so a list of one status (找问题 by 待整改 …)
    // reads that status's problems only, newest first.
    this.version(6).stores({
      problems: 'id, walkId, recordedHlc, [status+recordedHlc]',
    });

    // Later versions are added below, never by editing the ones above.

    // Another tab (a newer version of the app) wants to upgrade the schema. Close at once so it
    // is not blocked, and keep this database closed: a write from this tab's old code would
    // otherwise reopen it under the old schema. The screens say why and offer a reload; writes
    // from here on fail (DatabaseClosedError) and are shown as refused, never dropped silently.
    this.on('versionchange', () => {
      this.close({ disableAutoOpen: true });
      reportStorageChange('outdated');
      return false;
    });
    // This tab is the newer one and an older tab has not let go of the database yet.
    this.on('blocked', () => reportStorageChange('blocked'));
    // The open went through after all: a blocked notice no longer applies.
    this.on('ready', () => {
      if (currentStorageChange() === 'blocked') reportStorageChange(null);
    });
  }

  async getMeta<K extends MetaKey>(key: K): Promise<MetaValues[K] | undefined> {
    const row = await this.meta.get(key);
    return row?.value as MetaValues[K] | undefined;
  }

  async putMeta<K extends MetaKey>(key: K, value: MetaValues[K]): Promise<void> {
    await this.meta.put({ key, value } as MetaRow);
  }
}

export { DUTY_EVENT_TYPES };

/**
 * Re-folds the problems and walks among the ids given, inside the caller's transaction. Only an
 * inspection tablet has one (src/storage/pipeline-repository.ts, loaded with its screen).
 */
export type PipelineFold = (
  db: HallKioskDb,
  problemIds: Iterable<Id>,
  walkIds: Iterable<Id>,
) => Promise<void>;

/** Ids of the problems and walks some events touch. */
export function touched(events: readonly { problemId?: Id; walkId?: Id }[]): {
  problemIds: Id[];
  walkIds: Id[];
} {
  const problemIds = new Set<Id>();
  const walkIds = new Set<Id>();
  for (const e of events) {
    if (e.problemId) problemIds.add(e.problemId);
    if (e.walkId) walkIds.add(e.walkId);
  }
  return { problemIds: [...problemIds], walkIds: [...walkIds] };
}

/**
 * The problem, walk or duty session an event belongs to, as the fields stored (and indexed)
 * beside it.
 */
export function eventLinks(event: EventEnvelope): { problemId?: Id; walkId?: Id; sessionId?: Id } {
  const problemId = problemIdOf(event);
  const walkId = walkIdOf(event);
  const sessionId = sessionIdOf(event);
  return {
    ...(problemId ? { problemId } : {}),
    ...(walkId ? { walkId } : {}),
    ...(sessionId ? { sessionId } : {}),
  };
}

/** The ledger lines among some events. */
export function ledgerRows(events: readonly EventEnvelope[]): DutyLedgerRow[] {
  const rows: DutyLedgerRow[] = [];
  for (const e of events) {
    if (e.type !== 'duty.ledgerEntry') continue;
    const p = (e as EventEnvelope<'duty.ledgerEntry'>).payload;
    rows.push({
      entryId: p.entryId,
      sessionId: p.sessionId,
      kind: p.kind,
      count: p.count,
      text: p.text,
      needsFollowUp: p.needsFollowUp,
      at: e.at,
    });
  }
  return rows;
}

/** Open (creating or upgrading as needed) a device or phone database. */
export async function openDb(name: string, env: DbEnvironment = {}): Promise<HallKioskDb> {
  const db = new HallKioskDb(name, env);
  await db.open();
  return db;
}
