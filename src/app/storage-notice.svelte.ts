/**
 * Whether this tab can still use its local database: every screen shows the storage notice when
 * another tab has upgraded it (reload needed) or this tab waits for an older one to let go.
 */
import { onStorageChange, type StorageChange } from '../storage/storage-change';

class StorageNoticeState {
  #change = $state<StorageChange | null>(null);

  constructor() {
    onStorageChange((change) => {
      this.#change = change;
    });
  }

  get change(): StorageChange | null {
    return this.#change;
  }
}

export const storageNotice = new StorageNoticeState();
