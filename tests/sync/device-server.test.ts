import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { EnrollError, enrollDevice, forgetDevice, openDevice } from '../../src/app/device';
import { eventHash } from '../../src/domain/device';
import { activeWindows } from '../../src/domain/reference';
import { API } from '../../src/sync/protocol';
import type { SyncStatus } from '../../src/sync/status';
import { startTestServer } from '../support/server';
import { evaluatorFixture } from './evaluator-fixture';
import {
  DELIVERED_RATINGS,
  adminCookie,
  count,
  deviceOptions,
  enrolledEvaluator,
  ratingFor,
  tappedFetch,
} from './helpers';

const { server, running, evaluator, ratingsFrom } = evaluatorFixture();

describe('enrollment', () => {
  it('trades a code for credentials bound to the window, and opens the device', async () => {
    const { options } = deviceOptions(server());
    expect(await openDevice(options)).toBeNull();
    const code = await server().enroll('evaluator', 'B02');
    const credentials = await enrollDevice(code, 'B02 评价器', options);
    const window = server().seed.windows.find((w) => w.code === 'B02')!;
    expect(credentials).toMatchObject({
      role: 'evaluator',
      windowId: window.id,
      hallId: server().seed.hall.id,
    });
    const device = (await openDevice(options))!;
    running.push(device);
    expect(device.credentials).toEqual(credentials);

    await forgetDevice(options);
    expect(await openDevice(options)).toBeNull();
  });

  it('answers each refusal with its code', async () => {
    const { options } = deviceOptions(server());
    const reason = (p: Promise<unknown>) =>
      p.then(
        () => 'enrolled',
        (e: EnrollError) => e.code,
      );

    expect(await reason(enrollDevice('ZZZZ-ZZZZ', undefined, options))).toBe('invalid_code');
    const code = await server().enroll('evaluator');
    await enrollDevice(code, undefined, options);
    expect(await reason(enrollDevice(code, undefined, deviceOptions(server()).options))).toBe(
      'used_code',
    );
    const offline = deviceOptions(server(), { baseUrl: 'http://127.0.0.1:9' }).options;
    expect(await reason(enrollDevice(await server().enroll('evaluator'), undefined, offline))).toBe(
      'offline',
    );
  });

  it('enrolls again only after the previous device delivered what it holds, and never drops it', async () => {
    const tap = tappedFetch();
    const { device, options } = await evaluator({ fetch: tap.fetch });
    const window = server().seed.windows[0]!;
    for (let i = 0; i < 3; i++) await device.recordRating(ratingFor(window));
    device.stop();

    // The server cannot be reached for pushes: the new enrollment is refused, the code unspent.
    tap.hook = async (path) => {
      if (path === `${API}/sync/push`) throw new TypeError('network down');
      return undefined;
    };
    const code = await server().enroll('evaluator', 'A02');
    const refused = await enrollDevice(code, undefined, options).catch((e: EnrollError) => e);
    expect(refused).toBeInstanceOf(EnrollError);
    expect((refused as EnrollError).code).toBe('unsynced_records');
    const old = (await openDevice(options))!;
    running.push(old);
    expect(old.credentials.deviceId).toBe(device.credentials.deviceId);
    await old.engine.refreshCounts();
    expect(old.status.get().pending).toBe(3);
    old.stop();
    running.pop();

    // With the network back, the same code works and the three ratings arrived first.
    tap.hook = null;
    const credentials = await enrollDevice(code, undefined, options);
    expect(credentials.windowId).toBe(server().seed.windows.find((w) => w.code === 'A02')!.id);
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(3);
  });

  it('answers an expired code as expired', async () => {
    let now = Date.now();
    const timed = await startTestServer({ now: () => now });
    try {
      const code = await timed.enroll('evaluator');
      now += 25 * 3600_000;
      const error = await enrollDevice(code, undefined, deviceOptions(timed).options).catch(
        (e: EnrollError) => e,
      );
      expect(error).toBeInstanceOf(EnrollError);
      expect((error as EnrollError).code).toBe('expired_code');
    } finally {
      await timed.close();
    }
  });
});

