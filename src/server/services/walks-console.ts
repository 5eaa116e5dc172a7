/**
 * The console's walks (局长走流程 / 暗访): the month's list, and one walk's printable report with
 * its checklist results and findings. A walk is read as the domain fold stored by ingest
 * (`walks.state`); its findings are the problems recorded with its walkId.
 */
import type { Db } from '../db/db';
import { CHECKLIST_GROUPS } from '../../domain/events';
import { checklistInOrder } from '../../domain/checklist';
import type { Id } from '../../domain/ids';
import type { Leader } from '../../domain/reference';
import { checkCounts, type Walk } from '../../domain/walk';
import type {
  WalkListItem,
  WalkListResponse,
  WalkReportResponse,
} from '../../sync/pipeline-protocol';
import { HttpError, badRequest, notFound } from '../errors';
import { getHall, lockHall } from '../repos/halls';
import { arrivedBlobs } from '../repos/problems';
import { getLeaders } from '../repos/reference';
import { isoAt } from '../repos/util';
import type { AdminSession } from './auth';
import { writeConsoleEvents } from './console-writer';
import {
  hallProblems,
  listItem,
  loadHallView,
  monthRange,
  namedDepartment,
  photoView,
  problemPhotos,
  windowOf,
} from './pipeline-console';

const parseWalk = (state: Walk | string): Walk =>
  typeof state === 'string' ? (JSON.parse(state) as Walk) : state;

function leaderOf(leaders: Map<Id, Leader>, id: Id): WalkListItem['leader'] {
  const l = leaders.get(id);
  return { id, title: l?.title ?? '', ...(l?.titleEn ? { titleEn: l.titleEn } : {}) };
}

/** GET /admin/walks?month=YYYY-MM: walks started in that hall-local month (all when none), newest first. */
export async function adminWalks(
  db: Db,
  hallId: string,
  query: { month?: unknown },
): Promise<WalkListResponse> {
  let range: { fromMs: number; toMs: number } | null = null;
  if (query.month !== undefined && query.month !== '') {
    if (typeof query.month !== 'string')
      throw badRequest('invalid_query', 'month must be YYYY-MM.');
    range = monthRange(query.month);
  }
  const rows = await db.query<{ state: Walk | string; findings: number }>(
    `SELECT w.state,
       (SELECT count(*)::int FROM problems p WHERE p.walk_id = w.id) AS findings
     FROM walks w
     WHERE w.hall_id = $1
       AND ($2::timestamptz IS NULL OR w.started_at >= $2)
       AND ($3::timestamptz IS NULL OR w.started_at < $3)
     ORDER BY w.started_at DESC, w.id DESC`,
    [hallId, range ? isoAt(range.fromMs) : null, range ? isoAt(range.toMs) : null],
  );
  const walks = rows.map((r) => ({ walk: parseWalk(r.state), findings: r.findings }));
  const [hall, leaders] = await Promise.all([
    loadHallView(db, hallId),
    getLeaders(db, [...new Set(walks.map(({ walk }) => walk.leaderId))]),
  ]);
  return {
    walks: walks.map(({ walk, findings }) => ({
      id: walk.id,
      mode: walk.mode,
      leader: leaderOf(leaders, walk.leaderId),
      department: namedDepartment(hall, walk.departmentId),
      window: windowOf(hall, walk.windowId),
      serviceItem: walk.serviceItem,
      startedAt: walk.startedAt,
      endedAt: walk.endedAt,
      counts: checkCounts(walk),
      findings,
      ...(walk.publishedAt ? { publishedAt: walk.publishedAt } : {}),
    })),
  };
}

/** GET /admin/walks/:id: everything the printable walk report shows. */
export async function adminWalkReport(
  db: Db,
  hallId: string,
  walkId: string,
  now: number,
): Promise<WalkReportResponse> {
  const rows = await db.query<{ state: Walk | string }>(
    'SELECT state FROM walks WHERE id = $1 AND hall_id = $2',
    [walkId, hallId],
  );
  if (!rows[0]) throw notFound('unknown_walk', 'There is no such walk.');
  const walk = parseWalk(rows[0].state);
  const [hallRow, hall, leaders, problems] = await Promise.all([
    getHall(db, hallId),
    loadHallView(db, hallId),
    getLeaders(db, [walk.leaderId]),
    hallProblems(db, hallId, { walkId }),
  ]);
  // Oldest finding first, as they were recorded on the walk.
  problems.reverse();
  const arrived = await arrivedBlobs(db, [
    ...new Set(problems.flatMap((p) => problemPhotos(p).map((photo) => photo.sha256))),
  ]);
  const checklist = checklistInOrder(hall.checklist, CHECKLIST_GROUPS, true)
    // Retired items only where this walk marked them.
    .filter((item) => item.active || walk.checks[item.id] !== undefined)
    .map((item) => {
      const check = walk.checks[item.id];
      return { item, result: check?.result ?? null, note: check?.note ?? '' };
    });
  return {
    hall: {
      name: hallRow?.name ?? '',
      ...(hallRow?.nameEn ? { nameEn: hallRow.nameEn } : {}),
    },
    walk,
    leader: leaderOf(leaders, walk.leaderId),
    department: namedDepartment(hall, walk.departmentId),
    window: windowOf(hall, walk.windowId),
    checklist,
    findings: problems.map((p) => ({
      ...listItem(p, hall, now, arrived),
      photoViews: problemPhotos(p).map((photo) => photoView(photo, arrived)),
      checklistItemId: p.checklistItemId,
    })),
  };
}

/**
 * POST /admin/walks/:id/publish (公开暗访结果): make an unannounced inspection's inspector known to
 * the hall's devices. Writes `walk.published` through the console's log and stamps
 * `walks.published_at`, in one transaction; publishing again changes nothing. Answers the report.
 */
export async function publishWalk(
  db: Db,
  admin: AdminSession,
  walkId: string,
  now: number,
): Promise<WalkReportResponse> {
  await db.tx(async (tx) => {
    // The hall's lock first: two administrators publishing at once write one event.
    await lockHall(tx, admin.hallId);
    const rows = await tx.query<{
      mode: string;
      leaderId: string;
      publishedAt: string | null;
      state: Walk | string;
    }>(
      `SELECT mode, leader_id AS "leaderId", published_at AS "publishedAt", state
       FROM walks WHERE id = $1 AND hall_id = $2`,
      [walkId, admin.hallId],
    );
    const row = rows[0];
    if (!row) throw notFound('unknown_walk', 'There is no such walk.');
    if (row.mode !== 'unannounced') {
      throw new HttpError(
        409,
        'not_unannounced',
        'Only an unannounced inspection is published; this walk was announced.',
      );
    }
    if (row.publishedAt !== null) return;
    const [event] = await writeConsoleEvents(
      tx,
      admin.hallId,
      [{ type: 'walk.published', payload: { walkId, leaderId: row.leaderId } }],
      now,
      // After every mark of the walk, even one stamped by a tablet whose clock ran ahead.
      { actorId: admin.adminId, after: latestHlc(parseWalk(row.state)) },
    );
    await tx.query('UPDATE walks SET published_at = $1 WHERE id = $2', [event!.at, walkId]);
  });
  return adminWalkReport(db, admin.hallId, walkId, now);
}

/** The latest hlc among a walk's start and marks. */
function latestHlc(walk: Walk): string {
  let latest = walk.startedHlc;
  for (const c of Object.values(walk.checks)) if (c.version.hlc > latest) latest = c.version.hlc;
  return latest;
}
