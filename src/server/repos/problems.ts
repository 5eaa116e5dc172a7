/**
 * Projections of the rectification pipeline and of walks: each problem's and each walk's current
 * state is the domain fold of its stored events (src/domain/problem.ts, src/domain/walk.ts),
 * recomputed inside the ingest transaction for every problem or walk a batch touches. Rows are
 * written only here; the console reads them.
 */
import type { Db } from '../db/db';
import type { EventEnvelope, Photo } from '../../domain/events';
import { foldProblem, isFinished, type Problem } from '../../domain/problem';
import { RATING_LEVELS, isPoorRating, type RatingLevel } from '../../domain/rating';
import { foldWalks, type Walk } from '../../domain/walk';
import { iso, json } from './util';

interface EventRow {
  id: string;
  type: string;
  hallId: string;
  deviceId: string;
  deviceSeq: string | number;
  actorId: string | null;
  at: Date | string;
  hlc: string;
  payload: unknown;
}

/** The rating levels that make a 差评. */
const POOR_LEVELS: readonly RatingLevel[] = RATING_LEVELS.filter(isPoorRating);

const EVENT_COLUMNS = `id, type, hall_id AS "hallId", device_id AS "deviceId",
  device_seq AS "deviceSeq", actor_id AS "actorId", at, hlc, payload`;

/** A stored event as the domain folds it: with the server's (possibly clamped) hlc. */
function toEnvelope(r: EventRow): EventEnvelope {
  return {
    v: 1,
    id: r.id,
    type: r.type,
    hallId: r.hallId,
    deviceId: r.deviceId,
    deviceSeq: Number(r.deviceSeq),
    prevHash: null,
    actorId: r.actorId,
    at: iso(r.at),
    hlc: r.hlc,
    payload: r.payload,
  } as EventEnvelope;
}

/** Every stored event of these problems: recordings, 差评 ratings, steps and follow-up ratings. */
export async function problemEvents(
  db: Db,
  problemIds: readonly string[],
): Promise<Map<string, EventEnvelope[]>> {
  const out = new Map<string, EventEnvelope[]>(problemIds.map((id) => [id, []]));
  if (problemIds.length === 0) return out;
  const rows = await db.query<EventRow & { problemId: string }>(
    `SELECT ${EVENT_COLUMNS}, payload ->> 'problemId' AS "problemId" FROM events
       WHERE type LIKE 'problem.%' AND payload ->> 'problemId' = ANY($1::text[])
     UNION ALL
     SELECT ${EVENT_COLUMNS}, id AS "problemId" FROM events
       WHERE type = 'rating.submitted' AND id = ANY($1::text[])
     UNION ALL
     SELECT ${EVENT_COLUMNS}, payload ->> 'ratingId' AS "problemId" FROM events
       WHERE type = 'rating.followedUp' AND payload ->> 'ratingId' = ANY($1::text[])`,
    [problemIds],
  );
  for (const r of rows) out.get(r.problemId)?.push(toEnvelope(r));
  return out;
}

/**
 * Re-fold these problems from their stored events and write the result: a new problem row (for a
 * recording or a 差评), or the new status and state of an existing one.
 */
