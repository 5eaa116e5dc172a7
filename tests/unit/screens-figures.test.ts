import { render } from 'svelte/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_SOURCES, PROBLEM_STATUSES } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { RANKING_COMPONENTS, scoreDepartment } from '../../src/domain/ranking';
import { locale } from '../../src/i18n';
import { ADMIN_TABS, type AdminTab } from '../../src/screens/admin/admin-state.svelte';
import { AdminApiError } from '../../src/screens/admin/api-error';
import { TAB_GROUPS, tabGroups } from '../../src/screens/admin/tab-groups';
import { createFiguresApi, type FiguresApi } from '../../src/screens/admin/figures-api';
import {
  addMonths,
  FiguresState,
  monthPeriod,
  periodProblem,
  presetPeriod,
} from '../../src/screens/admin/figures-state.svelte';
import {
  byHourChart,
  cellText,
  dutyEffectChart,
  hasData,
  levelsChart,
  onAndOffDuty,
  problemsChart,
  reasonsChart,
  SERIES_COLORS,
  type ChartSpec,
} from '../../src/screens/admin/figures/chart-specs';
import ChartFigure from '../../src/screens/admin/figures/ChartFigure.svelte';
import DashboardFilters from '../../src/screens/admin/figures/DashboardFilters.svelte';
import ChartTable from '../../src/screens/admin/figures/ChartTable.svelte';
import DepartmentFigures from '../../src/screens/admin/figures/DepartmentFigures.svelte';
import {
  isEmptyPeriod,
  kpis,
  pointsSum,
  rankChangeWords,
} from '../../src/screens/admin/figures/figure-words';
import { chartConfig, wrapLabel } from '../../src/screens/admin/figures/charts';
import RankingTable from '../../src/screens/admin/figures/RankingTable.svelte';
import WindowFigures from '../../src/screens/admin/figures/WindowFigures.svelte';
import ReportPage from '../../src/screens/admin/figures/ReportPage.svelte';
import type { ProblemListQuery, ProblemListResponse } from '../../src/sync/pipeline-protocol';
import type {
  DashboardQuery,
  DashboardResponse,
  RankingResponse,
  RankingRow,
  RatingFigures,
} from '../../src/sync/report-protocol';

/** 2026-11-18 (a Wednesday) 10:00 in the hall. */
const NOW = Date.parse('2026-11-18T02:00:00Z');

beforeAll(async () => {
  await locale.use('admin');
});

const tax = { id: newId(), name: '税务局' };
const market = { id: newId(), name: '市场监管局' };

function figuresOf(total: number, good: number, poor: number, avg: number | null): RatingFigures {
  return { total, good, poor, goodRate: total ? good / total : null, averageScore: avg };
}

const noProblems = {
  found: 0,
  rectified: 0,
  overdue: 0,
  closed: 0,
  rectificationRate: null,
  medianDaysToRectify: null,
};

