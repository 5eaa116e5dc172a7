/** The last good schedule kept in this browser's settings database, for display while offline. */
import { idbStore, type KeyValueStore } from '../../storage/settings';
import type { CachedSchedule, ScheduleCache } from './schedule-state.svelte';

const KEY = 'publicSchedule';

export function scheduleCache(store: KeyValueStore = idbStore()): ScheduleCache {
  return {
    async load() {
      const value = await store.get<CachedSchedule>(KEY);
      return value && typeof value.savedAt === 'number' && Array.isArray(value.schedule?.days)
        ? value
        : undefined;
    },
    save: (value) => store.set(KEY, value),
  };
}
