/**
 * 窗口评比 (GET /admin/ranking?month=YYYY-MM): every active department scored on the month's
 * satisfaction, duty attendance, rectification and timeliness with the hall's weights
 * (src/domain/ranking.ts), ranked, and set beside its rank and score of the month before.
 */
import type { Db } from '../db/db';
import { computeAttendance } from '../../domain/attendance';
import type { RankingWeights } from '../../domain/events';
import type { Id } from '../../domain/ids';
import { isRectified } from '../../domain/problem';
import {
  RANKING_COMPONENTS,
  rankChange,
  rankDepartments,
  scoreDepartment,
  type Basis,
  type RankingComponent,
  type Scored,
} from '../../domain/ranking';
import type { RankingResponse } from '../../sync/report-protocol';
import { listShifts } from '../repos/duty';
import { problemGroups, ratingsByDepartment } from '../repos/figures';
import { listLeaders } from '../repos/reference';
import { sessionsBetween, monthSpan } from './duty-reports';
import { judgeGroups, periodInstants, ratingFigures, zeroLevels } from './dashboard';
import { loadHallView, type HallView } from './pipeline-console';

type Bases = Record<RankingComponent, Basis>;

const emptyBases = (): Bases =>
  Object.fromEntries(RANKING_COMPONENTS.map((k) => [k, { numerator: 0, denominator: 0 }])) as Bases;

/** The month before YYYY-MM. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The counts behind each component, per department, for a month as known at `now`. */
export async function monthBases(
  db: Db,
  hall: HallView,
  hallId: string,
  month: string,
  now: number,
): Promise<Map<Id, Bases>> {
  const { from, to } = monthSpan(month);
  const scope = { hallId, from, to, departmentId: null };
  const { fromIso, toIso } = periodInstants(from, to);
  const [counts, groups, shifts, sessions, leaders] = await Promise.all([
    ratingsByDepartment(db, scope),
    problemGroups(db, scope, fromIso, toIso),
    listShifts(db, hallId, from, to),
    sessionsBetween(db, hallId, from, to),
    listLeaders(db, hallId),
  ]);
  const out = new Map<Id, Bases>();
  const basesOf = (id: Id) => {
    let b = out.get(id);
    if (!b) {
      b = emptyBases();
      out.set(id, b);
    }
    return b;
  };

  const levels = new Map<Id, ReturnType<typeof zeroLevels>>();
  for (const c of counts) {
    const l = levels.get(c.departmentId) ?? zeroLevels();
    l[c.level] += c.n;
    levels.set(c.departmentId, l);
  }
  for (const [id, l] of levels) {
    const f = ratingFigures(l);
    basesOf(id).satisfaction = { numerator: f.good, denominator: f.total };
  }

  const attendance = computeAttendance({ shifts, sessions, leaders, from, to, nowMs: now });
  for (const d of attendance.departments) {
    basesOf(d.departmentId).attendance = {
      numerator: d.attended,
      denominator: d.scheduled - d.upcoming,
    };
  }

  for (const g of judgeGroups(groups, hall, now)) {
    const b = basesOf(g.departmentId);
    const rectified = isRectified(g.status);
    if (g.status !== 'closed') {
      b.rectification.denominator += g.n;
      if (rectified) b.rectification.numerator += g.n;
    }
    if (rectified || g.overdue) {
      b.timeliness.denominator += g.n;
      if (g.rectifiedInTime) b.timeliness.numerator += g.n;
    }
  }
  return out;
}

interface RankedDepartment extends Scored {
  departmentId: Id;
  rank: number | null;
}

function rank(ids: Id[], bases: Map<Id, Bases>, weights: RankingWeights): RankedDepartment[] {
  return rankDepartments(
    ids.map((id) => ({
      departmentId: id,
      ...scoreDepartment(bases.get(id) ?? emptyBases(), weights),
    })),
  );
}

/** GET /admin/ranking */
export async function ranking(
  db: Db,
  hallId: string,
  query: { month?: unknown },
  now: number,
): Promise<RankingResponse> {
  const { month } = monthSpan(query.month);
  const hall = await loadHallView(db, hallId);
  const weights = hall.settings.rankingWeights;
  const active = [...hall.departments.values()].filter((d) => d.active).map((d) => d.id);
  const [current, before] = await Promise.all([
    monthBases(db, hall, hallId, month, now),
    monthBases(db, hall, hallId, previousMonth(month), now),
  ]);
  const previous = new Map(rank(active, before, weights).map((r) => [r.departmentId, r]));
  return {
    month,
    weights,
    rows: rank(active, current, weights).map((r) => {
      const d = hall.departments.get(r.departmentId)!;
      const p = previous.get(r.departmentId);
      const prev = p && p.rank !== null ? { rank: p.rank, score: p.score } : null;
      return {
        department: {
          id: d.id,
          code: d.code,
          name: d.name,
          ...(d.nameEn ? { nameEn: d.nameEn } : {}),
        },
        rank: r.rank,
        score: r.score,
        components: r.components,
        previous: prev,
        change: rankChange(r.rank, prev?.rank ?? null),
      };
    }),
  };
}