describe('push to the real server', () => {
  it('delivers 25 ratings exactly once, even when an answer is lost', async () => {
    const tap = tappedFetch();
    const { device } = await evaluator({ fetch: tap.fetch });
    const window = server().seed.windows[0]!;
    for (let i = 0; i < 25; i++)
      await device.recordRating(ratingFor(window, { ticket: `A${1000 + i}` }));
    expect(device.status.get().pending).toBe(25);

    // The server stores the batch, but its answer never reaches the tablet.
    tap.hook = async (path, real) => {
      if (path !== `${API}/sync/push`) return undefined;
      tap.hook = null;
      await real();
      throw new TypeError('fetch failed');
    };
    const lost = await device.syncNow();
    expect(lost).toMatchObject({ ok: false, error: 'offline' });
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(25);
    expect(device.status.get()).toMatchObject({ pending: 25, lastError: 'offline' });

    const again = await device.syncNow();
    expect(again.ok).toBe(true);
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(25);
    expect(
      await count(server(), 'SELECT count(*) AS n FROM events WHERE device_id = $1', [
        device.credentials.deviceId,
      ]),
    ).toBe(25);
    expect(device.status.get()).toMatchObject({ pending: 0, rejected: 0, lastError: null });

    // The server holds the same chain the tablet wrote.
    const [head] = await server().db.query<{ last_seq: number; last_hash: string }>(
      'SELECT last_seq, last_hash FROM devices WHERE id = $1',
      [device.credentials.deviceId],
    );
    const log = await device.store.log.all();
    expect(Number(head!.last_seq)).toBe(25);
    expect(head!.last_hash).toBe(eventHash(log[24]!.event));
  });

  it('keeps a refused event with its reason and does not let it block later ones', async () => {
    const { device } = await evaluator();
    const [own, other] = server().seed.windows;
    await device.recordRating(ratingFor(own!));
    // A rating of another window, forged past the screens, straight into the store.
    await device.store.ratings.record({
      hallId: device.credentials.hallId,
      deviceId: device.credentials.deviceId,
      payload: { ...ratingFor(other!), channel: 'hall_tablet', phoneId: null, dutySessionId: null },
    });
    await device.recordRating(ratingFor(own!));
    const result = await device.syncNow();
    expect(result.ok).toBe(true);
    expect(device.status.get()).toMatchObject({ pending: 0, rejected: 1 });
    const [refused] = await device.store.log.rejected();
    expect(refused).toMatchObject({ deviceSeq: 2, status: 'rejected', reason: 'wrong_window' });
    expect(refused!.message).toBeTruthy();
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(2);

    await device.recordRating(ratingFor(own!));
    expect((await device.syncNow()).ok).toBe(true);
    expect(await ratingsFrom(device.credentials.deviceId)).toBe(3);
    expect(device.status.get().rejected).toBe(1);
  });

  it(
    'splits more than 500 waiting events into batches the server accepts',
    { timeout: 120_000 },
    async () => {
      const tap = tappedFetch();
      const { device } = await evaluator({ fetch: tap.fetch });
      const window = server().seed.windows[0]!;
      for (let i = 0; i < 1100; i++) await device.recordRating(ratingFor(window));
      const result = await device.syncNow();
      expect(result).toMatchObject({ ok: true, pushed: 1100 });
      expect(tap.count(`${API}/sync/push`)).toBe(3);
      expect(await ratingsFrom(device.credentials.deviceId)).toBe(1100);
      expect(device.status.get().pending).toBe(0);
    },
  );
});

