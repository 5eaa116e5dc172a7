/**
 * 局长坐班 tables: leaders' PINs, the duty-shift projection, duty sessions and recorded problems.
 * Shift rows are written only by the reference fold (services/reference-projection.ts); session
 * and problem rows only by ingest.
 */
import type { Db } from '../db/db';
import type { EventEnvelope } from '../../domain/events';
import type { DutyShift } from '../../domain/reference';
import { iso } from './util';

// ---------------------------------------------------------------------------------------------
// PINs

export interface PinVersion {
  leaderId: string;
  version: number;
  salt: string;
  iterations: number;
  hash: string;
}

/** The PBKDF2 hashes of these (leader, version) pairs, keyed `leaderId/version`. */
export async function getPinVersions(
  db: Db,
  pairs: readonly { leaderId: string; version: number }[],
): Promise<Map<string, PinVersion>> {
  if (pairs.length === 0) return new Map();
  const rows = await db.query<PinVersion>(
    `SELECT v.leader_id AS "leaderId", v.version, v.salt, v.iterations, v.hash
     FROM leader_pin_versions v
     JOIN unnest($1::text[], $2::int[]) AS q(leader_id, version)
       ON q.leader_id = v.leader_id AND q.version = v.version`,
    [pairs.map((p) => p.leaderId), pairs.map((p) => p.version)],
  );
  return new Map(rows.map((r) => [pinKey(r.leaderId, r.version), r]));
}

export const pinKey = (leaderId: string, version: number) => `${leaderId}/${version}`;

/** The current PIN of each active leader of the hall that has one. */
export async function currentPins(db: Db, hallId: string): Promise<PinVersion[]> {
  return db.query<PinVersion>(
    `SELECT v.leader_id AS "leaderId", v.version, v.salt, v.iterations, v.hash
     FROM leader_pins p
     JOIN leaders l ON l.id = p.leader_id AND l.active
     JOIN leader_pin_versions v ON v.leader_id = p.leader_id AND v.version = p.version
     WHERE p.hall_id = $1
     ORDER BY v.leader_id`,
    [hallId],
  );
}

/** Ids of the hall's leaders that have a PIN. */
export async function leadersWithPin(db: Db, hallId: string): Promise<Set<string>> {
  const rows = await db.query<{ leaderId: string }>(
    'SELECT leader_id AS "leaderId" FROM leader_pins WHERE hall_id = $1',
    [hallId],
  );
  return new Set(rows.map((r) => r.leaderId));
}

