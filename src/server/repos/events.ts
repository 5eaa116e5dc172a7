import { wellFormedCopy } from '../../domain/events';
import type { Db } from '../db/db';
import type { PulledEvent } from '../../sync/protocol';
import type { EventEnvelope } from '../../domain/events';
import { RATING_COLUMNS, ratingsFromJson, ratingsJson, type RatingRow } from './ratings';
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

/** Which of these ids already name a stored event (of any hall). */
export async function existingEventIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>('SELECT id FROM events WHERE id = ANY($1::text[])', [
    ids,
  ]);
  return new Set(rows.map((r) => r.id));
}

const EVENT_COLUMNS = `id, hall_id, hall_seq, device_id, device_seq, type, actor_id, at, hlc,
  hlc_original, prev_hash, hash, payload, envelope, received_at`;

/**
 * Append events of one hall to its log, and the ratings among them, in one statement: the hall's
 * next hall_seq numbers in the order given (the caller holds the hall lock, so they commit in
 * that order), the events, and the ratings (as insertRatings; each names an event of the list).
 * An id already stored is left as it is. Returns the first hall_seq handed out.
 *
 * The rows travel as JSON documents, decoded by the database in one pass, rather than as arrays
 * of JSON texts that both ends would escape and unescape again.
 */
export async function appendEvents(
  tx: Db,
  hallId: string,
  events: readonly Omit<StoredEvent, 'hallSeq' | 'hallId'>[],
  ratings: readonly RatingRow[],
): Promise<number> {
  if (events.length === 0) throw new Error('nothing to append');
  // Without ratings the ratings' statement (and so its rollup trigger) is left out.
  const rated =
    ratings.length === 0
      ? ''
      : `, rated AS (
         INSERT INTO ratings (${RATING_COLUMNS}) ${ratingsFromJson(4)}
         ON CONFLICT (event_id) DO NOTHING
       )`;
  const rows = await tx.query<{ first: number }>(
    `WITH seq AS (
       UPDATE halls SET next_seq = next_seq + $2 WHERE id = $1 RETURNING next_seq - $2 + 1 AS first
     ), stored AS (
       INSERT INTO events (${EVENT_COLUMNS})
       SELECT e.id, $1, seq.first + e.n, e.device_id, e.device_seq, e.type, e.actor_id, e.at,
         e.hlc, e.hlc_original, e.prev_hash, e.hash, e.payload, e.envelope, e.received_at
       FROM seq, jsonb_to_recordset($3::jsonb) AS e(id text, device_id text, device_seq bigint,
         type text, actor_id text, at timestamptz, hlc text, hlc_original text, prev_hash text,
         hash text, payload jsonb, envelope jsonb, received_at timestamptz, n int)
       ORDER BY e.n
       ON CONFLICT (id) DO NOTHING
     )${rated}
     SELECT first FROM seq`,
    [
      hallId,
      events.length,
      json(
        events.map((e, n) => ({
          id: e.id,
          device_id: e.deviceId,
          device_seq: e.deviceSeq,
          type: e.type,
          actor_id: e.actorId,
          at: e.at,
          hlc: e.hlc,
          hlc_original: e.hlcOriginal,
          prev_hash: e.prevHash,
          hash: e.hash,
          payload: e.payload,
          envelope: e.envelope,
          received_at: e.receivedAt,
          n,
        })),
      ),
      ...(ratings.length === 0 ? [] : [ratingsJson(ratings)]),
    ],
  );
  if (!rows[0]) throw new Error(`hall ${hallId} does not exist`);
  return rows[0].first;
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

/** Record refused events in one statement; an id already on file keeps its first refusal. */
export async function insertRejected(tx: Db, rows: readonly RejectedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO rejected_events (event_id, hall_id, device_id, device_seq, type, reason, message,
       envelope, received_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
       $7::text[], $8::jsonb[], $9::timestamptz[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      rows.map((r) => r.eventId),
      rows.map((r) => r.hallId),
      rows.map((r) => r.deviceId),
      rows.map((r) => r.deviceSeq),
      rows.map((r) => r.type),
      rows.map((r) => r.reason),
      rows.map((r) => r.message),
      // Ill-formed text is refused, and kept with U+FFFD where jsonb cannot hold it as sent.
      rows.map((r) => json(wellFormedCopy(r.envelope))),
      rows.map((r) => r.receivedAt),
    ],
  );
}

export interface Refusal {
  deviceId: string;
  reason: string;
  message: string;
}

/** The refusals on file for these event ids. */
export async function findRejected(
  db: Db,
  eventIds: readonly string[],
): Promise<Map<string, Refusal>> {
  if (eventIds.length === 0) return new Map();
  const rows = await db.query<Refusal & { eventId: string }>(
    `SELECT event_id AS "eventId", device_id AS "deviceId", reason, message FROM rejected_events
     WHERE event_id = ANY($1::text[])`,
    [eventIds],
  );
  return new Map(
    rows.map((r) => [r.eventId, { deviceId: r.deviceId, reason: r.reason, message: r.message }]),
  );
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
