import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { eventHash } from '../../src/domain/device';
import { pruneDevice } from '../../src/storage/prune';
import { evaluatorFixture } from './evaluator-fixture';
import { count, ratingFor } from './helpers';

const { server, evaluator, ratingsFrom } = evaluatorFixture();
const DAY_MS = 86_400_000;

describe('a device pruned in mid-life', () => {
  it('keeps pushing its chain and pulling from its cursor', async () => {
    const { device } = await evaluator();
    const window = server().seed.windows[0]!;
    const deviceId = device.credentials.deviceId;
    for (let i = 0; i < 6; i++) await device.recordRating(ratingFor(window));
    expect((await device.syncNow()).ok).toBe(true);
    const cursor = await device.store.cursor();
    const pulledBefore = await device.store.hall.count();
    expect(cursor).toBeGreaterThan(0);

    // Today nothing is old enough: the device's own prune deletes nothing.
    expect(await device.prune(true)).toMatchObject({ log: 0, hallEvents: 0 });
    // It looks at most once an hour unless forced.
    expect(await device.prune()).toBeNull();
    // A hundred days on, everything the server acknowledged goes.
    const pruned = await pruneDevice(device.store.db, {
      now: Date.now() + 100 * DAY_MS,
      retentionDays: 90,
    });
    expect(pruned.log).toBe(6);
    expect(pruned.hallEvents).toBe(pulledBefore);
    expect(await device.store.db.log.count()).toBe(0);
    expect(await device.store.cursor()).toBe(cursor);

    // It rates on, the chain continues from the head kept in meta, and the server takes it all.
    for (let i = 0; i < 4; i++) await device.recordRating(ratingFor(window));
    expect(device.status.get().pending).toBe(4);
    const sync = await device.syncNow();
    expect(sync).toMatchObject({ ok: true, pushed: 4 });
    expect(device.status.get()).toMatchObject({ pending: 0, rejected: 0 });
    expect(await ratingsFrom(deviceId)).toBe(10);
    const seqs = await server().db.query<{ device_seq: string | number }>(
      'SELECT device_seq FROM events WHERE device_id = $1 ORDER BY device_seq',
      [deviceId],
    );
    expect(seqs.map((r) => Number(r.device_seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const [head] = await server().db.query<{ last_seq: number; last_hash: string }>(
      'SELECT last_seq, last_hash FROM devices WHERE id = $1',
      [deviceId],
    );
    const last = (await device.store.db.log.orderBy('deviceSeq').last())!;
    expect(Number(head!.last_seq)).toBe(10);
    expect(head!.last_hash).toBe(eventHash(last.event));

    // The pull went on from the cursor, past the hall's new events, none of the pruned again.
    // They are this device's own ratings, which its log holds: the server leaves them out.
    expect(sync.pulled).toBe(0);
    expect(await device.store.cursor()).toBe(cursor + 4);
    expect(await device.store.hall.count()).toBe(0);
    expect(
      await count(server(), 'SELECT count(*) AS n FROM events WHERE hall_id = $1', [
        server().seed.hall.id,
      ]),
    ).toBe(pulledBefore + 10);
  });
});
