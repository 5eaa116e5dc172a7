/**
 * 走流程巡查平板 (/inspect): a leader signs in with a PIN checked on the tablet, starts or resumes
 * a walk, and follows up problems. Everything runs offline; the device layer syncs in the
 * background. The walk and problem screens keep their own state (WalkState, ProblemState).
 */
import {
  type Device,
  type Inspection,
  type Inspector,
  type ProblemView,
  type Unsubscribe,
} from '../../app/device-api';
import { WALK_MODES, type ProblemStatus, type WalkMode } from '../../domain/events';
import type { Id } from '../../domain/ids';
import type {
  ChecklistItem,
  Department,
  Leader,
  ServiceItem,
  ServiceWindow,
} from '../../domain/reference';
import type { Walk } from '../../domain/walk';
import { KioskState, type KioskDeps, type KioskPhase } from '../kiosk-state.svelte';
import { PinEntry } from '../pin-entry.svelte';
import { saveProblemOf, type SaveProblem } from './inspect-words';
import { browserUrls, type PreviewUrls } from './photo-picks.svelte';
import { ProblemState } from './problem-state.svelte';
import { WalkState } from './walk-state.svelte';

export type InspectPhase = KioskPhase;
export type InspectView = 'signIn' | 'pin' | 'home' | 'walk' | 'problem';

/** A signed-in leader untouched this long is signed out (an open walk stays resumable). */
export const SIGN_OUT_IDLE_MS = 5 * 60_000;

export type ProblemScope = 'mine' | 'all';

/** Leaders of one department, as the sign-in list shows them. */
export interface LeaderGroup {
  department: Department | null;
  leaders: Leader[];
}

/** Where a photo is shown from: an object URL, revoked by the viewer when it is `owned`. */
export interface PhotoSource {
  url: string;
  owned: boolean;
}

export interface InspectDeps extends KioskDeps {
  urls?: PreviewUrls;
}

/** Problems listed at a time; 更多 shows as many again. */
export const PROBLEM_PAGE = 50;

export class InspectState extends KioskState {
  #urls: PreviewUrls;
  #pin: PinEntry;
  #inspection: Inspection | null = null;

  #view = $state<InspectView>('signIn');
  #inspector = $state.raw<Inspector | null>(null);

  #leaderId = $state<Id | null>(null);
  #busy = $state(false);

  #openWalks = $state.raw<Walk[]>([]);
  #problems = $state.raw<ProblemView[]>([]);
  #scope = $state<ProblemScope>('mine');
  #statusFilter = $state<ProblemStatus | null>(null);
  #problemLimit = $state(PROBLEM_PAGE);
  #moreProblems = $state(false);
  /** Each problem read is numbered; an answer older than the last read is dropped. */
  #problemRead = 0;

  #mode = $state<WalkMode>(WALK_MODES[0]);
  #departmentId = $state<Id | ''>('');
  #windowId = $state<Id | ''>('');
  #serviceItem = $state('');
  #startProblem = $state<SaveProblem | null>(null);

  #walk = $state.raw<WalkState | null>(null);
  #problem = $state.raw<ProblemState | null>(null);
  /** The walk a problem was opened from, to go back to. */
  #returnWalk: Id | null = null;

