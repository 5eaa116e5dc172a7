/**
 * One problem on the tablet: its fold, deadlines and history, and the one step form open at a
 * time. The tablet offers only what `nextSteps` allows (and never the appeal's review, which is
 * the console's); a failed save leaves the form as typed.
 */
import type { Inspection, ProblemStepInput, ProblemView } from '../../app/device-api';
import type { Id } from '../../domain/ids';
import { saveProblemOf, type SaveProblem } from './inspect-words';
import { PhotoPicks, type PreviewUrls } from './photo-picks.svelte';

/** The steps the tablet can take; a status move is named by its target. */
export type StepKind =
  | 'assign'
  | 'rectifying'
  | 'rectified'
  | 'verified'
  | 'closed'
  | 'precheck'
  | 'callBack'
  | 'comment';

export type Verdict = 'valid' | 'mistaken' | 'malicious';

/** Steps whose form takes evidence photos. */
const WITH_PHOTOS: readonly StepKind[] = ['rectified', 'verified', 'comment'];

/** What may be done to a problem now, as the tablet offers it. */
export function stepsOffered(view: ProblemView): StepKind[] {
  const { next, problem } = view;
  const kinds: StepKind[] = [];
  if (next.assign) kinds.push('assign');
  kinds.push(...next.moves);
  if (next.precheck) kinds.push('precheck');
  // A call-back reaches a citizen: there is none behind a walk finding. While an appeal is under
  // review the fold would not apply one (superseded as not allowed), so it is not offered.
  if (next.callBack && problem.source !== 'walk' && problem.status !== 'appealing')
    kinds.push('callBack');
  if (next.comment) kinds.push('comment');
  return kinds;
}

export class ProblemState {
  #inspection: Inspection;
  #view: ProblemView;
  /** Bumped by every local step, so a re-read begun before it cannot show the older state. */
  #generation = 0;
  #kind = $state<StepKind | null>(null);
  #departmentId = $state<Id | ''>('');
  #assignee = $state('');
  #note = $state('');
  #verdict = $state<Verdict>('valid');
  #reached = $state<boolean | null>(null);
  #satisfied = $state<boolean | null>(null);
  #problem = $state<SaveProblem | null>(null);
  #saved = $state(false);
  #busy = $state(false);
  readonly photos: PhotoPicks;

  constructor(inspection: Inspection, view: ProblemView, urls?: PreviewUrls) {
    this.#inspection = inspection;
    this.#view = $state.raw(view);
    this.photos = new PhotoPicks(urls);
  }

  get view(): ProblemView {
    return this.#view;
  }
  get offered(): StepKind[] {
    return stepsOffered(this.#view);
  }
  get kind(): StepKind | null {
    return this.#kind;
  }
  get takesPhotos(): boolean {
    return this.#kind !== null && WITH_PHOTOS.includes(this.#kind);
  }
  get departmentId(): Id | '' {
    return this.#departmentId;
  }
  set departmentId(value: Id | '') {
    this.#departmentId = value;
    this.#problem = null;
  }
  get assignee(): string {
    return this.#assignee;
  }
  set assignee(value: string) {
    this.#assignee = value;
  }
  get note(): string {
    return this.#note;
  }
  set note(value: string) {
    this.#note = value;
    this.#problem = null;
  }
  get verdict(): Verdict {
    return this.#verdict;
  }
  set verdict(value: Verdict) {
    this.#verdict = value;
    this.#problem = null;
  }
  get reached(): boolean | null {
    return this.#reached;
  }
  set reached(value: boolean | null) {
    this.#reached = value;
    if (!value) this.#satisfied = null;
    this.#problem = null;
  }
  get satisfied(): boolean | null {
    return this.#satisfied;
  }
  set satisfied(value: boolean | null) {
    this.#satisfied = value;
    this.#problem = null;
  }
  get problem(): SaveProblem | null {
    return this.#problem ?? this.photos.problem;
  }
  get saved(): boolean {
    return this.#saved;
  }
  get busy(): boolean {
    return this.#busy;
  }

  async refresh(): Promise<void> {
    const generation = this.#generation;
    const view = await this.#inspection.problem(this.#view.problem.id);
    if (view && generation === this.#generation) this.#view = view;
  }

  /** Open a step's form; another open form's typing is kept only if it is the same step. */
  choose(kind: StepKind): void {
    if (this.#kind === kind) return;
    this.#kind = kind;
    this.#saved = false;
    this.#problem = null;
    this.#note = '';
    this.#assignee = '';
    this.#departmentId =
      this.#view.problem.assignee?.departmentId ?? this.#view.problem.departmentId;
    this.#verdict = 'valid';
    this.#reached = null;
    this.#satisfied = null;
    this.photos.clear();
  }

  cancel(): void {
    this.#kind = null;
    this.#problem = null;
    this.photos.clear();
  }

  /** The step as the device takes it, or the reason the form is not complete. */
  #input(kind: StepKind): ProblemStepInput | SaveProblem {
    const from = this.#view.problem.status;
    const note = this.#note.trim();
    switch (kind) {
      case 'assign':
        if (!this.#departmentId) return 'assignee_required';
        return {
          type: 'problem.assigned',
          payload: {
            from,
            departmentId: this.#departmentId,
            assignee: this.#assignee.trim(),
            note,
          },
        };
      case 'precheck':
        if (this.#verdict !== 'valid' && !note) return 'reason_required';
        return { type: 'problem.prechecked', payload: { from, verdict: this.#verdict, note } };
      case 'callBack':
        if (this.#reached === null || (this.#reached && this.#satisfied === null))
          return 'answer_required';
        return {
          type: 'problem.calledBack',
          payload: {
            reached: this.#reached,
            satisfied: this.#reached ? this.#satisfied : null,
            note,
          },
        };
      case 'comment':
        if (!note) return 'note_required';
        return { type: 'problem.commented', payload: { note }, photos: this.photos.blobs };
      default:
        if (kind === 'closed' && !note) return 'reason_required';
        return {
          type: 'problem.statusChanged',
          payload: { from, to: kind, note },
          photos: this.takesPhotos ? this.photos.blobs : [],
        };
    }
  }

  async submit(): Promise<void> {
    const kind = this.#kind;
    if (!kind || this.#busy) return;
    const input = this.#input(kind);
    if (typeof input === 'string') {
      this.#problem = input;
      return;
    }
    this.#busy = true;
    this.#generation++;
    try {
      this.#view = await this.#inspection.step(this.#view.problem.id, input);
      this.#kind = null;
      this.#note = '';
      this.#assignee = '';
      this.photos.clear();
      this.#problem = null;
      this.#saved = true;
    } catch (error) {
      this.#problem = saveProblemOf(error);
    } finally {
      this.#busy = false;
    }
  }

  dispose(): void {
    this.photos.clear();
  }
}
