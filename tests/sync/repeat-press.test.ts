import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { REPEAT_PRESS_MS } from '../../src/domain/rating-integrity';
import { evaluatorFixture } from './evaluator-fixture';
import { count, ratingFor } from './helpers';

const { server, evaluator } = evaluatorFixture();

describe('repeated presses on an evaluator', () => {
  it('count once: the extra presses are written, synced and kept for audit, never counted', async () => {
    let clock = Date.parse('2026-11-20T02:00:00Z');
    const { device } = await evaluator({ now: () => clock });
    const window = server().seed.windows.find((w) => w.id === device.credentials.windowId)!;

    const first = await device.recordRating(ratingFor(window));
    clock += 800;
    const second = await device.recordRating(ratingFor(window, { level: 'satisfied' }));
    clock += 3000;
    const third = await device.recordRating(ratingFor(window));
    // A 差评 always counts, however soon.
    clock += 500;
    const poor = await device.recordRating(
      ratingFor(window, { level: 'very_dissatisfied', comment: '态度不好' }),
    );
    // Five seconds after the last press, the next citizen's rating counts.
    clock += REPEAT_PRESS_MS;
    const next = await device.recordRating(ratingFor(window));

    expect(first.payload.repeatOf).toBeUndefined();
    expect(second.payload.repeatOf).toBe(first.id);
    expect(third.payload.repeatOf).toBe(first.id);
    expect(poor.payload.repeatOf).toBeUndefined();
    expect(next.payload.repeatOf).toBeUndefined();

    expect((await device.syncNow()).ok).toBe(true);
    const counted = await server().db.query<{ id: string }>(
      'SELECT event_id AS id FROM ratings WHERE device_id = $1 ORDER BY at',
      [device.credentials.deviceId],
    );
    expect(counted.map((r) => r.id)).toEqual([first.id, poor.id, next.id]);
    const extras = await server().db.query<{ id: string; repeatOf: string }>(
      'SELECT event_id AS id, repeat_of AS "repeatOf" FROM rating_extras WHERE device_id = $1 ORDER BY at',
      [device.credentials.deviceId],
    );
    expect(extras).toEqual([
      { id: second.id, repeatOf: first.id },
      { id: third.id, repeatOf: first.id },
    ]);
    // Every press is in the log the server keeps.
    expect(
      await count(server(), 'SELECT count(*) AS n FROM events WHERE device_id = $1', [
        device.credentials.deviceId,
      ]),
    ).toBe(5);
    // Nothing refused: the device's queue is empty.
    expect((await device.store.counts()).pending).toBe(0);
  });

  it('the server refuses a 差评 marked as a repeat (a complaint always counts)', async () => {
    const { device } = await evaluator();
    const window = server().seed.windows.find((w) => w.id === device.credentials.windowId)!;
    const first = await device.recordRating(ratingFor(window));
    await expect(
      device.store.ratings.record({
        hallId: device.credentials.hallId,
        deviceId: device.credentials.deviceId,
        payload: {
          ...ratingFor(window, { level: 'dissatisfied', comment: '等太久' }),
          channel: 'hall_tablet',
          phoneId: null,
          dutySessionId: null,
          repeatOf: first.id,
        },
      }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ code: 'poor_rating_not_a_repeat' })],
    });
  });
});
