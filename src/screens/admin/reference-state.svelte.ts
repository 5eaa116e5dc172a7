/**
 * The console's reference data pages: departments and their windows, service items and the
 * hall's settings. Everything is written as ref.* events; nothing is ever deleted — a department,
 * window or service item is deactivated (withdrawn) and can be brought back. A form's problem,
 * found here or by the server, is kept with the field it is about, and the form keeps what was
 * typed until it is saved.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { DueDays } from '../../domain/problem';
import { newId, type Id } from '../../domain/ids';
import type {
  ReferenceDepartment,
  ReferenceResponse,
  ReferenceServiceItem,
  ReferenceWindow,
} from '../../sync/reference-protocol';
import type { AdminCall, WindowsResponse } from './admin-api';
import { Loadable, type Failure } from './admin-state.svelte';
import { FormRun } from './form-run.svelte';
import { checkDueDays } from './pipeline-forms';
import { createReferenceApi, type ReferenceApi } from './reference-api';
import {
  CARDS_PER_SHEET,
  changedSettings,
  checkEntry,
  checkSettings,
  fieldOfIssue,
  isCardsPerSheet,
  sheetsOf,
  sortAfter,
  type CardsPerSheet,
  type EntryFields,
  type FieldProblem,
  type SettingsFields,
} from './reference-forms';

export type ReferenceTab = 'departments' | 'serviceItems' | 'settings';

export type EntryKind = 'department' | 'window' | 'serviceItem';

export type ReferenceDone =
  | 'added'
  | 'saved'
  | 'deactivated'
  | 'reactivated'
  | 'withdrawn'
  | 'restored'
  | 'settingsSaved'
  | 'unchanged'
  | 'dueDaysSaved';

/**
 * Which form: `department:new`, `window:new:<departmentId>`, `serviceItem:new:<departmentId>`
 * for an add form, `<kind>:<id>` for an entry's own form and buttons.
 */
export function formKey(kind: EntryKind, id: Id | 'new', departmentId?: Id): string {
  return id === 'new' && kind !== 'department' ? `${kind}:new:${departmentId}` : `${kind}:${id}`;
}

export interface ReferenceDeps {
  call: AdminCall;
  /** The windows list the rating cards are printed from; reloaded when a window changes. */
  windows: Loadable<WindowsResponse>;
  onError: (error: unknown) => void;
}

/** A department, window or service item as listed (windows and items name their department). */
export interface EntryRecord {
  id: Id;
  code: string;
  name: string;
  nameEn?: string;
  sort: number;
  active: boolean;
  departmentId?: Id;
}

const byOrder = <T extends { sort: number; code: string }>(a: T, b: T) =>
  a.sort - b.sort || a.code.localeCompare(b.code);

/** Which rating cards are printed and how many to an A4 sheet. */
export class CardSheetState {
  #perSheet = $state<CardsPerSheet>(1);
  readonly #selected = new SvelteSet<Id>();
  #windows: () => readonly { id: Id; active: boolean }[];

  constructor(windows: () => readonly { id: Id; active: boolean }[]) {
    this.#windows = windows;
  }

  readonly choices = CARDS_PER_SHEET;

  get perSheet(): CardsPerSheet {
    return this.#perSheet;
  }
  get selected(): ReadonlySet<Id> {
    return this.#selected;
  }

  /** Choose cards per sheet; anything but 1, 2, 4 or 6 is ignored. */
  choose(perSheet: number): void {
    if (isCardsPerSheet(perSheet)) this.#perSheet = perSheet;
  }

