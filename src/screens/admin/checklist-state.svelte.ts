/**
 * The console's 检查清单 section: the walk checklist by group; adding, rewording, reordering,
 * retiring and restoring items. Items are written as `ref.checklistItemSaved`; a retired item
 * stays (inactive), so old findings naming it remain readable.
 */
import { CHECKLIST_GROUPS, type ChecklistGroup } from '../../domain/events';
import { newId, type Id } from '../../domain/ids';
import type { ChecklistItem } from '../../domain/reference';
import type { ChecklistResponse } from '../../sync/pipeline-protocol';
import { Loadable } from './admin-state.svelte';
import { FormRun } from './form-run.svelte';
import type { PipelineApi } from './pipeline-api';
import { movedOrder, nextSort } from './pipeline-forms';

export interface ChecklistDeps {
  api: PipelineApi;
  onError: (error: unknown) => void;
}

export interface ChecklistFields {
  group: ChecklistGroup | '';
  text: string;
  textEn: string;
}

export type ChecklistDone = 'added' | 'saved' | 'moved' | 'retired' | 'restored';

/** Items in walk order: by group, then the hall's order; retired ones included. */
export function orderedItems(items: readonly ChecklistItem[]): ChecklistItem[] {
  const rank = (group: ChecklistGroup) => CHECKLIST_GROUPS.indexOf(group);
  return [...items].sort(
    (a, b) => rank(a.group) - rank(b.group) || a.sort - b.sort || a.id.localeCompare(b.id),
  );
}

export class ChecklistState {
  #deps: ChecklistDeps;
  #editing = $state<Id | 'new' | null>(null);
  readonly run: FormRun<ChecklistDone>;
  readonly items: Loadable<ChecklistResponse>;

  constructor(deps: ChecklistDeps) {
    this.#deps = deps;
    this.run = new FormRun(deps.onError);
    this.items = new Loadable(() => deps.api.checklist(), deps.onError);
  }

  /** The item whose form is open, or 'new' for the add form. */
  get editing(): Id | 'new' | null {
    return this.#editing;
  }

  get ordered(): ChecklistItem[] {
    return orderedItems(this.items.data?.items ?? []);
  }

  /** The groups with their items, in walk order. */
  get groups(): { group: ChecklistGroup; items: ChecklistItem[] }[] {
    const ordered = this.ordered;
    return CHECKLIST_GROUPS.map((group) => ({
      group,
      items: ordered.filter((item) => item.group === group),
    }));
  }

  edit(target: Id | 'new' | null): void {
    this.#editing = target;
    this.run.reset();
  }

  /** Add an item (at the end of its group) or reword the one being edited. */
  async save(fields: ChecklistFields): Promise<boolean> {
    const editing = this.#editing;
    const where = editing ?? 'new';
    if (!fields.group || !fields.text.trim()) return this.run.refuse(where, { code: 'required' });
    const group = fields.group;
    const current =
      editing && editing !== 'new' ? this.ordered.find((i) => i.id === editing) : undefined;
    const sameGroup = this.ordered.filter((i) => i.group === group);
    return this.run.run(where, current ? 'saved' : 'added', async () => {
      await this.#deps.api.saveChecklistItem({
        itemId: current?.id ?? newId(),
        group,
        text: fields.text.trim(),
        ...(fields.textEn.trim() ? { textEn: fields.textEn.trim() } : {}),
        sort: current && current.group === group ? current.sort : nextSort(sameGroup),
        active: current?.active ?? true,
      });
      this.#editing = null;
      await this.items.refresh();
    });
  }

  /** Move an item up (-1) or down (+1) within its group. */
  move(id: Id, direction: -1 | 1): Promise<boolean> {
    const ids = movedOrder(this.ordered, id, direction);
    if (!ids) return Promise.resolve(false);
    return this.run.run(id, 'moved', async () => {
      await this.#deps.api.orderChecklist(ids);
      await this.items.refresh();
    });
  }

  /** Retire an item (it stays on old findings) or bring it back. */
  setActive(item: ChecklistItem, active: boolean): Promise<boolean> {
    return this.run.run(item.id, active ? 'restored' : 'retired', async () => {
      await this.#deps.api.saveChecklistItem({
        itemId: item.id,
        group: item.group,
        text: item.text,
        ...(item.textEn ? { textEn: item.textEn } : {}),
        sort: item.sort,
        active,
      });
      await this.items.refresh();
    });
  }

  clear(): void {
    this.items.clear();
    this.#editing = null;
    this.run.reset();
  }
}
