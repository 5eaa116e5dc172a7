/**
 * What each dashboard chart draws, as plain data: its categories, its series and the words beside
 * them. The chart and the table under "查看数据" are both drawn from one spec, so the table holds
 * exactly the numbers the chart shows.
 */
import { PROBLEM_SOURCES } from '../../../domain/events';
import { RATING_LEVELS } from '../../../domain/rating';
import { locale, t } from '../../../i18n';
import type {
  DashboardResponse,
  DutyEffectRow,
  RatingFigures,
} from '../../../sync/report-protocol';
import { LEVEL_TONES } from '../../../ui/levels';
import { weekdayName } from '../weekdays';
import { effectLine, percentValue } from './figure-words';

/** How a series' numbers read: counts, a percentage (0–100), or an average score (1–5). */
export type SeriesUnit = 'count' | 'percent' | 'score';

export interface ChartSeries {
  label: string;
  values: readonly (number | null)[];
  unit: SeriesUnit;
  /** One colour, or one per category. */
  color: string | readonly string[];
  /** Drawn as a line over the bars (a share beside counts). */
  line?: boolean;
  /** In the table only (the counts behind a drawn share). */
  tableOnly?: boolean;
}

export interface ChartSpec {
  /** Names the chart's test ids: `chart-<key>`. */
  key: string;
  title: string;
  intro?: string;
  /** The heading of the categories' column in the table. */
  categoryHeading: string;
  categories: readonly string[];
  series: readonly ChartSeries[];
  /** Bars across, for long category names. */
  horizontal?: boolean;
  /** Said instead of the chart when every drawn number is zero. */
  emptyText: string;
  /** Lines said under the chart, in words. */
  notes?: readonly string[];
}

/** Colours of the series, dark enough on white for older eyes. */
export const SERIES_COLORS = {
  count: '#1d4f91',
  rate: '#b24a0c',
  found: '#1d4f91',
  rectified: '#1b7340',
  overdue: '#ab231b',
  onDuty: '#1b7340',
  offDuty: '#6b7280',
} as const;

/** Whether a spec has anything to draw. */
export function hasData(spec: ChartSpec): boolean {
  return spec.series.some((s) => !s.tableOnly && s.values.some((v) => v !== null && v !== 0));
}

/** A number of a series as the table shows it. */
export function cellText(value: number | null, unit: SeriesUnit): string {
  if (value === null) return t('figures.none');
  if (unit === 'percent') return t('figures.percent', { value: value.toFixed(1) });
  if (unit === 'score') return value.toFixed(2);
  return String(value);
}

function countAndRate(rows: readonly RatingFigures[]): ChartSeries[] {
  return [
    {
      label: t('figures.charts.count'),
      values: rows.map((r) => r.total),
      unit: 'count',
      color: SERIES_COLORS.count,
    },
    {
      label: t('figures.charts.goodRate'),
      values: rows.map((r) => percentValue(r.goodRate)),
      unit: 'percent',
      color: SERIES_COLORS.rate,
      line: true,
    },
  ];
}

export function levelsChart(d: DashboardResponse): ChartSpec {
  return {
    key: 'levels',
    title: t('figures.charts.levels'),
    categoryHeading: t('figures.charts.level'),
    categories: RATING_LEVELS.map((l) => t(`levels.${l}`)),
    series: [
      {
        label: t('figures.charts.count'),
        values: RATING_LEVELS.map((l) => d.ratings.byLevel[l]),
        unit: 'count',
        color: RATING_LEVELS.map((l) => LEVEL_TONES[l].accent),
      },
    ],
    emptyText: t('figures.charts.nothing'),
  };
}

/** Hours with ratings, from the first to the last (a hall's night hours are left out). */
export function byHourChart(d: DashboardResponse): ChartSpec {
  const busy = d.byHour.filter((h) => h.total > 0).map((h) => h.hour);
  const first = busy.length ? Math.min(...busy) : 8;
  const last = busy.length ? Math.max(...busy) : 18;
  const rows = d.byHour.filter((h) => h.hour >= first && h.hour <= last);
  return {
    key: 'byHour',
    title: t('figures.charts.byHour'),
    categoryHeading: t('figures.charts.hour'),
    categories: rows.map((h) => t('figures.charts.hourLabel', { hour: h.hour })),
    series: countAndRate(rows),
    emptyText: t('figures.charts.nothing'),
  };
}

export function byWeekdayChart(d: DashboardResponse): ChartSpec {
  return {
    key: 'byWeekday',
    title: t('figures.charts.byWeekday'),
    categoryHeading: t('figures.charts.weekday'),
    categories: d.byWeekday.map((w) => weekdayName(w.weekday)),
    series: countAndRate(d.byWeekday),
    emptyText: t('figures.charts.nothing'),
  };
}

