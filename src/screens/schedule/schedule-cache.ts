/** The last good schedule kept in this browser's settings database, for display while offline. */
import { idbStore, type KeyValueStore } from '../../storage/settings';
import { storedAnswer, type AnswerCache } from '../live-answer.svelte';
import type { PublicSchedule } from './schedule-api';

export function scheduleCache(store: KeyValueStore = idbStore()): AnswerCache<PublicSchedule> {
  return storedAnswer(store, 'publicSchedule', 'schedule', (schedule) =>
    Array.isArray((schedule as Partial<PublicSchedule> | undefined)?.days),
  );
}
