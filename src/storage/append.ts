/**
 * Appending to the device's own hash-chained log (design §4), shared by the repositories that
 * write more than one kind of record. Call inside a read-write transaction over `log` and `meta`
 * (and whatever the caller folds), so the events, the new head and the records they change commit
 * together or not at all.
 */
import { EMPTY_HEAD, appendToLog } from '../domain/device';
import {
  validateEvent,
  type EventEnvelope,
  type EventType,
  type PayloadOf,
} from '../domain/events';
import { HybridClock, hlcNode } from '../domain/hlc';
import type { Id } from '../domain/ids';
import { eventLinks, type CardRoute, type HallKioskDb, type LogEntry } from './db';
import { InvalidRecordError } from './errors';
import type { WriteClock } from './rating-repository';

/** Who writes: the hall and this device. */
export interface Writer {
  hallId: Id;
  deviceId: Id;
}

/** An event to append: its type and payload, and its id when the caller must know it first. */
export type Draft = { [T in EventType]: { type: T; payload: PayloadOf<T>; id?: Id } }[EventType];

/**
 * Append `drafts` in order, each validated with the shared domain (InvalidRecordError otherwise),
 * linked to its problem / walk, and advance the log head and the hlc. Returns the events. A
 * phone's events carry the window card they are pushed under (`route`).
 */
export async function appendEvents(
  db: HallKioskDb,
  writer: Writer,
  clock: WriteClock,
  actorId: Id | null,
  drafts: readonly Draft[],
  route?: CardRoute,
): Promise<EventEnvelope[]> {
  const atMs = clock.now();
  let head = (await db.getMeta('head')) ?? EMPTY_HEAD;
  const hlcClock = new HybridClock(
    hlcNode(writer.deviceId),
    () => clock.serverNow(),
    (await db.getMeta('hlc')) ?? null,
  );
  const events: EventEnvelope[] = [];
  let hlc = '';
  for (const draft of drafts) {
    hlc = hlcClock.tick();
    const next = appendToLog(head, {
      type: draft.type,
      payload: draft.payload as never,
      hallId: writer.hallId,
      deviceId: writer.deviceId,
      actorId,
      at: new Date(atMs).toISOString(),
      hlc,
      ...(draft.id ? { id: draft.id } : {}),
    });
    const event = next.event as EventEnvelope;
    const checked = validateEvent(event);
    if (!checked.ok) throw new InvalidRecordError(checked.issues);
    await db.log.add(pendingEntry(event, next.head.hash!, route));
    head = next.head;
    events.push(event);
  }
  if (events.length > 0)
    await db.meta.bulkPut([
      { key: 'head', value: head },
      { key: 'hlc', value: hlc },
    ]);
  return events;
}

/**
 * A new event's entry in the own log, waiting for the server: linked to its problem, walk or duty
 * session (a poor rating is a problem, 差评, so the pipeline's fold finds it), and for a phone
 * with the window card it is pushed under.
 */
export function pendingEntry(event: EventEnvelope, hash: string, route?: CardRoute): LogEntry {
  return {
    deviceSeq: event.deviceSeq,
    id: event.id,
    type: event.type,
    status: 'pending',
    hash,
    event,
    ...eventLinks(event),
    ...(route ? { route } : {}),
  };
}
