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
}

export async function insertRating(tx: Db, r: RatingRow): Promise<void> {
  await tx.query(
    `INSERT INTO ratings (event_id, hall_id, device_id, window_id, department_id, level, channel,
       ticket, phone_id, duty_session_id, reasons, comment, at, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      r.eventId,
      r.hallId,
      r.deviceId,
      r.windowId,
      r.departmentId,
      r.level,
      r.channel,
      r.ticket,
      r.phoneId,
      r.dutySessionId,
      json(r.reasons),
      r.comment,
      r.at,
      r.receivedAt,
    ],
  );
}

/** 一事一评: has this ticket (queue number or case number) already been rated in the hall? */
export async function ticketRated(db: Db, hallId: string, ticket: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM ratings WHERE hall_id = $1 AND ticket = $2 LIMIT 1', [
    hallId,
    ticket,
  ]);
  return rows.length > 0;
}

/** Did this phone rate this window less than `minutes` before or after `at`? */
export async function phoneRatedWithin(
  db: Db,
  phoneId: string,
  windowId: string,
  at: string,
  minutes: number,
): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM ratings WHERE phone_id = $1 AND window_id = $2
       AND at > $3::timestamptz - make_interval(mins => $4::int)
       AND at < $3::timestamptz + make_interval(mins => $4::int)
     LIMIT 1`,
    [phoneId, windowId, at, minutes],
  );
  return rows.length > 0;
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
       d.name AS "departmentName", r.reasons, r.comment, r.ticket, r.device_id AS "deviceId"
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
