/**
 * Deleting what a kiosk or tablet no longer needs, so a busy hall's months of events do not slow
 * it down: records the server already has and older than the hall's retention setting
 * (`deviceRetentionDays`).
 *
 * Deleted, once older than the retention:
 *  - the device's own events the server acknowledged, with their rating records;
 *  - pulled hall events (reference data is folded into `reference` as it arrives; other devices'
 *    ratings are not read again);
 *  - duty sessions signed out, their ledger lines and their events.
 *
 * Never deleted: an own event not acknowledged (pending) or refused (staff see those); the log
 * head, which lives in `meta`, so the hash chain and the numbering continue; the pull cursor;
 * every event of a problem or a walk (a tablet folds them from their events, and a step arriving
 * later re-folds from all of them); a duty session not signed out or begun within the retention
 * (today's among them); anything newer than the retention.
 *
 * The work runs in small transactions with a pause between them, so a tap waits at most one
 * small batch.
 */
import type { EventEnvelope } from '../domain/events';
import type { Id } from '../domain/ids';
import { DUTY_EVENT_TYPES, type HallEventRow, type HallKioskDb, type LogEntry } from './db';
import { ackedThrough, standing } from './log-repository';

const DAY_MS = 86_400_000;

/** Rows read and deleted per transaction. */
export const PRUNE_BATCH = 250;

export interface PruneOptions {
  /** Device time now (ms). */
  now: number;
  retentionDays: number;
  batch?: number;
  /** Between batches (default: a macrotask, so other transactions get in). */
  pause?: () => Promise<void>;
}

export interface PruneResult {
  log: number;
  ratings: number;
  hallEvents: number;
  dutySessions: number;
  dutyLedger: number;
}

const DUTY_TYPES: readonly string[] = DUTY_EVENT_TYPES;

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Delete what is synced and older than the retention; returns how many rows went, per table. */
export async function pruneDevice(db: HallKioskDb, options: PruneOptions): Promise<PruneResult> {
  const cutoff = options.now - options.retentionDays * DAY_MS;
  const batch = options.batch ?? PRUNE_BATCH;
  const pause = options.pause ?? nextTask;
  const result: PruneResult = { log: 0, ratings: 0, hallEvents: 0, dutySessions: 0, dutyLedger: 0 };

  // Duty sessions first: which sessions' events may go is decided by the session.
  const sessions = await db.dutySessions.toArray();
  const gone = new Set<Id>(
    sessions
      .filter((s) => s.signedOutAt !== null && Date.parse(s.signedInAt) < cutoff)
      .map((s) => s.id),
  );
  const kept = new Set<Id>(sessions.filter((s) => !gone.has(s.id)).map((s) => s.id));
  const old = (event: EventEnvelope) => Date.parse(event.at) < cutoff;
  /** May this event go, by what it belongs to (its age and sync state are checked apart)? */
  const unbound = (row: { event: EventEnvelope; problemId?: Id; walkId?: Id }) => {
    if (row.problemId !== undefined || row.walkId !== undefined) return false;
    if (!DUTY_TYPES.includes(row.event.type)) return true;
    const sessionId = (row.event.payload as { sessionId?: Id }).sessionId;
    // A session no longer held was pruned before (a run stopped half-way): its events may go.
    return sessionId === undefined || !kept.has(sessionId);
  };

  // The own log, oldest first; the scan stops at the first event within the retention. The mark
  // only grows, so one read of it holds for the whole run.
  const mark = await ackedThrough(db);
  const own = await pruneTable(db, 'log', batch, pause, (entry: LogEntry) => {
    if (!old(entry.event)) return 'stop';
    const acked = standing(entry.status, entry.deviceSeq, mark) === 'acked';
    return acked && unbound(entry) ? 'delete' : 'keep';
  });
  result.log = own.deleted;
  result.ratings = own.ratings;

  result.hallEvents = (
    await pruneTable(db, 'hallEvents', batch, pause, (row: HallEventRow) => {
      if (!old(row.event)) return 'stop';
      return unbound(row) ? 'delete' : 'keep';
    })
  ).deleted;

  const sessionIds = [...gone];
  for (let i = 0; i < sessionIds.length; i += batch) {
    const ids = sessionIds.slice(i, i + batch);
    await db.transaction('rw', [db.dutySessions, db.dutyLedger], async () => {
      const lines = await db.dutyLedger.where('sessionId').anyOf(ids).primaryKeys();
      await Promise.all([db.dutyLedger.bulkDelete(lines), db.dutySessions.bulkDelete(ids)]);
      result.dutyLedger += lines.length;
      result.dutySessions += ids.length;
    });
    await pause();
  }
  return result;
}

type Verdict = 'delete' | 'keep' | 'stop';

async function pruneTable<T extends 'log' | 'hallEvents'>(
  db: HallKioskDb,
  table: T,
  batch: number,
  pause: () => Promise<void>,
  verdict: (row: T extends 'log' ? LogEntry : HallEventRow) => Verdict,
): Promise<{ deleted: number; ratings: number }> {
  let after = -Infinity;
  let deleted = 0;
  let ratings = 0;
  for (;;) {
    const done = await db.transaction('rw', [db[table], db.ratings], async () => {
      const rows = (await db[table].where(':id').above(after).limit(batch).toArray()) as (
        LogEntry | HallEventRow
      )[];
      const keys: number[] = [];
      const ratingIds: Id[] = [];
      let stop = rows.length < batch;
      for (const row of rows) {
        const v = verdict(row as never);
        if (v === 'stop') {
          stop = true;
          break;
        }
        const key = table === 'log' ? (row as LogEntry).deviceSeq : (row as HallEventRow).hallSeq;
        after = key;
        if (v === 'keep') continue;
        keys.push(key);
        if (table === 'log' && row.type === 'rating.submitted') ratingIds.push(row.id);
      }
      if (keys.length > 0) await db[table].bulkDelete(keys);
      if (ratingIds.length > 0) await db.ratings.bulkDelete(ratingIds);
      deleted += keys.length;
      ratings += ratingIds.length;
      return stop;
    });
    if (done) return { deleted, ratings };
    await pause();
  }
}
