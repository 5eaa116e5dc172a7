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

/** JSON data equal as JSON: a key holding undefined counts as absent, as JSON.stringify drops it. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      // An undefined element is written as null: compared as sent, left to the explicit path.
      if (a[i] === undefined || b[i] === undefined || !sameJson(a[i], b[i])) return false;
    }
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const key of Object.keys(x)) {
    if (x[key] === undefined) continue;
    if (!Object.hasOwn(y, key) || !sameJson(x[key], y[key])) return false;
    n++;
  }
  for (const key of Object.keys(y)) if (y[key] !== undefined) n--;
  return n === 0;
}

/** Scalars equal as the columns store them: absent (undefined) is null. */
const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

type AppendedEvent = Omit<StoredEvent, 'hallSeq' | 'hallId'>;

/**
 * Whether the columns an event shares with its envelope hold what the envelope holds (so the
 * database can take them from it instead of a second copy): true for every event the ingest
 * stores, whose envelope is what the device sent and whose columns are its checked fields.
 */
function fromEnvelope(e: AppendedEvent): boolean {
  const env = e.envelope;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return false;
  const x = env as Record<string, unknown>;
  return (
    typeof x['id'] === 'string' &&
    x['id'] === e.id &&
    typeof x['deviceId'] === 'string' &&
    x['deviceId'] === e.deviceId &&
    typeof x['deviceSeq'] === 'number' &&
    Number.isSafeInteger(x['deviceSeq']) &&
    x['deviceSeq'] === e.deviceSeq &&
    typeof x['type'] === 'string' &&
    x['type'] === e.type &&
    (x['actorId'] === undefined || x['actorId'] === null || typeof x['actorId'] === 'string') &&
    same(x['actorId'], e.actorId) &&
    typeof x['at'] === 'string' &&
    x['at'] === e.at &&
    typeof x['hlc'] === 'string' &&
    x['hlc'] === e.hlcOriginal &&
    (x['prevHash'] === null || typeof x['prevHash'] === 'string') &&
    x['prevHash'] === e.prevHash &&
    e.payload !== null &&
    e.payload !== undefined &&
    sameJson(e.payload, x['payload'])
  );
}

/**
 * Whether a rating row holds what its event holds (its device, time and reception, and its
 * payload's fields), so that the database can take it from the event; such a rating travels as a
 * mark on its event instead of a row of its own.
 */
function fromEvent(r: RatingRow, e: AppendedEvent, hallId: string): boolean {
  const p = e.payload;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
  const x = p as Record<string, unknown>;
  const text = (v: unknown) => typeof v === 'string';
  const textOrNull = (v: unknown) => v === null || typeof v === 'string';
  return (
    r.hallId === hallId &&
    r.deviceId === e.deviceId &&
    r.at === e.at &&
    r.receivedAt === e.receivedAt &&
    text(x['windowId']) &&
    x['windowId'] === r.windowId &&
    text(x['departmentId']) &&
    x['departmentId'] === r.departmentId &&
    text(x['level']) &&
    x['level'] === r.level &&
    text(x['channel']) &&
    x['channel'] === r.channel &&
    textOrNull(x['ticket']) &&
    x['ticket'] === r.ticket &&
    textOrNull(x['phoneId']) &&
    x['phoneId'] === r.phoneId &&
    textOrNull(x['dutySessionId']) &&
    x['dutySessionId'] === r.dutySessionId &&
    text(x['comment']) &&
    x['comment'] === r.comment &&
    Array.isArray(x['reasons']) &&
    sameJson(x['reasons'], r.reasons)
  );
}

/**
 * Append events of one hall to its log, and the ratings among them, in one statement: the hall's
 * next hall_seq numbers in the order given (the caller holds the hall lock, so they commit in
 * that order), the events, and the ratings (as insertRatings; each names an event of the list).
 * An id already stored is left as it is. Returns the first hall_seq handed out.
 *
 * The rows travel as JSON documents, decoded by the database in one pass, rather than as arrays
 * of JSON texts that both ends would escape and unescape again. What an event's envelope already
 * holds (its id, device, sequence number, type, actor, times, previous hash and payload) is not
 * sent a second time: the database takes those columns from the envelope. A rating whose fields
 * are its event's payload travels as a mark on the event, and its row is taken from the event.
 * The database parses each byte sent, under the hall lock: half as many bytes is a shorter lock.
 */
