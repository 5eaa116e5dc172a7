/**
 * A newer version of the app upgrading the device database from another tab: this tab's
 * connection closes at once (so the upgrade is not blocked), reports that it is outdated, and
 * refuses writes with a reason instead of dropping them or reopening under the old schema.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { WriteError } from '../../src/app/device-api';
import { openDb } from '../../src/storage/db';
import { toWriteError } from '../../src/storage/errors';
import { currentStorageChange, onStorageChange } from '../../src/storage/storage-change';

/** Open `name` natively one version up, as a newer app would; resolves with how it went. */
function upgradeElsewhere(name: string, version: number): Promise<'upgraded' | 'blocked'> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, version);
    open.onupgradeneeded = () => open.result.createObjectStore('newerTable');
    open.onblocked = () => resolve('blocked');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      open.result.close();
      resolve('upgraded');
    };
  });
}

describe('a schema upgrade from another tab', () => {
  it('closes this tab’s database, says it is outdated, and refuses later writes', async () => {
    const name = `schema-change-${Math.random()}`;
    const db = await openDb(name);
    await db.putMeta('cursor', 7);
    const seen: (string | null)[] = [];
    const stop = onStorageChange((change) => seen.push(change));
    expect(currentStorageChange()).toBeNull();

    expect(await upgradeElsewhere(name, db.verno * 10 + 10)).toBe('upgraded');
    expect(currentStorageChange()).toBe('outdated');
    expect(seen).toEqual([null, 'outdated']);
    expect(db.isOpen()).toBe(false);

    // A write from the old code fails (not silently), and reads as a refusal with a reason.
    const failure = await db.putMeta('cursor', 8).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).not.toBeNull();
    const refusal = toWriteError(failure);
    expect(refusal).toBeInstanceOf(WriteError);
    expect(refusal.code).toBe('storage_unavailable');
    expect(refusal.message).toMatch(/reload/);
    stop();

    // What was stored before is all there for the new version.
    const reopened = await openDb(name);
    expect(await reopened.getMeta('cursor')).toBe(7);
    reopened.close();
  });
});
