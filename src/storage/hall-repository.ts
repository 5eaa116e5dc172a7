import { validateEvent } from '../domain/events';
import { HybridClock, hlcNode } from '../domain/hlc';
import type { Id } from '../domain/ids';
import { isOwnUnlinked } from '../domain/links';
import { applyReferenceEvent, emptyReference, type Reference } from '../domain/reference';
import type { PulledEvent } from '../sync/protocol';
import {
  DUTY_EVENT_TYPES,
  eventLinks,
  ledgerRows,
  type HallEventRow,
  type HallKioskDb,
  type PipelineFold,
  touched,
} from './db';
import { refoldSessions } from './duty-repository';

/** Check a pulled event with the shared domain; its place in the hall's order is not part of it. */
function isValidPulled(event: PulledEvent): boolean {
  const { hallSeq: _hallSeq, ...envelope } = event;
  return validateEvent(envelope).ok;
}

/** Pulled events checked this many at a time before a page's transaction, see {@link checkPulled}. */
const CHECK_AT_ONCE = 32;

/**
 * Whether each pulled event is valid, checked before the page's transaction opens rather than
 * while it holds the tables: in a browser that can (`scheduler.yield`), the page lets a waiting
 * tap run every {@link CHECK_AT_ONCE} events, so its rating is written before the page, not after.
 */
async function checkPulled(events: readonly PulledEvent[]): Promise<boolean[]> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  const valid: boolean[] = [];
  for (const event of events) {
    if (valid.length > 0 && valid.length % CHECK_AT_ONCE === 0) await scheduler?.yield?.();
    valid.push(isValidPulled(event));
  }
  return valid;
}

/** Events of the hall pulled from the server, and the reference data folded from them. */
export class HallRepository {
  constructor(
    private readonly db: HallKioskDb,
    /** Corrected device clock, for merging pulled hlcs into ours. */
    private readonly serverNow: () => number = () => Date.now(),
    /** Inspection tablets: the fold of problems and walks, run on each pulled page. */
    private readonly foldPipeline: PipelineFold | null = null,
  ) {}

  async cursor(): Promise<number> {
    return (await this.db.getMeta('cursor')) ?? 0;
  }

  async reference(): Promise<Reference> {
    return (await this.db.reference.get('current'))?.ref ?? emptyReference();
  }

  /**
   * Apply one pulled page: the events, the reference data folded from them, the merged clock and
   * the new cursor commit in ONE transaction (design §4), so a crash can neither skip events nor
   * apply them without moving the cursor. This device's own events that no fold reads are passed
   * over (see `isOwnUnlinked`; the server leaves them out as it is). Returns the reference as
   * committed.
   */
  async applyPage(events: PulledEvent[], cursor: number, deviceId: Id): Promise<Reference> {
    const { db } = this;
    const tables = [
      db.hallEvents,
      db.reference,
      db.meta,
      db.log,
      db.dutySessions,
      db.dutyLedger,
      db.problems,
      db.walks,
    ];
    // This device's own events pulled back that no fold reads (a rating, as a rule) are not
    // stored a second time: the own log holds each already, and our clock is at or past them.
    const kept = events.filter((e) => !isOwnUnlinked(e, deviceId));
    const checked = await checkPulled(kept);
    return db.transaction('rw', tables, async () => {
      const current = (await db.getMeta('cursor')) ?? 0;
      const ref = (await db.reference.get('current'))?.ref ?? emptyReference();
      const stored: string | null = (await db.getMeta('hlc')) ?? null;
      const clock = new HybridClock(hlcNode(deviceId), this.serverNow, stored);
      // Our stored clock already sorts after an event at or before it (our own pulled back, as a
      // rule): only a later one moves it, so a page of those leaves the clock's row as it was.
      let clockMoved = false;
      const rows: HallEventRow[] = [];
      for (const [i, event] of kept.entries()) {
        if (event.hallSeq <= current) continue;
        const valid = checked[i]!;
        rows.push({
          hallSeq: event.hallSeq,
          id: event.id,
          type: event.type,
          valid,
          event,
          ...eventLinks(event),
        });
        if (!valid) continue;
        applyReferenceEvent(ref, event);
        if (stored !== null && event.hlc <= stored) continue;
        try {
          clock.receive(event.hlc);
          clockMoved = true;
        } catch {
          // A counter overflow only means this event cannot advance our clock; keep going.
        }
      }
      if (rows.length > 0) {
        await db.hallEvents.bulkPut(rows);
        await db.reference.put({ key: 'current', ref });
        // Every device knows the hall's duty sessions (who is on duty where), folded from the
        // duty events of every kiosk in the same transaction as the events themselves.
        const duty = rows
          .filter((r) => r.valid && (DUTY_EVENT_TYPES as readonly string[]).includes(r.type))
          .map((r) => r.event);
        if (duty.length > 0) {
          await db.dutyLedger.bulkPut(ledgerRows(duty));
          await refoldSessions(
            db,
            duty.map((e) => (e.payload as { sessionId: Id }).sessionId),
          );
        }
        // Problems and walks are re-folded from the events just pulled plus the own ones not
        // pulled back yet, in this same transaction.
        if (this.foldPipeline) {
          const { problemIds, walkIds } = touched(rows);
          await this.foldPipeline(db, problemIds, walkIds);
        }
      }
      // The cursor never moves backwards, whatever a confused server says.
      await db.putMeta('cursor', Math.max(current, cursor));
      if (clockMoved) await db.putMeta('hlc', clock.last);
      return ref;
    });
  }

  /** How many pulled events are held; for tests and diagnostics. */
  count(): Promise<number> {
    return this.db.hallEvents.count();
  }
}
