import Dexie from 'dexie';
import { WriteError } from '../app/device-api';
import { EMPTY_HEAD, appendToLog } from '../domain/device';
import { validateEvent, type EventEnvelope, type RatingSubmitted } from '../domain/events';
import { HybridClock, hlcNode } from '../domain/hlc';
import type { Id } from '../domain/ids';
import { repeatedRating } from '../domain/rating-integrity';
import { eventLinks, type CardRoute, type HallKioskDb } from './db';
import { InvalidRecordError, toWriteError } from './errors';

/** The two clocks a device writes with: its own, and its own corrected by the server's offset. */
export interface WriteClock {
  /** The device's own clock (ms): the event's `at`. */
  now(): number;
  /** The device clock corrected by the offset learned from the server: drives the hlc. */
  serverNow(): number;
}

export interface RatingWrite {
  hallId: Id;
  deviceId: Id;
  actorId?: Id | null;
  payload: RatingSubmitted;
  /** Phones: the window card this rating is pushed under. */
  route?: CardRoute;
  /** Refuse a ticket this device already rated (一次一评). */
  refuseDuplicateTicket?: boolean;
  /** Refuse a second rating of the same window from this device within this many ms. */
  minIntervalMs?: number;
  /** Evaluators: a press this soon after the window's previous one repeats it (not counted). */
  repeatWithinMs?: number;
}

/**
 * Writes ratings into the device log. A rating, its log entry and the new log head commit in one
 * read-write transaction, so the hash chain can never have a hole or a record without its event.
 */
export class RatingRepository {
  constructor(
    private readonly db: HallKioskDb,
    private readonly clock: WriteClock,
  ) {}

  /**
   * Record a rating; resolves with the event only after the transaction committed. Rejects with
   * a WriteError (`duplicate_ticket`, `too_soon`, `storage_full`, `storage_unavailable`) or, for
   * a payload the domain refuses, an InvalidRecordError. Nothing is written when it rejects.
   */
  async record(write: RatingWrite): Promise<EventEnvelope<'rating.submitted'>> {
    const { db } = this;
    const atMs = this.clock.now();
    const ticket = write.payload.ticket ?? '';
    try {
      return await db.transaction('rw', [db.log, db.ratings, db.meta], async () => {
        // Local refusals are checked inside the transaction so two quick taps cannot both pass.
        if (write.refuseDuplicateTicket && ticket) {
          const same = await db.ratings
            .where('ticket')
            .equals(ticket)
            .filter((r) => r.status !== 'rejected')
            .first();
          if (same) throw new WriteError('duplicate_ticket', 'this ticket has already been rated');
        }
        if (write.minIntervalMs && write.minIntervalMs > 0) {
          const windowId = write.payload.windowId;
          const recent = await db.ratings
            .where('[windowId+atMs]')
            .between([windowId, atMs - write.minIntervalMs], [windowId, Dexie.maxKey], false, true)
            .filter((r) => r.status !== 'rejected')
            .first();
          if (recent) throw new WriteError('too_soon', 'this window was rated moments ago');
        }

        let payload = write.payload;
        if (write.repeatWithinMs) {
          // Only the last few seconds can hold the press this one repeats: a bounded index read.
          const previous = await db.ratings
            .where('[windowId+atMs]')
            .between(
              [payload.windowId, atMs - write.repeatWithinMs],
              [payload.windowId, Dexie.maxKey],
            )
            .filter((r) => r.status !== 'rejected')
            .last();
          const repeatOf = repeatedRating(
            payload.level,
            atMs,
            previous ?? null,
            write.repeatWithinMs,
          );
          if (repeatOf) payload = { ...payload, repeatOf };
        }

        const head = (await db.getMeta('head')) ?? EMPTY_HEAD;
        const lastHlc = (await db.getMeta('hlc')) ?? null;
        // The clock restarts from the persisted hlc every time, so it never runs backwards, even
        // across tabs and restarts.
        const hlc = new HybridClock(
          hlcNode(write.deviceId),
          () => this.clock.serverNow(),
          lastHlc,
        ).tick();
        const { event, head: next } = appendToLog(head, {
          type: 'rating.submitted',
          payload,
          hallId: write.hallId,
          deviceId: write.deviceId,
          actorId: write.actorId ?? null,
          at: new Date(atMs).toISOString(),
          hlc,
        });
        const checked = validateEvent(event);
        if (!checked.ok) throw new InvalidRecordError(checked.issues);

        await db.log.add({
          deviceSeq: event.deviceSeq,
          id: event.id,
          type: event.type,
          status: 'pending',
          hash: next.hash!,
          event,
          // A poor rating is a problem (差评): linked, so the pipeline's fold finds it.
          ...eventLinks(event),
          ...(write.route ? { route: write.route } : {}),
        });
        await db.ratings.add({
          id: event.id,
          deviceSeq: event.deviceSeq,
          windowId: payload.windowId,
          departmentId: payload.departmentId,
          level: payload.level,
          channel: payload.channel,
          atMs,
          ...(payload.repeatOf ? { repeatOf: payload.repeatOf } : {}),
          at: event.at,
          ticket,
          status: 'pending',
        });
        await db.meta.bulkPut([
          { key: 'head', value: next },
          { key: 'hlc', value: hlc },
        ]);
        return event;
      });
    } catch (error) {
      if (error instanceof InvalidRecordError) throw error;
      throw toWriteError(error);
    }
  }
}
