import { describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../../src/app/device-api';
import { newId } from '../../src/domain/ids';
import { emptyReference, type Reference } from '../../src/domain/reference';
import {
  START_SNAPSHOT_KEY,
  earlyStart,
  keepStartSnapshot,
  loadStartSnapshot,
} from '../../src/screens/evaluator/start-snapshot';

const windowId = newId();
const departmentId = newId();
const version = { hlc: '0', id: newId() };

function reference(): Reference {
  const ref = emptyReference();
  ref.hall = { name: '市民服务中心', nameEn: 'Citizen Service Centre' };
  ref.departments[departmentId] = {
    id: departmentId,
    code: 'TAX',
    name: '税务',
    sort: 1,
    active: true,
    version,
  };
  const other = newId();
  ref.departments[other] = { id: other, code: 'X', name: '其他', sort: 2, active: true, version };
  ref.windows[windowId] = {
    id: windowId,
    departmentId,
    code: 'A01',
    name: 'A01 窗口',
    sort: 1,
    active: true,
    version,
  };
  ref.settings.armedRatingSeconds = 20;
  ref.settings.kioskIdleSeconds = 45;
  return ref;
}

function credentials(over: Partial<DeviceCredentials> = {}): DeviceCredentials {
  return {
    deviceId: newId(),
    token: 't',
    hallId: newId(),
    role: 'evaluator',
    windowId,
    enrolledAt: new Date().toISOString(),
    ...over,
  };
}

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

describe('the evaluator start snapshot', () => {
  it('gives back the hall, the window, its department and the settings for the same device', () => {
    const storage = memoryStorage();
    const creds = credentials();
    keepStartSnapshot(storage, creds, reference());
    const ref = loadStartSnapshot(storage, creds)!;
    expect(ref.hall).toEqual({ name: '市民服务中心', nameEn: 'Citizen Service Centre' });
    expect(ref.windows[windowId]?.name).toBe('A01 窗口');
    expect(ref.departments[departmentId]?.name).toBe('税务');
    // Only what the start screen shows is kept.
    expect(Object.keys(ref.departments)).toEqual([departmentId]);
    expect(ref.settings.armedRatingSeconds).toBe(20);
    expect(ref.settings.kioskIdleSeconds).toBe(45);
    expect(ref.leaders).toEqual({});
  });

  it('is not used for another device or another window', () => {
    const storage = memoryStorage();
    const creds = credentials();
    keepStartSnapshot(storage, creds, reference());
    expect(loadStartSnapshot(storage, { ...creds, deviceId: newId() })).toBeNull();
    expect(loadStartSnapshot(storage, { ...creds, windowId: newId() })).toBeNull();
    expect(loadStartSnapshot(storage, { ...creds, windowId: null })).toBeNull();
  });

  it('keeps nothing for a window the reference does not know', () => {
    const storage = memoryStorage();
    keepStartSnapshot(storage, credentials({ windowId: newId() }), reference());
    expect(storage.items.size).toBe(0);
  });

  it('reads damaged or foreign contents as nothing kept', () => {
    const storage = memoryStorage();
    const creds = credentials();
    for (const text of ['{', 'null', '42', '"x"', JSON.stringify({ deviceId: creds.deviceId })]) {
      storage.items.set(START_SNAPSHOT_KEY, text);
      expect(loadStartSnapshot(storage, creds)).toBeNull();
    }
  });

  it('works on without storage, or with storage that refuses', () => {
    const creds = credentials();
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => keepStartSnapshot(refusing, creds, reference())).not.toThrow();
    expect(loadStartSnapshot(refusing, creds)).toBeNull();
    expect(() => keepStartSnapshot(null, creds, reference())).not.toThrow();
    expect(loadStartSnapshot(null, creds)).toBeNull();
  });
});

describe('earlyStart', () => {
  it('gives the credentials and the kept start screen of an enrolled evaluator', async () => {
    const storage = memoryStorage();
    const creds = credentials();
    keepStartSnapshot(storage, creds, reference());
    const start = await earlyStart(async () => creds, storage);
    expect(start?.credentials).toBe(creds);
    expect(start?.reference.windows[windowId]?.code).toBe('A01');
  });

  it('gives nothing when not enrolled, enrolled otherwise, unusable, or never shown', async () => {
    const storage = memoryStorage();
    const creds = credentials();
    keepStartSnapshot(storage, creds, reference());
    expect(await earlyStart(async () => undefined, storage)).toBeNull();
    expect(
      await earlyStart(async () => {
        throw new Error('IndexedDB unavailable');
      }, storage),
    ).toBeNull();
    expect(await earlyStart(async () => ({ ...creds, role: 'duty_kiosk' }), storage)).toBeNull();
    // A key storage handed back damaged cannot sign: the device will say it is not enrolled.
    const damaged = { ...creds, key: {} as CryptoKeyPair };
    expect(await earlyStart(async () => damaged, storage)).toBeNull();
    expect(await earlyStart(async () => credentials(), storage)).toBeNull();
  });
});