/** A trend bucket's label: the day, the week by its Monday, or the month. */
export function bucketLabel(bucket: string, grain: DashboardResponse['grain']): string {
  return grain === 'week' ? t('figures.charts.weekOf', { date: bucket }) : bucket;
}

export function trendChart(d: DashboardResponse): ChartSpec {
  return {
    key: 'trend',
    title: t('figures.charts.trend', { grain: t(`figures.grains.${d.grain}`) }),
    categoryHeading: t('figures.charts.bucket'),
    categories: d.trend.map((b) => bucketLabel(b.bucket, d.grain)),
    series: countAndRate(d.trend),
    emptyText: t('figures.charts.nothing'),
  };
}

export function reasonsChart(d: DashboardResponse): ChartSpec {
  return {
    key: 'reasons',
    title: t('figures.charts.reasons'),
    categoryHeading: t('figures.charts.reason'),
    categories: d.reasons.map((r) => t(`reasons.${r.reason}`)),
    series: [
      {
        label: t('figures.charts.reasonCount'),
        values: d.reasons.map((r) => r.count),
        unit: 'count',
        color: LEVEL_TONES.dissatisfied.accent,
      },
    ],
    horizontal: true,
    emptyText: t('figures.charts.noPoor'),
  };
}

export function problemsChart(d: DashboardResponse): ChartSpec {
  const of = PROBLEM_SOURCES.map((s) => d.problems.bySource[s]);
  return {
    key: 'problems',
    title: t('figures.charts.problemsBySource'),
    categoryHeading: t('figures.charts.source'),
    categories: PROBLEM_SOURCES.map((s) => t(`admin.pipeline.sources.${s}`)),
    series: [
      {
        label: t('figures.charts.found'),
        values: of.map((p) => p.found),
        unit: 'count',
        color: SERIES_COLORS.found,
      },
      {
        label: t('figures.charts.rectified'),
        values: of.map((p) => p.rectified),
        unit: 'count',
        color: SERIES_COLORS.rectified,
      },
      {
        label: t('figures.charts.overdue'),
        values: of.map((p) => p.overdue),
        unit: 'count',
        color: SERIES_COLORS.overdue,
      },
    ],
    emptyText: t('figures.charts.noProblems'),
  };
}

/** One figure of the duty effect as two series: with a leader on duty, then without. */
export function onAndOffDuty(
  rows: readonly DutyEffectRow[],
  labels: readonly [onDuty: string, offDuty: string],
  value: (figures: RatingFigures) => number | null,
  unit: SeriesUnit,
  tableOnly = false,
): ChartSeries[] {
  return (['onDuty', 'offDuty'] as const).map((side, i) => ({
    label: labels[i]!,
    values: rows.map((r) => value(r[side])),
    unit,
    color: SERIES_COLORS[side],
    ...(tableOnly && { tableOnly }),
  }));
}

/** 好评率 with a leader on duty against without, per department, with the ratings behind each. */
export function dutyEffectChart(d: DashboardResponse): ChartSpec {
  const rows = d.dutyEffect;
  const on = t('figures.charts.onDuty');
  const off = t('figures.charts.offDuty');
  return {
    key: 'dutyEffect',
    title: t('figures.charts.dutyEffect'),
    intro: t('figures.charts.dutyEffectIntro'),
    categoryHeading: t('figures.departments.department'),
    categories: rows.map((r) => locale.pick(r.department.name, r.department.nameEn)),
    series: [
      ...onAndOffDuty(
        rows,
        [t('figures.charts.onDutyRate'), t('figures.charts.offDutyRate')],
        (f) => percentValue(f.goodRate),
        'percent',
      ),
      ...onAndOffDuty(
        rows,
        [t('figures.charts.onDutyCount'), t('figures.charts.offDutyCount')],
        (f) => f.total,
        'count',
        true,
      ),
      ...onAndOffDuty(
        rows,
        [t('figures.charts.onDutyAverage'), t('figures.charts.offDutyAverage')],
        (f) => f.averageScore,
        'score',
        true,
      ),
    ],
    horizontal: true,
    emptyText: t('figures.charts.noEffect'),
    notes: rows.flatMap((r) => {
      const name = locale.pick(r.department.name, r.department.nameEn);
      return [
        t('figures.charts.effectNote', {
          department: name,
          onDuty: effectLine(on, r.onDuty),
          offDuty: effectLine(off, r.offDuty),
        }),
      ];
    }),
  };
}

/** The rating charts of a dashboard, in the order shown (only when it has ratings). */
export function ratingCharts(d: DashboardResponse): ChartSpec[] {
  return [
    levelsChart(d),
    trendChart(d),
    byHourChart(d),
    byWeekdayChart(d),
    reasonsChart(d),
    dutyEffectChart(d),
  ];
}
