import type { Db } from '../db/db';
import type { PulledEvent } from '../../sync/protocol';
import type { EventEnvelope } from '../../domain/events';
import { json } from './util';

export interface StoredEvent {
  id: string;
  hallId: string;
  hallSeq: number;
  deviceId: string;
  deviceSeq: number;
  type: string;
  actorId: string | null;
  at: string;
  hlc: string;
  hlcOriginal: string;
  prevHash: string | null;
  hash: string;
  payload: unknown;
  envelope: unknown;
  receivedAt: string;
}

export async function eventExists(db: Db, id: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM events WHERE id = $1', [id]);
  return rows.length > 0;
}

export async function insertEvent(tx: Db, e: StoredEvent): Promise<void> {
  await tx.query(
    `INSERT INTO events (id, hall_id, hall_seq, device_id, device_seq, type, actor_id, at, hlc,
       hlc_original, prev_hash, hash, payload, envelope, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb, $15)
     ON CONFLICT (id) DO NOTHING`,
    [
      e.id,
      e.hallId,
      e.hallSeq,
      e.deviceId,
      e.deviceSeq,
      e.type,
      e.actorId,
      e.at,
      e.hlc,
      e.hlcOriginal,
      e.prevHash,
      e.hash,
      json(e.payload),
      json(e.envelope),
      e.receivedAt,
    ],
  );
}

/** One page of a hall's events after a cursor, in hall order, as devices pull them. */
export async function pullEvents(
  db: Db,
  hallId: string,
  after: number,
  limit: number,
): Promise<{ events: PulledEvent[]; more: boolean }> {
  const rows = await db.query<{ envelope: EventEnvelope; hlc: string; hallSeq: number }>(
    `SELECT envelope, hlc, hall_seq AS "hallSeq" FROM events
     WHERE hall_id = $1 AND hall_seq > $2 ORDER BY hall_seq LIMIT $3`,
    [hallId, after, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    events: page.map((r) => ({ ...r.envelope, hlc: r.hlc, hallSeq: r.hallSeq })),
    more: rows.length > limit,
  };
}

/** The last hlc a device wrote (the console writer restarts its clock from it). */
export async function lastHlcOf(db: Db, deviceId: string): Promise<string | null> {
  const rows = await db.query<{ hlc: string }>(
    'SELECT hlc_original AS hlc FROM events WHERE device_id = $1 ORDER BY device_seq DESC LIMIT 1',
    [deviceId],
  );
  return rows[0]?.hlc ?? null;
}

export interface RejectedRow {
  eventId: string;
  hallId: string;
  deviceId: string;
  deviceSeq: number;
  type: string | null;
  reason: string;
  message: string;
  envelope: unknown;
  receivedAt: string;
}

export async function insertRejected(tx: Db, r: RejectedRow): Promise<void> {
  await tx.query(
    `INSERT INTO rejected_events (event_id, hall_id, device_id, device_seq, type, reason, message,
       envelope, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) ON CONFLICT (event_id) DO NOTHING`,
    [
      r.eventId,
      r.hallId,
      r.deviceId,
      r.deviceSeq,
      r.type,
      r.reason,
      r.message,
      json(r.envelope),
      r.receivedAt,
    ],
  );
}

export async function findRejected(
  db: Db,
  eventId: string,
): Promise<{ deviceId: string; reason: string; message: string } | null> {
  const rows = await db.query<{ deviceId: string; reason: string; message: string }>(
    'SELECT device_id AS "deviceId", reason, message FROM rejected_events WHERE event_id = $1',
    [eventId],
  );
  return rows[0] ?? null;
}

export async function listRejected(
  db: Db,
  hallId: string,
  limit: number,
): Promise<Omit<RejectedRow, 'envelope' | 'hallId'>[]> {
  const rows = await db.query<
    Omit<RejectedRow, 'envelope' | 'hallId' | 'receivedAt'> & { receivedAt: Date }
  >(
    `SELECT event_id AS "eventId", device_id AS "deviceId", device_seq AS "deviceSeq", type, reason,
       message, received_at AS "receivedAt"
     FROM rejected_events WHERE hall_id = $1 ORDER BY received_at DESC, event_id DESC LIMIT $2`,
    [hallId, limit],
  );
  return rows.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() }));
}
