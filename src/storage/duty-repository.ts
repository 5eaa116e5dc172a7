/**
 * 局长坐班 on a duty kiosk: sign-in, ledger and sign-out events written into the device log
 * together with the session and ledger rows they change, one read-write transaction per action
 * (like ratings), so a session can never exist without its events or the chain have a hole.
 */
import { foldDutySessions } from '../domain/duty';
import {
  type DutyLedgerEntry,
  type DutySignedIn,
  type DutySignedOut,
  type EventEnvelope,
  type ProblemRecorded,
} from '../domain/events';
import type { Id } from '../domain/ids';
import { appendEvents, type Draft, type Writer } from './append';
import {
  DUTY_EVENT_TYPES,
  ledgerRows,
  type DutyLedgerRow,
  type DutySessionRow,
  type HallKioskDb,
} from './db';
import { InvalidRecordError, toWriteError } from './errors';
import type { WriteClock } from './rating-repository';

export type { Writer };

/**
 * Re-fold the sessions among `sessionIds` from every duty event this device holds (its own log
 * and the pulled hall events, each event once) and store them. Call inside a transaction over
 * log, hallEvents and dutySessions.
 */
export async function refoldSessions(db: HallKioskDb, sessionIds: Iterable<Id>): Promise<void> {
  const wanted = new Set(sessionIds);
  if (wanted.size === 0) return;
  const types: readonly string[] = DUTY_EVENT_TYPES;
  const touches = (e: EventEnvelope) =>
    types.includes(e.type) && wanted.has((e.payload as { sessionId?: Id }).sessionId ?? '');
  // Only the sessions' own events, through the sessionId index (version 5).
  const ids = [...wanted];
  const [own, pulled] = await Promise.all([
    db.log.where('sessionId').anyOf(ids).toArray(),
    db.hallEvents.where('sessionId').anyOf(ids).toArray(),
  ]);
  const byId = new Map<Id, EventEnvelope>();
  for (const row of pulled) if (row.valid && touches(row.event)) byId.set(row.id, row.event);
  for (const row of own)
    if (row.status !== 'rejected' && touches(row.event)) byId.set(row.id, row.event);
  const folded = foldDutySessions([...byId.values()]);
  const rows = Object.values(folded).filter((s) => wanted.has(s.id));
  if (rows.length > 0) await db.dutySessions.bulkPut(rows);
}

export class DutyRepository {
  constructor(
    private readonly db: HallKioskDb,
    private readonly clock: WriteClock,
  ) {}

  /**
   * Write a sign-in. The event id is chosen by the caller because the PIN proof signs it.
   * Resolves with the event after the log entry and the session committed together.
   */
  signIn(
    writer: Writer,
    eventId: Id,
    payload: DutySignedIn,
    actorId: Id,
  ): Promise<EventEnvelope<'duty.signedIn'>> {
    return this.#write(writer, actorId, [{ type: 'duty.signedIn', payload, id: eventId }]).then(
      (events) => events[0] as EventEnvelope<'duty.signedIn'>,
    );
  }

  /**
   * Write a ledger line; with a problem (a complaint or suggestion that needs follow-up), the
   * problem.recorded event is written in the same transaction, right after it.
   */
  async addLedgerEntry(
    writer: Writer,
    actorId: Id,
    entry: DutyLedgerEntry,
    problem?: ProblemRecorded,
  ): Promise<EventEnvelope[]> {
    const drafts: Draft[] = [{ type: 'duty.ledgerEntry', payload: entry }];
    if (problem) drafts.push({ type: 'problem.recorded', payload: problem });
    return this.#write(writer, actorId, drafts);
  }

  async signOut(
    writer: Writer,
    actorId: Id | null,
    payload: DutySignedOut,
  ): Promise<EventEnvelope<'duty.signedOut'>> {
    const [event] = await this.#write(writer, actorId, [{ type: 'duty.signedOut', payload }]);
    return event as EventEnvelope<'duty.signedOut'>;
  }

  /** Every duty session this device knows, newest sign-in first. */
  async sessions(): Promise<DutySessionRow[]> {
    const rows = await this.db.dutySessions.toArray();
    return rows.sort((a, b) => b.signedInAt.localeCompare(a.signedInAt));
  }

  session(id: Id): Promise<DutySessionRow | undefined> {
    return this.db.dutySessions.get(id);
  }

  /** A session's ledger lines, oldest first. */
  async ledger(sessionId: Id): Promise<DutyLedgerRow[]> {
    const rows = await this.db.dutyLedger.where('sessionId').equals(sessionId).toArray();
    return rows.sort((a, b) => a.at.localeCompare(b.at));
  }

  async #write(writer: Writer, actorId: Id | null, drafts: Draft[]): Promise<EventEnvelope[]> {
    const { db } = this;
    try {
      return await db.transaction(
        'rw',
        [db.log, db.meta, db.hallEvents, db.dutySessions, db.dutyLedger],
        async () => {
          const events = await appendEvents(db, writer, this.clock, actorId, drafts);
          const ledger = ledgerRows(events);
          if (ledger.length > 0) await db.dutyLedger.bulkPut(ledger);
          await refoldSessions(
            db,
            events
              .filter((e) => (DUTY_EVENT_TYPES as readonly string[]).includes(e.type))
              .map((e) => (e.payload as { sessionId: Id }).sessionId),
          );
          return events;
        },
      );
    } catch (error) {
      if (error instanceof InvalidRecordError) throw error;
      throw toWriteError(error);
    }
  }
}