  constructor(deps: InspectDeps) {
    super(deps);
    this.#urls = deps.urls ?? browserUrls;
    this.#pin = new PinEntry({
      accepting: () => this.#view === 'pin' && !this.#busy,
      onActivity: () => this.restartIdle(),
      timers: this.timers,
      now: this.now,
    });
  }

  get view(): InspectView {
    return this.#view;
  }
  get inspector(): Inspector | null {
    return this.#inspector;
  }
  get busy(): boolean {
    return this.#busy || this.#pin.busy;
  }
  get walk(): WalkState | null {
    return this.#walk;
  }
  get problem(): ProblemState | null {
    return this.#problem;
  }

  /** Active departments in the hall's order. */
  get departments(): Department[] {
    const ref = this.reference;
    if (!ref) return [];
    return Object.values(ref.departments)
      .filter((d) => d.active)
      .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));
  }
  /** Active windows of a department in the hall's order. */
  windowsOf(departmentId: Id | ''): ServiceWindow[] {
    const ref = this.reference;
    if (!ref || !departmentId) return [];
    return Object.values(ref.windows)
      .filter((w) => w.active && w.departmentId === departmentId)
      .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));
  }
  /**
   * The active service items (办事事项) of a department in the hall's order, offered as
   * suggestions for a walk's service item, which stays free text.
   */
  serviceItemsOf(departmentId: Id | ''): ServiceItem[] {
    const ref = this.reference;
    if (!ref || !departmentId) return [];
    // A reference stored before service items existed has none.
    return Object.values(ref.serviceItems ?? {})
      .filter((s) => s.active && s.departmentId === departmentId)
      .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));
  }
  department(id: Id | null | undefined): Department | null {
    return (id && this.reference?.departments[id]) || null;
  }
  window(id: Id | null | undefined): ServiceWindow | null {
    return (id && this.reference?.windows[id]) || null;
  }
  /** A checklist item by id, retired ones included (old findings name them). */
  checklistItem(id: Id): ChecklistItem | null {
    return this.#inspection?.checklistItem(id) ?? null;
  }
  leader(id: Id | null | undefined): Leader | null {
    return (id && this.reference?.leaders[id]) || null;
  }

  /** The leaders who may sign in, by department (in the hall's order), then title. */
  get leaderGroups(): LeaderGroup[] {
    const leaders = (this.#inspection?.leaders() ?? []).filter((l) => l.active);
    const groups: LeaderGroup[] = this.departments.map((department) => ({
      department,
      leaders: leaders.filter((l) => l.departmentId === department.id),
    }));
    const known = groups.map((g) => g.department!.id);
    groups.push({
      department: null,
      leaders: leaders.filter((l) => !known.includes(l.departmentId)),
    });
    return groups.filter((g) => g.leaders.length > 0);
  }

  get selectedLeader(): Leader | null {
    return this.leader(this.#leaderId);
  }
  /** The PIN pad of the chosen leader. */
  get pin(): PinEntry {
    return this.#pin;
  }

  get openWalks(): Walk[] {
    return this.#openWalks;
  }
  get scope(): ProblemScope {
    return this.#scope;
  }
  set scope(value: ProblemScope) {
    this.#scope = value;
    this.#problemLimit = PROBLEM_PAGE;
    void this.#loadProblems();
  }
  get statusFilter(): ProblemStatus | null {
    return this.#statusFilter;
  }
  set statusFilter(value: ProblemStatus | null) {
    this.#statusFilter = value;
    this.#problemLimit = PROBLEM_PAGE;
    void this.#loadProblems();
  }
  /** More problems match than the list shows. */
  get hasMoreProblems(): boolean {
    return this.#moreProblems;
  }
  /** Show another page of problems. */
  async showMoreProblems(): Promise<void> {
    this.#problemLimit += PROBLEM_PAGE;
    await this.#loadProblems();
  }
  /**
   * Read one page of the problems the filters match, newest first, from the tablet's index (a
   * tablet may hold thousands), one more than shown to know whether there are more.
   */
  async #loadProblems(): Promise<void> {
    const inspection = this.#inspection;
    if (!inspection) return;
    const read = ++this.#problemRead;
    const limit = this.#problemLimit;
    const views = await inspection.problems({
      status: this.#statusFilter,
      departmentId: this.#scope === 'mine' ? (this.#inspector?.departmentId ?? null) : null,
      limit: limit + 1,
    });
    if (read !== this.#problemRead) return;
    this.#moreProblems = views.length > limit;
    this.#problems = views.slice(0, limit);
  }
  /** Problems as filtered: the inspector's department (recorded there or assigned to it), or all. */
  get problems(): ProblemView[] {
    const dept = this.#inspector?.departmentId;
    return this.#problems.filter(
      ({ problem: p }) =>
        (this.#scope === 'all' || p.departmentId === dept || p.assignee?.departmentId === dept) &&
        (this.#statusFilter === null || p.status === this.#statusFilter),
    );
  }

  get mode(): WalkMode {
    return this.#mode;
  }
  set mode(value: WalkMode) {
    this.#mode = value;
  }
  get departmentId(): Id | '' {
    return this.#departmentId;
  }
  set departmentId(value: Id | '') {
    this.#departmentId = value;
    if (this.#windowId && this.window(this.#windowId)?.departmentId !== value) this.#windowId = '';
    this.#startProblem = null;
  }
  get windowId(): Id | '' {
    return this.#windowId;
  }
  set windowId(value: Id | '') {
    this.#windowId = value;
  }
  get serviceItem(): string {
    return this.#serviceItem;
  }
  set serviceItem(value: string) {
    this.#serviceItem = value;
  }
  get startProblem(): SaveProblem | null {
    return this.#startProblem;
  }

  protected override attach(device: Device): 'wrongRole' | 'failed' | null {
    if (device.credentials.role !== 'inspection_tablet') return 'wrongRole';
    if (!device.inspection) return 'failed';
    this.#inspection = device.inspection;
    return null;
  }
  protected override watch(): Unsubscribe[] {
    return this.#inspection ? [this.#inspection.onChange(() => void this.refresh())] : [];
  }
  protected override opened(): void {
    this.#inspector = this.#inspection?.inspector() ?? null;
    this.#view = this.#inspector ? 'home' : 'signIn';
  }
  protected override detach(): void {
    this.#pin.stop();
    this.#walk?.dispose();
    this.#problem?.dispose();
    this.#inspection = null;
  }

  /** Re-read the open walks, the problems, and the walk or problem shown. */
  override async refresh(): Promise<void> {
    const inspection = this.#inspection;
    if (!inspection) return;
    const [walks] = await Promise.all([inspection.openWalks(), this.#loadProblems()]);
    this.#openWalks = walks;
    await Promise.all([this.#walk?.refresh(), this.#problem?.refresh()]);
  }

  /** A leader chose themself: ask for the PIN. */
  async chooseLeader(leaderId: Id): Promise<void> {
    const inspection = this.#inspection;
    if (!inspection) return;
    this.#leaderId = leaderId;
    this.#pin.reset();
    this.#view = 'pin';
    this.restartIdle();
    const lockout = await inspection.lockout(leaderId);
    if (lockout.locked) this.#pin.lock(lockout.remainingMs);
  }

  /** Sign the chosen leader in with the PIN typed on the pad. */
  async submitPin(): Promise<void> {
    const inspection = this.#inspection;
    const leaderId = this.#leaderId;
    if (!inspection || !leaderId || this.busy) return;
    await this.#pin.submit(async (pin) => {
      const inspector = await inspection.signIn(leaderId, pin);
      this.#inspector = inspector;
      this.#view = 'home';
      // "Mine" is the inspector's department: read its page.
      void this.#loadProblems();
      this.#departmentId = this.#departmentId || inspector.departmentId;
    });
  }

  /** Back to the list of leaders from the PIN pad. */
  cancelPin(): void {
    this.#view = this.#inspector ? 'home' : 'signIn';
    this.#leaderId = null;
    this.#pin.reset();
    this.restartIdle();
  }

  signOut(): void {
    this.#inspection?.signOut();
    this.#inspector = null;
    this.#leaderId = null;
    this.#pin.reset();
    this.#closeShown();
    this.#view = 'signIn';
    this.idle.clear();
  }

  /** Start a walk with what the form says, and show it. */
  async startWalk(): Promise<void> {
    const inspection = this.#inspection;
    if (!inspection || this.busy) return;
    if (!this.#departmentId) {
      this.#startProblem = 'choose_department';
      return;
    }
    if (!this.#signedIn()) return;
    this.#busy = true;
    try {
      const walk = await inspection.startWalk({
        mode: this.#mode,
        departmentId: this.#departmentId,
        windowId: this.#windowId || null,
        serviceItem: this.#serviceItem.trim(),
      });
      this.#startProblem = null;
      this.#serviceItem = '';
      this.#windowId = '';
      this.#show(new WalkState(inspection, walk, this.#urls));
      void this.refresh();
    } catch (error) {
      this.#startProblem = saveProblemOf(error);
    } finally {
      this.#busy = false;
    }
  }

  /** Resume (or look back at) a walk of this tablet. */
  async openWalk(walkId: Id): Promise<void> {
    const inspection = this.#inspection;
    if (!inspection || !this.#signedIn()) return;
    const walk = await inspection.walk(walkId);
    if (!walk) return;
    this.#show(new WalkState(inspection, walk, this.#urls));
    await this.#walk?.refresh();
  }

  async openProblem(problemId: Id): Promise<void> {
    const inspection = this.#inspection;
    if (!inspection || !this.#signedIn()) return;
    const view = await inspection.problem(problemId);
    if (!view) return;
    this.#returnWalk = this.#walk?.walk.id ?? null;
    this.#closeShown();
    this.#problem = new ProblemState(inspection, view, this.#urls);
    this.#view = 'problem';
    this.restartIdle();
  }

  /** From a problem: back to the walk it was opened from, else to the start page. */
  async back(): Promise<void> {
    const walkId = this.#returnWalk;
    this.#returnWalk = null;
    if (walkId) await this.openWalk(walkId);
    else this.home();
  }

  /** Back to the start page (a walk left open stays open). */
  home(): void {
    this.#closeShown();
    this.#view = this.#inspector ? 'home' : 'signIn';
    this.restartIdle();
    void this.refresh();
  }

  /** A photo held here, or fetched from the server; null when neither has it yet. */
  async photoSource(sha256: string): Promise<PhotoSource | null> {
    const inspection = this.#inspection;
    if (!inspection) return null;
    // Each call makes a new object URL: the viewer revokes it when it goes.
    const local = await inspection.localPhotoUrl(sha256).catch(() => null);
    if (local) return { url: local, owned: true };
    const blob = await inspection.photoBlob(sha256).catch(() => null);
    return blob ? { url: this.#urls.create(blob), owned: true } : null;
  }

  releasePhoto(source: PhotoSource): void {
    if (source.owned) this.#urls.revoke(source.url);
  }

  #signedIn(): boolean {
    if (this.#inspection?.inspector()) return true;
    this.signOut();
    return false;
  }

  #show(walk: WalkState): void {
    this.#closeShown();
    this.#walk = walk;
    this.#view = 'walk';
    this.restartIdle();
  }

  #closeShown(): void {
    this.#walk?.dispose();
    this.#problem?.dispose();
    this.#walk = null;
    this.#problem = null;
  }

  /**
   * Signed in, an untouched tablet signs the leader out after five minutes; an untouched PIN pad
   * goes back to the list of leaders after the hall's kiosk idle time.
   */
  protected override restartIdle(): void {
    this.idle.clear();
    if (this.phase !== 'ready' || this.stopped) return;
    if (this.#view === 'pin') this.idle.set(this.idleMs, () => this.cancelPin());
    else if (this.#inspector) this.idle.set(SIGN_OUT_IDLE_MS, () => this.signOut());
  }
}
