import Dexie from 'dexie';
import type { Settlement } from '../sync/outcomes';
import type { LogHead } from '../domain/device';
import type { HallKioskDb, LogEntry, LogStatus } from './db';

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
   */
  async settle(settlement: Settlement, settledAt: string): Promise<void> {
    const { db } = this;
    const rejected = new Map(settlement.rejected.map((r) => [r.deviceSeq, r]));
    const seqs = [...settlement.acked.filter((s) => !rejected.has(s)), ...rejected.keys()];
    if (seqs.length === 0) return;
    await db.transaction('rw', [db.log, db.ratings, db.meta], async () => {
      const [entries, settledBefore] = await Promise.all([db.log.bulkGet(seqs), settledCount(db)]);
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
      await db.log.bulkPut(changedLog);
      await db.putMeta('settled', settledBefore + changedLog.length);
      const ids = changedLog.filter((e) => e.type === 'rating.submitted').map((e) => e.id);
      const ratings = (await db.ratings.bulkGet(ids)).filter((r) => r !== undefined);
      await db.ratings.bulkPut(ratings.map((r) => ({ ...r, ...ratingStatus.get(r.id)! })));
    });
  }
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
