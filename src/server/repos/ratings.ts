import type { Db } from '../db/db';
import type { RatingLevel } from '../../domain/rating';
import { iso, json } from './util';

export interface RatingRow {
  eventId: string;
  hallId: string;
  deviceId: string;
  windowId: string;
  departmentId: string;
  level: RatingLevel;
  channel: string;
  ticket: string | null;
  phoneId: string | null;
  dutySessionId: string | null;
  reasons: string[];
  comment: string;
  at: string;
  receivedAt: string;
  /** Phones: the keyed hash of the address the rating came from (never the address). */
  addressHash?: string | null;
}

/**
 * The ratings of `rows` as a SELECT over one JSON document parameter (`$<param>`), in the columns
 * of {@link RATING_COLUMNS}.
 */
export function ratingsFromJson(param: number): string {
  return `SELECT event_id, hall_id, device_id, window_id, department_id, level, channel, ticket,
       phone_id, duty_session_id, reasons, comment, at, received_at, address_hash
     FROM jsonb_to_recordset($${param}::jsonb) AS r(event_id text, hall_id text, device_id text,
       window_id text, department_id text, level text, channel text, ticket text, phone_id text,
       duty_session_id text, reasons jsonb, comment text, at timestamptz, received_at timestamptz,
       address_hash text)`;
}

export const RATING_COLUMNS = `event_id, hall_id, device_id, window_id, department_id, level,
  channel, ticket, phone_id, duty_session_id, reasons, comment, at, received_at, address_hash`;

/** The parameter {@link ratingsFromJson} reads. */
export function ratingsJson(rows: readonly RatingRow[]): string {
  return json(
    rows.map((r) => ({
      event_id: r.eventId,
      hall_id: r.hallId,
      device_id: r.deviceId,
      window_id: r.windowId,
      department_id: r.departmentId,
      level: r.level,
      channel: r.channel,
      ticket: r.ticket,
      phone_id: r.phoneId,
      duty_session_id: r.dutySessionId,
      reasons: r.reasons,
      comment: r.comment,
      at: r.at,
      received_at: r.receivedAt,
      address_hash: r.addressHash ?? null,
    })),
  );
}

