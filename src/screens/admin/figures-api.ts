/**
 * The console's calls for its figures: the dashboard, the monthly department ranking, and the
 * problems a monthly report lists (the pipeline's own list, filtered).
 */
import type { ProblemListQuery, ProblemListResponse } from '../../sync/pipeline-protocol';
import type {
  DashboardQuery,
  DashboardResponse,
  RankingResponse,
} from '../../sync/report-protocol';
import type { AdminCall } from './admin-api';
import { problemQuery } from './pipeline-api';

/** The query string of a dashboard request; an empty department or grain is left out. */
export function dashboardQuery(q: DashboardQuery): string {
  const params = new URLSearchParams({ from: q.from, to: q.to });
  if (q.department) params.set('department', q.department);
  if (q.grain) params.set('grain', q.grain);
  return `?${params.toString()}`;
}

export function createFiguresApi(call: AdminCall) {
  return {
    dashboard: (q: DashboardQuery) =>
      call<DashboardResponse>('GET', `/dashboard${dashboardQuery(q)}`),
    ranking: (month: string) =>
      call<RankingResponse>('GET', `/ranking?month=${encodeURIComponent(month)}`),
    problems: (q: ProblemListQuery) =>
      call<ProblemListResponse>('GET', `/problems${problemQuery(q)}`),
  };
}

export type FiguresApi = ReturnType<typeof createFiguresApi>;
