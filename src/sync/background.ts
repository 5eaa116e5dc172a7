/**
 * One sync round run by the service worker when the browser fires Background Sync, so records
 * taken offline reach the server even after every tab was closed. It takes the same Web Lock as
 * the syncing tab, but only if free: when a tab syncs, this does nothing.
 */
import { DEVICE_DB_NAME, PHONE_DB_NAME, type DbEnvironment } from '../storage/db';
import { DeviceSettings, deviceSettings } from '../storage/settings';
import { LocalStore } from '../storage/store';
import { SyncEngine, type RoundResult } from './engine';
import { isRetryable } from './errors';
import { DEVICE_SYNC_LOCK, PHONE_SYNC_LOCK } from './session';
import { signingClock } from './clock';
import { isDeviceKeyPair } from './signing';
import {
  deviceApi,
  deviceHttp,
  httpOptions,
  phoneApi,
  type FetchLike,
  type SyncApi,
} from './transport';
import type { LockManagerLike } from './triggers';

export interface BackgroundSyncOptions {
  settings?: DeviceSettings;
  baseUrl?: string;
  fetch?: FetchLike;
  /** Web Locks; the worker's own by default. */
  locks?: LockManagerLike | null;
  deviceDbName?: string;
  phoneDbName?: string;
  db?: DbEnvironment;
}

/** Run `fn` holding `name` if nobody else holds it; without Web Locks, just run it. */
async function ifLockFree<T>(
  locks: LockManagerLike | null | undefined,
  name: string,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  if (!locks) return fn();
  return (await locks.request(name, { ifAvailable: true }, (lock) => (lock ? fn() : undefined))) as
    T | undefined;
}

async function round(
  name: string,
  deviceId: string,
  api: (store: LocalStore) => SyncApi,
  env: DbEnvironment | undefined,
): Promise<RoundResult> {
  const store = await LocalStore.open(name, deviceId, env ? { env } : {});
  try {
    return await new SyncEngine({ api: api(store), store }).syncOnce();
  } finally {
    store.close();
  }
}

/**
 * Sync this browser's enrolled device, and a phone's waiting ratings if there are any. Rejects
 * when a round failed for a reason worth retrying, so the browser schedules another attempt.
 */
export async function runBackgroundSync(options: BackgroundSyncOptions = {}): Promise<void> {
  const settings = options.settings ?? deviceSettings();
  const locks =
    options.locks === undefined
      ? (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks
      : options.locks;
  const http = httpOptions(options);
  const results: (RoundResult | undefined)[] = [];

  const credentials = await settings.loadCredentials();
  // A damaged key cannot sign: the device waits for its page to have it enrolled again.
  if (credentials && (credentials.key === undefined || isDeviceKeyPair(credentials.key))) {
    // Signed at the server's time as the device's store knows it.
    const api = (store: LocalStore) =>
      deviceApi(deviceHttp(http, credentials, signingClock(store)), credentials.deviceId, {
        roster: credentials.role === 'duty_kiosk',
      });
    results.push(
      await ifLockFree(locks, DEVICE_SYNC_LOCK, () =>
        round(options.deviceDbName ?? DEVICE_DB_NAME, credentials.deviceId, api, options.db),
      ),
    );
  }

  // A phone id exists only where a rating card was opened.
  const phoneId = await settings.existingPhoneId();
  if (phoneId) {
    const phoneDb = options.phoneDbName ?? PHONE_DB_NAME;
    results.push(
      await ifLockFree(locks, PHONE_SYNC_LOCK, () =>
        round(phoneDb, phoneId, () => phoneApi(http), options.db),
      ),
    );
  }

  const failed = results.find((r) => r && !r.ok && r.error && isRetryable(r.error));
  if (failed) throw new Error(`background sync failed: ${failed.error}`);
}