describe('pull from the real server', () => {
  it('folds the hall’s reference data and advances the cursor, page by page', async () => {
    const tap = tappedFetch();
    const { device } = await evaluator({ fetch: tap.fetch, pullLimit: 7 });
    const seen: number[] = [];
    device.onReference((ref) => seen.push(Object.keys(ref.windows).length));
    expect(seen).toEqual([0]);

    const result = await device.syncNow();
    expect(result.ok).toBe(true);
    const ref = await device.store.reference();
    expect(Object.keys(ref.departments)).toHaveLength(server().seed.departments.length);
    expect(activeWindows(ref).map((w) => w.code)).toEqual(
      [...server().seed.windows].map((w) => w.code).sort(),
    );
    expect(ref.hall?.name).toBe(server().seed.hall.name);
    const [{ n: hallEvents }] = (await server().db.query<{ n: string }>(
      'SELECT max(hall_seq) AS n FROM events WHERE hall_id = $1',
      [server().seed.hall.id],
    )) as [{ n: string }];
    expect(await device.store.cursor()).toBe(Number(hallEvents));
    const pulls = tap.count(`${API}/sync/pull`);
    expect(pulls).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(server().seed.windows.length);

    // The console renames a window: the next round brings just that.
    const cookie = await adminCookie(server());
    const w = server().seed.windows[0]!;
    const saved = await server().app.inject({
      method: 'POST',
      url: '/api/v1/admin/ref',
      headers: { cookie },
      payload: {
        type: 'ref.windowSaved',
        payload: {
          windowId: w.id,
          departmentId: w.departmentId,
          code: w.code,
          name: `${w.code} 综合窗口`,
          sort: 1,
          active: true,
        },
      },
    });
    expect(saved.statusCode).toBe(200);
    expect((await device.syncNow()).ok).toBe(true);
    expect(tap.count(`${API}/sync/pull`)).toBe(pulls + 1);
    expect((await device.store.reference()).windows[w.id]!.name).toBe(`${w.code} 综合窗口`);
    expect(await device.store.cursor()).toBe(Number(hallEvents) + 1);
  });
});

describe('when things go wrong', () => {
  it('backs off while the server cannot store, honouring Retry-After, then recovers', async () => {
    const tap = tappedFetch();
    let down = false;
    const wrapped = await startTestServer({
      wrapDb: (db) => ({
        ...db,
        tx: (fn) => (down ? Promise.reject(new Error('database unavailable')) : db.tx(fn)),
      }),
    });
    try {
      const { device, timers } = await enrolledEvaluator(wrapped, { fetch: tap.fetch });
      running.push(device);
      const window = wrapped.seed.windows[0]!;
      for (let i = 0; i < 3; i++) await device.recordRating(ratingFor(window));

      down = true;
      const failed = await device.syncNow();
      expect(failed.error).toBe('server_unavailable');
      expect(device.status.get().lastError).toBe('server_unavailable');
      expect(device.engine.retryDelayMs).toBeGreaterThanOrEqual(5000); // Retry-After: 5

      down = false;
      timers.fireAll();
      await device.engine.whenIdle();
      expect(device.status.get()).toMatchObject({ lastError: null, pending: 0 });
      expect(
        await count(
          wrapped,
          `SELECT count(*) AS n FROM ${DELIVERED_RATINGS} WHERE device_id = $1`,
          [device.credentials.deviceId],
        ),
      ).toBe(3);
    } finally {
      await wrapped.close();
    }
  });

  it('reports offline when the server is gone, backs off longer each time, and recovers', async () => {
    const tap = tappedFetch();
    let gone = false;
    tap.hook = async () => {
      if (gone) return fetch('http://127.0.0.1:9/', { signal: AbortSignal.timeout(2000) }); // nothing listens there
      return undefined;
    };
    const { device, timers } = await evaluator({ fetch: tap.fetch });
    await device.recordRating(ratingFor(server().seed.windows[0]!));
    gone = true;
    const delays: number[] = [];
    const statuses: SyncStatus[] = [];
    device.onStatus((s) => statuses.push(s));
    expect((await device.syncNow()).error).toBe('offline');
    for (let i = 0; i < 4; i++) {
      delays.push(device.engine.retryDelayMs!);
      timers.fireAll();
      await device.engine.whenIdle();
    }
    expect(delays).toEqual([990, 1980, 3960, 7920]);
    expect(device.status.get()).toMatchObject({ lastError: 'offline', pending: 1 });
    expect(statuses.some((s) => s.syncing)).toBe(true);

    gone = false;
    timers.fireAll();
    await device.engine.whenIdle();
    expect(device.status.get()).toMatchObject({ lastError: null, pending: 0 });
    expect(device.engine.retryDelayMs).toBeNull();
  });

  it('reports offline against a closed server, and keeps every record', async () => {
    const doomed = await startTestServer();
    const { device } = await enrolledEvaluator(doomed);
    running.push(device);
    await device.recordRating(ratingFor(doomed.seed.windows[0]!));
    await doomed.close();
    expect((await device.syncNow()).error).toBe('offline');
    expect(device.status.get()).toMatchObject({ lastError: 'offline', pending: 1 });
    expect(device.engine.retryDelayMs).not.toBeNull();
  });

  it('says so when the device was revoked, and keeps its records', async () => {
    const { device } = await evaluator();
    const window = server().seed.windows[0]!;
    await device.recordRating(ratingFor(window));
    expect((await device.syncNow()).ok).toBe(true);
    await device.recordRating(ratingFor(window));

    const cookie = await adminCookie(server());
    const revoked = await server().app.inject({
      method: 'POST',
      url: `/api/v1/admin/devices/${device.credentials.deviceId}/revoke`,
      headers: { cookie },
    });
    expect(revoked.statusCode).toBeLessThan(300);

    const result = await device.syncNow();
    expect(result.error).toBe('revoked');
    expect(device.status.get()).toMatchObject({ lastError: 'revoked', pending: 1 });
    expect(device.engine.retryDelayMs).toBeNull();
    expect(await device.store.log.all()).toHaveLength(2);
  });

  it('says unauthorized when the token is not known', async () => {
    const { options } = deviceOptions(server());
    await enrollDevice(await server().enroll('evaluator'), undefined, options);
    const settings = options.settings!;
    const credentials = (await settings.loadCredentials())!;
    await settings.saveCredentials({ ...credentials, token: 'not-a-token' });
    const device = (await openDevice(options))!;
    running.push(device);
    expect((await device.syncNow()).error).toBe('unauthorized');
  });
});

