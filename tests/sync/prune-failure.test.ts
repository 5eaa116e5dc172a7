import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { HallKioskDb } from '../../src/storage/db';
import { evaluatorFixture } from './evaluator-fixture';
import { ratingFor } from './helpers';

const { server, evaluator, ratingsFrom } = evaluatorFixture();
const DAY_MS = 86_400_000;

/** Make the `nth` transaction from now on fail (as a full disk or a crashed backend would). */
function failTransaction(db: HallKioskDb, nth: number) {
  const original = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  let calls = 0;
  return vi.spyOn(db, 'transaction').mockImplementation(((...args: unknown[]) => {
    calls += 1;
    if (calls === nth) return Promise.reject(new Error('QuotaExceededError'));
    return original(...args);
  }) as never);
}

describe('a prune that fails half-way', () => {
  it('loses nothing, keeps the device working and is done by the next run', async () => {
    let ahead = 0;
    const { device } = await evaluator({ now: () => Date.now() + ahead });
    const window = server().seed.windows[0]!;
    for (let i = 0; i < 6; i++) await device.recordRating(ratingFor(window));
    expect((await device.syncNow()).ok).toBe(true);
    const pulled = await device.store.hall.count();
    expect(pulled).toBeGreaterThan(0);

    // A hundred days on, the run deletes the own log, then fails on the pulled events.
    ahead = 100 * DAY_MS;
    const failing = failTransaction(device.store.db, 2);
    expect(await device.prune(true)).toBeNull();
    failing.mockRestore();
    expect(await device.store.db.log.count()).toBe(0);
    expect(await device.store.hall.count()).toBe(pulled);
    // It does not try again at once on its own …
    expect(await device.prune()).toBeNull();

    // … and the device rates and syncs on meanwhile: the chain continues from its head.
    ahead = 0;
    await device.recordRating(ratingFor(window));
    expect(device.status.get().pending).toBe(1);
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(7);

    // The next run finishes what the failed one left, and what was synced since (the rating
    // pulled back is held in the log only).
    const cursor = await device.store.cursor();
    ahead = 100 * DAY_MS;
    expect(await device.prune(true)).toMatchObject({ log: 1, hallEvents: pulled });
    expect(await device.store.db.log.count()).toBe(0);
    expect(await device.store.hall.count()).toBe(0);
    expect(await device.store.cursor()).toBe(cursor);
    expect(device.status.get()).toMatchObject({ pending: 0, rejected: 0 });
  });
});

describe('a device pruning by itself', () => {
  it('leaves the first minute to the screen, then looks after a sync at most once an hour', async () => {
    let ahead = 0;
    const { device } = await evaluator({ now: () => Date.now() + ahead, autoPrune: true });
    const looks = vi.spyOn(device, 'prune');
    const window = server().seed.windows[0]!;
    await device.recordRating(ratingFor(window));
    expect((await device.syncNow()).ok).toBe(true);
    expect(looks).not.toHaveBeenCalled();

    ahead = 61_000;
    await device.recordRating(ratingFor(window));
    expect((await device.syncNow()).ok).toBe(true);
    expect(looks).toHaveBeenCalledTimes(1);
    expect(await looks.mock.results[0]!.value).toMatchObject({ log: 0, hallEvents: 0 });

    // The next sync within the hour looks again, and the look does nothing.
    ahead = 120_000;
    await device.recordRating(ratingFor(window));
    expect((await device.syncNow()).ok).toBe(true);
    expect(looks).toHaveBeenCalledTimes(2);
    expect(await looks.mock.results[1]!.value).toBeNull();
  });
});
