/**
 * The walk checklist (走流程检查清单): the aspects a walk-through checks, grouped. The defaults
 * below are seeded into a new hall as `ref.checklistItemSaved` events; a hall then adds, rewords,
 * reorders and retires items. A retired item stays in the reference (inactive), so findings that
 * name it remain readable.
 */
import type { ChecklistGroup } from './events';
import type { Id } from './ids';
import type { ChecklistItem } from './reference';

export interface DefaultChecklistItem {
  group: ChecklistGroup;
  text: string;
  textEn: string;
}

export const DEFAULT_CHECKLIST: readonly DefaultChecklistItem[] = [
  { group: 'experience', text: '窗口服务体验', textEn: 'Service window experience' },
  { group: 'experience', text: '网上办事体验', textEn: 'Online service experience' },
  { group: 'experience', text: '流程协同体验', textEn: 'Process and coordination experience' },
  { group: 'reform', text: '群众能否看懂办事指南', textEn: 'Can citizens understand the guide' },
  { group: 'reform', text: '申请材料能否再精简', textEn: 'Can documents be cut' },
  { group: 'reform', text: '办理时限能否再压缩', textEn: 'Can time limits be shortened' },
  { group: 'reform', text: '跑动次数能否再减少', textEn: 'Can trips be reduced' },
  { group: 'reform', text: '证明材料能否再共享', textEn: 'Can certificates be shared' },
  { group: 'reform', text: '关联事项能否再整合', textEn: 'Can items be combined' },
  { group: 'reform', text: '办事环节能否再优化', textEn: 'Can steps be optimised' },
  { group: 'reform', text: '外地经验能否借鉴', textEn: 'Can practice elsewhere be borrowed' },
  { group: 'indicators', text: '申请材料数量', textEn: 'Number of documents' },
  { group: 'indicators', text: '承诺办理时限', textEn: 'Time limit' },
  { group: 'indicators', text: '办理环节数量', textEn: 'Number of steps' },
  { group: 'indicators', text: '跑动次数', textEn: 'Number of trips' },
  { group: 'indicators', text: '网上可办程度', textEn: 'Online handling' },
  { group: 'service', text: '咨询电话', textEn: 'Hotline' },
  { group: 'service', text: '网上查询', textEn: 'Online lookup' },
  { group: 'service', text: '现场引导', textEn: 'Guidance on site' },
  { group: 'service', text: '办事指南', textEn: 'Service guide' },
  { group: 'service', text: '大厅秩序', textEn: 'Order in the hall' },
  { group: 'service', text: '首问负责', textEn: 'First-contact responsibility' },
  { group: 'service', text: '一次性告知', textEn: 'One-time notification' },
  { group: 'service', text: '表单设计', textEn: 'Form design' },
  { group: 'service', text: '自助服务', textEn: 'Self-service' },
  { group: 'service', text: '投诉渠道', textEn: 'Complaint channel' },
  { group: 'intermediary', text: '中介服务及收费', textEn: 'Intermediary services and fees' },
  {
    group: 'certificates',
    text: '奇葩证明、循环证明、重复证明',
    textEn: 'Absurd, circular or repeated certificates',
  },
];

/** Items of a checklist in walk order: by group, then the hall's sort, active ones only unless asked. */
export function checklistInOrder(
  items: Record<Id, ChecklistItem>,
  groups: readonly ChecklistGroup[],
  includeRetired = false,
): ChecklistItem[] {
  const rank = new Map(groups.map((g, i) => [g, i]));
  return Object.values(items)
    .filter((item) => includeRetired || item.active)
    .sort(
      (a, b) =>
        (rank.get(a.group) ?? 99) - (rank.get(b.group) ?? 99) ||
        a.sort - b.sort ||
        a.id.localeCompare(b.id),
    );
}
