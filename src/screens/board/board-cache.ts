/** The last good board kept in this browser's settings database, for display while offline. */
import { idbStore, type KeyValueStore } from '../../storage/settings';
import type { BoardResponse } from '../../sync/report-protocol';
import { storedAnswer, type AnswerCache } from '../live-answer.svelte';

export function boardCache(store: KeyValueStore = idbStore()): AnswerCache<BoardResponse> {
  return storedAnswer(store, 'publicBoard', 'board', (board) => {
    const b = board as Partial<BoardResponse> | undefined;
    return Array.isArray(b?.onDuty) && Array.isArray(b?.departments);
  });
}
