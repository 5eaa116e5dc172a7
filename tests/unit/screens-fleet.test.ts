import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { createAdminApi, type FetchLike } from '../../src/screens/admin/admin-api';
import { AdminState } from '../../src/screens/admin/admin-state.svelte';
import { ageOf, alertKinds, bytesText, deviceAlerts } from '../../src/screens/admin/fleet-view';
import type { FleetDevice, FleetResponse } from '../../src/sync/report-protocol';

const NOW = Date.parse('2026-03-04T02:00:00Z');

function device(over: Partial<FleetDevice> = {}): FleetDevice {
  return {
    id: newId(),
    name: 'A01 评价器',
    role: 'evaluator',
    window: { id: newId(), code: 'A01', name: '综合受理' },
    enrolledAt: '2026-03-01T00:00:00.000Z',
    lastSeenAt: '2026-03-04T01:00:00.000Z',
    pending: 0,
    health: null,
    lastRatingAt: null,
    revokedAt: null,
    ...over,
  };
}

function fleet(devices: FleetDevice[], alerts: FleetResponse['alerts'] = []): FleetResponse {
  return {
    serverTime: new Date(NOW).toISOString(),
    silentEvaluatorMinutes: 120,
    openingHours: { open: '09:00', close: '17:00' },
    devices,
    alerts,
  };
}

describe('fleet view', () => {
  it('says how long ago in the largest whole unit', () => {
    const ago = (ms: number) => ageOf(new Date(NOW - ms).toISOString(), NOW);
    expect(ago(30_000)).toEqual({ unit: 'now' });
    expect(ago(-60_000)).toEqual({ unit: 'now' });
    expect(ago(5 * 60_000)).toEqual({ unit: 'minutes', n: 5 });
    expect(ago(3 * 3_600_000 + 59 * 60_000)).toEqual({ unit: 'hours', n: 3 });
    expect(ago(49 * 3_600_000)).toEqual({ unit: 'days', n: 2 });
  });

  it('writes bytes in the unit a person reads', () => {
    expect(bytesText(512)).toBe('512 B');
    expect(bytesText(2048)).toBe('2 KB');
    expect(bytesText(52_428_800)).toBe('50.0 MB');
    expect(bytesText(2_147_483_648)).toBe('2.0 GB');
  });

  it('pairs each alert with its device and marks the devices alerted', () => {
    const a = device();
    const b = device({ role: 'duty_kiosk', window: null });
    const f = fleet(
      [a, b],
      [
        { deviceId: a.id, kind: 'silent_evaluator', since: a.enrolledAt },
        { deviceId: a.id, kind: 'not_synced', since: a.enrolledAt },
        { deviceId: 'gone', kind: 'not_synced', since: a.enrolledAt },
      ],
    );
    expect(deviceAlerts(f).map((x) => [x.device.id, x.alert.kind])).toEqual([
      [a.id, 'silent_evaluator'],
      [a.id, 'not_synced'],
    ]);
    expect(alertKinds(f).get(a.id)).toEqual(['silent_evaluator', 'not_synced']);
    expect(alertKinds(f).has(b.id)).toBe(false);
  });
});

function scripted(routes: Record<string, (body: unknown) => [number, unknown]>) {
  const seen: { key: string; body: unknown }[] = [];
  const fetchFn: FetchLike = async (input, init) => {
    const key = `${init?.method ?? 'GET'} ${input}`;
    const body = init?.body ? JSON.parse(init.body as string) : undefined;
    seen.push({ key, body });
    const route = routes[key];
    if (!route)
      return new Response(JSON.stringify({ error: 'not_found', message: key }), { status: 404 });
    const [status, answer] = route(body);
    return new Response(JSON.stringify(answer), { status });
  };
  return { fetchFn, seen };
}

describe('AdminState devices', () => {
  it('loads the fleet for the devices tab, renames and binds, and reloads', async () => {
    const d = device();
    const windowId = newId();
    let current = fleet([d]);
    const server = scripted({
      'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
      'GET /api/v1/admin/windows': () => [
        200,
        { hall: { id: newId(), name: '中心' }, windows: [] },
      ],
      'GET /api/v1/admin/fleet': () => [200, current],
      [`POST /api/v1/admin/devices/${d.id}`]: (body) => {
        const change = body as { name?: string; windowId?: string };
        const changed = {
          ...d,
          ...(change.name !== undefined ? { name: change.name || null } : {}),
          ...(change.windowId
            ? { window: { id: change.windowId, code: 'B01', name: '社保' } }
            : {}),
        };
        current = fleet([changed]);
        return [200, { device: changed }];
      },
    });
    const admin = new AdminState(createAdminApi(server.fetchFn));
    await admin.start();
    admin.show('devices');
    await admin.devices.refresh();
    expect(admin.devices.data?.devices[0]?.name).toBe('A01 评价器');

    expect(await admin.changeDevice(d.id, { name: '一号窗口平板', windowId })).toBe(true);
    expect(server.seen.find((s) => s.key.startsWith('POST'))?.body).toEqual({
      name: '一号窗口平板',
      windowId,
    });
    expect(admin.devices.data?.devices[0]).toMatchObject({
      name: '一号窗口平板',
      window: { id: windowId },
    });
    expect(admin.actionError).toBeNull();
    expect(admin.busy).toBe(false);
  });

  it('keeps the server refusal with its reason code', async () => {
    const id = newId();
    const server = scripted({
      'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
      [`POST /api/v1/admin/devices/${id}`]: () => [
        400,
        { error: 'not_evaluator', message: 'Only a window evaluator is bound to a window.' },
      ],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn));
    await admin.start();
    expect(await admin.changeDevice(id, { windowId: newId() })).toBe(false);
    expect(admin.actionError?.code).toBe('not_evaluator');
    expect(admin.session).toBe('signedIn');
  });
});
