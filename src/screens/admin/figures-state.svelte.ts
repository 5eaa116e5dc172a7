/**
 * The console's figures: the dashboard (a period, a department and a trend grain), the monthly
 * department ranking, and the monthly report of the hall or one department (the month's figures,
 * its ranking and the problems overdue).
 */
import type { Id } from '../../domain/ids';
import { addDays, hallDate, isHallDate } from '../../domain/schedule';
import type { ProblemListItem } from '../../sync/pipeline-protocol';
import type {
  DashboardQuery,
  DashboardResponse,
  RankingResponse,
  TrendGrain,
} from '../../sync/report-protocol';
import { Loadable, type DepartmentOption } from './admin-state.svelte';
import type { FiguresApi } from './figures-api';

export type FiguresTab = 'dashboard' | 'ranking' | 'report';

export const PERIOD_PRESETS = [
  'thisMonth',
  'lastMonth',
  'last7',
  'last30',
  'last90',
  'custom',
] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

export const TREND_GRAINS: readonly TrendGrain[] = ['day', 'week', 'month'];

/** The longest period the server answers for (both ends counted). */
export const MAX_PERIOD_DAYS = 400;

export interface Period {
  from: string;
  to: string;
}

/** Why a custom period is not asked for: its ends are not dates, reversed, or too far apart. */
export type PeriodProblem = 'badDate' | 'reversed' | 'tooLong';

/** YYYY-MM moved by `n` months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String(index - year * 12 + 1).padStart(2, '0')}`;
}

/** The month's first and last day, the last cut at `today` when the month is under way. */
export function monthPeriod(month: string, today: string): Period {
  const last = addDays(`${addMonths(month, 1)}-01`, -1);
  return { from: `${month}-01`, to: last > today ? today : last };
}

/** Days from `from` to `to`, both counted. */
export function periodDays({ from, to }: Period): number {
  return (
    Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
  );
}

/** The period a preset names on the hall-local day `today` (custom keeps `current`). */
export function presetPeriod(preset: PeriodPreset, today: string, current: Period): Period {
  switch (preset) {
    case 'thisMonth':
      return monthPeriod(today.slice(0, 7), today);
    case 'lastMonth':
      return monthPeriod(addMonths(today.slice(0, 7), -1), today);
    case 'last7':
      return { from: addDays(today, -6), to: today };
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'last90':
      return { from: addDays(today, -89), to: today };
    case 'custom':
      return current;
  }
}

export function periodProblem(period: Period): PeriodProblem | null {
  if (!isHallDate(period.from) || !isHallDate(period.to)) return 'badDate';
  if (period.from > period.to) return 'reversed';
  if (periodDays(period) > MAX_PERIOD_DAYS) return 'tooLong';
  return null;
}

/** Everything a monthly report shows: the month's figures, the ranking and the overdue list. */
export interface MonthlyReport {
  month: string;
  department: Id | null;
  figures: DashboardResponse;
  ranking: RankingResponse;
  overdue: ProblemListItem[];
}

/**
 * A load whose answers may arrive out of order: each call answers what the newest call started
 * meanwhile answers, so a slow answer to an old filter never replaces a newer one.
 */
function newestOnly<T>(load: () => Promise<T>): () => Promise<T> {
  let newest: Promise<T> | null = null;
  return async () => {
    let mine = load();
    newest = mine;
    for (;;) {
      const answer = await mine;
      if (newest === mine) return answer;
      mine = newest;
    }
  };
}

export class FiguresState {
  readonly dashboard: Loadable<DashboardResponse>;
  readonly ranking: Loadable<RankingResponse>;
  readonly report: Loadable<MonthlyReport>;
  #now: () => number;
  #preset = $state<PeriodPreset>('thisMonth');
  #from = $state('');
  #to = $state('');
  #periodProblem = $state<PeriodProblem | null>(null);
  #department = $state<Id | ''>('');
  #grain = $state<TrendGrain | ''>('');
  #month = $state('');
  #reportMonth = $state('');
  #reportDepartment = $state<Id | ''>('');
  #known = $state.raw<DepartmentOption[]>([]);

