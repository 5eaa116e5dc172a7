/**
 * 窗口评比: the monthly department ranking. Each department gets four components, each a share
 * from 0 to 100 with the counts behind it, and a score that is their weighted mean. The points a
 * component adds are shown beside it and add up to the score exactly (both are kept in tenths).
 *
 * - satisfaction: 好评率, the month's 非常满意 + 满意 over all its ratings;
 * - attendance: duty shifts attended over shifts scheduled and already over;
 * - rectification: 整改率, the month's problems rectified or verified over those not closed as
 *   unfounded;
 * - timeliness: of those problems rectified or already overdue, the share rectified in time.
 *
 * A component without any count behind it (no shift scheduled, no problem found) is left out and
 * the weights of the others are scaled up, so a department is not ranked on what it never had.
 */
import type { RankingWeights } from './events';
import type { Id } from './ids';

export const RANKING_COMPONENTS = [
  'satisfaction',
  'attendance',
  'rectification',
  'timeliness',
] as const;
export type RankingComponent = (typeof RANKING_COMPONENTS)[number];

/** The counts behind a component: `numerator` of `denominator`. */
export interface Basis {
  numerator: number;
  denominator: number;
}

export interface ComponentScore {
  /** The share, 0–100 to one decimal; null when the denominator is 0. */
  value: number | null;
  /** The configured weight. */
  weight: number;
  /** What the component adds to the score, to one decimal; null when left out. */
  points: number | null;
  basis: Basis;
}

export interface Scored {
  /** 0–100 to one decimal, the sum of the components' points; null when every one is left out. */
  score: number | null;
  components: Record<RankingComponent, ComponentScore>;
}

const tenths = (x: number) => Math.round(x * 10);

/** Score one department from the counts behind each component. */
export function scoreDepartment(
  bases: Record<RankingComponent, Basis>,
  weights: RankingWeights,
): Scored {
  const shares = Object.fromEntries(
    RANKING_COMPONENTS.map((k) => {
      const b = bases[k];
      return [k, b.denominator > 0 ? (b.numerator / b.denominator) * 100 : null];
    }),
  ) as Record<RankingComponent, number | null>;
  const counted = RANKING_COMPONENTS.filter((k) => shares[k] !== null && weights[k] > 0);
  const totalWeight = counted.reduce((sum, k) => sum + weights[k], 0);
  let scoreTenths = 0;
  const components = {} as Record<RankingComponent, ComponentScore>;
  for (const k of RANKING_COMPONENTS) {
    const share = shares[k];
    const included = share !== null && weights[k] > 0 && totalWeight > 0;
    const pointsTenths = included ? tenths((share * weights[k]) / totalWeight) : null;
    if (pointsTenths !== null) scoreTenths += pointsTenths;
    components[k] = {
      value: share === null ? null : tenths(share) / 10,
      weight: weights[k],
      points: pointsTenths === null ? null : pointsTenths / 10,
      basis: bases[k],
    };
  }
  return { score: counted.length > 0 ? scoreTenths / 10 : null, components };
}

export interface Ranked {
  departmentId: Id;
  score: number | null;
  /** 1 for the best; equal scores share a rank (1, 2, 2, 4); null when there is no score. */
  rank: number | null;
}

/** Rank departments by score, best first; unscored ones last, in the order given. */
export function rankDepartments<T extends { departmentId: Id; score: number | null }>(
  rows: readonly T[],
): (T & { rank: number | null })[] {
  const scored = rows
    .filter((r) => r.score !== null)
    .sort((a, b) => (b.score as number) - (a.score as number));
  const ranked = scored.map((r) => ({ ...r, rank: 0 }));
  ranked.forEach((r, i) => {
    r.rank = i > 0 && ranked[i - 1]!.score === r.score ? ranked[i - 1]!.rank : i + 1;
  });
  return [...ranked, ...rows.filter((r) => r.score === null).map((r) => ({ ...r, rank: null }))];
}

/** Places moved up since last month (negative: down); null when either month has no rank. */
export function rankChange(rank: number | null, previousRank: number | null): number | null {
  return rank === null || previousRank === null ? null : previousRank - rank;
}
