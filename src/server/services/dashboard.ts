/**
 * The console's dashboard (GET /admin/dashboard): ratings, their follow-up, duty attendance,
 * problems and the effect of 局长坐班 for a period of hall-local dates, for the hall or one
 * department. The counting is SQL (src/server/repos/figures.ts); this file turns counts into the
 * figures of src/sync/report-protocol.ts and decides deadlines with the domain's own rules.
 */
import type { Db } from '../db/db';
import {
  ATTENDANCE_COLUMNS,
  computeAttendance,
  type AttendanceCounts,
  type AttendanceInput,
} from '../../domain/attendance';
import { sessionEnd, type DutySession } from '../../domain/duty';
import {
  PROBLEM_SOURCES,
  PROBLEM_STATUSES,
  type ProblemSource,
  type ProblemStatus,
} from '../../domain/events';
import { formatHlc } from '../../domain/hlc';
import type { Id } from '../../domain/ids';
import {
  isRectified,
  problemDeadlines,
  type Problem,
  type ProblemDeadlines,
} from '../../domain/problem';
import {
  POOR_RATING_REASONS,
  RATING_LEVELS,
  isGoodRating,
  isPoorRating,
  ratingScore,
  type PoorRatingReason,
  type RatingLevel,
} from '../../domain/rating';
import {
  addDays,
  hallDate,
  hallDayStartMs,
  hallMinutes,
  isHallDate,
  weekOf,
} from '../../domain/schedule';
import type {
  DashboardResponse,
  DutyEffectRow,
  ProblemFigures,
  RatingFigures,
  TrendGrain,
} from '../../sync/report-protocol';
import { badRequest, notFound } from '../errors';
import { listShifts } from '../repos/duty';
import {
  dutyEffectCounts,
  poorReasons,
  problemGroups,
  ratingCounts,
  ratingsByWindow,
  rectifyMedians,
  type DutyBucket,
  type FigureScope,
  type ProblemGroup,
  type RectifyMedian,
} from '../repos/figures';
import { listLeaders } from '../repos/reference';
import { isoAt } from '../repos/util';
import { sessionsBetween } from './duty-reports';
import { loadHallView, namedDepartment, type HallView } from './pipeline-console';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The longest period the dashboard counts, in days. */
export const MAX_PERIOD_DAYS = 400;
/** Periods up to this many days are drawn by day unless told otherwise; longer ones by week. */
export const DAY_GRAIN_MAX_DAYS = 62;
const GRAINS: readonly TrendGrain[] = ['day', 'week', 'month'];

