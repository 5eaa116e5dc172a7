import Dexie from 'dexie';
import type { Settlement } from '../sync/outcomes';
import type { HallKioskDb, LogEntry } from './db';

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

  async counts(): Promise<LogCounts> {
    const { log } = this.db;
    const [pending, rejected] = await Promise.all([
      log
        .where('[status+deviceSeq]')
        .between(['pending', Dexie.minKey], ['pending', Dexie.maxKey])
        .count(),
      log
        .where('[status+deviceSeq]')
        .between(['rejected', Dexie.minKey], ['rejected', Dexie.maxKey])
        .count(),
    ]);
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
    await db.transaction('rw', [db.log, db.ratings], async () => {
      const entries = await db.log.bulkGet(seqs);
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
      const ids = changedLog.filter((e) => e.type === 'rating.submitted').map((e) => e.id);
      const ratings = (await db.ratings.bulkGet(ids)).filter((r) => r !== undefined);
      await db.ratings.bulkPut(ratings.map((r) => ({ ...r, ...ratingStatus.get(r.id)! })));
    });
  }
}
