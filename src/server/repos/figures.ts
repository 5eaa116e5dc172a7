/**
 * The SQL behind the console's figures (the dashboard and the monthly ranking). Ratings are read
 * from `rating_rollup_department` (counts per department, hall-local day, hour and level), so a
 * month costs a few thousand rows whatever the number of ratings; 差评 reasons from the ratings themselves through
 * a partial index on the poor levels; problems are counted in groups small enough to decide their
 * deadlines in the domain afterwards. Hall-local time is Asia/Shanghai (src/domain/schedule.ts).
 */
import type { Db } from '../db/db';
import type { Id } from '../../domain/ids';
import type { ProblemSource, ProblemStatus } from '../../domain/events';
import type { RatingLevel } from '../../domain/rating';
import type { TrendGrain } from '../../sync/report-protocol';

/** Hall-local dates from … to (both included), and optionally one department. */
export interface FigureScope {
  hallId: string;
  from: string;
  to: string;
  departmentId: Id | null;
}

export type RatingSlice = 'all' | 'department' | 'hour' | 'weekday' | 'bucket';

/** Ratings of one level counted in one slice: the whole scope, or by department, hour … */
export interface RatingCount {
  slice: RatingSlice;
  /** The department, hour (0–23), ISO weekday (1–7) or trend bucket, as text; '' for `all`. */
  key: string;
  level: RatingLevel;
  n: number;
}

const BUCKET: Record<TrendGrain, string> = {
  day: `to_char(day, 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', day), 'YYYY-MM-DD')`,
  month: `to_char(day, 'YYYY-MM')`,
};

/** `AND department_id = $n` when the scope names a department (a plan for each case). */
function departmentFilter(scope: FigureScope, params: unknown[], column = 'department_id'): string {
  if (scope.departmentId === null) return '';
  params.push(scope.departmentId);
  return ` AND ${column} = $${params.length}`;
}

/**
 * Ratings by level over the scope, and by department, hall-local hour, weekday and trend bucket,
 * in one pass over the rollup.
 */
export async function ratingCounts(
  db: Db,
  scope: FigureScope,
  grain: TrendGrain,
): Promise<RatingCount[]> {
  const params: unknown[] = [scope.hallId, scope.from, scope.to];
  const dept = departmentFilter(scope, params);
  return db.query<RatingCount>(
    `SELECT CASE WHEN GROUPING(department_id) = 0 THEN 'department'
                 WHEN GROUPING(hour) = 0 THEN 'hour'
                 WHEN GROUPING(weekday) = 0 THEN 'weekday'
                 WHEN GROUPING(bucket) = 0 THEN 'bucket'
                 ELSE 'all' END AS slice,
            coalesce(department_id, hour::text, weekday::text, bucket, '') AS key,
            level, sum(n)::int AS n
       FROM (SELECT department_id, hour, extract(isodow FROM day)::int AS weekday,
                    ${BUCKET[grain]} AS bucket, level, n
               FROM rating_rollup_department
              WHERE hall_id = $1 AND day BETWEEN $2::date AND $3::date${dept}) r
      GROUP BY GROUPING SETS ((level), (department_id, level), (hour, level), (weekday, level),
                              (bucket, level))`,
    params,
  );
}

/** Ratings of each department by level over the scope (the ranking needs no other slice). */
export async function ratingsByDepartment(
  db: Db,
  scope: FigureScope,
): Promise<{ departmentId: Id; level: RatingLevel; n: number }[]> {
  const params: unknown[] = [scope.hallId, scope.from, scope.to];
  const dept = departmentFilter(scope, params);
  return db.query(
    `SELECT department_id AS "departmentId", level, sum(n)::int AS n
       FROM rating_rollup_department
      WHERE hall_id = $1 AND day BETWEEN $2::date AND $3::date${dept}
      GROUP BY department_id, level`,
    params,
  );
}

/** Ratings of each window by level over the scope, from the per-window rollup. */
export async function ratingsByWindow(
  db: Db,
  scope: FigureScope,
): Promise<{ key: Id; level: RatingLevel; n: number }[]> {
  const params: unknown[] = [scope.hallId, scope.from, scope.to];
  const dept = departmentFilter(scope, params);
  return db.query(
    `SELECT window_id AS key, level, sum(n)::int AS n
       FROM rating_rollup
      WHERE hall_id = $1 AND day BETWEEN $2::date AND $3::date${dept}
      GROUP BY window_id, level`,
    params,
  );
}

/** A department's hall-local hour of a day during which one of its leaders was on duty. */
export interface DutyBucket {
  departmentId: Id;
  day: string;
  hour: number;
}

export interface DutyEffectCount {
  departmentId: Id;
  onDuty: boolean;
  /** Null on the line that counts the hours (buckets with ratings) of the department and side. */
  level: RatingLevel | null;
  n: number;
  hours: number;
}

/**
 * Ratings of each department split by whether their hour was one with a leader of the
 * department on duty, with the number of distinct hours that had ratings on each side.
 */
