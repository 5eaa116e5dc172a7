/**
 * One walk on the tablet: the checklist by group with each item's mark and note, the form that
 * records a finding with photos, the findings so far, and the ending with a summary. Every write
 * goes to the device first; a failed one leaves what was typed in place.
 */
import type { Inspection, ProblemView } from '../../app/device-api';
import {
  CHECKLIST_GROUPS,
  type CheckResult,
  type ChecklistGroup,
  type ProblemSeverity,
} from '../../domain/events';
import type { Id } from '../../domain/ids';
import type { ChecklistItem } from '../../domain/reference';
import { checkCounts, type Walk } from '../../domain/walk';
import { saveProblemOf, type SaveProblem } from './inspect-words';
import { PhotoPicks, type PreviewUrls } from './photo-picks.svelte';

export interface ChecklistSection {
  group: ChecklistGroup;
  items: ChecklistItem[];
}

export class WalkState {
  #inspection: Inspection;
  #walk: Walk;
  /** Bumped by every local write, so a re-read begun before it cannot put older marks back. */
  #generation = 0;
  #findings = $state.raw<ProblemView[]>([]);
  #checklist = $state.raw<ChecklistItem[]>([]);
  /** Notes being typed, by item, until saved with the item's mark. */
  #notes = $state<Record<Id, string>>({});
  #noteSaved = $state<Id | null>(null);
  #checkProblem = $state<SaveProblem | null>(null);
  /** The item whose mark or note could not be saved, to tell it there. */
  #checkFailedAt = $state<Id | null>(null);

  #findingOpen = $state(false);
  /** The checklist item the form opened beside (its 有问题 pressed), or null: under the findings. */
  #formAt = $state<Id | null>(null);
  #description = $state('');
  #severity = $state<ProblemSeverity>('medium');
  #itemId = $state<Id | ''>('');
  #findingProblem = $state<SaveProblem | null>(null);
  #findingSaved = $state(false);
  readonly photos: PhotoPicks;

  #ending = $state(false);
  #summary = $state('');
  #endProblem = $state<SaveProblem | null>(null);
  #busy = $state(false);

  constructor(inspection: Inspection, walk: Walk, urls?: PreviewUrls) {
    this.#inspection = inspection;
    this.#walk = $state.raw(walk);
    this.#checklist = inspection.checklist();
    this.photos = new PhotoPicks(urls);
  }