/** A dashboard answer: 300 ratings, 20 poor, a few problems, two departments. */
function dashboard(overrides: Partial<DashboardResponse> = {}): DashboardResponse {
  const byStatus = Object.fromEntries(PROBLEM_STATUSES.map((s) => [s, 0])) as Record<
    (typeof PROBLEM_STATUSES)[number],
    number
  >;
  Object.assign(byStatus, { found: 2, rectifying: 3, rectified: 10, verified: 4, closed: 1 });
  const bySource = Object.fromEntries(
    PROBLEM_SOURCES.map((s) => [s, { ...noProblems }]),
  ) as DashboardResponse['problems']['bySource'];
  bySource.rating = { ...noProblems, found: 20, rectified: 14, overdue: 2, closed: 1 };
  bySource.walk = { ...noProblems, found: 5, rectified: 1, overdue: 1 };
  return {
    period: { from: '2026-11-01', to: '2026-11-18' },
    department: null,
    grain: 'day',
    ratings: {
      ...figuresOf(300, 270, 20, 4.52),
      byLevel: {
        very_satisfied: 200,
        satisfied: 70,
        basically_satisfied: 10,
        dissatisfied: 15,
        very_dissatisfied: 5,
      },
    },
    poorFollowUp: { byStatus, overdue: 2, calledBack: 12 },
    byHour: Array.from({ length: 24 }, (_, hour) =>
      hour === 9
        ? { hour, ...figuresOf(100, 90, 5, 4.5) }
        : hour === 15
          ? { hour, ...figuresOf(200, 180, 15, 4.53) }
          : { hour, ...figuresOf(0, 0, 0, null) },
    ),
    byWeekday: Array.from({ length: 7 }, (_, i) => ({
      weekday: i + 1,
      ...(i < 5 ? figuresOf(60, 54, 4, 4.5) : figuresOf(0, 0, 0, null)),
    })),
    trend: [
      { bucket: '2026-11-16', ...figuresOf(100, 95, 2, 4.7) },
      { bucket: '2026-11-17', ...figuresOf(200, 175, 18, 4.4) },
    ],
    reasons: [
      { reason: 'waited_too_long', count: 12 },
      { reason: 'attitude', count: 6 },
      { reason: 'other', count: 0 },
    ],
    poorWithComment: 7,
    duty: {
      scheduled: 12,
      attended: 9,
      late: 1,
      missed: 1,
      upcoming: 2,
      unscheduled: 0,
      autoSignedOut: 0,
      hours: 30,
      served: 40,
      cases: 30,
      solved: 5,
      complaints: 1,
      suggestions: 2,
      attendanceRate: 0.9,
    },
    problems: {
      found: 25,
      rectified: 15,
      overdue: 3,
      closed: 1,
      rectificationRate: 15 / 24,
      medianDaysToRectify: 4.5,
      bySource,
    },
    departments: [
      { ...tax, ...figuresOf(200, 190, 5, 4.7), problems: { ...noProblems, found: 3 } },
      { ...market, ...figuresOf(100, 80, 15, 4.1), problems: { ...noProblems } },
    ],
    windows: [
      {
        id: newId(),
        code: 'A01',
        name: '综合窗口',
        departmentId: tax.id,
        ...figuresOf(120, 115, 2, 4.8),
      },
      {
        id: newId(),
        code: 'A02',
        name: '税务窗口',
        departmentId: tax.id,
        ...figuresOf(80, 75, 3, 4.6),
      },
      {
        id: newId(),
        code: 'F01',
        name: '市场窗口',
        departmentId: market.id,
        ...figuresOf(0, 0, 0, null),
      },
    ],
    dutyEffect: [
      {
        department: tax,
        onDuty: { ...figuresOf(250, 240, 2, 4.8), hours: 40 },
        offDuty: { ...figuresOf(800, 720, 30, 4.4), hours: 200 },
      },
    ],
    ...overrides,
  };
}

function rankingRow(
  department: { id: string; name: string },
  bases: Parameters<typeof scoreDepartment>[0],
  rank: number | null,
  change: number | null,
): RankingRow {
  const scored = scoreDepartment(bases, WEIGHTS);
  return {
    department: { ...department, code: department.name },
    rank,
    score: scored.score,
    components: scored.components,
    previous: change === null ? null : { rank: (rank ?? 0) + change, score: 70 },
    change,
  };
}

const WEIGHTS = { satisfaction: 40, attendance: 20, rectification: 20, timeliness: 20 };

/** A figures API answering what the test sets, recording every request. */
function fakeApi() {
  const asked: { dashboard: DashboardQuery[]; ranking: string[]; problems: ProblemListQuery[] } = {
    dashboard: [],
    ranking: [],
    problems: [],
  };
  let answerDashboard: (q: DashboardQuery) => Promise<DashboardResponse> = async (q) =>
    dashboard({ period: { from: q.from, to: q.to } });
  const api: FiguresApi = {
    dashboard: (q) => {
      asked.dashboard.push(q);
      return answerDashboard(q);
    },
    ranking: async (month) => {
      asked.ranking.push(month);
      return { month, weights: WEIGHTS, rows: [] } satisfies RankingResponse;
    },
    problems: async (q) => {
      asked.problems.push(q);
      return {
        problems: [],
        counts: [],
        serverTime: new Date(NOW).toISOString(),
      } as ProblemListResponse;
    },
  };
  return {
    api,
    asked,
    answer(fn: typeof answerDashboard) {
      answerDashboard = fn;
    },
  };
}

