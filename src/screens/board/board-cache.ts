/** The last good board kept in this browser's settings database, for display while offline. */
import { idbStore, type KeyValueStore } from '../../storage/settings';
import type { BoardCache, CachedBoard } from './board-state.svelte';

const KEY = 'publicBoard';

export function boardCache(store: KeyValueStore = idbStore()): BoardCache {
  return {
    async load() {
      const value = await store.get<CachedBoard>(KEY);
      return value &&
        typeof value.savedAt === 'number' &&
        Array.isArray(value.board?.onDuty) &&
        Array.isArray(value.board?.departments)
        ? value
        : undefined;
    },
    save: (value) => store.set(KEY, value),
  };
}
