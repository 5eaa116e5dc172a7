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

/** The own log read as an outbox: what waits for the server, and what the server answered. */
export class LogRepository {
  constructor(private readonly db: HallKioskDb) {}

  /** Events not yet acknowledged, oldest first. */
  pending(limit: number): Promise<LogEntry[]> {
    return this.db.log
      .where('[status+deviceSeq]')
      .between(['pending', Dexie.minKey], ['pending', Dexie.maxKey])
      .limit(limit)
      .toArray();
  }

  /** Events after `deviceSeq` whatever their state: what to resend when the server lost some. */
  after(deviceSeq: number, limit: number): Promise<LogEntry[]> {
    return this.db.log.where('deviceSeq').above(deviceSeq).limit(limit).toArray();
  }

  async has(deviceSeq: number): Promise<boolean> {
    return (await this.db.log.get(deviceSeq)) !== undefined;
  }

  all(): Promise<LogEntry[]> {
    return this.db.log.orderBy('deviceSeq').toArray();
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
    const pending =
      settled === undefined
        ? await countStatus(db, 'pending')
        : ((head?.value as LogHead | undefined)?.seq ?? 0) - (settled.value as number);
    return { pending, rejected };
  }

  /**
   * Record the server's answers, on the log entries and their records, in one transaction.
   * A refusal is final: a later "duplicate" for the same event (a resend) does not turn it into
   * an acknowledgement, because the server counts a processed event as seen either way.
   *
   * An answer settles a run of consecutive events (a push batch), so their entries are read
   * with one range request rather than one request each (an answer whose events are spread
   * wider is read key by key); only the events it names are changed. The entries' rewrites, the
   * counter and the read of their rating records (a range too, see {@link ratingRecords}) then go
   * out together, without waiting for one another, and the rating records are rewritten once read.
   */
  async settle(settlement: Settlement, settledAt: string): Promise<void> {
    const { db } = this;
    const rejected = new Map(settlement.rejected.map((r) => [r.deviceSeq, r]));
    const named = new Set([
      ...settlement.acked.filter((s) => !rejected.has(s)),
      ...rejected.keys(),
    ]);
    if (named.size === 0) return;
    const seqs = [...named];
    let lo = seqs[0]!;
    let hi = lo;
    for (const seq of seqs) {
      if (seq < lo) lo = seq;
      if (seq > hi) hi = seq;
    }
    await db.transaction('rw', [db.log, db.ratings, db.meta], async () => {
      // A range at most twice as wide as the events named; anything else key by key.
      const read: Promise<(LogEntry | undefined)[]> =
        hi - lo < 2 * seqs.length
          ? db.log
              .where('deviceSeq')
              .between(lo, hi, true, true)
              .toArray()
              .then((rows) => rows.filter((e) => named.has(e.deviceSeq)))
          : db.log.bulkGet(seqs);
      const [entries, settledBefore] = await Promise.all([read, settledCount(db)]);
      const changedLog: LogEntry[] = [];
      const ratingStatus = new Map<string, { status: LogEntry['status']; reason?: string }>();
      for (const entry of entries) {
        if (!entry) continue;
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
      }
      if (changedLog.length === 0) return;
      const ids = changedLog.filter((e) => e.type === 'rating.submitted').map((e) => e.id);
      const [, , ratings] = await Promise.all([
        db.log.bulkPut(changedLog),
        db.putMeta('settled', settledBefore + changedLog.length),
        ratingRecords(db, ids),
      ]);
      await db.ratings.bulkPut(ratings.map((r) => ({ ...r, ...ratingStatus.get(r.id)! })));
    });
  }
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

/**
 * Own events ever settled (acknowledged or refused), inside a transaction over log and meta: the
 * counter, or for a database that never kept one, the events held less those pending.
 */
export async function settledCount(db: HallKioskDb): Promise<number> {
  const [head, settled] = await db.meta.bulkGet(['head', 'settled']);
  if (settled !== undefined) return settled.value as number;
  const seq = (head?.value as LogHead | undefined)?.seq ?? 0;
  return seq - (await countStatus(db, 'pending'));
}