describe('the device layer', () => {
  it('fills channel, phone and duty fields, and counts what waits', async () => {
    const { device } = await evaluator();
    const event = await device.recordRating(
      ratingFor(server().seed.windows[0]!, { ticket: '  T-9  ' }),
    );
    expect(event.payload).toMatchObject({
      channel: 'hall_tablet',
      phoneId: null,
      dutySessionId: null,
      ticket: 'T-9',
    });
    expect(device.status.get().pending).toBe(1);
    const duplicate = await device
      .recordRating(ratingFor(server().seed.windows[0]!, { ticket: 'T-9' }))
      .catch((e) => e);
    expect(duplicate.code).toBe('duplicate_ticket');
  });

  it('shows a full disk as state, and clears it on the next successful write', async () => {
    const { device } = await evaluator();
    const window = server().seed.windows[0]!;
    await device.recordRating(ratingFor(window));
    const full = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    device.store.db.log.hook('creating', full);
    const error = await device.recordRating(ratingFor(window)).catch((e) => e);
    expect(error.code).toBe('storage_full');
    expect(device.status.get()).toMatchObject({ storageFull: true, pending: 1 });
    device.store.db.log.hook('creating').unsubscribe(full);
    await device.recordRating(ratingFor(window));
    expect(device.status.get()).toMatchObject({ storageFull: false, pending: 2 });
  });

  it('remembers the last successful sync across restarts', async () => {
    const { device, options } = await evaluator();
    await device.recordRating(ratingFor(server().seed.windows[0]!));
    await device.syncNow();
    const at = device.status.get().lastSuccessAt;
    expect(at).not.toBeNull();
    device.stop();
    await new Promise((r) => setImmediate(r));
    const again = (await openDevice(options))!;
    running.push(again);
    expect(again.status.get().lastSuccessAt).toBe(at);
    expect(again.status.get().pending).toBe(0);
    // The reference pulled earlier is there at once, offline.
    let windows = 0;
    again.onReference((ref) => (windows = Object.keys(ref.windows).length));
    expect(windows).toBe(server().seed.windows.length);
  });

  it('learns the server clock offset on enrollment and sync', async () => {
    const skewed = await startTestServer({ now: () => Date.now() + 10 * 60_000 });
    try {
      const { device } = await enrolledEvaluator(skewed);
      running.push(device);
      expect(device.status.get().clockOffsetMs).toBeGreaterThan(10 * 60_000 - 2000);
      expect(device.status.get().clockOffsetMs).toBeLessThan(10 * 60_000 + 2000);
      const event = await device.recordRating(ratingFor(skewed.seed.windows[0]!));
      expect((await device.syncNow()).ok).toBe(true);
      expect(Date.parse(event.hlc.slice(0, 24)) - Date.parse(event.at)).toBeGreaterThan(
        10 * 60_000 - 2000,
      );
    } finally {
      await skewed.close();
    }
  });
});