  constructor({
    api,
    now,
    onError,
  }: {
    api: FiguresApi;
    now: () => number;
    onError: (error: unknown) => void;
  }) {
    this.#now = now;
    const today = hallDate(now());
    this.#month = today.slice(0, 7);
    this.#reportMonth = this.#month;
    ({ from: this.#from, to: this.#to } = monthPeriod(this.#month, today));
    this.dashboard = new Loadable(
      newestOnly(async () => this.#remember(await api.dashboard(this.query))),
      onError,
    );
    this.ranking = new Loadable(
      newestOnly(() => api.ranking(this.#month)),
      onError,
    );
    this.report = new Loadable(
      newestOnly(async () => {
        const month = this.#reportMonth;
        const department = this.#reportDepartment || null;
        const period = monthPeriod(month, this.today);
        const [figures, ranking, problems] = await Promise.all([
          api.dashboard({ ...period, ...(department ? { department } : {}) }),
          api.ranking(month),
          api.problems({ month, overdue: true, ...(department ? { department } : {}) }),
        ]);
        return { month, department, figures, ranking, overdue: problems.problems };
      }),
      onError,
    );
  }

  /** Today in the hall. */
  get today(): string {
    return hallDate(this.#now());
  }
  get preset(): PeriodPreset {
    return this.#preset;
  }
  get from(): string {
    return this.#from;
  }
  get to(): string {
    return this.#to;
  }
  /** What is wrong with the custom period typed in; nothing is loaded while there is. */
  get periodProblem(): PeriodProblem | null {
    return this.#periodProblem;
  }
  /** The department shown, or '' for the whole hall. */
  get department(): Id | '' {
    return this.#department;
  }
  /** The trend grain asked for, or '' to let the server choose by the period's length. */
  get grain(): TrendGrain | '' {
    return this.#grain;
  }
  /** The ranking's month. */
  get month(): string {
    return this.#month;
  }
  get currentMonth(): string {
    return this.today.slice(0, 7);
  }
  get reportMonth(): string {
    return this.#reportMonth;
  }
  get reportDepartment(): Id | '' {
    return this.#reportDepartment;
  }
  /** Departments seen in the hall-wide dashboard, for the filter when no other list is at hand. */
  get knownDepartments(): DepartmentOption[] {
    return this.#known;
  }

  /** The dashboard request the filters make. */
  get query(): DashboardQuery {
    return {
      from: this.#from,
      to: this.#to,
      ...(this.#department ? { department: this.#department } : {}),
      ...(this.#grain ? { grain: this.#grain } : {}),
    };
  }

  /** What the tab's heading reloads. */
  section(tab: FiguresTab): Loadable<unknown> {
    return tab === 'dashboard' ? this.dashboard : tab === 'ranking' ? this.ranking : this.report;
  }

  /** Forget every figure shown (after signing out). */
  clear(): void {
    this.dashboard.clear();
    this.ranking.clear();
    this.report.clear();
  }

  /** Show a preset period; 'custom' keeps the dates shown until others are typed in. */
  choosePreset(preset: PeriodPreset): void {
    this.#preset = preset;
    if (preset === 'custom') return;
    ({ from: this.#from, to: this.#to } = presetPeriod(preset, this.today, this.period));
    this.#periodProblem = null;
    void this.dashboard.refresh();
  }

  /** Show a period typed in; a wrong one is said and not asked for. */
  choosePeriod(period: Period): void {
    this.#preset = 'custom';
    this.#from = period.from;
    this.#to = period.to;
    this.#periodProblem = periodProblem(period);
    if (this.#periodProblem === null) void this.dashboard.refresh();
  }

  chooseDepartment(department: Id | ''): void {
    this.#department = department;
    this.#reload();
  }

  chooseGrain(grain: TrendGrain | ''): void {
    this.#grain = grain;
    this.#reload();
  }

  /** Show the ranking of another month (never one that has not begun). */
  showMonth(month: string): void {
    if (!/^\d{4}-\d{2}$/.test(month) || month > this.currentMonth) return;
    this.#month = month;
    void this.ranking.refresh();
  }

  stepMonth(n: number): void {
    this.showMonth(addMonths(this.#month, n));
  }

  /** Show the report of a month and department ('' for the whole hall). */
  showReport(month: string, department: Id | ''): void {
    if (!/^\d{4}-\d{2}$/.test(month) || month > this.currentMonth) return;
    this.#reportMonth = month;
    this.#reportDepartment = department;
    void this.report.refresh();
  }

  get period(): Period {
    return { from: this.#from, to: this.#to };
  }

  #reload(): void {
    if (this.#periodProblem === null) void this.dashboard.refresh();
  }

  #remember(answer: DashboardResponse): DashboardResponse {
    if (answer.department === null && answer.departments.length > 0)
      this.#known = answer.departments.map((d) => ({
        id: d.id,
        name: d.name,
        ...(d.nameEn ? { nameEn: d.nameEn } : {}),
      }));
    return answer;
  }
}