export async function projectProblems(
  tx: Db,
  problemIds: readonly string[],
  now: string,
): Promise<Problem[]> {
  const ids = [...new Set(problemIds)];
  const events = await problemEvents(tx, ids);
  const problems: (Problem & { hallId: string; eventId: string })[] = [];
  for (const [, list] of events) {
    const p = foldProblem(list);
    if (!p) continue;
    const recording = list.find((e) => e.id === p.steps[0]!.eventId)!;
    problems.push({ ...p, hallId: recording.hallId, eventId: recording.id });
  }
  if (problems.length === 0) return [];
  await tx.query(
    `INSERT INTO problems (id, hall_id, event_id, source, source_id, department_id, window_id,
       description, severity, recorded_at, status, walk_id, checklist_item_id,
       assignee_department_id, recorded_hlc, updated_at, state)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::text[], $12::text[],
       $13::text[], $14::text[], $15::text[], $16::timestamptz[], $17::jsonb[])
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
       assignee_department_id = EXCLUDED.assignee_department_id,
       walk_id = EXCLUDED.walk_id, checklist_item_id = EXCLUDED.checklist_item_id,
       recorded_hlc = EXCLUDED.recorded_hlc, updated_at = EXCLUDED.updated_at,
       state = EXCLUDED.state`,
    [
      problems.map((p) => p.id),
      problems.map((p) => p.hallId),
      problems.map((p) => p.eventId),
      problems.map((p) => p.source),
      problems.map((p) => p.sourceId),
      problems.map((p) => p.departmentId),
      problems.map((p) => p.windowId),
      problems.map((p) => p.description),
      problems.map((p) => p.severity),
      problems.map((p) => p.recordedAt),
      problems.map((p) => p.status),
      problems.map((p) => p.walkId),
      problems.map((p) => p.checklistItemId),
      problems.map((p) => p.assignee?.departmentId ?? null),
      problems.map((p) => p.recordedHlc),
      problems.map(() => now),
      problems.map(({ hallId: _h, eventId: _e, ...p }) => json(p)),
    ],
  );
  // A citizen's call-back number lives only as long as its 差评 is open.
  const closed = problems.filter((p) => p.source === 'rating' && isFinished(p.status));
  await eraseCallbackNumbers(
    tx,
    closed.map((p) => p.id),
    now,
  );
  return problems;
}

/**
 * Erase the call-back numbers of these 差评: the ciphertext goes, the row stays marked erased so the
 * console can say so. Answers how many were erased now.
 */
export async function eraseCallbackNumbers(
  tx: Db,
  ratingIds: readonly string[],
  now: string,
): Promise<number> {
  if (ratingIds.length === 0) return 0;
  const rows = await tx.query<{ ratingId: string }>(
    `UPDATE callback_contacts SET iv = '\\x'::bytea, ciphertext = '\\x'::bytea, erased_at = $2
      WHERE rating_id = ANY($1::text[]) AND erased_at IS NULL RETURNING rating_id AS "ratingId"`,
    [ratingIds, now],
  );
  return rows.length;
}

/** The folded state of some problems, by id (missing ids are absent). */
export async function getProblems(db: Db, ids: readonly string[]): Promise<Map<string, Problem>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; state: Problem | string | null }>(
    'SELECT id, state FROM problems WHERE id = ANY($1::text[])',
    [ids],
  );
  const out = new Map<string, Problem>();
  for (const r of rows) {
    if (r.state) out.set(r.id, typeof r.state === 'string' ? JSON.parse(r.state) : r.state);
  }
  return out;
}

