import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { APP_VERSION, readDeviceHealth } from '../../src/app/device';
import { EvaluatorState } from '../../src/screens/evaluator/evaluator-state.svelte';
import type { DeviceHealth } from '../../src/sync/report-protocol';
import { evaluatorFixture } from './evaluator-fixture';
import { manualTime } from '../unit/manual-time';
import { DELIVERED_RATINGS, adminCookie, count, ratingFor } from './helpers';

const { server, evaluator, ratingsFrom } = evaluatorFixture();

interface HealthRow {
  usage: string | number | null;
  quota: string | number | null;
  persisted: boolean | null;
  version: string | null;
  at: Date | null;
}

async function storedHealth(deviceId: string): Promise<HealthRow> {
  const [row] = await server().db.query<HealthRow>(
    `SELECT storage_usage AS usage, storage_quota AS quota, storage_persisted AS persisted,
       app_version AS version, health_at AS at FROM devices WHERE id = $1`,
    [deviceId],
  );
  return row!;
}

const HEALTH: DeviceHealth = {
  storageUsage: 52_428_800,
  storageQuota: 2_147_483_648,
  persisted: true,
  appVersion: '0.1.0+test',
};

describe('device health', () => {
  it('is reported with a push and stored by the server', async () => {
    let asked = 0;
    const { device } = await evaluator({
      health: async () => {
        asked++;
        return HEALTH;
      },
    });
    const window = server().seed.windows[0]!;
    await device.recordRating(ratingFor(window));
    const round = await device.syncNow();
    expect(round).toMatchObject({ ok: true, pushed: 1 });
    expect(asked).toBe(1);
    const row = await storedHealth(device.credentials.deviceId);
    expect({ ...row, usage: Number(row.usage), quota: Number(row.quota) }).toMatchObject({
      usage: HEALTH.storageUsage,
      quota: HEALTH.storageQuota,
      persisted: true,
      version: '0.1.0+test',
    });
    expect(row.at).not.toBeNull();

    // A round with nothing to push asks nothing and sends nothing.
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 0 });
    expect(asked).toBe(1);
  });

  it('does not stop a sync when the provider throws', async () => {
    const { device } = await evaluator({
      health: () => Promise.reject(new Error('storage manager went away')),
    });
    const window = server().seed.windows[0]!;
    await device.recordRating(ratingFor(window));
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(1);
    expect(await storedHealth(device.credentials.deviceId)).toMatchObject({
      usage: null,
      version: null,
      at: null,
    });
  });

  it('reads the storage estimate, persistence and the app version, null for what the browser cannot tell', async () => {
    expect(
      await readDeviceHealth({
        estimate: async () => ({ usage: 1_000, quota: 50_000 }),
        persisted: async () => false,
      }),
    ).toEqual({
      storageUsage: 1_000,
      storageQuota: 50_000,
      persisted: false,
      appVersion: APP_VERSION,
    });
    expect(
      await readDeviceHealth({
        estimate: () => Promise.reject(new Error('SecurityError')),
        persisted: () => {
          throw new Error('not here');
        },
      }),
    ).toEqual({ storageUsage: null, storageQuota: null, persisted: null, appVersion: APP_VERSION });
    expect(await readDeviceHealth(undefined)).toMatchObject({
      storageUsage: null,
      persisted: null,
    });
    // package.json's version and the build, set by the build.
    expect(APP_VERSION).toMatch(/^\d+\.\d+\.\d+\+\S+$/);
  });
});

describe('binding an evaluator to another window', () => {
  it('is learnt with the next sync; a rating taken before it still counts for the old window', async () => {
    const [w0, , w2] = server().seed.windows;
    const { device } = await evaluator({}, w0!.code);
    let told = 0;
    device.onReference(() => told++);
    await device.recordRating(ratingFor(w0!)); // not synced yet

    const cookie = await adminCookie(server());
    const res = await server().app.inject({
      method: 'POST',
      url: `/api/v1/admin/devices/${device.credentials.deviceId}`,
      headers: { cookie },
      payload: { windowId: w2!.id },
    });
    expect(res.statusCode, res.body).toBe(200);

    const toldBefore = told;
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    expect(device.status.get().rejected).toBe(0);
    expect(device.credentials.windowId).toBe(w2!.id);
    expect(told).toBeGreaterThan(toldBefore);

    await device.recordRating(ratingFor(w2!));
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    const byWindow = (windowId: string) =>
      count(
        server(),
        `SELECT count(*) AS n FROM ${DELIVERED_RATINGS} WHERE device_id = $1 AND window_id = $2`,
        [device.credentials.deviceId, windowId],
      );
    expect(await byWindow(w0!.id)).toBe(1);
    expect(await byWindow(w2!.id)).toBe(1);
    expect(device.status.get().rejected).toBe(0);
  });

  it('makes the evaluator screen show and rate the new window after the sync', async () => {
    const [w0, w1] = server().seed.windows;
    const { device } = await evaluator({}, w0!.code);
    await device.syncNow();
    const state = new EvaluatorState({
      openDevice: async () => device,
      updates: { onWaiting: () => () => {}, apply: async () => {} },
      timers: manualTime().timers,
    });
    await state.start();
    expect(state.window?.id).toBe(w0!.id);

    const cookie = await adminCookie(server());
    const res = await server().app.inject({
      method: 'POST',
      url: `/api/v1/admin/devices/${device.credentials.deviceId}`,
      headers: { cookie },
      payload: { windowId: w1!.id },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(state.window?.id).toBe(w0!.id);
    await device.syncNow();
    expect(state.window?.id).toBe(w1!.id);

    state.choose('very_satisfied');
    await expect.poll(() => state.step).toBe('thanks');
    expect(await device.syncNow()).toMatchObject({ ok: true, pushed: 1 });
    expect(
      await count(
        server(),
        `SELECT count(*) AS n FROM ${DELIVERED_RATINGS} WHERE device_id = $1 AND window_id = $2`,
        [device.credentials.deviceId, w1!.id],
      ),
    ).toBe(1);
    state.stop();
  });
});