  toggle(id: Id): void {
    if (!this.#selected.delete(id)) this.#selected.add(id);
  }

  clearSelection(): void {
    this.#selected.clear();
  }

  /** The windows printed: the ones ticked, or with none ticked every active window. */
  printed<T extends { id: Id; active: boolean }>(windows: readonly T[]): T[] {
    const selected = this.#selected;
    return selected.size > 0
      ? windows.filter((w) => selected.has(w.id))
      : windows.filter((w) => w.active);
  }

  /** The printed windows on their sheets. */
  sheets<T extends { id: Id; active: boolean }>(windows: readonly T[]): T[][] {
    return sheetsOf(this.printed(windows), this.#perSheet);
  }

  /** Ticked windows that are no longer listed are forgotten. */
  prune(): void {
    const listed = this.#windows().map((w) => w.id);
    for (const id of [...this.#selected]) if (!listed.includes(id)) this.#selected.delete(id);
  }
}

export class ReferenceDataState {
  #api: ReferenceApi;
  #editing = $state<string | null>(null);
  #found = $state.raw<(FieldProblem & { where: string }) | null>(null);
  readonly windows: Loadable<WindowsResponse>;
  readonly data: Loadable<ReferenceResponse>;
  readonly run: FormRun<ReferenceDone>;
  readonly cards: CardSheetState;

  constructor({ call, windows, onError }: ReferenceDeps) {
    this.#api = createReferenceApi(call);
    this.windows = windows;
    this.data = new Loadable(() => this.#api.reference(), onError);
    this.run = new FormRun(onError);
    this.cards = new CardSheetState(() => windows.data?.windows ?? []);
  }

  /** What the tab's heading reloads. */
  section(_tab: ReferenceTab): Loadable<unknown> {
    return this.data;
  }

  /** The open form ({@link formKey}), or null. */
  get editing(): string | null {
    return this.#editing;
  }

  get departments(): ReferenceDepartment[] {
    return [...(this.data.data?.departments ?? [])].sort(byOrder);
  }

  windowsOf(departmentId: Id): ReferenceWindow[] {
    return (this.data.data?.windows ?? [])
      .filter((w) => w.departmentId === departmentId)
      .sort(byOrder);
  }

  serviceItemsOf(departmentId: Id): ReferenceServiceItem[] {
    return (this.data.data?.serviceItems ?? [])
      .filter((s) => s.departmentId === departmentId)
      .sort(byOrder);
  }

  /** The sort number an entry added now gets: after its siblings. */
  nextSort(kind: EntryKind, departmentId?: Id): number {
    if (kind === 'department') return sortAfter(this.departments);
    return sortAfter(
      kind === 'window' ? this.windowsOf(departmentId!) : this.serviceItemsOf(departmentId!),
    );
  }

  edit(key: string | null): void {
    this.#editing = key;
    this.#found = null;
    this.run.reset();
  }

  /** The reason code of what is wrong with a form's field: found here, or by the server. */
  issueAt(where: string, field: string): string | null {
    const found = this.#found;
    if (found?.where === where) return found.field === field ? found.code : null;
    const error = this.run.errorIn(where);
    if (!error) return null;
    const issue = (error.issues ?? [{ path: '', code: error.code, message: error.message }]).find(
      (i) => fieldOfIssue(i) === field,
    );
    return issue?.code ?? null;
  }

  /** The server's refusal in `where` but for what is shown beside the fields named. */
  otherFailure(where: string, fields: readonly string[]): Failure | null {
    const error = this.run.errorIn(where);
    if (!error) return null;
    const shown = (i: { path: string; code: string }) => fields.includes(fieldOfIssue(i));
    if (!error.issues) return shown({ path: '', code: error.code }) ? null : error;
    const rest = error.issues.filter((i) => !shown(i));
    return rest.length === 0 ? null : { ...error, issues: rest };
  }

  #refuse(where: string, problem: FieldProblem): false {
    this.run.reset();
    this.#found = { where, ...problem };
    return false;
  }

  /**
   * Add a department, or a window or service item of `departmentId`, or save the entry edited
   * (`id`). An entry keeps its state (active or not) when edited.
   */
  async saveEntry(
    kind: EntryKind,
    fields: EntryFields,
    target: { id?: Id; departmentId?: Id },
  ): Promise<boolean> {
    const where = formKey(kind, target.id ?? 'new', target.departmentId);
    const checked = checkEntry(fields);
    if (!checked.ok) return this.#refuse(where, checked.problem);
    this.#found = null;
    const current = target.id ? this.#entry(kind, target.id) : undefined;
    const id = current?.id ?? newId();
    const active = current?.active ?? true;
    return this.run.run(where, current ? 'saved' : 'added', async () => {
      await this.#write(kind, id, checked.value, active, target.departmentId ?? null, current);
      this.#editing = null;
      await this.#reload(kind);
    });
  }

  /** Deactivate (withdraw) an entry or bring it back; it stays listed either way. */
  setActive(kind: EntryKind, entry: EntryRecord, active: boolean): Promise<boolean> {
    const where = formKey(kind, entry.id);
    this.#found = null;
    const done: ReferenceDone =
      kind === 'serviceItem'
        ? active
          ? 'restored'
          : 'withdrawn'
        : active
          ? 'reactivated'
          : 'deactivated';
    return this.run.run(where, done, async () => {
      await this.#write(kind, entry.id, entry, active, null, entry);
      await this.#reload(kind);
    });
  }

  /** Save the page's settings: only those changed are written. */
  async saveSettings(fields: SettingsFields): Promise<boolean> {
    const checked = checkSettings(fields);
    if (!checked.ok) return this.#refuse('settings', checked.problem);
    this.#found = null;
    const current = this.data.data?.settings;
    const changes = current ? changedSettings(checked.value, current) : checked.value;
    if (Object.keys(changes).length === 0) {
      return this.run.run('settings', 'unchanged', () => Promise.resolve());
    }
    return this.run.run('settings', 'settingsSaved', async () => {
      await this.#api.saveSettings(changes);
      await this.data.refresh();
    });
  }

  /** Due days per problem source and for the call-back (the same form as on the calendar page). */
  async saveDueDays(fields: Record<keyof DueDays, string | number | null>): Promise<boolean> {
    const checked = checkDueDays(fields);
    if (!checked.ok) return this.#refuse('dueDays', { field: 'dueDays', code: 'bad_due_days' });
    this.#found = null;
    return this.run.run('dueDays', 'dueDaysSaved', async () => {
      await this.#api.saveSettings(checked.value);
      await this.data.refresh();
    });
  }

  #entry(kind: EntryKind, id: Id): EntryRecord | undefined {
    const data = this.data.data;
    const list =
      kind === 'department'
        ? data?.departments
        : kind === 'window'
          ? data?.windows
          : data?.serviceItems;
    return (list as EntryRecord[] | undefined)?.find((e) => e.id === id);
  }

  async #write(
    kind: EntryKind,
    id: Id,
    entry: { code: string; name: string; nameEn?: string; sort: number },
    active: boolean,
    departmentId: Id | null,
    current: EntryRecord | undefined,
  ): Promise<void> {
    const base = {
      code: entry.code,
      name: entry.name,
      ...(entry.nameEn ? { nameEn: entry.nameEn } : {}),
      sort: entry.sort,
      active,
    };
    const department =
      (current && 'departmentId' in current ? current.departmentId : null) ?? departmentId;
    if (kind === 'department') await this.#api.saveDepartment({ departmentId: id, ...base });
    else if (kind === 'window')
      await this.#api.saveWindow({ windowId: id, departmentId: department!, ...base });
    else await this.#api.saveServiceItem({ serviceItemId: id, departmentId: department!, ...base });
  }

  async #reload(kind: EntryKind): Promise<void> {
    await this.data.refresh();
    // Cards carry the window's and the department's names.
    if (kind !== 'serviceItem' && this.windows.data !== null) {
      await this.windows.refresh();
      this.cards.prune();
    }
  }

  clear(): void {
    this.data.clear();
    this.edit(null);
    this.cards.clearSelection();
  }
}
