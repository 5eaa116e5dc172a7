/**
 * The console's 问题整改 section: the problem list with its filters and per-department counts,
 * one problem opened with its history, and the steps the console may take on it (assign, move
 * along the pipeline, pre-check, appeal review, call-back, comment), with evidence photos.
 */
import type {
  Photo,
  ProblemSource,
  ProblemStatus,
  ProblemStepType,
  PayloadOf,
} from '../../domain/events';
import type { Id } from '../../domain/ids';
import type {
  MissingPhotosResponse,
  ProblemDetailResponse,
  ProblemListQuery,
  ProblemListResponse,
} from '../../sync/pipeline-protocol';
import { failure, Loadable, type Failure, type Refreshable } from './admin-state.svelte';
import { FormRun } from './form-run.svelte';
import type { PipelineApi } from './pipeline-api';
import { photoFilesProblem, photoOf, type FoundProblem, type PhotoFile } from './pipeline-forms';

export interface ProblemFilters {
  department: Id | '';
  source: ProblemSource | '';
  status: ProblemStatus | '';
  overdue: boolean;
  /** YYYY-MM, or '' for all months. */
  month: string;
}

export const NO_FILTERS: ProblemFilters = {
  department: '',
  source: '',
  status: '',
  overdue: false,
  month: '',
};

/** The forms of a problem's actions; each shows its own problems and is closed after success. */
export type StepForm =
  | 'assign'
  | 'rectifying'
  | 'rectified'
  | 'verified'
  | 'sendBack'
  | 'close'
  | 'precheck'
  | 'review'
  | 'callBack'
  | 'comment';

export type MoveTarget = 'rectifying' | 'rectified' | 'verified' | 'closed';

export interface ProblemsDeps {
  api: PipelineApi;
  onError: (error: unknown) => void;
}

export function listQuery(filters: ProblemFilters): ProblemListQuery {
  return {
    ...(filters.department ? { department: filters.department } : {}),
    ...(filters.source ? { source: filters.source } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.overdue ? { overdue: true } : {}),
    ...(filters.month ? { month: filters.month } : {}),
  };
}

/** The form a status move is taken in: rectified → rectifying is sending it back. */
export function moveForm(from: ProblemStatus, to: MoveTarget): StepForm {
  if (to === 'closed') return 'close';
  if (to === 'rectifying' && from === 'rectified') return 'sendBack';
  return to;
}

type Payload<T extends ProblemStepType> = Omit<PayloadOf<T>, 'problemId'>;

/** Where a step's refusal or problem is said: the one form open on the problem. */
const STEP = 'step';

export class ProblemsState {
  #deps: ProblemsDeps;
  #filters = $state.raw<ProblemFilters>(NO_FILTERS);
  #openId = $state<Id | null>(null);
  #detail = $state.raw<ProblemDetailResponse | null>(null);
  #detailLoading = $state(false);
  #detailError = $state.raw<Failure | null>(null);
  #form = $state<StepForm | null>(null);
  /** Sending a step (its evidence photos first): busy, its refusal, what it found, what it did. */
  #run: FormRun<StepForm>;

  readonly list: Loadable<ProblemListResponse>;
  /** Photos named by problems whose bytes are still on a tablet or phone. */
  readonly missing: Loadable<MissingPhotosResponse>;
  /** The list and the photos still missing, as the section's heading reloads them together. */
  readonly overview: Refreshable;
  /** The problem opened, as its section's heading reloads it (photos arrive, tablets add steps). */
  readonly detailSource: Refreshable;

