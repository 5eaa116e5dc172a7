import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { enrollDevice, openDevice } from '../../src/app/device';
import { loadPublicWindow, openPhone } from '../../src/app/phone';
import { newId } from '../../src/domain/ids';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import { runBackgroundSync } from '../../src/sync/background';
import { DEVICE_SYNC_LOCK } from '../../src/sync/session';
import { backends } from '../support/databases';
import { startTestServer } from '../support/server';
import { evaluatorFixture } from './evaluator-fixture';
import { ManualTimers } from './fake-api';
import { FakeBus, FakeLocks, fakeTab, settle } from './fake-browser';
import { DELIVERED_RATINGS, count, ratingFor } from './helpers';

const { server, running, ratingsFrom } = evaluatorFixture();

describe('two tabs of one tablet', () => {
  it('sync through one tab, and both show the same status', async () => {
    const settings = new DeviceSettings(memoryStore());
    const dbName = `tabs-${newId()}`;
    const shared = { locks: new FakeLocks(), bus: new FakeBus() };
    const base = { baseUrl: server().url, settings, dbName, random: () => 0.5 };
    await enrollDevice(await server().enroll('evaluator'), undefined, base);

    const openTab = async () => {
      const timers = new ManualTimers();
      const browser = fakeTab(shared);
      const device = (await openDevice({
        ...base,
        triggers: browser.env,
        setTimeout: timers.setTimeout,
        clearTimeout: timers.clearTimeout,
      }))!;
      running.push(device);
      await settle();
      return { device, timers, browser };
    };
    const a = await openTab();
    const b = await openTab();
    expect(a.device.engine).not.toBe(b.device.engine);
    // The leader syncs on start (a timer at 0 ms); the other tab has nothing scheduled.
    expect(b.timers.pending.size).toBe(0);
    a.timers.fireAll();
    await a.device.engine.whenIdle();
    await settle();
    expect(b.device.status.get().lastSuccessAt).toBe(a.device.status.get().lastSuccessAt);
    expect(b.device.status.get().lastSuccessAt).not.toBeNull();

    // A rating taken in the other tab is synced by the leader shortly after.
    await b.device.recordRating(ratingFor(server().seed.windows[0]!));
    expect(b.device.status.get().pending).toBe(1);
    await settle();
    expect(b.timers.pending.size).toBe(0);
    expect([...a.timers.pending.values()].map((t) => t.ms)).toEqual([1000]);
    a.timers.fireAll();
    await a.device.engine.whenIdle();
    await settle();
    expect(await ratingsFrom(a.device.credentials.deviceId)).toBe(1);
    expect(a.device.status.get().pending).toBe(0);
    expect(b.device.status.get().pending).toBe(0);

    // Reference data pulled by the leader reaches the other tab's screens.
    let windows = 0;
    b.device.onReference((ref) => (windows = Object.keys(ref.windows).length));
    expect(windows).toBe(server().seed.windows.length);
  });
});

describe('Background Sync', () => {
  it('runs one round for the enrolled device and the phone, when no tab holds the lock', async () => {
    const settings = new DeviceSettings(memoryStore());
    const deviceDbName = `bg-device-${newId()}`;
    const phoneDbName = `bg-phone-${newId()}`;
    const base = { baseUrl: server().url, settings, triggers: false as const };
    await enrollDevice(await server().enroll('evaluator'), undefined, {
      ...base,
      dbName: deviceDbName,
    });
    const device = (await openDevice({ ...base, dbName: deviceDbName }))!;
    for (let i = 0; i < 3; i++) await device.recordRating(ratingFor(server().seed.windows[0]!));
    device.stop();

    const w = server().seed.windows.find((x) => x.code === 'E01')!;
    const sig = new URLSearchParams(w.ratingPath.split('?')[1]).get('s')!;
    const phone = await openPhone(w.code, sig, await loadPublicWindow(w.code, sig, base), {
      ...base,
      dbName: phoneDbName,
    });
    const phoneEvent = await phone.recordRating(ratingFor(w));
    phone.stop();

    const locks = new FakeLocks();
    // A tab holds the lock: the worker leaves the syncing to it.
    let releaseTab!: () => void;
    void locks.request(DEVICE_SYNC_LOCK, {}, () => new Promise<void>((r) => (releaseTab = r)));
    await settle();
    await runBackgroundSync({ settings, baseUrl: server().url, locks, deviceDbName, phoneDbName });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(0);
    expect(
      await count(server(), `SELECT count(*) AS n FROM ${DELIVERED_RATINGS} WHERE event_id = $1`, [
        phoneEvent.id,
      ]),
    ).toBe(1);

    releaseTab();
    await settle();
    await runBackgroundSync({ settings, baseUrl: server().url, locks, deviceDbName, phoneDbName });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(3);
  });

  it('fails when the network is down, so the browser tries again later', async () => {
    const settings = new DeviceSettings(memoryStore());
    const deviceDbName = `bg-device-${newId()}`;
    await enrollDevice(await server().enroll('evaluator'), undefined, {
      baseUrl: server().url,
      settings,
      dbName: deviceDbName,
    });
    const device = (await openDevice({
      baseUrl: server().url,
      settings,
      dbName: deviceDbName,
      triggers: false,
    }))!;
    await device.recordRating(ratingFor(server().seed.windows[0]!));
    device.stop();
    await expect(
      runBackgroundSync({ settings, baseUrl: 'http://127.0.0.1:9', locks: null, deviceDbName }),
    ).rejects.toThrow(/offline/);
  });

  it('does nothing on a browser that is neither enrolled nor a phone', async () => {
    const settings = new DeviceSettings(memoryStore());
    await expect(
      runBackgroundSync({ settings, baseUrl: 'http://127.0.0.1:9', locks: null }),
    ).resolves.toBeUndefined();
    expect(await settings.existingPhoneId()).toBeUndefined();
  });
});

// Runs wherever the test PostgreSQL exists (always under CI, where its absence fails the run).
for (const backend of backends.filter((b) => b.name === 'postgres'))
  describe(`on ${backend.name} as well`, () => {
    it('delivers ratings exactly once', async () => {
      const pg = await startTestServer({ backend: 'postgres' });
      try {
        const settings = new DeviceSettings(memoryStore());
        const options = {
          baseUrl: pg.url,
          settings,
          dbName: `pg-${newId()}`,
          triggers: false as const,
        };
        await enrollDevice(await pg.enroll('evaluator'), undefined, options);
        const device = (await openDevice(options))!;
        running.push(device);
        for (let i = 0; i < 10; i++) await device.recordRating(ratingFor(pg.seed.windows[0]!));
        expect((await device.syncNow()).ok).toBe(true);
        expect((await device.syncNow()).ok).toBe(true);
        expect(
          await count(pg, `SELECT count(*) AS n FROM ${DELIVERED_RATINGS} WHERE device_id = $1`, [
            device.credentials.deviceId,
          ]),
        ).toBe(10);
        expect(Object.keys((await device.store.reference()).windows)).toHaveLength(
          pg.seed.windows.length,
        );
      } finally {
        await pg.close();
      }
    });
  });
