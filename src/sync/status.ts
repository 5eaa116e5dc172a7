/** What every screen that holds unsynced data shows (design §7). */
export interface SyncStatus {
  /** Own events not yet acknowledged by the server. */
  pending: number;
  /** Photos taken on this device and not yet uploaded (they follow the events naming them). */
  pendingPhotos: number;
  /** Own events the server refused (kept locally with the reason, shown to staff). */
  rejected: number;
  /** When the last sync round finished without error (device clock, ISO), or null. */
  lastSuccessAt: string | null;
  /** A sync round is running now. */
  syncing: boolean;
  /** navigator.onLine as last seen. */
  online: boolean;
  /** Reason code of the last failed round (`offline`, `server_unavailable`, `unauthorized`, `revoked`, …), cleared on success. */
  lastError: string | null;
  /** The last local write failed because the device's storage is full. */
  storageFull: boolean;
  /** Server time minus device time, in ms, as learned on the last sync. */
  clockOffsetMs: number;
}

export const INITIAL_STATUS: SyncStatus = {
  pending: 0,
  pendingPhotos: 0,
  rejected: 0,
  lastSuccessAt: null,
  syncing: false,
  online: true,
  lastError: null,
  storageFull: false,
  clockOffsetMs: 0,
};