  constructor(deps: ProblemsDeps) {
    this.#deps = deps;
    this.#run = new FormRun(deps.onError);
    this.list = new Loadable(() => deps.api.problems(listQuery(this.#filters)), deps.onError);
    this.missing = new Loadable(() => deps.api.missingPhotos(), deps.onError);
    const { list, missing } = this;
    this.overview = {
      get loading() {
        return list.loading || missing.loading;
      },
      get error() {
        return list.error ?? missing.error;
      },
      refresh: async () => {
        await Promise.all([list.refresh(), missing.refresh()]);
      },
    };
    const loading = () => this.#detailLoading;
    const error = () => this.#detailError;
    this.detailSource = {
      get loading() {
        return loading();
      },
      get error() {
        return error();
      },
      refresh: () => (this.#openId ? this.#loadDetail(this.#openId) : Promise.resolve()),
    };
  }

  get filters(): ProblemFilters {
    return this.#filters;
  }
  get openId(): Id | null {
    return this.#openId;
  }
  get detail(): ProblemDetailResponse | null {
    return this.#detail;
  }
  get detailLoading(): boolean {
    return this.#detailLoading;
  }
  get detailError(): Failure | null {
    return this.#detailError;
  }
  /** The action form open on the problem shown. */
  get form(): StepForm | null {
    return this.#form;
  }
  get busy(): boolean {
    return this.#run.busy;
  }
  /** The server's refusal of the last step. */
  get error(): Failure | null {
    return this.#run.errorIn(STEP);
  }
  /** What the open form found wrong before sending. */
  get problem(): FoundProblem | null {
    return this.#run.problemIn(STEP);
  }
  /** The step just taken, said once. */
  get done(): StepForm | null {
    return this.#run.done;
  }

  filter(change: Partial<ProblemFilters>): void {
    this.#filters = { ...this.#filters, ...change };
    void this.list.refresh();
  }

  clearFilters(): void {
    this.#filters = NO_FILTERS;
    void this.list.refresh();
  }

  /** A 差评's call-back number in clear text, for the call; the server logs the reveal. */
  async revealCallbackNumber(id: Id): Promise<string> {
    const { number } = await this.#deps.api.revealCallbackNumber(id);
    return number;
  }

  async open(id: Id): Promise<void> {
    this.#openId = id;
    this.#detail = null;
    this.#form = null;
    this.#run.reset();
    await this.#loadDetail(id);
  }

  close(): void {
    this.#openId = null;
    this.#detail = null;
    this.#form = null;
    this.#run.reset();
  }

  showForm(form: StepForm | null): void {
    this.#form = form;
    this.#run.reset();
  }

  assign(departmentId: Id | '', assignee: string, note: string): Promise<boolean> {
    if (!departmentId) return this.#refuse({ code: 'required' });
    return this.#step('assign', 'problem.assigned', (from) => ({
      from,
      departmentId,
      assignee: assignee.trim(),
      note: note.trim(),
    }));
  }

  /** A move along the pipeline; closing needs the reason, evidence photos are optional. */
  move(to: MoveTarget, note: string, files: readonly PhotoFile[] = []): Promise<boolean> {
    const from = this.#detail?.problem.status;
    if (!from) return Promise.resolve(false);
    if (to === 'closed' && !note.trim()) return this.#refuse({ code: 'reason_required' });
    return this.#step(
      moveForm(from, to),
      'problem.statusChanged',
      (status, photos) => ({ from: status, to, note: note.trim(), photos }),
      files,
    );
  }

  /** A 差评's pre-check: valid, or mistaken / malicious with the grounds of the appeal. */
  precheck(verdict: 'valid' | 'mistaken' | 'malicious', note: string): Promise<boolean> {
    if (verdict !== 'valid' && !note.trim()) return this.#refuse({ code: 'grounds_required' });
    return this.#step('precheck', 'problem.prechecked', (from) => ({
      from,
      verdict,
      note: note.trim(),
    }));
  }

  /** The review of an appeal: upheld sets the 差评 aside, dismissed leaves it to be rectified. */
  review(upheld: boolean, note: string): Promise<boolean> {
    if (!note.trim()) return this.#refuse({ code: 'required' });
    return this.#step('review', 'problem.reviewed', (from) => ({
      from,
      upheld,
      note: note.trim(),
    }));
  }

  /** The call-back to the citizen (回访); satisfaction only when reached. */
  callBack(reached: boolean, satisfied: boolean | null, note: string): Promise<boolean> {
    if (reached && satisfied === null) return this.#refuse({ code: 'required' });
    return this.#step('callBack', 'problem.calledBack', () => ({
      reached,
      satisfied: reached ? satisfied : null,
      note: note.trim(),
    }));
  }

  comment(note: string, files: readonly PhotoFile[] = []): Promise<boolean> {
    if (!note.trim()) return this.#refuse({ code: 'required' });
    return this.#step(
      'comment',
      'problem.commented',
      (_, photos) => ({ note: note.trim(), photos }),
      files,
    );
  }

  /** Forget everything loaded (signing out). */
  clear(): void {
    this.list.clear();
    this.missing.clear();
    this.#filters = NO_FILTERS;
    this.close();
  }

  async #loadDetail(id: Id): Promise<void> {
    this.#detailLoading = true;
    try {
      const detail = await this.#deps.api.problem(id);
      if (this.#openId === id) {
        this.#detail = detail;
        this.#detailError = null;
      }
    } catch (error) {
      if (this.#openId === id) this.#detailError = failure(error);
      this.#deps.onError(error);
    } finally {
      this.#detailLoading = false;
    }
  }

  /**
   * Take a step on the problem shown: its evidence photos are checked, then uploaded, then the
   * step naming them is sent from the status shown.
   */
  async #step<T extends ProblemStepType>(
    form: StepForm,
    type: T,
    payload: (from: ProblemStatus, photos: Photo[]) => Payload<T>,
    files: readonly PhotoFile[] = [],
  ): Promise<boolean> {
    const found = photoFilesProblem(files);
    if (found) return this.#refuse(found);
    const detail = this.#detail;
    if (!detail) return false;
    const id = detail.problem.id;
    return this.#run.run(STEP, form, async () => {
      const photos: Photo[] = [];
      for (const file of files) {
        const { photo, bytes } = await photoOf(file);
        await this.#deps.api.uploadBlob(photo.sha256, bytes, photo.type);
        photos.push(photo);
      }
      const request = {
        type,
        payload: payload(detail.problem.status, photos),
      } as unknown as Parameters<PipelineApi['step']>[1];
      const answer = await this.#deps.api.step(id, request);
      if (this.#openId === id) this.#detail = answer;
      this.#form = null;
      await this.list.refresh();
    });
  }

  #refuse(problem: FoundProblem): Promise<false> {
    return Promise.resolve(this.#run.refuse(STEP, problem));
  }
}