function newState(api: FiguresApi, errors: unknown[] = []) {
  return new FiguresState({ api, now: () => NOW, onError: (e) => errors.push(e) });
}

describe('periods', () => {
  const today = '2026-11-18';
  const current = { from: '2026-01-05', to: '2026-02-01' };

  it('gives each preset its hall-local dates, both ends counted', () => {
    expect(presetPeriod('thisMonth', today, current)).toEqual({ from: '2026-11-01', to: today });
    expect(presetPeriod('lastMonth', today, current)).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
    });
    expect(presetPeriod('last7', today, current)).toEqual({ from: '2026-11-12', to: today });
    expect(presetPeriod('last30', today, current)).toEqual({ from: '2026-10-20', to: today });
    expect(presetPeriod('last90', today, current)).toEqual({ from: '2026-08-21', to: today });
    expect(presetPeriod('custom', today, current)).toBe(current);
  });

  it('finds last month across a year and a short February', () => {
    expect(presetPeriod('lastMonth', '2026-01-10', current)).toEqual({
      from: '2025-12-01',
      to: '2025-12-31',
    });
    expect(presetPeriod('lastMonth', '2028-03-31', current)).toEqual({
      from: '2028-02-01',
      to: '2028-02-29',
    });
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -13)).toBe('2024-12');
    expect(monthPeriod('2026-11', today)).toEqual({ from: '2026-11-01', to: today });
  });

  it('refuses a period that is not two dates, reversed, or over 400 days', () => {
    expect(periodProblem({ from: '', to: today })).toBe('badDate');
    expect(periodProblem({ from: '2026-11-19', to: today })).toBe('reversed');
    expect(periodProblem({ from: '2025-10-14', to: today })).toBe('tooLong');
    expect(periodProblem({ from: '2025-10-15', to: today })).toBeNull();
    expect(periodProblem({ from: today, to: today })).toBeNull();
  });
});