export interface ParsedDashboardQuery {
  from: string;
  to: string;
  departmentId: Id | null;
  grain: TrendGrain;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The query string of GET /admin/dashboard; 400 invalid_query with a sentence otherwise. */
export function parseDashboardQuery(query: Record<string, unknown>): ParsedDashboardQuery {
  const from = text(query.from);
  const to = text(query.to);
  if (!from || !isHallDate(from))
    throw badRequest('invalid_query', 'from must be a date YYYY-MM-DD.');
  if (!to || !isHallDate(to)) throw badRequest('invalid_query', 'to must be a date YYYY-MM-DD.');
  if (from > to) throw badRequest('invalid_query', 'from must not be after to.');
  const days = periodDays(from, to);
  if (days > MAX_PERIOD_DAYS) {
    throw badRequest('invalid_query', `A period may span at most ${MAX_PERIOD_DAYS} days.`);
  }
  const grain = text(query.grain);
  if (grain !== undefined && !GRAINS.includes(grain as TrendGrain)) {
    throw badRequest('invalid_query', 'grain must be day, week or month.');
  }
  const department = text(query.department);
  if (department !== undefined && department.length > 100) {
    throw badRequest('invalid_query', 'department is not a department id.');
  }
  return {
    from,
    to,
    departmentId: department ?? null,
    grain: (grain as TrendGrain | undefined) ?? (days <= DAY_GRAIN_MAX_DAYS ? 'day' : 'week'),
  };
}

/** Days from … to, both included. */
export function periodDays(from: string, to: string): number {
  return Math.round((hallDayStartMs(to) - hallDayStartMs(from)) / DAY_MS) + 1;
}

/** The instants a period of hall-local dates starts and ends at, as ISO strings. */
export function periodInstants(from: string, to: string): { fromIso: string; toIso: string } {
  return {
    fromIso: isoAt(hallDayStartMs(from)),
    toIso: isoAt(hallDayStartMs(addDays(to, 1))),
  };
}

// ---------------------------------------------------------------------------------------------
// Ratings

export type LevelCounts = Record<RatingLevel, number>;

export const zeroLevels = (): LevelCounts =>
  Object.fromEntries(RATING_LEVELS.map((l) => [l, 0])) as LevelCounts;

/** 好评率, 差评 and the average score of ratings counted by level. */
export function ratingFigures(levels: LevelCounts): RatingFigures {
  let total = 0;
  let good = 0;
  let poor = 0;
  let score = 0;
  for (const level of RATING_LEVELS) {
    const n = levels[level];
    total += n;
    if (isGoodRating(level)) good += n;
    if (isPoorRating(level)) poor += n;
    score += n * ratingScore(level);
  }
  return {
    total,
    good,
    poor,
    goodRate: total > 0 ? good / total : null,
    averageScore: total > 0 ? Math.round((score / total) * 100) / 100 : null,
  };
}

/** Level counts keyed by the slice's key. */
function levelsBy(
  rows: { key: string; level: RatingLevel; n: number }[],
): Map<string, LevelCounts> {
  const out = new Map<string, LevelCounts>();
  for (const r of rows) {
    let levels = out.get(r.key);
    if (!levels) {
      levels = zeroLevels();
      out.set(r.key, levels);
    }
    levels[r.level] += r.n;
  }
  return out;
}

/** Every trend bucket of a period, empty ones included: days, Mondays of weeks, or months. */
export function trendBuckets(from: string, to: string, grain: TrendGrain): string[] {
  const out: string[] = [];
  if (grain === 'day') {
    for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  } else if (grain === 'week') {
    for (let d = weekOf(from).from; d <= to; d = addDays(d, 7)) out.push(d);
  } else {
    const last = to.slice(0, 7);
    for (let m = from.slice(0, 7); m <= last; m = nextMonth(m)) out.push(m);
  }
  return out;
}

/** The month after YYYY-MM. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Problems

/**
 * The due days of problems of a source recorded on a hall-local day, as the domain decides them
 * (working days over the hall's calendar, as of `now`): a skeleton problem, not yet done, carrying
 * just the source and the recording day lets `problemDeadlines` apply the hall's own rules.
 */
export function dueDays(
  source: ProblemSource,
  startDay: string,
  hall: HallView,
  now: number,
): ProblemDeadlines {
  const hlc = formatHlc({ millis: hallDayStartMs(startDay), counter: 0, node: '0'.repeat(16) });
  const skeleton = {
    source,
    recordedHlc: hlc,
    rectifiedAtMs: null,
    verifiedAtMs: null,
    closedAtMs: null,
    callBacks: [],
    steps: [],
  } as unknown as Problem;
  return problemDeadlines(skeleton, now, hall.calendar, hall.settings);
}

/** Problem groups with what the figures need of each: overdue, and rectified by the deadline. */
export interface JudgedGroup extends ProblemGroup {
  overdue: boolean;
  rectifiedInTime: boolean;
}

/**
 * Overdue and in time as `problemDeadlines` and `isOverdue` say: a deadline is overdue when not
 * done and its due day has passed, late when done after its due day. The rectification is done
 * once rectified, verified or closed; the call-back once the citizen was reached or the 差评 was
 * set aside. Due days are decided once per source and day.
 */
export function judgeGroups(groups: ProblemGroup[], hall: HallView, now: number): JudgedGroup[] {
  const decided = new Map<string, ProblemDeadlines>();
  return groups.map((g) => {
    const key = `${g.source}/${g.startDay}`;
    let d = decided.get(key);
    if (!d) {
      d = dueDays(g.source, g.startDay, hall, now);
      decided.set(key, d);
    }
    const rectifyDone = g.doneDay !== null;
    const callBackDone = g.calledBack || g.closedAt;
    const overdue =
      (!rectifyDone && d.rectify.overdue) || (!callBackDone && (d.callBack?.overdue ?? false));
    const late = rectifyDone && g.doneDay! > d.rectify.due;
    return { ...g, overdue, rectifiedInTime: isRectified(g.status) && g.rectifiedAt && !late };
  });
}

/** Found, rectified, overdue and closed of some groups, with 整改率 and the median given. */
export function problemFigures(groups: JudgedGroup[], medianDays: number | null): ProblemFigures {
  let found = 0;
  let rectified = 0;
  let overdue = 0;
  let closed = 0;
  for (const g of groups) {
    found += g.n;
    if (isRectified(g.status)) rectified += g.n;
    if (g.overdue) overdue += g.n;
    if (g.status === 'closed') closed += g.n;
  }
  return {
    found,
    rectified,
    overdue,
    closed,
    rectificationRate: found - closed > 0 ? rectified / (found - closed) : null,
    medianDaysToRectify: medianDays === null ? null : Math.round(medianDays * 10) / 10,
  };
}

function medianOf(
  medians: RectifyMedian[],
  slice: RectifyMedian['slice'],
  key = '',
): number | null {
  const m = medians.find((r) => r.slice === slice && r.key === key);
  return m?.days ?? null;
}

// ---------------------------------------------------------------------------------------------
// Duty

/**
 * Attendance of the period for one department, or for the hall as one: everything is counted
 * under a single department so that duty hours are summed before they are rounded.
 */
export function scopeAttendance(
  input: AttendanceInput,
  departmentId: Id | null,
): AttendanceCounts & { attendanceRate: number | null } {
  const scope = '';
  const mine = <T extends { departmentId: Id }>(rows: readonly T[]) =>
    rows
      .filter((r) => departmentId === null || r.departmentId === departmentId)
      .map((r) => ({ ...r, departmentId: scope }));
  const result = computeAttendance({
    ...input,
    shifts: mine(input.shifts),
    sessions: mine(input.sessions),
    leaders: mine(input.leaders),
  });
  const counts =
    result.departments[0] ??
    ({
      departmentId: scope,
      ...Object.fromEntries(ATTENDANCE_COLUMNS.map((c) => [c, 0])),
    } as AttendanceCounts & { departmentId: Id });
  const { departmentId: _scope, ...rest } = counts;
  const due = rest.scheduled - rest.upcoming;
  return { ...rest, attendanceRate: due > 0 ? rest.attended / due : null };
}

/**
 * The hall-local hours (of a day, within from … to) during which a leader of each department was
 * on duty: from sign-in to sign-out, a session still open running to now or its day's end.
 */
export function dutyBuckets(
  sessions: readonly DutySession[],
  from: string,
  to: string,
  now: number,
): DutyBucket[] {
  const out = new Map<string, DutyBucket>();
  for (const s of sessions) {
    const startMs = Date.parse(s.signedInAt);
    const endMs = sessionEnd(s, now).endMs;
    // The hall is a whole number of hours from UTC, so its hours start where UTC hours do.
    for (let t = Math.floor(startMs / HOUR_MS) * HOUR_MS; t < endMs || t <= startMs; t += HOUR_MS) {
      const day = hallDate(t);
      if (day < from || day > to) continue;
      const hour = Math.floor(hallMinutes(t) / 60);
      out.set(`${s.departmentId}/${day}/${hour}`, { departmentId: s.departmentId, day, hour });
    }
  }
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------

/** GET /admin/dashboard */
export async function dashboard(
  db: Db,
  hallId: string,
  rawQuery: Record<string, unknown>,
  now: number,
): Promise<DashboardResponse> {
  const q = parseDashboardQuery(rawQuery);
  const hall = await loadHallView(db, hallId);
  if (q.departmentId !== null && !hall.departments.has(q.departmentId)) {
    throw notFound('unknown_department', 'The hall has no such department.');
  }
  const scope: FigureScope = { hallId, from: q.from, to: q.to, departmentId: q.departmentId };
  const { fromIso, toIso } = periodInstants(q.from, q.to);

  // One connection may serve all of these in turn (PGlite); PostgreSQL runs them side by side.
  const [counts, byWindow, reasons, groups, medians, shifts, sessions, leaders] = await Promise.all(
    [
      ratingCounts(db, scope, q.grain),
      ratingsByWindow(db, scope),
      poorReasons(db, scope, fromIso, toIso),
      problemGroups(db, scope, fromIso, toIso),
      rectifyMedians(db, scope, fromIso, toIso),
      listShifts(db, hallId, q.from, q.to),
      sessionsBetween(db, hallId, q.from, q.to),
      listLeaders(db, hallId),
    ],
  );
  const ofScope = (s: DutySession) => q.departmentId === null || s.departmentId === q.departmentId;
  const buckets = dutyBuckets(sessions.filter(ofScope), q.from, q.to, now);
  const effect = await dutyEffectCounts(db, scope, buckets);

  const bySlice = (slice: string) => levelsBy(counts.filter((c) => c.slice === slice));
  const all = bySlice('all').get('') ?? zeroLevels();
  const hours = bySlice('hour');
  const weekdays = bySlice('weekday');
  const trend = bySlice('bucket');
  const departmentLevels = bySlice('department');
  const windowLevels = levelsBy(byWindow);

  const judged = judgeGroups(groups, hall, now);
  const ratingProblems = judged.filter((g) => g.source === 'rating');
  const byStatus = Object.fromEntries(PROBLEM_STATUSES.map((s) => [s, 0])) as Record<
    ProblemStatus,
    number
  >;
  for (const g of ratingProblems) byStatus[g.status] += g.n;

  const reasonCount = new Map(reasons.reasons.map((r) => [r.reason, r.count]));

  const shown = [...hall.departments.values()].filter((d) =>
    q.departmentId === null ? d.active : d.id === q.departmentId,
  );

  return {
    period: { from: q.from, to: q.to },
    department: q.departmentId === null ? null : namedDepartment(hall, q.departmentId),
    grain: q.grain,
    ratings: { ...ratingFigures(all), byLevel: all },
    poorFollowUp: {
      byStatus,
      overdue: ratingProblems.reduce((n, g) => n + (g.overdue ? g.n : 0), 0),
      calledBack: ratingProblems.reduce((n, g) => n + (g.calledBack ? g.n : 0), 0),
    },
    byHour: Array.from({ length: 24 }, (_, hour) => ({
      hour,
      ...ratingFigures(hours.get(String(hour)) ?? zeroLevels()),
    })),
    byWeekday: Array.from({ length: 7 }, (_, i) => ({
      weekday: i + 1,
      ...ratingFigures(weekdays.get(String(i + 1)) ?? zeroLevels()),
    })),
    trend: trendBuckets(q.from, q.to, q.grain).map((bucket) => ({
      bucket,
      ...ratingFigures(trend.get(bucket) ?? zeroLevels()),
    })),
    reasons: POOR_RATING_REASONS.map((reason) => ({
      reason,
      count: reasonCount.get(reason) ?? 0,
    })).sort(
      (a, b) =>
        b.count - a.count ||
        POOR_RATING_REASONS.indexOf(a.reason) - POOR_RATING_REASONS.indexOf(b.reason),
    ) as { reason: PoorRatingReason; count: number }[],
    poorWithComment: reasons.withComment,
    duty: scopeAttendance(
      { shifts, sessions, leaders, from: q.from, to: q.to, nowMs: now },
      q.departmentId,
    ),
    problems: {
      ...problemFigures(judged, medianOf(medians, 'all')),
      bySource: Object.fromEntries(
        PROBLEM_SOURCES.map((source) => [
          source,
          problemFigures(
            judged.filter((g) => g.source === source),
            medianOf(medians, 'source', source),
          ),
        ]),
      ) as Record<ProblemSource, ProblemFigures>,
    },
    departments: shown.map((d) => ({
      ...namedDepartment(hall, d.id),
      ...ratingFigures(departmentLevels.get(d.id) ?? zeroLevels()),
      problems: problemFigures(
        judged.filter((g) => g.departmentId === d.id),
        medianOf(medians, 'department', d.id),
      ),
    })),
    windows: [...hall.windows.values()]
      .filter(
        (w) =>
          (q.departmentId === null || w.departmentId === q.departmentId) &&
          (w.active || windowLevels.has(w.id)),
      )
      .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code))
      .map((w) => ({
        id: w.id,
        code: w.code,
        name: w.name,
        ...(w.nameEn ? { nameEn: w.nameEn } : {}),
        departmentId: w.departmentId,
        ...ratingFigures(windowLevels.get(w.id) ?? zeroLevels()),
      })),
    dutyEffect: dutyEffectRows(hall, effect, buckets),
  };
}

function dutyEffectRows(
  hall: HallView,
  effect: Awaited<ReturnType<typeof dutyEffectCounts>>,
  buckets: DutyBucket[],
): DutyEffectRow[] {
  const rows: DutyEffectRow[] = [];
  for (const id of hall.departments.keys()) {
    const lines = effect.filter((e) => e.departmentId === id);
    if (!lines.some((e) => e.level !== null && e.n > 0)) continue;
    const side = (onDuty: boolean) => {
      const levels = zeroLevels();
      for (const e of lines) if (e.onDuty === onDuty && e.level !== null) levels[e.level] += e.n;
      return levels;
    };
    const offHours = lines.find((e) => !e.onDuty && e.level === null)?.hours ?? 0;
    rows.push({
      department: namedDepartment(hall, id),
      onDuty: {
        ...ratingFigures(side(true)),
        hours: buckets.filter((b) => b.departmentId === id).length,
      },
      offDuty: { ...ratingFigures(side(false)), hours: offHours },
    });
  }
  return rows;
}
