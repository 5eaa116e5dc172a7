/**
 * The console writes reference data (ref.*) and the steps administrators take on problems as
 * events through its own device log — the hall's `console` device row, hash-chained like any
 * tablet's — and the same ingest path as a push.
 */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { appendToLog } from '../../domain/device';
import {
  PAYLOAD_SCHEMAS,
  isRefType,
  validatePayload,
  type EventEnvelope,
  type EventType,
  type PayloadOf,
} from '../../domain/events';
import { HybridClock, hlcNode } from '../../domain/hlc';
import { newId } from '../../domain/ids';
import { HttpError, badRequest } from '../errors';
import { advanceDeviceLog, consoleWriter, insertDevice, lockDevice } from '../repos/devices';
import { lastHlcOf } from '../repos/events';
import { lockHall } from '../repos/halls';
import { isoAt } from '../repos/util';
import { EventRefused, ingestEvents, type EventHead } from './ingest';

export interface RefWrite<T extends EventType = EventType> {
  type: T;
  payload: PayloadOf<T>;
}

/** Create the console's own writer row for a new hall. */
export async function createConsoleWriter(tx: Db, hallId: string, now: number): Promise<string> {
  const id = newId();
  await insertDevice(tx, {
    id,
    hallId,
    role: 'console',
    windowId: null,
    name: 'console',
    tokenHash: null,
    enrolledAt: isoAt(now),
  });
  return id;
}

export interface ConsoleWriteOptions {
  /** The administrator who acts (their id as the events' actorId); null for the hall itself. */
  actorId?: string | null;
  /**
   * The latest hlc the administrator's view was built from (e.g. a problem's last step): the
   * events written sort after it even when a tablet's clock ran ahead of the server's.
   */
  after?: string | null;
}

/**
 * Append events to the hall's console log inside `tx`. Any refusal (invalid payload, unknown
 * department, duplicate window code …) throws a 400 and, the transaction rolling back, writes
 * nothing.
 */
export async function writeConsoleEvents(
  tx: Db,
  hallId: string,
  writes: readonly RefWrite[],
  now: number,
  options: ConsoleWriteOptions = {},
): Promise<EventEnvelope[]> {
  const found = await consoleWriter(tx, hallId);
  if (!found) throw new Error(`hall ${hallId} has no console writer`);
  const writer = await lockDevice(tx, found.id);
  if (!writer) throw new Error('console writer vanished');
  await lockHall(tx, hallId);
  const clock = new HybridClock(hlcNode(writer.id), () => now, await lastHlcOf(tx, writer.id));
  if (options.after) clock.receive(options.after);
  let head = { seq: writer.lastSeq, hash: writer.lastHash };
  const events: EventEnvelope[] = [];
  for (const w of writes) {
    const { event, head: next } = appendToLog(head, {
      type: w.type,
      payload: w.payload,
      hallId,
      deviceId: writer.id,
      actorId: options.actorId ?? null,
      at: isoAt(now),
      hlc: clock.tick(),
    });
    events.push(event);
    head = next;
  }
  try {
    await ingestEvents(tx, writer, events as unknown as EventHead[], {
      now,
      lastHash: writer.lastHash,
      checkChain: true,
      allOrNothing: true,
    });
  } catch (error) {
    if (!(error instanceof EventRefused)) throw error;
    const { reason, message } = error.outcome;
    throw badRequest(reason, message, { issues: [{ path: '', code: reason, message }] });
  }
  await advanceDeviceLog(tx, writer.id, { lastSeq: head.seq, lastHash: head.hash }, isoAt(now));
  return events;
}

const RefRequestSchema = v.object({ type: v.string(), payload: v.unknown() });

/** POST /admin/ref: one ref.* event from the console; 400 with issues when it is not valid. */
export async function writeRefFromConsole(
  db: Db,
  hallId: string,
  body: unknown,
  now: number,
): Promise<EventEnvelope> {
  const parsed = v.safeParse(RefRequestSchema, body);
  if (!parsed.success) throw badRequest('invalid_body', 'Expected { type, payload }.');
  const { type, payload } = parsed.output;
  if (!isRefType(type) || !(type in PAYLOAD_SCHEMAS)) {
    throw badRequest(
      'unknown_event_type',
      `The console writes ref.* events, not "${type.slice(0, 60)}".`,
      {
        issues: [
          { path: 'type', code: 'unknown_event_type', message: 'type: not a reference event type' },
        ],
      },
    );
  }
  const checked = validatePayload(type as EventType, payload);
  if (!checked.ok) {
    throw badRequest(checked.issues[0]?.code ?? 'invalid', 'The reference data is not valid.', {
      issues: checked.issues,
    });
  }
  const events = await db.tx((tx) =>
    writeConsoleEvents(tx, hallId, [{ type: type as EventType, payload: checked.value }], now),
  );
  const event = events[0];
  if (!event) throw new HttpError(500, 'internal', 'no event written');
  return event;
}
