/**
 * The console's view of the rectification pipeline (design §1, §4): the problem list with its
 * filters and per-department counts, a problem's full history with photos, and the steps an
 * administrator takes. Every problem is read as the domain fold stored by ingest
 * (`problems.state`); deadlines are computed here, in working days, as of the server's clock.
 */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { holidayCalendar, type HolidayCalendar } from '../../domain/calendar';
import {
  PROBLEM_SOURCES,
  PROBLEM_STATUSES,
  isProblemStepType,
  validatePayload,
  type Photo,
  type WalkMode,
} from '../../domain/events';
import type { Id } from '../../domain/ids';
import {
  isOverdue,
  isRectified,
  nextSteps,
  problemDeadlines,
  type Problem,
} from '../../domain/problem';
import { type ChecklistItem, type Department, type HallSettings } from '../../domain/reference';
import { hallDayStartMs } from '../../domain/schedule';
import type {
  DepartmentProblemCounts,
  MissingPhotosResponse,
  NamedDepartment,
  PhotoView,
  ProblemDetailResponse,
  ProblemListItem,
  ProblemListQuery,
  ProblemListResponse,
} from '../../sync/pipeline-protocol';
import { badRequest, notFound } from '../errors';
import { arrivedBlobs } from '../repos/problems';
import {
  getChecklist,
  getHolidayYears,
  getLeaders,
  getSettings,
  listDepartments,
  listWindows,
  type WindowRow,
} from '../repos/reference';
import { iso, isoAt } from '../repos/util';
import { writeConsoleEvents } from './console-writer';

/** What the console's pipeline pages need to know about the hall, read once per request. */
export interface HallView {
  departments: Map<Id, Department>;
  windows: Map<Id, WindowRow>;
  /** Every checklist item, retired ones included. */
  checklist: Record<Id, ChecklistItem>;
  /** The hall's own holiday years (laid over the shipped ones in `calendar`). */
  hallYears: HolidayCalendar;
  calendar: HolidayCalendar;
  settings: HallSettings;
}

export async function loadHallView(db: Db, hallId: string): Promise<HallView> {
  const [departments, windows, checklist, years, settings] = await Promise.all([
    listDepartments(db, hallId),
    listWindows(db, hallId),
    getChecklist(db, hallId),
    getHolidayYears(db, hallId),
    getSettings(db, hallId),
  ]);
  return {
    departments: new Map(departments.map((d) => [d.id, d])),
    windows: new Map(windows.map((w) => [w.id, w])),
    checklist: Object.fromEntries(checklist.map(({ hallId: _hall, ...item }) => [item.id, item])),
    hallYears: years.holidays,
    calendar: holidayCalendar(years.holidays),
    settings: settings.settings,
  };
}

export function namedDepartment(hall: HallView, id: Id): NamedDepartment {
  const d = hall.departments.get(id);
  return { id, name: d?.name ?? '', ...(d?.nameEn ? { nameEn: d.nameEn } : {}) };
}

export function windowOf(
  hall: HallView,
  id: Id | null,
): { id: Id; code: string; name: string } | null {
  if (id === null) return null;
  const w = hall.windows.get(id);
  return { id, code: w?.code ?? '', name: w?.name ?? '' };
}

/** Every photo of a problem: of its recording and of each step, once each. */
export function problemPhotos(p: Problem): Photo[] {
  const out = new Map<string, Photo>();
  for (const photo of [...p.photos, ...p.steps.flatMap((s) => s.photos)]) {
    if (!out.has(photo.sha256)) out.set(photo.sha256, photo);
  }
  return [...out.values()];
}

export function photoView(photo: Photo, arrived: ReadonlySet<string>): PhotoView {
  return { ...photo, arrived: arrived.has(photo.sha256), url: `/api/v1/blobs/${photo.sha256}` };
}

export function listItem(
  p: Problem,
  hall: HallView,
  now: number,
  arrived: ReadonlySet<string>,
): ProblemListItem {
  const deadlines = problemDeadlines(p, now, hall.calendar, hall.settings);
  const photos = problemPhotos(p);
  return {
    id: p.id,
    source: p.source,
    department: namedDepartment(hall, p.departmentId),
    window: windowOf(hall, p.windowId),
    description: p.description,
    severity: p.severity,
    status: p.status,
    recordedAt: p.recordedAt,
    assignee: p.assignee
      ? {
          department: namedDepartment(hall, p.assignee.departmentId),
          assignee: p.assignee.assignee,
        }
      : null,
    deadlines,
    overdue: isOverdue(deadlines),
    photos: photos.length,
    photosMissing: photos.filter((photo) => !arrived.has(photo.sha256)).length,
    superseded: p.steps.filter((s) => s.superseded !== null).length,
    ratingLevel: p.rating?.level ?? null,
  };
}

const parseState = (state: Problem | string): Problem =>
  typeof state === 'string' ? (JSON.parse(state) as Problem) : state;