describe('dashboard filters', () => {
  it('show the period asked as two dates and the departments to choose from', async () => {
    await locale.use('admin');
    const figures = newState(fakeApi().api);
    figures.choosePeriod({ from: '2026-11-02', to: '2026-11-16' });
    const html = render(DashboardFilters, {
      props: { figures, departments: [{ id: tax.id, name: '税务局' }] },
    }).body;
    const day = (testid: string) =>
      new RegExp(`type="date" data-testid="${testid}" value="([^"]*)"`).exec(html)?.[1];
    expect(day('dashboard-from')).toBe('2026-11-02');
    expect(day('dashboard-to')).toBe('2026-11-16');
    expect(html.match(/<label class="field date/g)).toHaveLength(2);
    expect(html).toContain(`<option value="${tax.id}">税务局</option>`);
  });
});

describe('FiguresState: the dashboard', () => {
  it('opens on this month for the whole hall and asks again for each filter', async () => {
    const { api, asked } = fakeApi();
    const figures = newState(api);
    expect(figures.query).toEqual({ from: '2026-11-01', to: '2026-11-18' });
    await figures.dashboard.refresh();
    expect(figures.dashboard.data?.period).toEqual({ from: '2026-11-01', to: '2026-11-18' });

    figures.choosePreset('last7');
    figures.chooseDepartment(tax.id);
    figures.chooseGrain('week');
    await waitFor(() => !figures.dashboard.loading);
    expect(asked.dashboard.slice(1)).toEqual([
      { from: '2026-11-12', to: '2026-11-18' },
      { from: '2026-11-12', to: '2026-11-18', department: tax.id },
      { from: '2026-11-12', to: '2026-11-18', department: tax.id, grain: 'week' },
    ]);
    expect(figures.preset).toBe('last7');

    figures.chooseDepartment('');
    figures.chooseGrain('');
    await waitFor(() => !figures.dashboard.loading);
    expect(asked.dashboard.at(-1)).toEqual({ from: '2026-11-12', to: '2026-11-18' });
  });

  it('says what is wrong with a custom period and asks nothing until it is right', async () => {
    const { api, asked } = fakeApi();
    const figures = newState(api);
    figures.choosePeriod({ from: '2026-11-20', to: '2026-11-18' });
    expect(figures.preset).toBe('custom');
    expect(figures.periodProblem).toBe('reversed');
    figures.chooseDepartment(tax.id);
    expect(asked.dashboard).toHaveLength(0);

    figures.choosePeriod({ from: '2026-11-02', to: '2026-11-18' });
    expect(figures.periodProblem).toBeNull();
    await waitFor(() => !figures.dashboard.loading);
    expect(asked.dashboard).toEqual([{ from: '2026-11-02', to: '2026-11-18', department: tax.id }]);
    // A preset replaces the typed dates and the problem with them.
    figures.choosePeriod({ from: 'x', to: '2026-11-18' });
    expect(figures.periodProblem).toBe('badDate');
    figures.choosePreset('thisMonth');
    expect(figures.periodProblem).toBeNull();
    expect(figures.period).toEqual({ from: '2026-11-01', to: '2026-11-18' });
  });

  it('keeps the answer to the newest filter when an older answer arrives last', async () => {
    const { api, answer } = fakeApi();
    const figures = newState(api);
    const slow = deferred<DashboardResponse>();
    answer(() => slow.promise);
    figures.chooseDepartment(tax.id);
    answer(async (q) => dashboard({ department: market, period: { from: q.from, to: q.to } }));
    figures.chooseDepartment(market.id);
    await waitFor(() => figures.dashboard.data !== null);
    slow.resolve(dashboard({ department: tax }));
    await waitFor(() => !figures.dashboard.loading);
    expect(figures.dashboard.data?.department?.id).toBe(market.id);
  });

  it('keeps a failure as the section error and hands it on', async () => {
    const { api, answer } = fakeApi();
    const errors: unknown[] = [];
    const figures = newState(api, errors);
    answer(async () => {
      throw new AdminApiError('invalid_query', 400, 'from after to');
    });
    await figures.dashboard.refresh();
    expect(figures.dashboard.error).toMatchObject({ code: 'invalid_query' });
    expect(errors).toHaveLength(1);
    expect(figures.section('dashboard')).toBe(figures.dashboard);
  });

  it('learns the departments from a hall-wide answer for the filter', async () => {
    const { api } = fakeApi();
    const figures = newState(api);
    await figures.dashboard.refresh();
    expect(figures.knownDepartments.map((d) => d.name)).toEqual(['税务局', '市场监管局']);
  });
});

describe('FiguresState: ranking month and the monthly report', () => {
  it('moves the ranking month back and forth, never past the current month', async () => {
    const { api, asked } = fakeApi();
    const figures = newState(api);
    expect(figures.month).toBe('2026-11');
    figures.stepMonth(1);
    figures.showMonth('2027-01');
    figures.showMonth('nonsense');
    expect(asked.ranking).toEqual([]);
    figures.stepMonth(-1);
    figures.stepMonth(-1);
    figures.stepMonth(1);
    await waitFor(() => !figures.ranking.loading);
    expect(asked.ranking).toEqual(['2026-10', '2026-09', '2026-10']);
    expect(figures.month).toBe('2026-10');
    expect(figures.ranking.data?.month).toBe('2026-10');
    expect(figures.section('ranking')).toBe(figures.ranking);
  });

  it("loads a month's figures, ranking and overdue problems for the hall or a department", async () => {
    const { api, asked } = fakeApi();
    const figures = newState(api);
    expect(figures.section('report')).toBe(figures.report);
    figures.showReport('2026-10', tax.id);
    await waitFor(() => figures.report.data !== null && !figures.report.loading);
    expect(asked.dashboard).toEqual([{ from: '2026-10-01', to: '2026-10-31', department: tax.id }]);
    expect(asked.ranking).toEqual(['2026-10']);
    expect(asked.problems).toEqual([{ month: '2026-10', overdue: true, department: tax.id }]);
    expect(figures.report.data).toMatchObject({ month: '2026-10', department: tax.id });

    // The month under way ends today; the hall's report names no department.
    figures.showReport('2026-11', '');
    await waitFor(() => figures.report.data?.month === '2026-11');
    expect(asked.dashboard.at(-1)).toEqual({ from: '2026-11-01', to: '2026-11-18' });
    expect(asked.problems.at(-1)).toEqual({ month: '2026-11', overdue: true });
  });

  it('asks the server for the overdue problems through the pipeline list', async () => {
    const paths: string[] = [];
    const api = createFiguresApi(async <T>(_method: string, path: string) => {
      paths.push(path);
      return {} as T;
    });
    await api.problems({ month: '2026-10', overdue: true, department: 'd1' });
    await api.dashboard({ from: '2026-10-01', to: '2026-10-31', grain: 'month' });
    expect(paths).toEqual([
      '/problems?department=d1&overdue=1&month=2026-10',
      '/dashboard?from=2026-10-01&to=2026-10-31&grain=month',
    ]);
  });
});

describe('figures in words', () => {
  it('says the headline figures with the counts behind them', () => {
    const cards = Object.fromEntries(kpis(dashboard()).map((k) => [k.key, k]));
    expect(cards.total!.value).toBe('300');
    expect(cards.goodRate!.value).toBe('90.0%');
    expect(cards.average!.value).toBe('4.52');
    expect(cards.poor!.note).toBe('其中填写意见 7 条');
    // 14 rectified or verified of the 19 差评 not closed.
    expect(cards.poorFollowUp!.value).toBe('73.7%');
    expect(cards.poorFollowUp!.note).toBe('处理中 5，已整改 14，已关闭 1，逾期 2，已回访 12');
    expect(cards.attendance!.value).toBe('90.0%');
    expect(cards.attendance!.note).toBe('到岗 9 / 应到 10，迟到 1，缺勤 1');
    expect(cards.rectificationRate!.value).toBe('62.5%');
    expect(cards.rectificationRate!.note).toBe('已整改 15 / 需整改 24');
    expect(cards.medianDays!.value).toBe('4.5 天');
    expect(isEmptyPeriod(dashboard())).toBe(false);
  });

  it('says a period with nothing at all is empty, and shows no share of nothing', () => {
    const empty = dashboard({
      ratings: {
        ...figuresOf(0, 0, 0, null),
        byLevel: {
          very_satisfied: 0,
          satisfied: 0,
          basically_satisfied: 0,
          dissatisfied: 0,
          very_dissatisfied: 0,
        },
      },
      problems: { ...dashboard().problems, ...noProblems },
      duty: { ...dashboard().duty, scheduled: 0, attended: 0, attendanceRate: null },
    });
    expect(isEmptyPeriod(empty)).toBe(true);
    const cards = Object.fromEntries(kpis(empty).map((k) => [k.key, k.value]));
    expect(cards.goodRate).toBe('—');
    expect(cards.average).toBe('—');
  });

  it('draws the hours with ratings only, and the table holds the numbers drawn', () => {
    const spec = byHourChart(dashboard());
    expect(spec.categories).toEqual(['9时', '10时', '11时', '12时', '13时', '14时', '15时']);
    expect(spec.series[0]!.values).toEqual([100, 0, 0, 0, 0, 0, 200]);
    expect(spec.series[1]!.values).toEqual([90, null, null, null, null, null, 90]);
    expect(spec.series[1]!.values.map((v) => cellText(v, 'percent'))).toEqual([
      '90.0%',
      '—',
      '—',
      '—',
      '—',
      '—',
      '90.0%',
    ]);
  });

  it('says the duty effect in words with the ratings behind each figure', () => {
    const spec = dutyEffectChart(dashboard());
    expect(spec.notes).toEqual([
      '税务局：坐班时段 好评率 96.0%（共 250 条），平均分 4.80；非坐班时段 好评率 90.0%（共 800 条），平均分 4.40',
    ]);
    expect(spec.series.filter((s) => !s.tableOnly).map((s) => s.values)).toEqual([[96], [90]]);
    expect(spec.series.find((s) => s.label === '坐班时段 评价数')!.values).toEqual([250]);
  });

  it('pairs each duty-effect figure on duty then off duty, the counts and averages in the table only', () => {
    const spec = dutyEffectChart(dashboard());
    expect(
      spec.series.map((s) => [s.label, s.values, s.unit, s.color, s.tableOnly ?? false]),
    ).toEqual([
      ['坐班时段 好评率（%）', [96], 'percent', SERIES_COLORS.onDuty, false],
      ['非坐班时段 好评率（%）', [90], 'percent', SERIES_COLORS.offDuty, false],
      ['坐班时段 评价数', [250], 'count', SERIES_COLORS.onDuty, true],
      ['非坐班时段 评价数', [800], 'count', SERIES_COLORS.offDuty, true],
      ['坐班时段 平均分', [4.8], 'score', SERIES_COLORS.onDuty, true],
      ['非坐班时段 平均分', [4.4], 'score', SERIES_COLORS.offDuty, true],
    ]);
    const rows = dashboard().dutyEffect;
    const twice = [...rows, ...rows];
    expect(onAndOffDuty(twice, ['on', 'off'], (f) => f.poor, 'count')).toEqual([
      { label: 'on', values: [2, 2], unit: 'count', color: SERIES_COLORS.onDuty },
      { label: 'off', values: [30, 30], unit: 'count', color: SERIES_COLORS.offDuty },
    ]);
  });

  it('has nothing to draw when every number is zero', () => {
    const none = dashboard({ reasons: [{ reason: 'attitude', count: 0 }] });
    expect(hasData(reasonsChart(none))).toBe(false);
    expect(hasData(reasonsChart(dashboard()))).toBe(true);
    expect(problemsChart(dashboard()).series.map((s) => s.values)).toEqual([
      [5, 20, 0],
      [1, 14, 0],
      [1, 2, 0],
    ]);
  });

  it('says a rank change in words and an arrow', () => {
    const bases = {
      satisfaction: { numerator: 45, denominator: 50 },
      attendance: { numerator: 4, denominator: 5 },
      rectification: { numerator: 3, denominator: 4 },
      timeliness: { numerator: 0, denominator: 0 },
    };
    expect(rankChangeWords(rankingRow(tax, bases, 1, 2))).toMatchObject({
      direction: 'up',
      arrow: '↑',
      text: '上升 2 位',
    });
    expect(rankChangeWords(rankingRow(tax, bases, 3, -1)).text).toBe('下降 1 位');
    expect(rankChangeWords(rankingRow(tax, bases, 3, 0)).text).toBe('持平');
    expect(rankChangeWords(rankingRow(tax, bases, 3, null)).text).toBe('新上榜');
    const unscored = rankingRow(
      market,
      Object.fromEntries(
        RANKING_COMPONENTS.map((k) => [k, { numerator: 0, denominator: 0 }]),
      ) as typeof bases,
      null,
      null,
    );
    expect(rankChangeWords(unscored)).toMatchObject({ direction: 'none', text: '本月无数据' });
  });

  it('shows the points that add up to the score', () => {
    const row = rankingRow(
      tax,
      {
        satisfaction: { numerator: 45, denominator: 50 },
        attendance: { numerator: 4, denominator: 5 },
        rectification: { numerator: 3, denominator: 4 },
        timeliness: { numerator: 0, denominator: 0 },
      },
      1,
      0,
    );
    // 90 × 40/80 + 80 × 20/80 + 75 × 20/80 = 45.0 + 20.0 + 18.8 = 83.8 (timeliness left out).
    expect(pointsSum(row)).toBe('45.0 + 20.0 + 18.8 = 83.8');
    const html = render(RankingTable, { props: { rows: [row] } }).body;
    expect(html).toContain('83.8');
    expect(html).toContain('依据 45/50');
    expect(html).toContain('本月无此项，不计分');
    expect(html).toContain('45.0 + 20.0 + 18.8 = 83.8');
  });
});

describe('tables of figures', () => {
  const BASES = {
    satisfaction: { numerator: 45, denominator: 50 },
    attendance: { numerator: 4, denominator: 5 },
    rectification: { numerator: 3, denominator: 4 },
    timeliness: { numerator: 0, denominator: 0 },
  };
  const figureTable = (html: string) => /<table class="data-table [^"]*\bfigures\b/.test(html);

  it('line up the numbers of the department, ranking and chart tables alike', () => {
    const d = dashboard();
    const departments = render(DepartmentFigures, { props: { rows: d.departments } }).body;
    expect(figureTable(departments)).toBe(true);
    expect(departments).toMatch(/<td class="num[^"]*" data-column="total">/);
    const ranking = render(RankingTable, {
      props: { rows: [rankingRow(tax, BASES, 1, 0)] },
    }).body;
    expect(figureTable(ranking)).toBe(true);
    const chart = render(ChartTable, { props: { spec: levelsChart(d) } }).body;
    expect(figureTable(chart)).toBe(true);
    expect(chart).toMatch(/<td class="num[^"]*">/);
  });

  it('list every window with its figures, and its department on the hall-wide page', () => {
    const d = dashboard();
    const hallWide = render(WindowFigures, {
      props: { rows: d.windows, departments: d.departments },
    }).body;
    expect(figureTable(hallWide)).toBe(true);
    expect(hallWide.match(/data-testid="figures-window"/g)).toHaveLength(3);
    const a02 = hallWide.split('data-testid="figures-window"').find((r) => r.includes('A02'))!;
    expect(a02).toContain('税务窗口');
    expect(a02).toContain('<td>税务局</td>');
    expect(a02).toMatch(/data-column="total">80</);
    expect(a02).toMatch(/data-column="goodRate">93\.8%/);
    const oneDepartment = render(WindowFigures, {
      props: { rows: d.windows.slice(0, 2), departments: null },
    }).body;
    expect(oneDepartment).not.toContain('税务局');
    expect(oneDepartment).not.toContain('所属部门');
  });
});

describe('chart figure', () => {
  it('breaks long category names into lines instead of cutting them off', () => {
    expect(wrapLabel('税务局')).toBe('税务局');
    expect(wrapLabel('Human Resources and Social Security')).toEqual([
      'Human Resources',
      'and Social',
      'Security',
    ]);
    expect(wrapLabel('一二三四五六七八九十', 4)).toEqual(['一二三四', '五六七八', '九十']);
  });

  it('draws a share beside counts on its own 0–100 % axis, and leaves table-only series out', () => {
    const trend = chartConfig(byHourChart(dashboard()));
    expect(trend.data.datasets.map((d) => [d.type, d.yAxisID])).toEqual([
      ['bar', 'y'],
      ['line', 'rate'],
    ]);
    expect(trend.options?.scales?.rate).toMatchObject({ min: 0, max: 100 });
    const effect = chartConfig(dutyEffectChart(dashboard()));
    expect(effect.data.datasets.map((d) => d.data)).toEqual([[96], [90]]);
    expect(effect.options?.indexAxis).toBe('y');
  });

  it('says in words that there is nothing to draw instead of an empty chart', () => {
    const spec: ChartSpec = reasonsChart(dashboard({ reasons: [] }));
    const html = render(ChartFigure, { props: { spec } }).body;
    expect(html).toContain('这个时段没有差评。');
    expect(html).not.toContain('<canvas');
  });

  it('offers the numbers behind a chart as a table', () => {
    const html = render(ChartFigure, { props: { spec: reasonsChart(dashboard()) } }).body;
    expect(html).toContain('<canvas');
    expect(html).toContain('查看数据');
    expect(html).toMatch(/等候时间长<\/th>(<!--[^>]*-->|\s)*<td[^>]*>12<\/td>/);
  });
});

describe('monthly report', () => {
  const bases = {
    satisfaction: { numerator: 45, denominator: 50 },
    attendance: { numerator: 4, denominator: 5 },
    rectification: { numerator: 3, denominator: 4 },
    timeliness: { numerator: 1, denominator: 2 },
  };
  const ranking: RankingResponse = {
    month: '2026-10',
    weights: WEIGHTS,
    rows: [
      rankingRow(market, bases, 1, 1),
      rankingRow(tax, { ...bases, timeliness: { numerator: 0, denominator: 2 } }, 2, -1),
    ],
  };
  const hall = { name: '市民服务中心' };

  it('names the hall and month, and for a department shows only its row and rank', () => {
    const report = {
      month: '2026-10',
      department: tax.id,
      figures: dashboard({ department: tax, period: { from: '2026-10-01', to: '2026-10-31' } }),
      ranking,
      overdue: [],
    };
    const html = render(ReportPage, { props: { report, hall } }).body;
    expect(html).toContain('市民服务中心 税务局 2026年10月 月度报告');
    expect(html).toContain('本部门名次：第 2 名（共 2 个部门）');
    expect(html.match(/data-testid="ranking-row"/g)).toHaveLength(1);
    expect(html).toContain('本月没有逾期未整改的问题。');
    // The hall's table of departments is for the hall's report only.
    expect(html).not.toContain('data-testid="figures-departments"');
  });

  it("lists the hall's whole ranking, its departments and the overdue problems", () => {
    const report = {
      month: '2026-10',
      department: null,
      figures: dashboard({ period: { from: '2026-10-01', to: '2026-10-31' } }),
      ranking,
      overdue: [
        {
          id: newId(),
          source: 'rating' as const,
          department: tax,
          window: null,
          description: 'waited_too_long, attitude — 排了两个小时',
          severity: 'medium' as const,
          status: 'rectifying' as const,
          recordedAt: '2026-10-09T02:00:00Z',
          assignee: null,
          deadlines: {} as ProblemListResponse['problems'][number]['deadlines'],
          overdue: true,
          photos: 0,
          photosMissing: 0,
          superseded: 0,
          ratingLevel: 'dissatisfied' as const,
        },
      ],
    };
    const html = render(ReportPage, { props: { report, hall } }).body;
    expect(html).toContain('市民服务中心 2026年10月 月度报告');
    expect(html.match(/data-testid="ranking-row"/g)).toHaveLength(2);
    expect(html).toContain('data-testid="figures-departments"');
    expect(html).toContain('等候时间长、服务态度差 — 排了两个小时');
    expect(html).toContain('整改中');
  });
});

describe('console tabs', () => {
  it('shows every tab once, in its group', () => {
    const shown = tabGroups(ADMIN_TABS).flatMap((g) => g.tabs);
    expect([...shown].sort()).toEqual([...ADMIN_TABS].sort());
    expect(TAB_GROUPS.flatMap((g) => g.tabs)).toHaveLength(new Set(shown).size);
    expect(tabGroups(ADMIN_TABS)[0]).toEqual({
      group: 'overview',
      tabs: ['dashboard', 'ranking', 'report'],
    });
  });

  it('puts a tab of no group under "more" rather than hiding it', () => {
    const groups = tabGroups([...ADMIN_TABS, 'fleet' as AdminTab]);
    expect(groups.at(-1)).toEqual({ group: 'more', tabs: ['fleet'] });
  });
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Wait for the state's answers to settle: each pending promise gets its turn. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setImmediate(r));
  expect(done()).toBe(true);
}