export async function dutyEffectCounts(
  db: Db,
  scope: FigureScope,
  onDuty: readonly DutyBucket[],
): Promise<DutyEffectCount[]> {
  const params: unknown[] = [
    scope.hallId,
    scope.from,
    scope.to,
    onDuty.map((b) => b.departmentId),
    onDuty.map((b) => b.day),
    onDuty.map((b) => b.hour),
  ];
  const dept = departmentFilter(scope, params, 'r.department_id');
  return db.query<DutyEffectCount>(
    `WITH cells AS (
       SELECT r.department_id, r.day, r.hour, r.level, r.n, (o.day IS NOT NULL) AS on_duty
         FROM rating_rollup_department r
         LEFT JOIN unnest($4::text[], $5::date[], $6::smallint[]) AS o(department_id, day, hour)
           ON o.department_id = r.department_id AND o.day = r.day AND o.hour = r.hour
        WHERE r.hall_id = $1 AND r.day BETWEEN $2::date AND $3::date${dept})
     SELECT department_id AS "departmentId", on_duty AS "onDuty", level, sum(n)::int AS n,
            0 AS hours
       FROM cells GROUP BY department_id, on_duty, level
     UNION ALL
     SELECT department_id, on_duty, NULL, 0, count(*)::int
       FROM (SELECT DISTINCT department_id, on_duty, day, hour FROM cells) h
      GROUP BY department_id, on_duty`,
    params,
  );
}

export interface PoorReasons {
  reasons: { reason: string; count: number }[];
  /** 差评 with a written comment. */
  withComment: number;
}

const POOR = `level IN ('dissatisfied', 'very_dissatisfied')`;

/** Reasons ticked on the scope's 差评 (read through the partial index on poor levels). */
export async function poorReasons(
  db: Db,
  scope: FigureScope,
  fromIso: string,
  toIso: string,
): Promise<PoorReasons> {
  const params: unknown[] = [scope.hallId, fromIso, toIso];
  const dept = departmentFilter(scope, params);
  const where = `hall_id = $1 AND at >= $2::timestamptz AND at < $3::timestamptz AND ${POOR}${dept}`;
  const [reasons, comments] = await Promise.all([
    db.query<{ reason: string; count: number }>(
      `SELECT reason, count(*)::int AS count
         FROM ratings, jsonb_array_elements_text(reasons) AS reason
        WHERE ${where}
        GROUP BY reason`,
      params,
    ),
    db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ratings WHERE ${where} AND btrim(comment) <> ''`,
      params,
    ),
  ]);
  return { reasons, withComment: comments[0]?.n ?? 0 };
}

/**
 * Problems recorded in [fromIso, toIso) that stand alike for every figure: same department,
 * source and status, recorded (by the hlc deadlines count from) on the same hall-local day,
 * finished on the same day, with or without a reached call-back.
 */
export interface ProblemGroup {
  departmentId: Id;
  source: ProblemSource;
  status: ProblemStatus;
  /** Hall-local day of the recording's hlc, where deadlines count from. */
  startDay: string;
  /** Hall-local day of rectifiedAtMs ?? verifiedAtMs ?? closedAtMs; null while not done. */
  doneDay: string | null;
  /** The fold's rectifiedAtMs or verifiedAtMs is set. */
  rectifiedAt: boolean;
  closedAt: boolean;
  /** The citizen was reached on a call-back (回访). */
  calledBack: boolean;
  n: number;
}

export async function problemGroups(
  db: Db,
  scope: FigureScope,
  fromIso: string,
  toIso: string,
): Promise<ProblemGroup[]> {
  const params: unknown[] = [scope.hallId, fromIso, toIso];
  const dept = departmentFilter(scope, params);
  // The columns kept beside each problem's state (migration 5), so no state is taken apart.
  return db.query<ProblemGroup>(
    `SELECT department_id AS "departmentId", source, status,
            to_char(due_from_day, 'YYYY-MM-DD') AS "startDay",
            to_char((to_timestamp(done_at_ms / 1000) AT TIME ZONE 'Asia/Shanghai')::date,
                    'YYYY-MM-DD') AS "doneDay",
            rectified_at_ms IS NOT NULL AS "rectifiedAt", closed AS "closedAt",
            called_back AS "calledBack", count(*)::int AS n
       FROM problems
      WHERE hall_id = $1 AND state IS NOT NULL
        AND recorded_at >= $2::timestamptz AND recorded_at < $3::timestamptz${dept}
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
    params,
  );
}

export interface RectifyMedian {
  /** 'all', 'department' or 'source'. */
  slice: 'all' | 'department' | 'source';
  key: string;
  days: number | null;
}

/**
 * Median calendar days from recording to rectification (rectifiedAtMs, or verifiedAtMs when the
 * rectification time is missing) of the rectified or verified problems recorded in the scope,
 * over all of them, by department and by source.
 */
export async function rectifyMedians(
  db: Db,
  scope: FigureScope,
  fromIso: string,
  toIso: string,
): Promise<RectifyMedian[]> {
  const params: unknown[] = [scope.hallId, fromIso, toIso];
  const dept = departmentFilter(scope, params);
  return db.query<RectifyMedian>(
    `SELECT CASE WHEN GROUPING(department_id) = 0 THEN 'department'
                 WHEN GROUPING(source) = 0 THEN 'source' ELSE 'all' END AS slice,
            coalesce(department_id, source, '') AS key,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS days
       FROM (SELECT department_id, source,
                    (rectified_at_ms - extract(epoch FROM recorded_at) * 1000) / 86400000 AS days
               FROM problems
              WHERE hall_id = $1 AND state IS NOT NULL AND status IN ('rectified', 'verified')
                AND rectified_at_ms IS NOT NULL
                AND recorded_at >= $2::timestamptz AND recorded_at < $3::timestamptz${dept}) p
      GROUP BY GROUPING SETS ((), (department_id), (source))`,
    params,
  );
}
