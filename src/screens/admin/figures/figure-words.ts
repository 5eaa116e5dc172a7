/** The console's figures in words: shares, averages, KPI cards, ranking changes and point sums. */
import { PROBLEM_STATUSES } from '../../../domain/events';
import { RANKING_COMPONENTS, type RankingComponent } from '../../../domain/ranking';
import { locale, t } from '../../../i18n';
import type { DashboardResponse, RankingRow, RatingFigures } from '../../../sync/report-protocol';

/** A share 0–1 as "96.0%"; "—" when there is none. */
export function percent(share: number | null): string {
  return share === null
    ? t('figures.none')
    : t('figures.percent', { value: (share * 100).toFixed(1) });
}

/** A share 0–1 as the number a chart draws: percent to one decimal. */
export function percentValue(share: number | null): number | null {
  return share === null ? null : Math.round(share * 1000) / 10;
}

/** An average score to two decimals; "—" when there is none. */
export function average(score: number | null): string {
  return score === null ? t('figures.none') : score.toFixed(2);
}

/** Points or a score, to one decimal. */
export function points(value: number | null): string {
  return value === null ? t('figures.none') : value.toFixed(1);
}

export function days(value: number | null): string {
  return value === null ? t('figures.none') : t('figures.days', { value: value.toFixed(1) });
}

/** The department a figure is about, in the reader's language, or the whole hall. */
export function departmentName(d: { name: string; nameEn?: string } | null): string {
  return d ? locale.pick(d.name, d.nameEn) : t('figures.hallWide');
}

/** "坐班时段 好评率 96.0%（共 250 条），平均分 4.52". */
export function effectLine(label: string, f: RatingFigures): string {
  return t('figures.charts.effectLine', {
    label,
    rate: percent(f.goodRate),
    count: f.total,
    average: average(f.averageScore),
  });
}

export interface Kpi {
  key: string;
  label: string;
  value: string;
  note?: string;
}

/** The dashboard's headline figures, each with the counts behind it. */
export function kpis(d: DashboardResponse): Kpi[] {
  const r = d.ratings;
  const s = d.poorFollowUp.byStatus;
  const p = d.problems;
  const dueShifts = d.duty.scheduled - d.duty.upcoming;
  // 差评整改率: of the 差评 not closed as mistaken or malicious, the share rectified.
  const poorDone = s.rectified + s.verified;
  const poorToRectify = PROBLEM_STATUSES.reduce((n, k) => n + s[k], 0) - s.closed;
  return [
    { key: 'total', label: t('figures.kpi.total'), value: String(r.total) },
    {
      key: 'goodRate',
      label: t('figures.kpi.goodRate'),
      value: percent(r.goodRate),
      note: t('figures.kpi.goodRateNote', { good: r.good }),
    },
    {
      key: 'average',
      label: t('figures.kpi.average'),
      value: average(r.averageScore),
      note: t('figures.kpi.averageNote'),
    },
    {
      key: 'poor',
      label: t('figures.kpi.poor'),
      value: String(r.poor),
      note: t('figures.kpi.poorNote', { count: d.poorWithComment }),
    },
    {
      key: 'poorFollowUp',
      label: t('figures.kpi.poorFollowUp'),
      value: percent(poorToRectify > 0 ? poorDone / poorToRectify : null),
      note: t('figures.kpi.poorFollowUpNote', {
        open: s.found + s.appealing + s.assigned + s.rectifying,
        done: poorDone,
        closed: s.closed,
        overdue: d.poorFollowUp.overdue,
        calledBack: d.poorFollowUp.calledBack,
      }),
    },
    {
      key: 'attendance',
      label: t('figures.kpi.attendance'),
      value: percent(d.duty.attendanceRate),
      note: t('figures.kpi.attendanceNote', {
        attended: d.duty.attended,
        due: dueShifts,
        late: d.duty.late,
        missed: d.duty.missed,
      }),
    },
    {
      key: 'problems',
      label: t('figures.kpi.problems'),
      value: String(p.found),
      note: t('figures.kpi.problemsNote', {
        found: p.found,
        rectified: p.rectified,
        overdue: p.overdue,
      }),
    },
    {
      key: 'rectificationRate',
      label: t('figures.kpi.rectificationRate'),
      value: percent(p.rectificationRate),
      note: t('figures.kpi.rectificationNote', { rectified: p.rectified, due: p.found - p.closed }),
    },
    {
      key: 'medianDays',
      label: t('figures.kpi.medianDays'),
      value: days(p.medianDaysToRectify),
      note: t('figures.kpi.medianDaysNote'),
    },
  ];
}

/** Whether a period holds nothing to show at all. */
export function isEmptyPeriod(d: DashboardResponse): boolean {
  return d.ratings.total === 0 && d.problems.found === 0 && d.duty.scheduled === 0;
}

export type ChangeDirection = 'up' | 'down' | 'same' | 'new' | 'none';

/** A department's move since last month, with its arrow and words ("上升 2 位"). */
export function rankChangeWords(row: RankingRow): {
  direction: ChangeDirection;
  arrow: string;
  text: string;
} {
  if (row.rank === null)
    return { direction: 'none', arrow: '', text: t('figures.ranking.unscored') };
  if (row.change === null)
    return { direction: 'new', arrow: '★', text: t('figures.ranking.newcomer') };
  if (row.change > 0)
    return { direction: 'up', arrow: '↑', text: t('figures.ranking.up', { n: row.change }) };
  if (row.change < 0)
    return { direction: 'down', arrow: '↓', text: t('figures.ranking.down', { n: -row.change }) };
  return { direction: 'same', arrow: '→', text: t('figures.ranking.same') };
}

/** The components that count towards a row's score (those with points). */
export function countedComponents(row: RankingRow): RankingComponent[] {
  return RANKING_COMPONENTS.filter((k) => row.components[k].points !== null);
}

/** "32.0 + 20.0 + 19.0 + 10.0 = 81.0": the points that make up the score. */
export function pointsSum(row: RankingRow): string {
  if (row.score === null) return t('figures.ranking.unscored');
  const parts = countedComponents(row).map((k) => points(row.components[k].points));
  return t('figures.ranking.sum', { parts: parts.join(' + '), score: points(row.score) });
}

/** "45/50": the counts behind a component. */
export function basis(row: RankingRow, k: RankingComponent): string {
  const b = row.components[k].basis;
  return `${b.numerator}/${b.denominator}`;
}
