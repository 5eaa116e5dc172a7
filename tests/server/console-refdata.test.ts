import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { DEFAULT_SETTINGS } from '../../src/domain/reference';
import { newHallSecret } from '../../src/server/crypto';
import { insertHall } from '../../src/server/repos/halls';
import { createConsoleWriter, writeConsoleEvents } from '../../src/server/services/console-writer';
import type { ReferenceResponse } from '../../src/sync/reference-protocol';
import { backends } from '../support/databases';
import { PipelineHall } from './console-support';
import { count } from './helpers';

describe.each(backends)('console reference data pages on $name', ({ name }) => {
  let hall: PipelineHall;

  beforeAll(async () => {
    hall = await PipelineHall.open(name, Date.parse('2026-03-20T02:00:00Z'));
  });
  afterAll(() => hall.close());

  const reference = async () => {
    const res = await hall.admin.get('/api/v1/admin/reference');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ReferenceResponse>();
  };
  const saveItem = (payload: object) =>
    hall.admin.post('/api/v1/admin/ref', { type: 'ref.serviceItemSaved', payload });
  const itemEvents = () =>
    count(hall.server, 'events', "type = 'ref.serviceItemSaved' AND hall_id = $1", [
      hall.server.seed.hall.id,
    ]);

  it('lists departments with their leaders, windows and the default settings', async () => {
    const ref = await reference();
    const seed = hall.server.seed;
    expect(ref.departments.map((d) => d.id).sort()).toEqual(
      seed.departments.map((d) => d.id).sort(),
    );
    expect(ref.windows).toHaveLength(seed.windows.length);
    expect(ref.serviceItems).toEqual([]);
    for (const d of ref.departments) {
      const leaders = seed.leaders.filter((l) => l.departmentId === d.id).length;
      expect(d.leaders, d.code).toBe(leaders);
    }
    expect(ref.settings).toEqual(DEFAULT_SETTINGS);
    // The demo hall writes its first settings (the defaults) when it is created.
    expect([...ref.setByHall].sort()).toEqual([
      'kioskIdleSeconds',
      'levelCodeMap',
      'phoneRatingIntervalMinutes',
    ]);
    const anon = await hall.server.app.inject({ url: '/api/v1/admin/reference' });
    expect(anon.statusCode).toBe(401);
  });

  it('keeps a deactivated department and window, and a new window of a new department', async () => {
    const departmentId = newId();
    const windowId = newId();
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.departmentSaved',
      payload: { departmentId, code: 'WJW', name: '卫健委', sort: 900, active: true },
    });
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.windowSaved',
      payload: { windowId, departmentId, code: 'W01', name: '卫健综合窗口', sort: 1, active: true },
    });
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.windowSaved',
      payload: {
        windowId,
        departmentId,
        code: 'W01',
        name: '卫健综合窗口',
        sort: 1,
        active: false,
      },
    });
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.departmentSaved',
      payload: {
        departmentId,
        code: 'WJW',
        name: '卫生健康委员会',
        nameEn: 'Health Commission',
        sort: 900,
        active: false,
      },
    });
    const ref = await reference();
    expect(ref.departments.at(-1)).toEqual({
      id: departmentId,
      code: 'WJW',
      name: '卫生健康委员会',
      nameEn: 'Health Commission',
      sort: 900,
      active: false,
      leaders: 0,
    });
    expect(ref.windows.find((w) => w.id === windowId)).toEqual({
      id: windowId,
      departmentId,
      code: 'W01',
      name: '卫健综合窗口',
      sort: 1,
      active: false,
    });
  });

  it('adds, renames, withdraws and restores service items, refusing a code used twice', async () => {
    const tax = hall.department(hall.server.seed.departments[0]!.code);
    const other = hall.server.seed.departments[1]!;
    const a = newId();
    const b = newId();
    expect(
      (
        await saveItem({
          serviceItemId: a,
          departmentId: tax.id,
          code: 'SX001',
          name: '发票领用',
          sort: 20,
          active: true,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await saveItem({
          serviceItemId: b,
          departmentId: tax.id,
          code: 'SX002',
          name: '税务登记',
          sort: 10,
          active: true,
        })
      ).statusCode,
    ).toBe(200);
    // Renamed with an English name, then withdrawn: the latest version stands.
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.serviceItemSaved',
      payload: {
        serviceItemId: a,
        departmentId: tax.id,
        code: 'SX001',
        name: '发票申领',
        nameEn: 'Invoices',
        sort: 20,
        active: true,
      },
    });
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.serviceItemSaved',
      payload: {
        serviceItemId: a,
        departmentId: tax.id,
        code: 'SX001',
        name: '发票申领',
        nameEn: 'Invoices',
        sort: 20,
        active: false,
      },
    });
    let ref = await reference();
    expect(ref.serviceItems).toEqual([
      { id: b, departmentId: tax.id, code: 'SX002', name: '税务登记', sort: 10, active: true },
      {
        id: a,
        departmentId: tax.id,
        code: 'SX001',
        name: '发票申领',
        nameEn: 'Invoices',
        sort: 20,
        active: false,
      },
    ]);

    // A code already used (in any letter case, in any department of the hall) is refused.
    const before = await itemEvents();
    const dup = await saveItem({
      serviceItemId: newId(),
      departmentId: other.id,
      code: 'sx001',
      name: '另一事项',
      sort: 30,
      active: true,
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.json()).toMatchObject({
      error: 'duplicate_code',
      issues: [{ code: 'duplicate_code' }],
    });
    // So is an unknown department, and an empty name (as an issue of its field).
    const unknown = await saveItem({
      serviceItemId: newId(),
      departmentId: newId(),
      code: 'SX009',
      name: '事项',
      sort: 1,
      active: true,
    });
    expect(unknown.json()).toMatchObject({ error: 'unknown_department' });
    const empty = await saveItem({
      serviceItemId: newId(),
      departmentId: tax.id,
      code: 'SX010',
      name: ' ',
      sort: 1,
      active: true,
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({
      issues: [{ path: 'payload.name', code: 'invalid_min_length' }],
    });
    expect(await itemEvents()).toBe(before);

    // Restored; its own code is not a duplicate of itself.
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.serviceItemSaved',
      payload: {
        serviceItemId: a,
        departmentId: tax.id,
        code: 'SX001',
        name: '发票申领',
        sort: 20,
        active: true,
      },
    });
    ref = await reference();
    expect(ref.serviceItems.find((s) => s.id === a)).toEqual({
      id: a,
      departmentId: tax.id,
      code: 'SX001',
      name: '发票申领',
      sort: 20,
      active: true,
    });
  });

  it('refuses a service item of another hall, and another hall may reuse a code', async () => {
    const otherHall = newId();
    const now = hall.clock;
    await hall.server.db.tx(async (tx) => {
      await insertHall(
        tx,
        { id: otherHall, name: '分中心', nameEn: null, secret: newHallSecret() },
        new Date(now).toISOString(),
      );
      await createConsoleWriter(tx, otherHall, now);
    });
    const { serviceItems } = await reference();
    const mine = serviceItems[0]!;
    const otherDepartment = newId();
    await hall.server.db.tx((tx) =>
      writeConsoleEvents(
        tx,
        otherHall,
        [
          {
            type: 'ref.departmentSaved',
            payload: {
              departmentId: otherDepartment,
              code: 'SW',
              name: '税务局',
              sort: 1,
              active: true,
            },
          },
          {
            type: 'ref.serviceItemSaved',
            payload: {
              serviceItemId: newId(),
              departmentId: otherDepartment,
              code: mine.code,
              name: '同码事项',
              sort: 1,
              active: true,
            },
          },
        ],
        now,
      ),
    );
    const moved = hall.server.db.tx((tx) =>
      writeConsoleEvents(
        tx,
        otherHall,
        [
          {
            type: 'ref.serviceItemSaved',
            payload: {
              serviceItemId: mine.id,
              departmentId: otherDepartment,
              code: 'SX200',
              name: mine.name,
              sort: mine.sort,
              active: true,
            },
          },
        ],
        now,
      ),
    );
    await expect(moved).rejects.toMatchObject({ status: 400, code: 'unknown_service_item' });
    // A department of the other hall is not this hall's.
    const foreign = await saveItem({
      serviceItemId: newId(),
      departmentId: otherDepartment,
      code: 'SX100',
      name: '事项',
      sort: 1,
      active: true,
    });
    expect(foreign.json()).toMatchObject({ error: 'unknown_department' });
    // This hall's list is unchanged.
    expect((await reference()).serviceItems).toEqual(serviceItems);
  });

  it('shows settings the hall saved over the defaults, and which they are', async () => {
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.settingsSaved',
      payload: {
        rankingWeights: { satisfaction: 50, attendance: 10, rectification: 25, timeliness: 15 },
        openingHours: { open: '08:30', close: '17:30' },
        levelCodeMap: 'ascending',
      },
    });
    const bad = await hall.admin.post('/api/v1/admin/ref', {
      type: 'ref.settingsSaved',
      payload: { openingHours: { open: '18:00', close: '09:00' } },
    });
    expect(bad.statusCode).toBe(400);
    const ref = await reference();
    expect(ref.settings).toEqual({
      ...DEFAULT_SETTINGS,
      rankingWeights: { satisfaction: 50, attendance: 10, rectification: 25, timeliness: 15 },
      openingHours: { open: '08:30', close: '17:30' },
      levelCodeMap: 'ascending',
    });
    expect([...ref.setByHall].sort()).toEqual([
      'kioskIdleSeconds',
      'levelCodeMap',
      'openingHours',
      'phoneRatingIntervalMinutes',
      'rankingWeights',
    ]);
  });
});