/** Project stored ratings in one statement; an event already projected is left as it is. */
export async function insertRatings(tx: Db, rows: readonly RatingRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO ratings (${RATING_COLUMNS}) ${ratingsFromJson(1)}
     ON CONFLICT (event_id) DO NOTHING`,
    [ratingsJson(rows)],
  );
}

/** A repeated press kept for audit (src/domain/rating-integrity.ts), never counted. */
export interface RatingExtraRow {
  eventId: string;
  hallId: string;
  deviceId: string;
  windowId: string;
  departmentId: string;
  level: RatingLevel;
  repeatOf: string;
  reason: 'repeat_press';
  at: string;
  receivedAt: string;
}

/** Keep repeated presses apart from the ratings the figures read. */
export async function insertRatingExtras(tx: Db, rows: readonly RatingExtraRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO rating_extras (event_id, hall_id, device_id, window_id, department_id, level,
       repeat_of, reason, at, received_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      rows.map((r) => r.eventId),
      rows.map((r) => r.hallId),
      rows.map((r) => r.deviceId),
      rows.map((r) => r.windowId),
      rows.map((r) => r.departmentId),
      rows.map((r) => r.level),
      rows.map((r) => r.repeatOf),
      rows.map((r) => r.reason),
      rows.map((r) => r.at),
      rows.map((r) => r.receivedAt),
    ],
  );
}

/** 一事一评: which of these tickets (queue or case numbers) have already been rated in the hall? */
export async function ratedTickets(
  db: Db,
  hallId: string,
  tickets: readonly string[],
): Promise<Set<string>> {
  if (tickets.length === 0) return new Set();
  const rows = await db.query<{ ticket: string }>(
    `SELECT DISTINCT ticket FROM ratings
     WHERE hall_id = $1 AND ticket IS NOT NULL AND ticket = ANY($2::text[])`,
    [hallId, tickets],
  );
  return new Set(rows.map((r) => r.ticket));
}

/** A rating a phone is about to give: that phone, that window, at that time. */
export interface PhoneRating {
  phoneId: string;
  windowId: string;
  at: string;
}

/**
 * How close in time these ratings-to-be come to others of the same phone and window, judged by
 * the database's own timestamps: `stored` holds the index of each one within `minutes` (before or
 * after) of a rating already stored, `earlier` maps an index to the lower indexes of the list
 * itself that are that close.
 */
export async function phoneRatingsWithin(
  db: Db,
  ratings: readonly PhoneRating[],
  minutes: number,
): Promise<{ stored: Set<number>; earlier: Map<number, number[]> }> {
  const stored = new Set<number>();
  const earlier = new Map<number, number[]>();
  if (ratings.length === 0) return { stored, earlier };
  const rows = await db.query<{ i: number; earlier: number[] | null }>(
    `WITH c AS (
       SELECT phone_id, window_id, at, (i - 1)::int AS i
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY
         AS c(phone_id, window_id, at, i)
     )
     SELECT c.i, NULL::int[] AS earlier FROM c
     WHERE EXISTS (
       SELECT 1 FROM ratings r WHERE r.phone_id IS NOT NULL AND r.phone_id = c.phone_id
         AND r.window_id = c.window_id
         AND r.at > c.at - make_interval(mins => $4::int)
         AND r.at < c.at + make_interval(mins => $4::int))
     UNION ALL
     SELECT b.i, array_agg(a.i ORDER BY a.i) FROM c a JOIN c b
       ON a.i < b.i AND a.phone_id = b.phone_id AND a.window_id = b.window_id
         AND a.at > b.at - make_interval(mins => $4::int)
         AND a.at < b.at + make_interval(mins => $4::int)
     GROUP BY b.i`,
    [
      ratings.map((r) => r.phoneId),
      ratings.map((r) => r.windowId),
      ratings.map((r) => r.at),
      minutes,
    ],
  );
  for (const r of rows) {
    if (r.earlier === null) stored.add(r.i);
    else earlier.set(r.i, r.earlier);
  }
  return { stored, earlier };
}

export interface RatingListRow {
  id: string;
  at: string;
  receivedAt: string;
  level: RatingLevel;
  channel: string;
  windowId: string;
  windowCode: string | null;
  windowName: string | null;
  departmentName: string | null;
  reasons: string[];
  comment: string;
  ticket: string | null;
  deviceId: string;
  /** The 局长坐班 session the rating was given under, if any. */
  dutySessionId: string | null;
}

export async function listRatings(
  db: Db,
  hallId: string,
  opts: { limit: number; windowId?: string },
): Promise<{ total: number; byLevel: Record<string, number>; ratings: RatingListRow[] }> {
  const filter = opts.windowId ? 'AND r.window_id = $2' : 'AND $2::text IS NULL';
  const params = [hallId, opts.windowId ?? null];
  const counts = await db.query<{ level: RatingLevel; n: number }>(
    `SELECT r.level, count(*)::int AS n FROM ratings r WHERE r.hall_id = $1 ${filter} GROUP BY r.level`,
    params,
  );
  const rows = await db.query<
    Omit<RatingListRow, 'at' | 'receivedAt'> & { at: Date; receivedAt: Date }
  >(
    `SELECT r.event_id AS id, r.at, r.received_at AS "receivedAt", r.level, r.channel,
       r.window_id AS "windowId", w.code AS "windowCode", w.name AS "windowName",
       d.name AS "departmentName", r.reasons, r.comment, r.ticket, r.device_id AS "deviceId",
       r.duty_session_id AS "dutySessionId"
     FROM ratings r
       LEFT JOIN windows w ON w.id = r.window_id
       LEFT JOIN departments d ON d.id = r.department_id
     WHERE r.hall_id = $1 ${filter}
     ORDER BY r.at DESC, r.event_id DESC LIMIT $3`,
    [...params, opts.limit],
  );
  const byLevel: Record<string, number> = {};
  let total = 0;
  for (const c of counts) {
    byLevel[c.level] = c.n;
    total += c.n;
  }
  return {
    total,
    byLevel,
    ratings: rows.map((r) => ({ ...r, at: iso(r.at), receivedAt: iso(r.receivedAt) })),
  };
}
