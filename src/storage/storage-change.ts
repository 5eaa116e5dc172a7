/**
 * Whether this tab can use its local database as it is, kept apart from the database module so
 * the app shell can show it without loading Dexie.
 */
/**
 * Why this tab cannot use its database as it is: `outdated` — another tab upgraded the schema and
 * this one must reload; `blocked` — this tab's upgrade waits for an older tab to close.
 */
export type StorageChange = 'outdated' | 'blocked';

let storageChange: StorageChange | null = null;
const storageChangeListeners = new Set<(change: StorageChange | null) => void>();

export function reportStorageChange(change: StorageChange | null): void {
  // Once outdated, this tab stays so until it reloads.
  if (storageChange === 'outdated' || storageChange === change) return;
  storageChange = change;
  for (const listener of storageChangeListeners) listener(change);
}

/** The current storage change of this tab (null when the database is usable). */
export function currentStorageChange(): StorageChange | null {
  return storageChange;
}

/** Called now with the current state and whenever it changes; returns the unsubscribe. */
export function onStorageChange(listener: (change: StorageChange | null) => void): () => void {
  storageChangeListeners.add(listener);
  listener(storageChange);
  return () => storageChangeListeners.delete(listener);
}