  get walk(): Walk {
    return this.#walk;
  }
  get ended(): boolean {
    return this.#walk.endedAt !== null;
  }
  get findings(): ProblemView[] {
    return this.#findings;
  }
  /** Active checklist items by group, in walk order; empty groups left out. */
  get sections(): ChecklistSection[] {
    return CHECKLIST_GROUPS.map((group) => ({
      group,
      items: this.#checklist.filter((item) => item.group === group),
    })).filter((s) => s.items.length > 0);
  }
  get checklist(): ChecklistItem[] {
    return this.#checklist;
  }
  /** A checklist item by id, retired ones included (old findings name them). */
  item(itemId: Id | null): ChecklistItem | null {
    return itemId ? this.#inspection.checklistItem(itemId) : null;
  }
  result(itemId: Id): CheckResult | null {
    return this.#walk.checks[itemId]?.result ?? null;
  }
  note(itemId: Id): string {
    return this.#notes[itemId] ?? this.#walk.checks[itemId]?.note ?? '';
  }
  setNote(itemId: Id, value: string): void {
    this.#notes[itemId] = value;
    this.#noteSaved = null;
  }
  get noteSaved(): Id | null {
    return this.#noteSaved;
  }
  get counts(): Record<CheckResult, number> {
    return checkCounts(this.#walk);
  }
  /** Active items not marked yet. */
  get unchecked(): number {
    return this.#checklist.filter((item) => !this.#walk.checks[item.id]).length;
  }
  get checkProblem(): SaveProblem | null {
    return this.#checkProblem;
  }
  get checkFailedAt(): Id | null {
    return this.#checkFailedAt;
  }
  get busy(): boolean {
    return this.#busy;
  }

  get findingOpen(): boolean {
    return this.#findingOpen;
  }
  get formAt(): Id | null {
    return this.#formAt;
  }
  get description(): string {
    return this.#description;
  }
  set description(value: string) {
    this.#description = value;
    this.#findingProblem = null;
  }
  get severity(): ProblemSeverity {
    return this.#severity;
  }
  set severity(value: ProblemSeverity) {
    this.#severity = value;
  }
  get itemId(): Id | '' {
    return this.#itemId;
  }
  set itemId(value: Id | '') {
    this.#itemId = value;
  }
  get findingProblem(): SaveProblem | null {
    return this.#findingProblem ?? this.photos.problem;
  }
  get findingSaved(): boolean {
    return this.#findingSaved;
  }

  get ending(): boolean {
    return this.#ending;
  }
  get summary(): string {
    return this.#summary;
  }
  set summary(value: string) {
    this.#summary = value;
    this.#endProblem = null;
  }
  get endProblem(): SaveProblem | null {
    return this.#endProblem;
  }

  async refresh(): Promise<void> {
    const generation = this.#generation;
    const [walk, findings] = await Promise.all([
      this.#inspection.walk(this.#walk.id),
      this.#inspection.findings(this.#walk.id),
    ]);
    if (generation !== this.#generation) return;
    if (walk) this.#walk = walk;
    this.#findings = findings;
  }

  /** Mark an item; "有问题" also opens the finding form on that item. */
  async mark(itemId: Id, result: CheckResult): Promise<void> {
    await this.#check(itemId, result);
    if (result === 'problem' && !this.#checkProblem) this.openFinding(itemId);
  }

  /** Save an item's note with its mark. */
  async saveNote(itemId: Id): Promise<void> {
    const result = this.result(itemId);
    if (!result) return;
    await this.#check(itemId, result);
    if (!this.#checkProblem) this.#noteSaved = itemId;
  }

  async #check(itemId: Id, result: CheckResult): Promise<void> {
    if (this.ended) return;
    this.#generation++;
    try {
      this.#walk = await this.#inspection.check(this.#walk.id, itemId, result, this.note(itemId));
      delete this.#notes[itemId];
      this.#checkProblem = null;
      this.#checkFailedAt = null;
    } catch (error) {
      this.#checkProblem = saveProblemOf(error);
      this.#checkFailedAt = itemId;
    }
  }

  openFinding(itemId: Id | null = null): void {
    if (this.ended) return;
    this.#findingOpen = true;
    this.#findingSaved = false;
    this.#formAt = itemId;
    // A form already being filled keeps its item unless a problem was pressed on another one.
    if (itemId) this.#itemId = itemId;
  }

  /** Close the form; what was typed stays for the next time it opens. */
  closeFinding(): void {
    this.#findingOpen = false;
    this.#findingProblem = null;
  }

  async saveFinding(): Promise<void> {
    if (this.#busy || this.ended) return;
    const description = this.#description.trim();
    if (!description) {
      this.#findingProblem = 'description_required';
      return;
    }
    this.#busy = true;
    this.#generation++;
    try {
      await this.#inspection.addFinding(this.#walk.id, {
        description,
        severity: this.#severity,
        checklistItemId: this.#itemId || null,
        photos: this.photos.blobs,
      });
      this.#description = '';
      this.#severity = 'medium';
      this.#itemId = '';
      this.photos.clear();
      this.#findingProblem = null;
      this.#findingOpen = false;
      this.#findingSaved = true;
      await this.refresh();
    } catch (error) {
      this.#findingProblem = saveProblemOf(error);
    } finally {
      this.#busy = false;
    }
  }

  askEnd(): void {
    this.#ending = true;
  }
  cancelEnd(): void {
    this.#ending = false;
    this.#endProblem = null;
  }

  async end(): Promise<void> {
    if (this.#busy || this.ended) return;
    this.#busy = true;
    this.#generation++;
    try {
      this.#walk = await this.#inspection.endWalk(this.#walk.id, this.#summary.trim());
      this.#ending = false;
      this.#endProblem = null;
      await this.refresh();
    } catch (error) {
      this.#endProblem = saveProblemOf(error);
    } finally {
      this.#busy = false;
    }
  }

  /** Free the photo previews when the walk is left. */
  dispose(): void {
    this.photos.clear();
  }
}
