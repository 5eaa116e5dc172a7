import Dexie, { type Table } from 'dexie';
import { WriteError } from '../app/device-api';
import { EMPTY_HEAD, appendToLog, type LogHead } from '../domain/device';
import { validateEvent, type EventEnvelope, type RatingSubmitted } from '../domain/events';
import { HybridClock, hlcNode } from '../domain/hlc';
import { newId, type Id } from '../domain/ids';
import { repeatedRating, type PreviousPress } from '../domain/rating-integrity';
import {
  type CardRoute,
  type HallKioskDb,
  type LogEntry,
  type MetaRow,
  type RatingRecord,
} from './db';
import { pendingEntry } from './append';
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
 * The event (its id, hlc, hash and validation) is built on the log head and clock this repository
 * last wrote: the guess. It is committed the short way when it can be (see
 * {@link RatingRepository.#commitGuess}): one IndexedDB transaction whose reads of what is stored
 * and whose writes are issued at once, the writes committing only if the reads confirm the guess.
 * When they do not (another tab or a duty record moved the head, a pulled page the clock), it is
 * built again on what they found and tried once more. The careful way decides otherwise — the
 * first write, a ticket or a recent rating of the window to check, a refused rating where the
 * press it repeats would be, a hook on the tables, a database not open: one Dexie transaction
 * that reads first and writes what the reads say.
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

    /** Does the guess repeat what the stored press before it (read in the transaction) says? */
    const fitsPress = (b: Built, previous: PreviousPress | null): boolean =>
      (b.payload.repeatOf ?? null) ===
      (repeatOfPrevious(previous) ?? write.payload.repeatOf ?? null);
    const rows = (b: Built) => ratingRows(b, write, atMs, ticket);

    // The event is built on the log head, hlc and previous press this repository last wrote (a
    // guess: pure work, id, hlc, hash and validation), and checked against what is stored.
    const tail = this.#tail;
    let basis: Stored | null = tail && {
      ...tail,
      previous: this.#lastPress.get(windowId) ?? null,
    };
    let guess = null as Built | null;
    const makeGuess = (on: Stored) =>
      (guess = build(on.head, on.hlc, repeatOfPrevious(on.previous)));

    try {
      // The short way, tried again once on what its reads found when they refuted the guess (a
      // pulled page moved the hlc, another tab wrote), before the careful way.
      let committed: Built | null = null;
      for (let attempt = 0; attempt < 2 && basis && !committed; attempt++) {
        if (!this.#canCommitDirectly()) break;
        const on: Stored = basis;
        const outcome = await this.#commitGuess(
          () => makeGuess(on),
          rows,
          write,
          atMs,
          ticket,
          fitsPress,
        );
        committed = outcome.committed;
        basis = outcome.stored;
      }
      if (tail && guess === null)
        makeGuess({ ...tail, previous: this.#lastPress.get(windowId) ?? null });
      const built =
        committed ??
        (await db.transaction('rw', [db.log, db.ratings, db.meta], async () => {
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
          const g = guess;
          const fits = g !== null && continues(g, head, lastHlc) && fitsPress(g, previous ?? null);
          const b = fits ? g : build(head, lastHlc, repeatOf);
          const r = rows(b);

          // The writes, issued together; the transaction commits once all of them succeeded.
          await Promise.all([
            db.log.add(r.entry),
            db.ratings.add(r.rating),
            db.meta.bulkPut(r.meta),
          ]);
          return b;
        }));
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

  /**
   * The short way bypasses Dexie, so it is taken only while the database is open (Dexie opens it,
   * reopens a lost connection and refuses one closed for a newer version) and no Dexie hook
   * watches the tables it writes (a hook must see every write).
   */
  #canCommitDirectly(): boolean {
    const { db } = this;
    return db.isOpen() && ![db.log, db.ratings, db.meta].some(hooked);
  }

  /**
   * Commit the guess in one IndexedDB transaction (strict durability, like every write here) with
   * its checks and its writes issued at once, without waiting for the reads. Requests of one
   * transaction run in the order they were issued, so the reads see what was stored before this
   * rating and are all answered before any write is, and nothing else can write in between. Once
   * the last read is answered the transaction is committed if every check holds, and aborted
   * otherwise — before it could commit by itself, its writes still unanswered — so its writes are
   * undone. The guess commits only when
   *  - the stored log head is the one it continues, and the stored hlc is before its own;
   *  - the window's latest rating within the repeat span is the one it was built on (read from
   *    the index's end; a refused one there leaves the decision to the careful way);
   *  - no rating holds its ticket, nor is any within the window's interval (when those are
   *    refused), refused ones included: whether one counts is left to the careful way.
   * The reads go out before the guess is built (`makeGuess`), so IndexedDB answers them while it is
   * hashed and validated. Resolves with the guess once committed; otherwise with what the reads
   * found, when that is enough to build the rating on (null when the careful way must decide):
   * nothing was written then. Rejects, writing nothing, when the guess cannot be built (an invalid
   * record).
   */
  #commitGuess(
    makeGuess: () => Built,
    rowsOf: (b: Built) => RatingRows,
    write: RatingWrite,
    atMs: number,
    ticket: string,
    fitsPress: (b: Built, previous: PreviousPress | null) => boolean,
  ): Promise<{ committed: Built | null; stored: Stored | null }> {
    const { windowId } = write.payload;
    return new Promise((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = this.db
          .backendDB()
          .transaction(['log', 'ratings', 'meta'], 'readwrite', { durability: 'strict' });
      } catch {
        resolve({ committed: null, stored: null });
        return;
      }
      // What the reads find; `conclusive` false when only the careful way can tell.
      const stored: Stored = { head: EMPTY_HEAD, hlc: null, previous: null };
      let conclusive = true;
      // Built right after the reads went out, before any of them is answered.
      let guess!: Built;
      let holds = false;
      tx.oncomplete = () => resolve({ committed: guess, stored: null });
      tx.onabort = () =>
        // Refuted by what it read: build on that. Anything else: the careful way decides.
        resolve({ committed: null, stored: !holds && conclusive ? stored : null });
      const abort = () => {
        try {
          tx.abort();
        } catch {
          // Already finished or aborting: it did not commit, and onabort answers.
        }
      };
      let unanswered = 0;
      /** A read: `take` keeps its answer; the last one answered decides. */
      const read = <T>(request: IDBRequest<T>, take: (result: T) => void) => {
        unanswered++;
        request.onsuccess = () => {
          take(request.result);
          if (--unanswered > 0) return;
          holds =
            conclusive &&
            continues(guess, stored.head, stored.hlc) &&
            fitsPress(guess, stored.previous);
          // Commit as soon as the writes are done (where commit() exists; elsewhere the
          // transaction commits by itself once its requests are answered).
          if (holds) tx.commit?.();
          else abort();
        };
      };
      try {
        // The global key range is the database's own in a browser; where it is not (a test's
        // separate IndexedDB), the throw below leaves the rating to the careful way.
        const meta = tx.objectStore('meta');
        const ratings = tx.objectStore('ratings');
        const byWindow = ratings.index('[windowId+atMs]');
        // The head and the hlc in one request: no other meta key sorts between the two, and
        // the rows are told apart by their keys should one ever be added.
        read(meta.getAll(IDBKeyRange.bound('head', 'hlc')) as IDBRequest<MetaRow[]>, (rows) => {
          for (const row of rows)
            if (row.key === 'head') stored.head = row.value as LogHead;
            else if (row.key === 'hlc') stored.hlc = row.value as string;
        });
        const none = (n: number) => {
          if (n > 0) conclusive = false;
        };
        if (write.refuseDuplicateTicket && ticket)
          read(ratings.index('ticket').count(ticket), none);
        if (write.minIntervalMs && write.minIntervalMs > 0)
          read(
            byWindow.count(
              IDBKeyRange.bound(
                [windowId, atMs - write.minIntervalMs],
                [windowId, Dexie.maxKey],
                true,
                false,
              ),
            ),
            none,
          );
        if (write.repeatWithinMs)
          read(
            byWindow.openCursor(
              IDBKeyRange.bound([windowId, atMs - write.repeatWithinMs], [windowId, Dexie.maxKey]),
              'prev',
            ),
            (cursor) => {
              const previous = (cursor?.value as RatingRecord | undefined) ?? null;
              if (previous?.status === 'rejected') conclusive = false;
              else stored.previous = previous;
            },
          );
      } catch {
        conclusive = false;
        abort();
        return;
      }
      try {
        guess = makeGuess();
      } catch (error) {
        // Not a valid record: nothing is written, and the caller hears why.
        conclusive = false;
        abort();
        reject(error);
        return;
      }
      try {
        const rows = rowsOf(guess);
        tx.objectStore('log').add(rows.entry);
        tx.objectStore('ratings').add(rows.rating);
        for (const row of rows.meta) tx.objectStore('meta').put(row);
      } catch {
        conclusive = false;
        abort();
      }
    });
  }
}

/** The log head, hlc and previous press of the window a rating is built on. */
interface Stored {
  head: LogHead;
  hlc: string | null;
  previous: PreviousPress | null;
}

/** True when a Dexie hook watches the table's writes. */
function hooked(table: Table): boolean {
  return table.hook.creating.subscribers.length > 0 || table.hook.updating.subscribers.length > 0;
}

/** Does a rating built on `b.base` continue the stored log head, with an hlc after the stored one? */
function continues(b: Built, head: LogHead, lastHlc: string | null): boolean {
  return (
    b.base.seq === head.seq && b.base.hash === head.hash && (lastHlc === null || b.hlc > lastHlc)
  );
}

/** What a rating commits: its log entry, its rating record and the new log head and hlc. */
interface RatingRows {
  entry: LogEntry;
  rating: RatingRecord;
  meta: MetaRow[];
}

function ratingRows(b: Built, write: RatingWrite, atMs: number, ticket: string): RatingRows {
  const { event, payload } = b;
  return {
    entry: pendingEntry(event, b.head.hash!, write.route),
    rating: {
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
    },
    meta: [
      { key: 'head', value: b.head },
      { key: 'hlc', value: b.hlc },
    ],
  };
}
