/**
 * Small device settings kept in idb-keyval: credentials, locale, the phone's id, cached window
 * cards, the last successful sync. Every access is guarded, so a browser with IndexedDB disabled
 * (some private modes) keeps working for the session from memory instead of failing.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { DeviceCredentials } from '../app/device-api';
import { DEVICE_ROLES } from '../domain/roles';
import { isUuidV7, newId, type Id } from '../domain/ids';
import type { PublicWindowResponse } from '../sync/protocol';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

export const SETTINGS_DB_NAME = 'hall-kiosk-settings';

/** Key-value storage behind the settings; idb-keyval in the browser, a Map when that fails. */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => map.get(key) as T | undefined,
    set: async (key, value) => void map.set(key, structuredClone(value)),
    del: async (key) => void map.delete(key),
  };
}

/** Attempts at an IndexedDB operation before the settings fall back to memory. */
const IDB_ATTEMPTS = 3;

/**
 * idb-keyval in its own database, falling back to memory (for the rest of the session) once
 * IndexedDB refuses to work at all. A failure is first tried again on a fresh connection: Chromium
 * can fail the first opening of a database with UnknownError (seen after the browser was killed),
 * and idb-keyval keeps a failed opening, so without a fresh one an enrolled kiosk would read no
 * credentials for the rest of the session and show itself as not enrolled.
 */
export function idbStore(dbName = SETTINGS_DB_NAME, storeName = 'settings'): KeyValueStore {
  let idb: UseStore | null = null;
  let fallback: KeyValueStore | null = null;
  const backing = (): UseStore | null => {
    if (fallback) return null;
    try {
      idb ??= createStore(dbName, storeName);
      return idb;
    } catch {
      fallback = memoryStore();
      return null;
    }
  };
  const guarded = async <T>(
    op: (s: UseStore) => Promise<T>,
    orElse: (m: KeyValueStore) => Promise<T>,
  ) => {
    for (let attempt = 1; attempt <= IDB_ATTEMPTS; attempt++) {
      const store = backing();
      if (!store) break;
      try {
        return await op(store);
      } catch (error) {
        // A quota error is a real failure of this write, not a broken API: report it.
        if ((error as { name?: string })?.name === 'QuotaExceededError') throw error;
        if (attempt === IDB_ATTEMPTS) fallback ??= memoryStore();
        // The next attempt opens the database afresh.
        else if (idb === store) idb = null;
      }
    }
    return orElse(fallback!);
  };
  return {
    get: <T>(key: string) =>
      guarded(
        (s) => get<T>(key, s),
        (m) => m.get<T>(key),
      ),
    set: (key, value) =>
      guarded(
        (s) => set(key, value, s),
        (m) => m.set(key, value),
      ),
    del: (key) =>
      guarded(
        (s) => del(key, s),
        (m) => m.del(key),
      ),
  };
}

/** A window card as cached on a phone, with the signature it was loaded with. */
export interface CachedWindow {
  sig: string;
  window: PublicWindowResponse;
  savedAt: string;
}

function isCredentials(value: unknown): value is DeviceCredentials {
  const c = value as Partial<DeviceCredentials> | null;
  return (
    !!c &&
    isUuidV7(c.deviceId) &&
    isUuidV7(c.hallId) &&
    typeof c.token === 'string' &&
    c.token.length > 0 &&
    (DEVICE_ROLES as readonly unknown[]).includes(c.role) &&
    (c.windowId === null || isUuidV7(c.windowId)) &&
    typeof c.enrolledAt === 'string'
  );
}

/**
 * A citizen's number for the call-back of one of this phone's 差评, kept on the phone only until the
 * server has it (it is never part of the rating's event).
 */
export interface PendingCallbackNumber {
  ratingId: Id;
  number: string;
  windowCode: string;
  sig: string;
}

/** Typed access to the device's settings; values are checked on read and repaired if damaged. */
export class DeviceSettings {
  constructor(private readonly store: KeyValueStore = idbStore()) {}

  async loadCredentials(): Promise<DeviceCredentials | undefined> {
    const value = await this.store.get<unknown>('credentials');
    return isCredentials(value) ? value : undefined;
  }
  saveCredentials(credentials: DeviceCredentials): Promise<void> {
    return this.store.set('credentials', credentials);
  }
  clearCredentials(): Promise<void> {
    return this.store.del('credentials');
  }

  async loadLocale(): Promise<Locale | undefined> {
    const value = await this.store.get<unknown>('locale');
    return LOCALES.includes(value as Locale) ? (value as Locale) : undefined;
  }
  saveLocale(locale: Locale): Promise<void> {
    return this.store.set('locale', locale);
  }

  /** This phone's random id, made on first use and kept (design §5: dedupe without accounts). */
  async phoneId(): Promise<Id> {
    const existing = await this.store.get<unknown>('phoneId');
    if (isUuidV7(existing)) return existing;
    const id = newId();
    await this.store.set('phoneId', id);
    return id;
  }

  /** The phone id if this browser has one (it was used as a phone), without making one. */
  async existingPhoneId(): Promise<Id | undefined> {
    const existing = await this.store.get<unknown>('phoneId');
    return isUuidV7(existing) ? existing : undefined;
  }

  async loadWindow(code: string): Promise<CachedWindow | undefined> {
    const value = await this.store.get<CachedWindow>(`window:${code.toUpperCase()}`);
    return value && typeof value.sig === 'string' && value.window?.window ? value : undefined;
  }
  saveWindow(
    code: string,
    sig: string,
    window: PublicWindowResponse,
    now = Date.now(),
  ): Promise<void> {
    const value: CachedWindow = { sig, window, savedAt: new Date(now).toISOString() };
    return this.store.set(`window:${code.toUpperCase()}`, value);
  }
  dropWindow(code: string): Promise<void> {
    return this.store.del(`window:${code.toUpperCase()}`);
  }

  /** Call-back numbers this phone was given and has not yet handed to the server. */
  async loadCallbackNumbers(): Promise<PendingCallbackNumber[]> {
    const value = await this.store.get<unknown>('callbackNumbers');
    return Array.isArray(value) ? (value as PendingCallbackNumber[]) : [];
  }
  async saveCallbackNumbers(numbers: readonly PendingCallbackNumber[]): Promise<void> {
    if (numbers.length === 0) await this.store.del('callbackNumbers');
    else await this.store.set('callbackNumbers', [...numbers]);
  }

  async loadLastSync(): Promise<string | null> {
    const value = await this.store.get<unknown>('lastSyncAt');
    return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
  }
  saveLastSync(at: string): Promise<void> {
    return this.store.set('lastSyncAt', at);
  }
}

let defaultSettings: DeviceSettings | null = null;

/** The settings of this browser profile (created on first use). */
export function deviceSettings(): DeviceSettings {
  defaultSettings ??= new DeviceSettings();
  return defaultSettings;
}

/** The locale the user chose on this device, if any. */
export function loadLocale(): Promise<Locale | undefined> {
  return deviceSettings()
    .loadLocale()
    .catch(() => undefined);
}

export function saveLocale(locale: Locale): Promise<void> {
  return deviceSettings()
    .saveLocale(locale)
    .catch(() => undefined);
}