/** Store a new PIN for a leader as the next version; returns that version. */
export async function savePin(
  tx: Db,
  pin: {
    hallId: string;
    leaderId: string;
    scryptHash: string;
    salt: string;
    iterations: number;
    hash: string;
  },
  at: string,
): Promise<number> {
  const rows = await tx.query<{ version: number }>(
    `INSERT INTO leader_pins (leader_id, hall_id, scrypt_hash, version, updated_at)
     VALUES ($1, $2, $3, 1, $4)
     ON CONFLICT (leader_id) DO UPDATE
       SET scrypt_hash = $3, version = leader_pins.version + 1, updated_at = $4
     RETURNING version`,
    [pin.leaderId, pin.hallId, pin.scryptHash, at],
  );
  const version = rows[0]!.version;
  await tx.query(
    `INSERT INTO leader_pin_versions (leader_id, version, salt, iterations, hash, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [pin.leaderId, version, pin.salt, pin.iterations, pin.hash, at],
  );
  return version;
}

// ---------------------------------------------------------------------------------------------
// Shifts

interface RawShift {
  id: string;
  hallId: string;
  leaderId: string;
  departmentId: string;
  windowId: string | null;
  date: string;
  start: string;
  end: string;
  published: boolean;
  active: boolean;
  versionHlc: string;
  versionId: string;
}

export type ShiftRow = DutyShift & { hallId: string };

const SHIFT = `id, hall_id AS "hallId", leader_id AS "leaderId", department_id AS "departmentId",
  window_id AS "windowId", to_char(date, 'YYYY-MM-DD') AS date, start_time AS start,
  end_time AS "end", published, active, version_hlc AS "versionHlc", version_id AS "versionId"`;

function toShift(r: RawShift): ShiftRow {
  return {
    id: r.id,
    hallId: r.hallId,
    leaderId: r.leaderId,
    departmentId: r.departmentId,
    windowId: r.windowId,
    date: r.date,
    start: r.start,
    end: r.end,
    published: r.published,
    active: r.active,
    version: { hlc: r.versionHlc, id: r.versionId },
  };
}

export async function getShift(db: Db, id: string): Promise<ShiftRow | null> {
  const rows = await db.query<RawShift>(`SELECT ${SHIFT} FROM duty_shifts WHERE id = $1`, [id]);
  return rows[0] ? toShift(rows[0]) : null;
}

/** The hall's shifts dated between two dates (both included), by date and start. */
export async function listShifts(
  db: Db,
  hallId: string,
  from: string,
  to: string,
  only: { active?: boolean; published?: boolean } = {},
): Promise<ShiftRow[]> {
  const rows = await db.query<RawShift>(
    `SELECT ${SHIFT} FROM duty_shifts
     WHERE hall_id = $1 AND date BETWEEN $2::date AND $3::date
       AND ($4::boolean IS NULL OR active = $4) AND ($5::boolean IS NULL OR published = $5)
     ORDER BY date, start_time, end_time, id`,
    [hallId, from, to, only.active ?? null, only.published ?? null],
  );
  return rows.map(toShift);
}

export async function saveShift(tx: Db, hallId: string, s: DutyShift): Promise<void> {
  await tx.query(
    `INSERT INTO duty_shifts (id, hall_id, leader_id, department_id, window_id, date, start_time,
       end_time, published, active, version_hlc, version_id)
     VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (id) DO UPDATE SET leader_id = $3, department_id = $4, window_id = $5,
       date = $6::date, start_time = $7, end_time = $8, published = $9, active = $10,
       version_hlc = $11, version_id = $12`,
    [
      s.id,
      hallId,
      s.leaderId,
      s.departmentId,
      s.windowId,
      s.date,
      s.start,
      s.end,
      s.published,
      s.active,
      s.version.hlc,
      s.version.id,
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// Sessions

export interface SessionRow {
  id: string;
  hallId: string;
  leaderId: string;
}

/** Which of these ids name a stored duty session (of any hall). */
export async function getSessions(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, SessionRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<SessionRow>(
    `SELECT id, hall_id AS "hallId", leader_id AS "leaderId" FROM duty_sessions
     WHERE id = ANY($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

export interface NewSession {
  id: string;
  hallId: string;
  leaderId: string;
  departmentId: string;
  windowId: string | null;
  deviceId: string;
  signedInAt: string;
}

export async function insertSessions(tx: Db, rows: readonly NewSession[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO duty_sessions (id, hall_id, leader_id, department_id, window_id, device_id,
       signed_in_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::timestamptz[])
     ON CONFLICT (id) DO NOTHING`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.hallId),
      rows.map((r) => r.leaderId),
      rows.map((r) => r.departmentId),
      rows.map((r) => r.windowId),
      rows.map((r) => r.deviceId),
      rows.map((r) => r.signedInAt),
    ],
  );
}

/** Record sign-outs; a session keeps its first one. */
export async function markSignedOut(
  tx: Db,
  rows: readonly { id: string; at: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE duty_sessions d SET signed_out_at = q.at
     FROM unnest($1::text[], $2::timestamptz[]) AS q(id, at)
     WHERE d.id = q.id AND d.signed_out_at IS NULL`,
    [rows.map((r) => r.id), rows.map((r) => r.at)],
  );
}

/**
 * The duty.* events of the hall's sessions signed in within [fromMs, toMs), in hall order, as
 * stored (with the server's hlc), for the domain's session fold.
 */
export async function dutyEventsSignedInBetween(
  db: Db,
  hallId: string,
  fromIso: string,
  toIso: string,
): Promise<EventEnvelope[]> {
  const rows = await db.query<{ envelope: EventEnvelope; hlc: string }>(
    `SELECT e.envelope, e.hlc FROM events e
     WHERE e.hall_id = $1 AND e.type LIKE 'duty.%' AND e.payload ->> 'sessionId' IN (
       SELECT id FROM duty_sessions
       WHERE hall_id = $1 AND signed_in_at >= $2::timestamptz AND signed_in_at < $3::timestamptz)
     ORDER BY e.hall_seq`,
    [hallId, fromIso, toIso],
  );
  return rows.map((r) => ({ ...r.envelope, hlc: r.hlc }));
}

// ---------------------------------------------------------------------------------------------
// Problems

export interface ProblemRow {
  id: string;
  hallId: string;
  eventId: string;
  source: string;
  sourceId: string;
  departmentId: string;
  windowId: string | null;
  description: string;
  severity: string;
  recordedAt: string;
  status: string;
}

export async function existingProblemIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    'SELECT id FROM problems WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

export async function insertProblems(
  tx: Db,
  rows: readonly Omit<ProblemRow, 'status'>[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO problems (id, hall_id, event_id, source, source_id, department_id, window_id,
       description, severity, recorded_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::text[], $9::text[], $10::timestamptz[])
     ON CONFLICT (id) DO NOTHING`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.hallId),
      rows.map((r) => r.eventId),
      rows.map((r) => r.source),
      rows.map((r) => r.sourceId),
      rows.map((r) => r.departmentId),
      rows.map((r) => r.windowId),
      rows.map((r) => r.description),
      rows.map((r) => r.severity),
      rows.map((r) => r.recordedAt),
    ],
  );
}

export async function listProblems(db: Db, hallId: string): Promise<ProblemRow[]> {
  const rows = await db.query<Omit<ProblemRow, 'recordedAt'> & { recordedAt: Date | string }>(
    `SELECT id, hall_id AS "hallId", event_id AS "eventId", source, source_id AS "sourceId",
       department_id AS "departmentId", window_id AS "windowId", description, severity,
       recorded_at AS "recordedAt", status
     FROM problems WHERE hall_id = $1 ORDER BY recorded_at, id`,
    [hallId],
  );
  return rows.map((r) => ({ ...r, recordedAt: iso(r.recordedAt) }));
}
