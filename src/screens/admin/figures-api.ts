/** The console's calls for its figures: the dashboard and the monthly department ranking. */
import type {
  DashboardQuery,
  DashboardResponse,
  RankingResponse,
} from '../../sync/report-protocol';
import type { AdminCall } from './admin-api';

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
  };
}

export type FiguresApi = ReturnType<typeof createFiguresApi>;
