/**
 * The console's figures: the dashboard (a period and a department), the monthly department
 * ranking and the monthly report.
 */
import type { DashboardResponse, RankingResponse } from '../../sync/report-protocol';
import { hallDate } from '../../domain/schedule';
import { Loadable } from './admin-state.svelte';
import type { FiguresApi } from './figures-api';

export type FiguresTab = 'dashboard' | 'ranking' | 'report';

export class FiguresState {
  readonly dashboard: Loadable<DashboardResponse>;
  readonly ranking: Loadable<RankingResponse>;
  #from = $state('');
  #to = $state('');
  #month = $state('');

  constructor({
    api,
    now,
    onError,
  }: {
    api: FiguresApi;
    now: () => number;
    onError: (error: unknown) => void;
  }) {
    const today = hallDate(now());
    this.#month = today.slice(0, 7);
    this.#from = `${this.#month}-01`;
    this.#to = today;
    this.dashboard = new Loadable(() => api.dashboard({ from: this.#from, to: this.#to }), onError);
    this.ranking = new Loadable(() => api.ranking(this.#month), onError);
  }

  get from(): string {
    return this.#from;
  }
  get to(): string {
    return this.#to;
  }
  get month(): string {
    return this.#month;
  }

  /** What the tab's heading reloads. */
  section(tab: FiguresTab): Loadable<unknown> {
    return tab === 'dashboard' ? this.dashboard : this.ranking;
  }
}