export async function appendEvents(
  tx: Db,
  hallId: string,
  events: readonly AppendedEvent[],
  ratings: readonly RatingRow[],
): Promise<number> {
  if (events.length === 0) throw new Error('nothing to append');
  const byId = new Map<string, { e: AppendedEvent; n: number }>();
  events.forEach((e, n) => {
    if (!byId.has(e.id)) byId.set(e.id, { e, n });
  });
  // Ratings taken from their event, by the event's position, with their address hash.
  const marked = new Map<number, string | null>();
  const apart: RatingRow[] = [];
  for (const r of ratings) {
    const found = byId.get(r.eventId);
    if (found && !marked.has(found.n) && fromEvent(r, found.e, hallId))
      marked.set(found.n, r.addressHash ?? null);
    else apart.push(r);
  }
  // Without ratings the ratings' statement (and so its rollup trigger) is left out.
  const fromMarks = `SELECT e.id, $1, e.device_id, e.payload ->> 'windowId',
         e.payload ->> 'departmentId', e.payload ->> 'level', e.payload ->> 'channel',
         e.payload ->> 'ticket', e.payload ->> 'phoneId', e.payload ->> 'dutySessionId',
         e.payload -> 'reasons', e.payload ->> 'comment', e.at, e.received_at, e.address_hash
       FROM doc e WHERE e.rated`;
  const rated =
    ratings.length === 0
      ? ''
      : `, rated AS (
         INSERT INTO ratings (${RATING_COLUMNS})
         ${marked.size > 0 ? fromMarks : ''}
         ${marked.size > 0 && apart.length > 0 ? 'UNION ALL' : ''}
         ${apart.length > 0 ? ratingsFromJson(4) : ''}
         ON CONFLICT (event_id) DO NOTHING
       )`;
  const rows = await tx.query<{ first: number }>(
    `WITH seq AS (
       UPDATE halls SET next_seq = next_seq + $2 WHERE id = $1 RETURNING next_seq - $2 + 1 AS first
     ), sent AS (
       SELECT * FROM jsonb_to_recordset($3::jsonb) AS s(d boolean, id text, device_id text,
         device_seq bigint, type text, actor_id text, at timestamptz, hlc text, hlc_original text,
         prev_hash text, hash text, payload jsonb, envelope jsonb, received_at timestamptz, n int,
         rated boolean, address_hash text)
     ), doc AS MATERIALIZED (
       SELECT s.n, s.hlc, s.hash, s.envelope, s.received_at, s.rated, s.address_hash,
         CASE WHEN s.d THEN s.envelope ->> 'id' ELSE s.id END AS id,
         CASE WHEN s.d THEN s.envelope ->> 'deviceId' ELSE s.device_id END AS device_id,
         CASE WHEN s.d THEN (s.envelope ->> 'deviceSeq')::bigint ELSE s.device_seq END
           AS device_seq,
         CASE WHEN s.d THEN s.envelope ->> 'type' ELSE s.type END AS type,
         CASE WHEN s.d THEN s.envelope ->> 'actorId' ELSE s.actor_id END AS actor_id,
         CASE WHEN s.d THEN (s.envelope ->> 'at')::timestamptz ELSE s.at END AS at,
         CASE WHEN s.d THEN s.envelope ->> 'hlc' ELSE s.hlc_original END AS hlc_original,
         CASE WHEN s.d THEN s.envelope ->> 'prevHash' ELSE s.prev_hash END AS prev_hash,
         CASE WHEN s.d THEN s.envelope -> 'payload' ELSE s.payload END AS payload
       FROM sent s
     ), stored AS (
       INSERT INTO events (${EVENT_COLUMNS})
       SELECT e.id, $1, seq.first + e.n, e.device_id, e.device_seq, e.type, e.actor_id, e.at,
         COALESCE(e.hlc, e.hlc_original), e.hlc_original, e.prev_hash, e.hash, e.payload,
         e.envelope, e.received_at
       FROM seq, doc e
       ORDER BY e.n
       ON CONFLICT (id) DO NOTHING
     )${rated}
     SELECT first FROM seq`,
    [
      hallId,
      events.length,
      json(
        events.map((e, n) => {
          const rating = marked.has(n)
            ? { rated: true, address_hash: marked.get(n) ?? null }
            : undefined;
          // The clamped hlc only when the server moved it.
          const hlc = e.hlc === e.hlcOriginal ? undefined : e.hlc;
          if (fromEnvelope(e)) {
            return {
              d: true,
              hlc,
              hash: e.hash,
              envelope: e.envelope,
              received_at: e.receivedAt,
              n,
              ...rating,
            };
          }
          return {
            id: e.id,
            device_id: e.deviceId,
            device_seq: e.deviceSeq,
            type: e.type,
            actor_id: e.actorId,
            at: e.at,
            hlc,
            hlc_original: e.hlcOriginal,
            prev_hash: e.prevHash,
            hash: e.hash,
            payload: e.payload,
            envelope: e.envelope,
            received_at: e.receivedAt,
            n,
            ...rating,
          };
        }),
      ),
      ...(apart.length === 0 ? [] : [ratingsJson(apart)]),
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
