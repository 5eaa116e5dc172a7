import Dexie from 'dexie';
import type { Settlement } from '../sync/outcomes';
import type { LogHead } from '../domain/device';
import type { Id } from '../domain/ids';
import type { HallKioskDb, LogEntry, LogStatus, RatingRecord } from './db';

export type { Settlement };

export interface LogCounts {
  pending: number;
  rejected: number;
}

/**
 * Where an own event stands, from the status stored on its entry (or rating record) and the
 * `ackedThrough` mark: pending up to the mark means acknowledged.
 */
export function standing(status: LogStatus, deviceSeq: number, ackedThrough: number): LogStatus {
  return status === 'pending' && deviceSeq <= ackedThrough ? 'acked' : status;
}

/** The `ackedThrough` mark (0 before any answer). */
export async function ackedThrough(db: HallKioskDb): Promise<number> {
  return (await db.getMeta('ackedThrough')) ?? 0;
}

/** The own log read as an outbox: what waits for the server, and what the server answered. */
export class LogRepository {
  constructor(private readonly db: HallKioskDb) {}

  /** Events not yet acknowledged, oldest first. */
  pending(limit: number): Promise<LogEntry[]> {
    const { db } = this;
    return db.transaction('r', [db.log, db.meta], async () =>
      db.log
        .where('[status+deviceSeq]')
        .between(['pending', (await ackedThrough(db)) + 1], ['pending', Dexie.maxKey])
        .limit(limit)
        .toArray(),
    );
  }

  /** Events after `deviceSeq` whatever their state: what to resend when the server lost some. */
  after(deviceSeq: number, limit: number): Promise<LogEntry[]> {
    return this.db.log.where('deviceSeq').above(deviceSeq).limit(limit).toArray();
  }

  async has(deviceSeq: number): Promise<boolean> {
    return (await this.db.log.get(deviceSeq)) !== undefined;
  }

  /** Every event held, oldest first, each with its standing as `status`. */
  all(): Promise<LogEntry[]> {
    const { db } = this;
    return db.transaction('r', [db.log, db.meta], async () => {
      const [rows, mark] = await Promise.all([
        db.log.orderBy('deviceSeq').toArray(),
        ackedThrough(db),
      ]);
      return rows.map((e) => ({ ...e, status: standing(e.status, e.deviceSeq, mark) }));
    });
  }

  /** The standing of the own event `id`, or undefined when this device does not hold it. */
  statusOf(id: Id): Promise<LogStatus | undefined> {
    const { db } = this;
    return db.transaction('r', [db.log, db.meta], async () => {
      const [entry, mark] = await Promise.all([db.log.get({ id }), ackedThrough(db)]);
      return entry && standing(entry.status, entry.deviceSeq, mark);
    });
  }

  /** Events the server refused, newest first, to show staff. */
  async rejected(): Promise<LogEntry[]> {
    const rows = await this.db.log
      .where('[status+deviceSeq]')
      .between(['rejected', Dexie.minKey], ['rejected', Dexie.maxKey])
      .toArray();
    return rows.reverse();
  }

  /**
   * What waits and what was refused. Pending is the log head's sequence number less the events
   * ever settled (a counter kept in `meta` by {@link settle}, in the same transaction as the
   * answers), so it costs two key reads however long the backlog; only the few refused events
   * are counted from their index. A database whose counter was never written (older versions)
   * gets it when the store opens.
   */
  async counts(): Promise<LogCounts> {
    const { db } = this;
    const [[head, settled], rejected] = await Promise.all([
      db.meta.bulkGet(['head', 'settled']),
      countStatus(db, 'rejected'),
    ]);
    const headSeq = (head?.value as LogHead | undefined)?.seq ?? 0;
    const done = settled === undefined ? await settledCount(db) : (settled.value as number);
    return { pending: headSeq - done, rejected };
  }

