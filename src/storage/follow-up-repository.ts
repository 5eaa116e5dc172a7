/**
 * A citizen's follow-up rating (追评) of their own 差评, written into the phone's log, and what the
 * phone knows of its own 差评 and follow-ups. Only the phone that gave a 差评 may follow it up, so
 * everything is answered from this phone's own log.
 */
import type { EventEnvelope } from '../domain/events';
import type { Id } from '../domain/ids';
import { isPoorRating, type RatingLevel } from '../domain/rating';
import { appendEvents } from './append';
import { type HallKioskDb, type LogEntry, type LogStatus, type RatingRecord } from './db';
import { InvalidRecordError, toWriteError } from './errors';
import { ackedThrough, standing } from './log-repository';
import type { WriteClock } from './rating-repository';

/** Why this phone refuses a follow-up before writing anything; the screen words the code. */
export type FollowUpRefusalCode =
  /** Not a 差评 this phone gave (or one the server refused). */
  | 'unknown_rating'
  /** This phone already followed the 差评 up (一次追评). */
  | 'already_followed_up';

export class FollowUpRefusal extends Error {
  constructor(
    readonly code: FollowUpRefusalCode,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'FollowUpRefusal';
  }
}

export interface FollowUpWrite {
  /** The phone's id: the device of its log and `payload.phoneId`. */
  phoneId: Id;
  /** The 差评's event id. */
  ratingId: Id;
  level: RatingLevel;
  comment: string;
}

/** A follow-up rating as this phone wrote it, with where it stands with the server. */
export interface LocalFollowUp {
  eventId: Id;
  ratingId: Id;
  level: RatingLevel;
  comment: string;
  at: string;
  status: LogStatus;
  reason?: string;
}

const FOLLOW_UP = 'rating.followedUp';

function asFollowUp(entry: LogEntry, ackedThrough: number): LocalFollowUp {
  const { payload } = entry.event as EventEnvelope<'rating.followedUp'>;
  return {
    eventId: entry.id,
    ratingId: payload.ratingId,
    level: payload.level,
    comment: payload.comment,
    at: entry.event.at,
    status: standing(entry.status, entry.deviceSeq, ackedThrough),
    ...(entry.reason ? { reason: entry.reason } : {}),
  };
}

export class FollowUpRepository {
  constructor(
    private readonly db: HallKioskDb,
    private readonly clock: WriteClock,
  ) {}

  /**
   * Record a follow-up rating of one of this phone's 差评; resolves with the event only after it
   * committed. It goes out under the window card the 差评 went under. Rejects with a
   * FollowUpRefusal, a WriteError (`storage_full`, `storage_unavailable`) or, for a payload the
   * domain refuses, an InvalidRecordError. Nothing is written when it rejects.
   */
  async record(write: FollowUpWrite): Promise<EventEnvelope<'rating.followedUp'>> {
    const { db } = this;
    try {
      return await db.transaction('rw', [db.log, db.meta], async () => {
        const rating = await db.log.where('id').equals(write.ratingId).first();
        const level = (rating?.event as EventEnvelope<'rating.submitted'> | undefined)?.payload
          .level;
        if (
          !rating ||
          rating.type !== 'rating.submitted' ||
          rating.status === 'rejected' ||
          !rating.route ||
          !level ||
          !isPoorRating(level)
        ) {
          throw new FollowUpRefusal('unknown_rating', 'not a 差评 given from this phone');
        }
        // Checked inside the transaction so two quick taps cannot both pass.
        const earlier = await this.#followUpsOf(write.ratingId);
        if (earlier.some((e) => e.status !== 'rejected')) {
          throw new FollowUpRefusal('already_followed_up', 'this 差评 was already followed up');
        }

        const [event] = await appendEvents(
          db,
          { hallId: rating.event.hallId, deviceId: write.phoneId },
          this.clock,
          null,
          [
            {
              type: FOLLOW_UP,
              payload: {
                ratingId: write.ratingId,
                phoneId: write.phoneId,
                level: write.level,
                comment: write.comment,
              },
            },
          ],
          rating.route,
        );
        return event as EventEnvelope<'rating.followedUp'>;
      });
    } catch (error) {
      if (error instanceof FollowUpRefusal || error instanceof InvalidRecordError) throw error;
      throw toWriteError(error);
    }
  }

  /** Every follow-up rating this phone wrote, oldest first, refused ones included. */
  all(): Promise<LocalFollowUp[]> {
    const { db } = this;
    return db.transaction('r', [db.log, db.meta], async () => {
      const [rows, mark] = await Promise.all([
        db.log.where('type').equals(FOLLOW_UP).sortBy('deviceSeq'),
        ackedThrough(db),
      ]);
      return rows.map((row) => asFollowUp(row, mark));
    });
  }

  /**
   * This phone's 差评 the server stored, newest first: the ratings whose handling it may ask
   * about. At most `limit` of them.
   */
  poorRatings(limit: number): Promise<RatingRecord[]> {
    const { db } = this;
    return db.transaction('r', [db.ratings, db.meta], async () => {
      const mark = await ackedThrough(db);
      const acked = await db.ratings
        .where('status')
        .anyOf('pending', 'acked')
        .filter((r) => isPoorRating(r.level) && standing(r.status, r.deviceSeq, mark) === 'acked')
        .toArray();
      return acked
        .map((r) => ({ ...r, status: 'acked' as const }))
        .sort((a, b) => b.atMs - a.atMs || b.deviceSeq - a.deviceSeq)
        .slice(0, limit);
    });
  }

  /** Inside {@link record}'s transaction, which holds log and meta. */
  async #followUpsOf(ratingId: Id): Promise<LocalFollowUp[]> {
    const { db } = this;
    const [rows, mark] = await Promise.all([
      db.log.where('type').equals(FOLLOW_UP).toArray(),
      ackedThrough(db),
    ]);
    return rows.map((row) => asFollowUp(row, mark)).filter((f) => f.ratingId === ratingId);
  }
}
