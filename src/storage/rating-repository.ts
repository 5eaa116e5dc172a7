import Dexie from 'dexie';
import { WriteError } from '../app/device-api';
import { EMPTY_HEAD, appendToLog, type LogHead } from '../domain/device';
import { validateEvent, type EventEnvelope, type RatingSubmitted } from '../domain/events';
import { HybridClock, hlcNode } from '../domain/hlc';
import { newId, type Id } from '../domain/ids';
import { repeatedRating, type PreviousPress } from '../domain/rating-integrity';
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

/** A rating's event as built for a given log head, clock and repeated press. */
interface Built {
  event: EventEnvelope<'rating.submitted'>;
  head: LogHead;
  hlc: string;
  payload: RatingSubmitted;
  /** The log head it was built on. */
  base: LogHead;
}

/**
 * Writes ratings into the device log. A rating, its log entry and the new log head commit in one
 * read-write transaction, so the hash chain can never have a hole or a record without its event.
 *
 * The tap path is kept to one round of reads and one of writes inside the transaction: the event
 * (its id, hlc, hash and validation) is built beforehand on the log head and clock this repository
 * last wrote, and only checked inside against what is stored — another tab or a pulled page may
 * have moved them since, and then it is built again there.
 */
export class RatingRepository {
  /** The log head and hlc this repository last committed (a guess: checked in each write). */
  #tail: { head: LogHead; hlc: string } | null = null;
  /** The last press recorded here per window: the guess of what a new press repeats. */
  readonly #lastPress = new Map<Id, PreviousPress>();

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
    const at = new Date(atMs).toISOString();
    const ticket = write.payload.ticket ?? '';
    const windowId = write.payload.windowId;
    const id = newId();

    const build = (base: LogHead, lastHlc: string | null, repeatOf: Id | null): Built => {
      const payload: RatingSubmitted = repeatOf ? { ...write.payload, repeatOf } : write.payload;
      // The clock restarts from the persisted hlc every time, so it never runs backwards, even
      // across tabs and restarts.
      const hlc = new HybridClock(
        hlcNode(write.deviceId),
        () => this.clock.serverNow(),
        lastHlc,
      ).tick();
      const { event, head } = appendToLog(base, {
        type: 'rating.submitted',
        payload,
        hallId: write.hallId,
        deviceId: write.deviceId,
        actorId: write.actorId ?? null,
        at,
        hlc,
        id,
      });
      const checked = validateEvent(event);
      if (!checked.ok) throw new InvalidRecordError(checked.issues);
      return { event, head, hlc, payload, base };
    };
    const repeatOfPrevious = (previous: PreviousPress | null): Id | null =>
      write.repeatWithinMs
        ? repeatedRating(write.payload.level, atMs, previous, write.repeatWithinMs)
        : null;

    // Pure work first, outside the transaction: the event as it will be if nothing else wrote.
    const tail = this.#tail;
    const guess = tail
      ? build(tail.head, tail.hlc, repeatOfPrevious(this.#lastPress.get(windowId) ?? null))
      : null;

    try {
      const built = await db.transaction('rw', [db.log, db.ratings, db.meta], async () => {
        // One round of reads, issued together: the local refusals (inside the transaction, so two
        // quick taps cannot both pass), the press this one may repeat, the log head and clock.
        const [sameTicket, recent, previous, [headRow, hlcRow]] = await Promise.all([
          write.refuseDuplicateTicket && ticket
            ? db.ratings
                .where('ticket')
                .equals(ticket)
                .filter((r) => r.status !== 'rejected')
                .first()
            : undefined,
          write.minIntervalMs && write.minIntervalMs > 0
            ? db.ratings
                .where('[windowId+atMs]')
                .between(
                  [windowId, atMs - write.minIntervalMs],
                  [windowId, Dexie.maxKey],
                  false,
                  true,
                )
                .filter((r) => r.status !== 'rejected')
                .first()
            : undefined,
          // Only the last few seconds can hold the press this one repeats: a bounded index read.
          write.repeatWithinMs
            ? db.ratings
                .where('[windowId+atMs]')
                .between([windowId, atMs - write.repeatWithinMs], [windowId, Dexie.maxKey])
                .filter((r) => r.status !== 'rejected')
                .last()
            : undefined,
          db.meta.bulkGet(['head', 'hlc']),
        ]);
        if (sameTicket)
          throw new WriteError('duplicate_ticket', 'this ticket has already been rated');
        if (recent) throw new WriteError('too_soon', 'this window was rated moments ago');

        const head = (headRow?.value as LogHead | undefined) ?? EMPTY_HEAD;
        const lastHlc = (hlcRow?.value as string | undefined) ?? null;
        const repeatOf = repeatOfPrevious(previous ?? null);
        // The guess holds when it continues the stored head, its hlc is after the stored one and
        // it repeats what the stored ratings say it repeats; otherwise build it on what is stored.
        const fits =
          guess !== null &&
          guess.base.seq === head.seq &&
          guess.base.hash === head.hash &&
          (lastHlc === null || guess.hlc > lastHlc) &&
          (guess.payload.repeatOf ?? null) === (repeatOf ?? write.payload.repeatOf ?? null);
        const b = fits ? guess : build(head, lastHlc, repeatOf);
        const { event, payload } = b;

        // The writes, issued together; the transaction commits once all of them succeeded.
        await Promise.all([
          db.log.add({
            deviceSeq: event.deviceSeq,
            id: event.id,
            type: event.type,
            status: 'pending',
            hash: b.head.hash!,
            event,
            // A poor rating is a problem (差评): linked, so the pipeline's fold finds it.
            ...eventLinks(event),
            ...(write.route ? { route: write.route } : {}),
          }),
          db.ratings.add({
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
          }),
          db.meta.bulkPut([
            { key: 'head', value: b.head },
            { key: 'hlc', value: b.hlc },
          ]),
        ]);
        return b;
      });
      this.#tail = { head: built.head, hlc: built.hlc };
      this.#lastPress.set(windowId, {
        id: built.event.id,
        atMs,
        repeatOf: built.payload.repeatOf,
      });
      return built.event;
    } catch (error) {
      if (error instanceof InvalidRecordError) throw error;
      throw toWriteError(error);
    }
  }
}
