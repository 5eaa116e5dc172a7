/**
 * The console's 走流程 section: the walks of a month, and one walk's report (the printable page
 * with the checklist results by group and the findings with their photos).
 */
import { CHECKLIST_GROUPS, type ChecklistGroup, type CheckResult } from '../../domain/events';
import type { Id } from '../../domain/ids';
import type { ChecklistItem } from '../../domain/reference';
import { hallDate } from '../../domain/schedule';
import type { WalkListResponse, WalkReportResponse } from '../../sync/pipeline-protocol';
import { failure, Loadable, type Failure, type Refreshable } from './admin-state.svelte';
import type { PipelineApi } from './pipeline-api';

export interface WalksDeps {
  api: PipelineApi;
  now: () => number;
  onError: (error: unknown) => void;
}

export interface ReportGroup {
  group: ChecklistGroup;
  rows: { item: ChecklistItem; result: CheckResult | null; note: string }[];
}

/** A report's checklist by group, in walk order (groups as the checklist has them). */
export function reportGroups(report: WalkReportResponse): ReportGroup[] {
  return CHECKLIST_GROUPS.map((group) => ({
    group,
    rows: report.checklist
      .filter((row) => row.item.group === group)
      .sort((a, b) => a.item.sort - b.item.sort || a.item.id.localeCompare(b.item.id)),
  })).filter((g) => g.rows.length > 0);
}

export class WalksState {
  #deps: WalksDeps;
  #month = $state('');
  #openId = $state<Id | null>(null);
  #report = $state.raw<WalkReportResponse | null>(null);
  #reportLoading = $state(false);
  #reportError = $state.raw<Failure | null>(null);
  #publishing = $state(false);
  #publishError = $state.raw<Failure | null>(null);

  readonly list: Loadable<WalkListResponse>;
  /** The report opened, as its section's heading reloads it (photos arrive after findings). */
  readonly reportSource: Refreshable;

  constructor(deps: WalksDeps) {
    this.#deps = deps;
    this.#month = hallDate(deps.now()).slice(0, 7);
    this.list = new Loadable(() => deps.api.walks(this.#month), deps.onError);
    const loading = () => this.#reportLoading;
    const error = () => this.#reportError;
    this.reportSource = {
      get loading() {
        return loading();
      },
      get error() {
        return error();
      },
      refresh: () => (this.#openId ? this.#load(this.#openId) : Promise.resolve()),
    };
  }

  get month(): string {
    return this.#month;
  }
  get openId(): Id | null {
    return this.#openId;
  }
  get report(): WalkReportResponse | null {
    return this.#report;
  }
  get reportLoading(): boolean {
    return this.#reportLoading;
  }
  get reportError(): Failure | null {
    return this.#reportError;
  }

  get publishing(): boolean {
    return this.#publishing;
  }
  /** Why publishing the open report's inspection failed, if it did. */
  get publishError(): Failure | null {
    return this.#publishError;
  }

  /**
   * 公开暗访结果: publish the open unannounced inspection, so the hall's devices show who made
   * it; the report is replaced by the server's answer (now with its publication time).
   */
  async publish(): Promise<void> {
    const id = this.#openId;
    if (!id || this.#publishing) return;
    this.#publishing = true;
    this.#publishError = null;
    try {
      const report = await this.#deps.api.publishWalk(id);
      if (this.#openId === id) this.#report = report;
      void this.list.refresh();
    } catch (error) {
      if (this.#openId === id) this.#publishError = failure(error);
      this.#deps.onError(error);
    } finally {
      this.#publishing = false;
    }
  }

  showMonth(month: string): void {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return;
    this.#month = month;
    void this.list.refresh();
  }

  async open(id: Id): Promise<void> {
    this.#openId = id;
    this.#report = null;
    this.#reportError = null;
    this.#publishError = null;
    await this.#load(id);
  }

  async #load(id: Id): Promise<void> {
    this.#reportLoading = true;
    try {
      const report = await this.#deps.api.walk(id);
      if (this.#openId === id) {
        this.#report = report;
        this.#reportError = null;
      }
    } catch (error) {
      if (this.#openId === id) this.#reportError = failure(error);
      this.#deps.onError(error);
    } finally {
      this.#reportLoading = false;
    }
  }

  close(): void {
    this.#openId = null;
    this.#report = null;
    this.#reportError = null;
    this.#publishError = null;
  }

  clear(): void {
    this.list.clear();
    this.close();
  }
}