/** The hall's problems, optionally only those recorded in [fromMs, toMs) or found on a walk. */
export async function hallProblems(
  db: Db,
  hallId: string,
  filter: { fromMs?: number; toMs?: number; walkId?: Id } = {},
): Promise<Problem[]> {
  const rows = await db.query<{ state: Problem | string }>(
    `SELECT state FROM problems
     WHERE hall_id = $1 AND state IS NOT NULL
       AND ($2::timestamptz IS NULL OR recorded_at >= $2)
       AND ($3::timestamptz IS NULL OR recorded_at < $3)
       AND ($4::text IS NULL OR walk_id = $4)
     ORDER BY recorded_at DESC, id DESC`,
    [
      hallId,
      filter.fromMs === undefined ? null : isoAt(filter.fromMs),
      filter.toMs === undefined ? null : isoAt(filter.toMs),
      filter.walkId ?? null,
    ],
  );
  return rows.map((r) => parseState(r.state));
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The instants a hall-local month YYYY-MM starts and ends at. */
export function monthRange(month: string): { fromMs: number; toMs: number } {
  const m = MONTH.exec(month);
  if (!m) throw badRequest('invalid_query', 'month must be YYYY-MM.');
  const year = Number(m[1]);
  const next =
    Number(m[2]) === 12 ? `${year + 1}-01` : `${year}-${String(Number(m[2]) + 1).padStart(2, '0')}`;
  return { fromMs: hallDayStartMs(`${month}-01`), toMs: hallDayStartMs(`${next}-01`) };
}

const optionalText = v.optional(v.pipe(v.string(), v.maxLength(100)));

const ListQuerySchema = v.object({
  department: optionalText,
  source: v.optional(v.picklist(PROBLEM_SOURCES)),
  status: v.optional(v.picklist(PROBLEM_STATUSES)),
  overdue: v.optional(v.picklist(['1', 'true', '0', 'false'])),
  month: v.optional(v.pipe(v.string(), v.regex(MONTH))),
  walk: optionalText,
});

/** The query string of GET /admin/problems; empty values mean "any". */
export function parseListQuery(query: Record<string, unknown>): ProblemListQuery {
  const given = Object.fromEntries(
    Object.entries(query).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = v.safeParse(ListQuerySchema, given);
  if (!parsed.success) {
    const path = v.getDotPath(parsed.issues[0]) ?? 'query';
    throw badRequest('invalid_query', `${path}: not a valid filter.`);
  }
  const q = parsed.output;
  return {
    ...(q.department ? { department: q.department } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.overdue === '1' || q.overdue === 'true' ? { overdue: true } : {}),
    ...(q.month ? { month: q.month } : {}),
    ...(q.walk ? { walk: q.walk } : {}),
  };
}

/**
 * GET /admin/problems: the problems matching every filter, newest first, and the counts per
 * department over the month asked (the other filters do not narrow the counts).
 */
export async function adminProblems(
  db: Db,
  hallId: string,
  rawQuery: Record<string, unknown>,
  now: number,
): Promise<ProblemListResponse> {
  const query = parseListQuery(rawQuery);
  const hall = await loadHallView(db, hallId);
  const inMonth = await hallProblems(db, hallId, query.month ? monthRange(query.month) : {});
  const arrived = await arrivedBlobs(db, [
    ...new Set(inMonth.flatMap((p) => problemPhotos(p).map((photo) => photo.sha256))),
  ]);
  const items = inMonth.map((p) => ({ p, item: listItem(p, hall, now, arrived) }));

  const counts = new Map<Id, DepartmentProblemCounts>();
  const countsOf = (id: Id) => {
    let c = counts.get(id);
    if (!c) {
      c = { department: namedDepartment(hall, id), found: 0, rectified: 0, overdue: 0, closed: 0 };
      counts.set(id, c);
    }
    return c;
  };
  // Every department is listed, in the hall's order, even with nothing found.
  for (const id of hall.departments.keys()) countsOf(id);
  for (const { p, item } of items) {
    const c = countsOf(p.departmentId);
    c.found++;
    if (isRectified(p.status)) c.rectified++;
    if (item.overdue) c.overdue++;
    if (p.status === 'closed') c.closed++;
  }

  const problems = items
    .filter(
      ({ p, item }) =>
        (!query.department || p.departmentId === query.department) &&
        (!query.source || p.source === query.source) &&
        (!query.status || p.status === query.status) &&
        (!query.overdue || item.overdue) &&
        (!query.walk || p.walkId === query.walk),
    )
    .map(({ item }) => item);
  return { problems, counts: [...counts.values()], serverTime: isoAt(now) };
}

async function hallProblem(db: Db, hallId: string, id: string): Promise<Problem> {
  const rows = await db.query<{ state: Problem | string }>(
    'SELECT state FROM problems WHERE id = $1 AND hall_id = $2 AND state IS NOT NULL',
    [id, hallId],
  );
  const row = rows[0];
  if (!row) throw notFound('unknown_problem', 'There is no such problem.');
  return parseState(row.state);
}

/** Names of actors: leaders by their title, administrators by their user name. */
export async function actorNames(db: Db, ids: readonly Id[]): Promise<Record<Id, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return {};
  const [leaders, admins] = await Promise.all([
    getLeaders(db, unique),
    db.query<{ id: string; username: string }>(
      'SELECT id, username FROM admins WHERE id = ANY($1::text[])',
      [unique],
    ),
  ]);
  const out: Record<Id, string> = {};
  for (const [id, l] of leaders) out[id] = l.title;
  for (const a of admins) out[a.id] = a.username;
  return out;
}

/** GET /admin/problems/:id */
export async function adminProblem(
  db: Db,
  hallId: string,
  id: string,
  now: number,
): Promise<ProblemDetailResponse> {
  const problem = await hallProblem(db, hallId, id);
  const hall = await loadHallView(db, hallId);
  const photos = problemPhotos(problem);
  const [arrived, actors, walks] = await Promise.all([
    arrivedBlobs(
      db,
      photos.map((photo) => photo.sha256),
    ),
    actorNames(
      db,
      [problem.recordedBy, ...problem.steps.map((s) => s.actorId)].filter(
        (a): a is Id => a !== null,
      ),
    ),
    problem.walkId
      ? db.query<{ id: string; mode: WalkMode; startedAt: Date | string }>(
          'SELECT id, mode, started_at AS "startedAt" FROM walks WHERE id = $1',
          [problem.walkId],
        )
      : Promise.resolve([]),
  ]);
  const deadlines = problemDeadlines(problem, now, hall.calendar, hall.settings);
  const walk = walks[0];
  return {
    problem,
    department: namedDepartment(hall, problem.departmentId),
    window: windowOf(hall, problem.windowId),
    deadlines,
    overdue: isOverdue(deadlines),
    next: nextSteps(problem),
    photos: Object.fromEntries(photos.map((photo) => [photo.sha256, photoView(photo, arrived)])),
    actors,
    walk: walk ? { id: walk.id, mode: walk.mode, startedAt: iso(walk.startedAt) } : null,
    checklistItem: problem.checklistItemId
      ? (hall.checklist[problem.checklistItemId] ?? null)
      : null,
    serverTime: isoAt(now),
  };
}

const StepRequestSchema = v.object({
  type: v.string(),
  payload: v.record(v.string(), v.unknown()),
});

/**
 * POST /admin/problems/:id/steps: one step written by the logged-in administrator through the
 * console's log. A step whose `from` no longer holds is still written: the fold keeps it as
 * superseded, so nobody's work disappears. Answers the problem as it now stands.
 */
export async function addProblemStep(
  db: Db,
  admin: { hallId: string; adminId: string },
  problemId: string,
  body: unknown,
  now: number,
): Promise<ProblemDetailResponse> {
  const parsed = v.safeParse(StepRequestSchema, body);
  if (!parsed.success) throw badRequest('invalid_body', 'Expected { type, payload }.');
  const { type, payload } = parsed.output;
  if (!isProblemStepType(type)) {
    throw badRequest('unknown_step_type', `"${type.slice(0, 60)}" is not a step of a problem.`, {
      issues: [{ path: 'type', code: 'unknown_step_type', message: 'type: not a problem step' }],
    });
  }
  const checked = validatePayload(type, { ...payload, problemId });
  if (!checked.ok) {
    throw badRequest(checked.issues[0]?.code ?? 'invalid', 'The step is not valid.', {
      issues: checked.issues,
    });
  }
  await db.tx(async (tx) => {
    const problem = await hallProblem(tx, admin.hallId, problemId);
    await writeConsoleEvents(tx, admin.hallId, [{ type, payload: checked.value }], now, {
      actorId: admin.adminId,
      after: problem.updatedHlc,
    });
  });
  return adminProblem(db, admin.hallId, problemId, now);
}

/** GET /admin/photos/missing: photos stored events name whose bytes never reached the server. */
export async function missingPhotos(db: Db, hallId: string): Promise<MissingPhotosResponse> {
  const rows = await db.query<{
    sha256: string;
    problemId: string | null;
    eventId: string;
    deviceId: string;
    name: string | null;
    lastSeenAt: Date | string | null;
  }>(
    `SELECT r.sha256, r.problem_id AS "problemId", r.event_id AS "eventId",
       r.device_id AS "deviceId", d.name, d.last_seen_at AS "lastSeenAt"
     FROM photo_refs r
       LEFT JOIN devices d ON d.id = r.device_id
       LEFT JOIN blobs b ON b.sha256 = r.sha256
     WHERE r.hall_id = $1 AND b.sha256 IS NULL
     ORDER BY r.event_id, r.sha256`,
    [hallId],
  );
  return {
    missing: rows.map((r) => ({
      sha256: r.sha256,
      problemId: r.problemId,
      eventId: r.eventId,
      device: { id: r.deviceId, name: r.name, lastSeenAt: iso(r.lastSeenAt) },
    })),
  };
}