  /**
   * Record the server's answers in one transaction. A refusal is final: a later "duplicate" for
   * the same event (a resend) does not turn it into an acknowledgement, because the server counts
   * a processed event as seen either way.
   *
   * The answers for the events right after `ackedThrough` (a push batch, as a rule all of them)
   * only move the mark: their entries and rating records are neither read nor written. The
   * others, and every refusal, are written on the entry and its rating record as before (read
   * with one range request when they lie close together, key by key otherwise). The mark then
   * moves on over events already answered that way, so an answer out of order does not hold it
   * back; the settled counter moves by the events that were pending and no longer are.
   */
  async settle(settlement: Settlement, settledAt: string): Promise<void> {
    const { db } = this;
    const rejected = new Map(settlement.rejected.map((r) => [r.deviceSeq, r]));
    const named = new Set([...settlement.acked, ...rejected.keys()]);
    if (named.size === 0) return;
    await db.transaction('rw', [db.log, db.ratings, db.meta], async () => {
      const [head, settledRow, markRow] = await db.meta.bulkGet([
        'head',
        'settled',
        'ackedThrough',
      ]);
      const headSeq = (head?.value as LogHead | undefined)?.seq ?? 0;
      const mark = (markRow?.value as number | undefined) ?? 0;
      const settledBefore =
        settledRow === undefined ? await settledCount(db) : (settledRow.value as number);
      // Never past the head: an answer for an event not written yet must not cover it.
      let run = mark;
      while (run < headSeq && named.has(run + 1)) run++;
      const single = [...named].filter((seq) => seq > run || rejected.has(seq));
      const [pendingInRun, entries] = await Promise.all([
        run > mark ? countPending(db, mark + 1, run) : 0,
        entriesOf(db, single),
      ]);

      const changedLog: LogEntry[] = [];
      const ratingStatus = new Map<string, { status: LogStatus; reason?: string }>();
      let settledSingly = 0;
      for (const entry of entries) {
        const refusal = rejected.get(entry.deviceSeq);
        if (refusal) {
          if (entry.status === 'rejected') continue;
          const { reason, message } = refusal;
          changedLog.push({ ...entry, status: 'rejected', reason, message, settledAt });
          ratingStatus.set(entry.id, { status: 'rejected', reason });
        } else {
          if (entry.status !== 'pending') continue;
          changedLog.push({ ...entry, status: 'acked', settledAt });
          ratingStatus.set(entry.id, { status: 'acked' });
        }
        // Within the run it is counted with the run; one already acknowledged stays counted.
        if (entry.deviceSeq > run && entry.status === 'pending') settledSingly++;
      }
      const ids = changedLog.filter((e) => e.type === 'rating.submitted').map((e) => e.id);
      const [, ratings] = await Promise.all([
        changedLog.length > 0 ? db.log.bulkPut(changedLog) : undefined,
        ratingRecords(db, ids),
      ]);
      // After the writes above (requests of a transaction run in order): the first entry still
      // pending past the run ends what the mark may cover.
      const [nextPending] = await db.log
        .where('[status+deviceSeq]')
        .between(['pending', run + 1], ['pending', Dexie.maxKey])
        .limit(1)
        .primaryKeys();
      const through = nextPending === undefined ? Math.max(run, headSeq) : nextPending - 1;
      const settled = pendingInRun + settledSingly;
      await Promise.all([
        ratings.length > 0
          ? db.ratings.bulkPut(ratings.map((r) => ({ ...r, ...ratingStatus.get(r.id)! })))
          : undefined,
        through !== mark ? db.putMeta('ackedThrough', through) : undefined,
        settled > 0 ? db.putMeta('settled', settledBefore + settled) : undefined,
      ]);
    });
  }
}

/**
 * The entries of `seqs` that exist. An answer names a run of consecutive events (a push batch),
 * so when they lie within a range at most twice as wide they are read with one range request;
 * anything else key by key.
 */
async function entriesOf(db: HallKioskDb, seqs: readonly number[]): Promise<LogEntry[]> {
  if (seqs.length === 0) return [];
  let lo = seqs[0]!;
  let hi = lo;
  for (const seq of seqs) {
    if (seq < lo) lo = seq;
    if (seq > hi) hi = seq;
  }
  if (hi - lo < 2 * seqs.length) {
    const wanted = new Set(seqs);
    const rows = await db.log.where('deviceSeq').between(lo, hi, true, true).toArray();
    return rows.filter((e) => wanted.has(e.deviceSeq));
  }
  return (await db.log.bulkGet([...seqs])).filter((e) => e !== undefined);
}

/**
 * The rating records of `ids` that exist. Ids are time-ordered (UUIDv7) and a batch's ratings were
 * recorded one after another, so they are usually all the records between the lowest and the
 * highest: read with one range request, at most twice as many records as asked for; those the
 * range did not bring (it held more records than that) are read key by key.
 */
async function ratingRecords(db: HallKioskDb, ids: readonly Id[]): Promise<RatingRecord[]> {
  if (ids.length === 0) return [];
  let lo = ids[0]!;
  let hi = lo;
  for (const id of ids) {
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  const wanted = new Set(ids);
  const inRange = await db.ratings
    .where('id')
    .between(lo, hi, true, true)
    .limit(2 * ids.length)
    .toArray();
  const found = inRange.filter((r) => wanted.has(r.id));
  if (found.length === wanted.size) return found;
  for (const r of found) wanted.delete(r.id);
  const rest = await db.ratings.bulkGet([...wanted]);
  return [...found, ...rest.filter((r) => r !== undefined)];
}

function countStatus(db: HallKioskDb, status: LogStatus): Promise<number> {
  return db.log
    .where('[status+deviceSeq]')
    .between([status, Dexie.minKey], [status, Dexie.maxKey])
    .count();
}

/** Entries stored as pending from `lo` through `hi`. */
function countPending(db: HallKioskDb, lo: number, hi: number): Promise<number> {
  return db.log
    .where('[status+deviceSeq]')
    .between(['pending', lo], ['pending', hi], true, true)
    .count();
}

/**
 * Own events ever settled (acknowledged or refused), inside a transaction over log and meta: the
 * counter, or for a database that never kept one, the events held less those pending.
 */
export async function settledCount(db: HallKioskDb): Promise<number> {
  const [head, settled, mark] = await db.meta.bulkGet(['head', 'settled', 'ackedThrough']);
  if (settled !== undefined) return settled.value as number;
  const seq = (head?.value as LogHead | undefined)?.seq ?? 0;
  const through = (mark?.value as number | undefined) ?? 0;
  return seq - (await countPending(db, through + 1, Infinity));
}

/**
 * Start the counters a database of an earlier version did not keep (inside a transaction over log
 * and meta): `ackedThrough` just before its first pending event (or at its head when none is),
 * then `settled`.
 */
export async function startCounters(db: HallKioskDb): Promise<void> {
  if ((await db.getMeta('ackedThrough')) === undefined) {
    const [first] = await db.log
      .where('[status+deviceSeq]')
      .between(['pending', Dexie.minKey], ['pending', Dexie.maxKey])
      .limit(1)
      .primaryKeys();
    const headSeq = (await db.getMeta('head'))?.seq ?? 0;
    await db.putMeta('ackedThrough', first === undefined ? headSeq : first - 1);
  }
  if ((await db.getMeta('settled')) === undefined)
    await db.putMeta('settled', await settledCount(db));
}