/** Re-fold these walks from their stored events and write them. */
export async function projectWalks(tx: Db, walkIds: readonly string[]): Promise<Walk[]> {
  const ids = [...new Set(walkIds)];
  if (ids.length === 0) return [];
  const rows = await tx.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events
     WHERE type LIKE 'walk.%' AND payload ->> 'walkId' = ANY($1::text[])`,
    [ids],
  );
  const walks = Object.values(foldWalks(rows.map(toEnvelope)));
  const halls = new Map(rows.map((r) => [r.deviceId, r.hallId]));
  if (walks.length === 0) return [];
  await tx.query(
    `INSERT INTO walks (id, hall_id, mode, leader_id, department_id, window_id, device_id,
       started_at, ended_at, state)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::timestamptz[], $9::timestamptz[], $10::jsonb[])
     ON CONFLICT (id) DO UPDATE SET ended_at = EXCLUDED.ended_at, state = EXCLUDED.state`,
    [
      walks.map((w) => w.id),
      walks.map((w) => halls.get(w.deviceId)!),
      walks.map((w) => w.mode),
      walks.map((w) => w.leaderId),
      walks.map((w) => w.departmentId),
      walks.map((w) => w.windowId),
      walks.map((w) => w.deviceId),
      walks.map((w) => w.startedAt),
      walks.map((w) => w.endedAt),
      walks.map((w) => json(w)),
    ],
  );
  return walks;
}

/** Photos named by an event, whatever its type. */
export function photosOf(e: EventEnvelope): Photo[] {
  const p = e.payload as { photos?: Photo[] };
  return Array.isArray(p.photos) ? p.photos : [];
}

/** Record which photos stored events reference, so missing ones can be reported. */
export async function insertPhotoRefs(
  tx: Db,
  refs: readonly {
    sha256: string;
    hallId: string;
    eventId: string;
    deviceId: string;
    problemId: string | null;
  }[],
): Promise<void> {
  if (refs.length === 0) return;
  await tx.query(
    `INSERT INTO photo_refs (sha256, hall_id, event_id, device_id, problem_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT DO NOTHING`,
    [
      refs.map((r) => r.sha256),
      refs.map((r) => r.hallId),
      refs.map((r) => r.eventId),
      refs.map((r) => r.deviceId),
      refs.map((r) => r.problemId),
    ],
  );
}

/** Which of these photos the server holds. */
export async function arrivedBlobs(db: Db, shas: readonly string[]): Promise<Set<string>> {
  if (shas.length === 0) return new Set();
  const rows = await db.query<{ sha256: string }>(
    'SELECT sha256 FROM blobs WHERE sha256 = ANY($1::text[])',
    [shas],
  );
  return new Set(rows.map((r) => r.sha256));
}

/**
 * The hall of each of these problems that exists: a problem row, or a stored 差评 (a poor rating
 * is a problem by itself, whose id is the rating's event id, even before its row is projected).
 */
export async function problemHalls(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; hallId: string }>(
    `SELECT id, hall_id AS "hallId" FROM problems WHERE id = ANY($1::text[])
     UNION
     SELECT event_id AS id, hall_id AS "hallId" FROM ratings
       WHERE event_id = ANY($1::text[]) AND level = ANY($2::text[])`,
    [ids, POOR_LEVELS],
  );
  return new Map(rows.map((r) => [r.id, r.hallId]));
}

/** The hall of each of these walks that exists. */
export async function walkHalls(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; hallId: string }>(
    'SELECT id, hall_id AS "hallId" FROM walks WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.hallId]));
}

/** A stored rating as a follow-up rating (追评) of it is checked against. */
export interface RatedByPhone {
  hallId: string;
  phoneId: string | null;
  level: RatingLevel;
  at: string;
}

/** These stored ratings, by event id. */
export async function ratingsById(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, RatedByPhone>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{
    id: string;
    hallId: string;
    phoneId: string | null;
    level: RatingLevel;
    at: Date | string;
  }>(
    `SELECT event_id AS id, hall_id AS "hallId", phone_id AS "phoneId", level, at
     FROM ratings WHERE event_id = ANY($1::text[])`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { hallId: r.hallId, phoneId: r.phoneId, level: r.level, at: iso(r.at) },
    ]),
  );
}

/** Which of these ratings already have a stored follow-up rating (追评). */
export async function followedUpRatings(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    `SELECT DISTINCT payload ->> 'ratingId' AS id FROM events
     WHERE type = 'rating.followedUp' AND payload ->> 'ratingId' = ANY($1::text[])`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Start-up repair of data stored before the pipeline existed: 差评 without a problem row, and
 * problem rows never folded (state NULL), are projected. Idempotent; answers how many it did.
 */
export async function backfillProblems(tx: Db, now: string): Promise<number> {
  const rows = await tx.query<{ id: string }>(
    `SELECT r.event_id AS id FROM ratings r
     WHERE r.level = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM problems p WHERE p.id = r.event_id)
     UNION
     SELECT id FROM problems WHERE state IS NULL`,
    [POOR_LEVELS],
  );
  const ids = rows.map((r) => r.id);
  let done = 0;
  // In slices, so a large old hall does not build one enormous statement.
  for (let i = 0; i < ids.length; i += 500) {
    done += (await projectProblems(tx, ids.slice(i, i + 500), now)).length;
  }
  return done;
}
