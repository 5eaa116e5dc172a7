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
    if (settlement.acked.length === 0 && settlement.rejected.length === 0) return;
    await db.transaction('rw', [db.log, db.ratings], async () => {
      for (const seq of settlement.acked) {
        const entry = await db.log.get(seq);
        if (!entry || entry.status !== 'pending') continue;
        await db.log.update(seq, { status: 'acked', settledAt });
        if (entry.type === 'rating.submitted')
          await db.ratings.update(entry.id, { status: 'acked' });
      }
      for (const { deviceSeq, reason, message } of settlement.rejected) {
        const entry = await db.log.get(deviceSeq);
        if (!entry || entry.status === 'rejected') continue;
        await db.log.update(deviceSeq, { status: 'rejected', reason, message, settledAt });
        if (entry.type === 'rating.submitted')
          await db.ratings.update(entry.id, { status: 'rejected', reason });
      }
    });
  }
}
