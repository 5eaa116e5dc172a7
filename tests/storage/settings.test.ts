import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { isUuidV7, newId } from '../../src/domain/ids';
import { requestPersistentStorage, resetPersistRequest } from '../../src/storage/persist';
import {
  DeviceSettings,
  idbStore,
  loadLocale,
  memoryStore,
  saveLocale,
} from '../../src/storage/settings';
import type { PublicWindowResponse } from '../../src/sync/protocol';

const fresh = () => new DeviceSettings(idbStore(`settings-${newId()}`));

const credentials = () => ({
  deviceId: newId(),
  token: 'tok_' + 'x'.repeat(40),
  hallId: newId(),
  role: 'evaluator' as const,
  windowId: newId(),
  enrolledAt: new Date().toISOString(),
});

describe('DeviceSettings', () => {
  it('keeps credentials across instances on the same database', async () => {
    const name = `settings-${newId()}`;
    const c = credentials();
    await new DeviceSettings(idbStore(name)).saveCredentials(c);
    expect(await new DeviceSettings(idbStore(name)).loadCredentials()).toEqual(c);
    await new DeviceSettings(idbStore(name)).clearCredentials();
    expect(await new DeviceSettings(idbStore(name)).loadCredentials()).toBeUndefined();
  });

  it('reads the credentials when the first opening of the database fails (Chromium after a crash)', async () => {
    const name = `settings-${newId()}`;
    const c = credentials();
    await new DeviceSettings(idbStore(name)).saveCredentials(c);
    const failing = () => {
      const request = {} as { error?: DOMException; onerror?: () => void };
      setTimeout(() => {
        request.error = new DOMException('Internal error opening backing store', 'UnknownError');
        request.onerror?.();
      });
      return request as unknown as IDBOpenDBRequest;
    };
    const open = vi.spyOn(indexedDB, 'open').mockImplementationOnce(failing);
    try {
      expect(await new DeviceSettings(idbStore(name)).loadCredentials()).toEqual(c);
      expect(open).toHaveBeenCalledTimes(2);
    } finally {
      open.mockRestore();
    }
  });

  it('falls back to memory only when IndexedDB keeps failing', async () => {
    const failing = () => {
      const request = {} as { error?: DOMException; onerror?: () => void };
      setTimeout(() => {
        request.error = new DOMException('broken', 'UnknownError');
        request.onerror?.();
      });
      return request as unknown as IDBOpenDBRequest;
    };
    const open = vi.spyOn(indexedDB, 'open').mockImplementation(failing);
    try {
      const settings = new DeviceSettings(idbStore(`settings-${newId()}`));
      const c = credentials();
      await settings.saveCredentials(c);
      expect(open).toHaveBeenCalledTimes(3);
      // Kept in memory for the rest of the session.
      expect(await settings.loadCredentials()).toEqual(c);
      expect(open).toHaveBeenCalledTimes(3);
    } finally {
      open.mockRestore();
    }
  });

  it('treats damaged credentials as none', async () => {
    const store = memoryStore();
    await store.set('credentials', { ...credentials(), role: 'superuser' });
    expect(await new DeviceSettings(store).loadCredentials()).toBeUndefined();
    await store.set('credentials', 'garbage');
    expect(await new DeviceSettings(store).loadCredentials()).toBeUndefined();
  });

  it('stores the locale and ignores unknown values', async () => {
    const s = fresh();
    expect(await s.loadLocale()).toBeUndefined();
    await s.saveLocale('en');
    expect(await s.loadLocale()).toBe('en');
    const store = memoryStore();
    await store.set('locale', 'fr');
    expect(await new DeviceSettings(store).loadLocale()).toBeUndefined();
  });

  it('makes the phone id once and keeps it', async () => {
    const s = fresh();
    expect(await s.existingPhoneId()).toBeUndefined();
    const id = await s.phoneId();
    expect(isUuidV7(id)).toBe(true);
    expect(await s.phoneId()).toBe(id);
    expect(await s.existingPhoneId()).toBe(id);
  });

  it('caches window cards by code with their signature', async () => {
    const s = fresh();
    const window = { hallId: newId(), window: { code: 'A01' } } as unknown as PublicWindowResponse;
    await s.saveWindow('a01', 'sig', window);
    expect(await s.loadWindow('A01')).toMatchObject({ sig: 'sig', window });
    await s.dropWindow('A01');
    expect(await s.loadWindow('A01')).toBeUndefined();
  });

  it('keeps the last successful sync time', async () => {
    const s = fresh();
    expect(await s.loadLastSync()).toBeNull();
    await s.saveLastSync('2026-05-01T09:00:00.000Z');
    expect(await s.loadLastSync()).toBe('2026-05-01T09:00:00.000Z');
  });

  it('falls back to memory for the session when IndexedDB is unusable', async () => {
    const original = globalThis.indexedDB;
    const broken = {
      open() {
        throw new DOMException('IndexedDB is disabled', 'InvalidStateError');
      },
    };
    vi.stubGlobal('indexedDB', broken);
    try {
      const s = new DeviceSettings(idbStore(`settings-${newId()}`));
      await s.saveLocale('en');
      expect(await s.loadLocale()).toBe('en');
      const id = await s.phoneId();
      expect(await s.phoneId()).toBe(id);
    } finally {
      vi.stubGlobal('indexedDB', original);
      vi.unstubAllGlobals();
    }
  });

  it('exports the locale functions the screens use', async () => {
    await saveLocale('en');
    expect(await loadLocale()).toBe('en');
    await saveLocale('zh-CN');
    expect(await loadLocale()).toBe('zh-CN');
  });
});

describe('requestPersistentStorage', () => {
  it('asks once per page and reports the answer', async () => {
    resetPersistRequest();
    const storage = { persisted: vi.fn(async () => false), persist: vi.fn(async () => true) };
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(storage.persist).toHaveBeenCalledTimes(1);
  });

  it('does not ask again when already persistent', async () => {
    resetPersistRequest();
    const storage = { persisted: vi.fn(async () => true), persist: vi.fn(async () => true) };
    expect(await requestPersistentStorage(storage)).toBe(true);
    expect(storage.persist).not.toHaveBeenCalled();
  });

  it('degrades when the API is missing or throws', async () => {
    resetPersistRequest();
    expect(await requestPersistentStorage(undefined)).toBe(false);
    resetPersistRequest();
    expect(
      await requestPersistentStorage({
        persist: async () => {
          throw new Error('denied');
        },
      }),
    ).toBe(false);
  });
});
