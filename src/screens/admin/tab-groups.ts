/** The console's tabs in labelled groups (概览, 好差评, 局长坐班, 走流程与整改, 基础数据, 设备). */
import type { AdminTab } from './admin-state.svelte';

export type TabGroup = 'overview' | 'ratings' | 'duty' | 'pipeline' | 'reference' | 'devices';

export const TAB_GROUPS: readonly { group: TabGroup; tabs: readonly AdminTab[] }[] = [
  { group: 'overview', tabs: ['dashboard', 'ranking', 'report'] },
  { group: 'ratings', tabs: ['windows', 'ratings', 'rejected', 'ratingFlags'] },
  { group: 'duty', tabs: ['leaders', 'schedule', 'attendance'] },
  { group: 'pipeline', tabs: ['problems', 'walks', 'checklist', 'calendar'] },
  { group: 'reference', tabs: ['departments', 'serviceItems', 'settings'] },
  { group: 'devices', tabs: ['devices'] },
];

/** The groups shown: every tab of `tabs` once; a tab of no group is shown last, under "more". */
export function tabGroups(
  tabs: readonly AdminTab[],
): { group: TabGroup | 'more'; tabs: AdminTab[] }[] {
  const shown: { group: TabGroup | 'more'; tabs: AdminTab[] }[] = TAB_GROUPS.map((g) => ({
    group: g.group,
    tabs: g.tabs.filter((tab) => tabs.includes(tab)),
  }));
  const rest = tabs.filter((tab) => !TAB_GROUPS.some((g) => g.tabs.includes(tab)));
  if (rest.length > 0) shown.push({ group: 'more', tabs: rest });
  return shown.filter((g) => g.tabs.length > 0);
}
