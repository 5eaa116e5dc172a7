import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hallTimeMs } from '../../src/domain/schedule';
import type { PullResponse } from '../../src/sync/protocol';
import type { FleetDevice, FleetResponse } from '../../src/sync/report-protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { consoleClient, consoleCookie, enrollRole, type Console } from './duty-support';
import { count, enrollDevice, push, pushOk, type TestDevice } from './helpers';

const at = (date: string, time: string) => hallTimeMs(date, time);
const iso = (date: string, time: string) => new Date(at(date, time)).toISOString();

const HEALTH = {
  storageUsage: 12_345_678,
  storageQuota: 987_654_321,
  persisted: true,
  appVersion: '0.1.0+abc1234',
};

describe.each(backends)('fleet health on $name', ({ name }) => {
  let server: TestServer;
  let admin: Console;
  let clock = at('2026-03-03', '08:00'); // Tuesday, before opening
  let first: TestDevice;
  let second: TestDevice;
  let kiosk: TestDevice;
  let tablet: TestDevice;

  const pull = async (d: TestDevice): Promise<PullResponse> => {
    const res = await server.app.inject({
      url: '/api/v1/sync/pull?after=0&limit=1',
      headers: d.authorization(),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<PullResponse>();
  };
  const getFleet = async (): Promise<FleetResponse> => {
    const res = await admin.get('/api/v1/admin/fleet');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<FleetResponse>();
  };
  const deviceIn = (f: FleetResponse, id: string): FleetDevice =>
    f.devices.find((d) => d.id === id)!;

  beforeAll(async () => {
    server = await startTestServer({ backend: name, now: () => clock });
    admin = consoleClient(server, await consoleCookie(server));
    const windows = server.seed.windows;
    first = await enrollDevice(server, windows[0]!.code, () => clock);
    second = await enrollDevice(server, windows[1]!.code, () => clock);
    kiosk = await enrollRole(server, 'duty_kiosk', () => clock);
    tablet = await enrollRole(server, 'inspection_tablet', () => clock);

    clock = at('2026-03-03', '09:00');
    await pull(kiosk);
    expect((await admin.post(`/api/v1/admin/devices/${tablet.deviceId}/revoke`)).statusCode).toBe(
      200,
    );

    // The first evaluator rates at 16:00 and reports its health and 3 records waiting.
    clock = at('2026-03-03', '16:00');
    const res = await push(
      server.app,
      first,
      [first.rating(server, {}, { at: iso('2026-03-03', '16:00') })],
      {
        pending: 3,
        health: HEALTH,
      },
    );
    expect(res.statusCode, res.body).toBe(200);

    clock = at('2026-03-04', '09:30');
    await pull(second);
    clock = at('2026-03-04', '10:00'); // Wednesday
    admin = consoleClient(server, await consoleCookie(server));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists every device with what it last reported, revoked ones last', async () => {
    const f = await getFleet();
    expect(f.serverTime).toBe(iso('2026-03-04', '10:00'));
    expect(f.silentEvaluatorMinutes).toBe(120);
    expect(f.openingHours).toEqual({ open: '09:00', close: '17:00' });
    expect(f.devices.map((d) => d.id).at(-1)).toBe(tablet.deviceId);
    expect(f.devices).toHaveLength(4);

    const w0 = server.seed.windows[0]!;
    expect(deviceIn(f, first.deviceId)).toEqual({
      id: first.deviceId,
      name: null,
      role: 'evaluator',
      window: { id: w0.id, code: w0.code, name: w0.name },
      enrolledAt: iso('2026-03-03', '08:00'),
      lastSeenAt: iso('2026-03-03', '16:00'),
      pending: 3,
      health: { ...HEALTH, reportedAt: iso('2026-03-03', '16:00') },
      lastRatingAt: iso('2026-03-03', '16:00'),
      revokedAt: null,
    });
    expect(deviceIn(f, second.deviceId)).toMatchObject({
      lastSeenAt: iso('2026-03-04', '09:30'),
      health: null,
      lastRatingAt: null,
    });
    expect(deviceIn(f, kiosk.deviceId)).toMatchObject({ role: 'duty_kiosk', window: null });
    expect(deviceIn(f, tablet.deviceId).revokedAt).toBe(iso('2026-03-03', '09:00'));
  });

  it('alerts on silent evaluators over opening hours and devices out of contact for a day', async () => {
    const f = await getFleet();
    // First: 16:00–17:00 Tuesday and 09:00–10:00 Wednesday are 120 minutes of opening hours.
    // Second: never rated since its enrollment on Tuesday 08:00. The kiosk was last seen 25 hours
    // ago. The revoked tablet is never reported.
    expect(f.alerts).toEqual(
      expect.arrayContaining([
        { deviceId: first.deviceId, kind: 'silent_evaluator', since: iso('2026-03-03', '16:00') },
        { deviceId: second.deviceId, kind: 'silent_evaluator', since: iso('2026-03-03', '08:00') },
        { deviceId: kiosk.deviceId, kind: 'not_synced', since: iso('2026-03-03', '09:00') },
      ]),
    );
    expect(f.alerts).toHaveLength(3);

    clock = at('2026-03-04', '09:59');
    const earlier = await getFleet();
    expect(earlier.alerts.filter((a) => a.deviceId === first.deviceId)).toEqual([]);
    clock = at('2026-03-04', '10:00');
  });

  it('keeps the health it had when a push reports a bad one, and stores the events anyway', async () => {
    clock = at('2026-03-04', '10:05');
    const res = await push(
      server.app,
      first,
      [first.rating(server, {}, { at: iso('2026-03-04', '10:05') })],
      {
        health: { storageUsage: 'lots', appVersion: 7 },
      },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ results: { status: string }[] }>().results[0]!.status).toBe('stored');
    const d = deviceIn(await getFleet(), first.deviceId);
    expect(d.health).toEqual({ ...HEALTH, reportedAt: iso('2026-03-03', '16:00') });
    expect(d.lastRatingAt).toBe(iso('2026-03-04', '10:05'));
    expect(d.lastSeenAt).toBe(iso('2026-03-04', '10:05'));
    clock = at('2026-03-04', '10:00');
  });

  it('renames a device, and an empty name clears it', async () => {
    const res = await admin.ok<{ device: FleetDevice }>(`/api/v1/admin/devices/${kiosk.deviceId}`, {
      name: '  一楼大厅坐班终端 ',
    });
    expect(res.device.name).toBe('一楼大厅坐班终端');
    expect(deviceIn(await getFleet(), kiosk.deviceId).name).toBe('一楼大厅坐班终端');
    expect((await pull(kiosk)).device).toEqual({ name: '一楼大厅坐班终端', windowId: null });
    await admin.ok(`/api/v1/admin/devices/${kiosk.deviceId}`, { name: '' });
    expect(deviceIn(await getFleet(), kiosk.deviceId).name).toBeNull();
  });

  it('refuses what cannot be changed with its reason', async () => {
    const reason = async (id: string, body: object) => {
      const res = await admin.post(`/api/v1/admin/devices/${id}`, body);
      return [res.statusCode, res.json<{ error: string }>().error];
    };
    const w1 = server.seed.windows[1]!;
    expect(await reason(kiosk.deviceId, { windowId: w1.id })).toEqual([400, 'not_evaluator']);
    expect(await reason(first.deviceId, { windowId: 'no-such-window' })).toEqual([
      400,
      'unknown_window',
    ]);
    expect(await reason(first.deviceId, {})).toEqual([400, 'invalid_body']);
    expect(await reason(first.deviceId, { name: 'x'.repeat(61) })).toEqual([400, 'invalid_body']);
    expect(await reason('0190a0a0-0000-7000-8000-000000000000', { name: 'x' })).toEqual([
      404,
      'unknown_device',
    ]);
    expect(await reason(tablet.deviceId, { name: 'x' })).toEqual([409, 'revoked']);

    // A closed window cannot be bound.
    const closed = server.seed.windows.at(-1)!;
    await server.db.query('UPDATE windows SET active = false WHERE id = $1', [closed.id]);
    try {
      expect(await reason(first.deviceId, { windowId: closed.id })).toEqual([
        400,
        'unknown_window',
      ]);
    } finally {
      await server.db.query('UPDATE windows SET active = true WHERE id = $1', [closed.id]);
    }
  });

  it('binds an evaluator to another window: it is told on its pull, and ratings taken before still count', async () => {
    const [w0, , w2] = server.seed.windows;
    clock = at('2026-03-04', '11:00');
    const before = first.rating(server, { windowId: w0!.id }, { at: iso('2026-03-04', '10:50') });

    const { device } = await admin.ok<{ device: FleetDevice }>(
      `/api/v1/admin/devices/${first.deviceId}`,
      {
        windowId: w2!.id,
      },
    );
    expect(device.window).toEqual({ id: w2!.id, code: w2!.code, name: w2!.name });
    expect((await pull(first)).device).toEqual({ name: null, windowId: w2!.id });

    // Captured before the change, sent after it: still the old window's.
    const late = first.rating(server, { windowId: w0!.id }, { at: iso('2026-03-04', '11:05') });
    const now = first.rating(server, { windowId: w2!.id }, { at: iso('2026-03-04', '11:06') });
    const answer = await pushOk(server.app, first, [before, late, now]);
    expect(answer.results.map((r) => r.status)).toEqual(['stored', 'rejected', 'stored']);
    expect(answer.results[1]).toMatchObject({ reason: 'wrong_window' });
    expect(
      await count(server, 'ratings', 'device_id = $1 AND window_id = $2', [first.deviceId, w0!.id]),
    ).toBe(3);
    expect(
      await count(server, 'ratings', 'device_id = $1 AND window_id = $2', [first.deviceId, w2!.id]),
    ).toBe(1);

    // Bound back: the first window again from now on, the second window's ratings between stay valid.
    clock = at('2026-03-04', '12:00');
    await admin.ok(`/api/v1/admin/devices/${first.deviceId}`, { windowId: w0!.id });
    const between = first.rating(server, { windowId: w2!.id }, { at: iso('2026-03-04', '11:30') });
    const after = first.rating(server, { windowId: w2!.id }, { at: iso('2026-03-04', '12:01') });
    const again = await pushOk(server.app, first, [between, after]);
    expect(again.results.map((r) => r.status)).toEqual(['stored', 'rejected']);
  });
});
