import { render } from 'svelte/server';
import { beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { DEFAULT_SETTINGS, type HallSettings } from '../../src/domain/reference';
import { locale } from '../../src/i18n';
import {
  createAdminApi,
  type AdminWindow,
  type FetchLike,
  type WindowsResponse,
} from '../../src/screens/admin/admin-api';
import { AdminState } from '../../src/screens/admin/admin-state.svelte';
import DepartmentEntries from '../../src/screens/admin/DepartmentEntries.svelte';
import {
  changedSettings,
  checkEntry,
  checkSettings,
  fieldOfIssue,
  settingsFields,
  sheetsOf,
  sortAfter,
  weightShares,
} from '../../src/screens/admin/reference-forms';
import { formKey } from '../../src/screens/admin/reference-state.svelte';
import ServiceItemsSection from '../../src/screens/admin/ServiceItemsSection.svelte';
import SettingsForm from '../../src/screens/admin/SettingsForm.svelte';
import type { ReferenceResponse } from '../../src/sync/reference-protocol';

const entry = (code: string, name: string, sort: string | number | null = 10) => ({
  code,
  name,
  nameEn: '',
  sort,
});

describe('reference data forms', () => {
  it('checks an entry as the shared validation will', () => {
    expect(checkEntry({ code: ' SW ', name: ' 税务局 ', nameEn: ' Tax ', sort: '20' })).toEqual({
      ok: true,
      value: { code: 'SW', name: '税务局', nameEn: 'Tax', sort: 20 },
    });
    expect(checkEntry(entry('SW', '税务局', 5))).toEqual({
      ok: true,
      value: { code: 'SW', name: '税务局', sort: 5 },
    });
    const problem = (fields: ReturnType<typeof entry>) => {
      const c = checkEntry(fields);
      return c.ok ? null : c.problem;
    };
    expect(problem(entry('', '税务局'))).toEqual({ field: 'code', code: 'required' });
    expect(problem(entry('税务', '税务局'))).toEqual({ field: 'code', code: 'bad_code' });
    expect(problem(entry('SW', '  '))).toEqual({ field: 'name', code: 'required' });
    expect(problem(entry('SW', '税'.repeat(101)))).toEqual({ field: 'name', code: 'too_long' });
    expect(problem(entry('SW', '税务局', null))).toEqual({ field: 'sort', code: 'bad_order' });
    expect(problem(entry('SW', '税务局', '1.5'))).toEqual({ field: 'sort', code: 'bad_order' });
  });

  it('puts a server issue beside its field', () => {
    expect(fieldOfIssue({ path: 'payload.name', code: 'invalid_min_length' })).toBe('name');
    expect(fieldOfIssue({ path: 'payload.rankingWeights.attendance', code: 'x' })).toBe(
      'rankingWeights',
    );
    expect(fieldOfIssue({ path: '', code: 'duplicate_code' })).toBe('code');
    expect(fieldOfIssue({ path: '', code: 'unknown_department' })).toBe('');
    expect(sortAfter([])).toBe(10);
    expect(sortAfter([{ sort: 30 }, { sort: 5 }])).toBe(40);
  });

  it('checks the settings and writes only those changed', () => {
    const fields = settingsFields(DEFAULT_SETTINGS);
    const checked = checkSettings(fields);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(changedSettings(checked.value, DEFAULT_SETTINGS)).toEqual({});

    const next = checkSettings({
      ...fields,
      levelCodeMap: 'ascending',
      weights: { ...fields.weights, satisfaction: '60' },
      close: '17:30',
    });
    expect(next.ok && changedSettings(next.value, DEFAULT_SETTINGS)).toEqual({
      levelCodeMap: 'ascending',
      rankingWeights: { satisfaction: 60, attendance: 20, rectification: 20, timeliness: 20 },
      openingHours: { open: '09:00', close: '17:30' },
    });

    const problem = (change: Partial<typeof fields>) => {
      const c = checkSettings({ ...fields, ...change });
      return c.ok ? null : c.problem;
    };
    const zero = { satisfaction: 0, attendance: 0, rectification: 0, timeliness: 0 };
    expect(problem({ phoneRatingIntervalMinutes: -1 })).toEqual({
      field: 'phoneRatingIntervalMinutes',
      code: 'bad_interval',
    });
    expect(problem({ kioskIdleSeconds: 4 })).toEqual({
      field: 'kioskIdleSeconds',
      code: 'bad_idle',
    });
    expect(problem({ weights: { ...zero, attendance: 101 } })).toEqual({
      field: 'rankingWeights',
      code: 'bad_weight',
    });
    expect(problem({ weights: zero })).toEqual({
      field: 'rankingWeights',
      code: 'at_least_one_weight',
    });
    expect(problem({ open: '9:00' })).toEqual({ field: 'openingHours', code: 'bad_time' });
    expect(problem({ open: '17:00', close: '09:00' })).toEqual({
      field: 'openingHours',
      code: 'open_before_close',
    });
    expect(problem({ silentEvaluatorMinutes: 5 })).toEqual({
      field: 'silentEvaluatorMinutes',
      code: 'bad_silent',
    });
  });

  it('shows ranking weights as shares of 100 %', () => {
    expect(
      weightShares({ satisfaction: 40, attendance: 20, rectification: 20, timeliness: 20 }),
    ).toEqual({ satisfaction: 40, attendance: 20, rectification: 20, timeliness: 20 });
    expect(
      weightShares({ satisfaction: '1', attendance: 1, rectification: 1, timeliness: 0 }),
    ).toEqual({ satisfaction: 33.3, attendance: 33.3, rectification: 33.3, timeliness: 0 });
    const none = { satisfaction: null, attendance: null, rectification: null, timeliness: null };
    expect(
      weightShares({ satisfaction: 0, attendance: 0, rectification: 0, timeliness: 0 }),
    ).toEqual(none);
    expect(
      weightShares({ satisfaction: 50, attendance: '', rectification: 0, timeliness: 0 }),
    ).toEqual(none);
  });

  it('lays cards out on sheets', () => {
    const seven = [1, 2, 3, 4, 5, 6, 7];
    expect(sheetsOf(seven, 4)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7],
    ]);
    expect(sheetsOf(seven, 6)).toHaveLength(2);
    expect(sheetsOf(seven, 1)).toHaveLength(7);
    expect(sheetsOf([], 2)).toEqual([]);
  });
});

/**
 * A console server holding a hall's reference data: POST /ref applies the event as the server's
 * projection would, or answers the refusal set for the next write.
 */
function referenceServer() {
  const tax = newId();
  const social = newId();
  const data: ReferenceResponse = {
    departments: [
      { id: social, code: 'RS', name: '人社局', sort: 20, active: true, leaders: 1 },
      { id: tax, code: 'SW', name: '税务局', sort: 10, active: true, leaders: 2 },
    ],
    windows: [
      { id: newId(), departmentId: tax, code: 'A02', name: '税务二号', sort: 20, active: true },
      { id: newId(), departmentId: tax, code: 'A01', name: '税务一号', sort: 10, active: true },
      { id: newId(), departmentId: social, code: 'B01', name: '社保窗口', sort: 10, active: false },
    ],
    serviceItems: [],
    settings: { ...DEFAULT_SETTINGS },
    setByHall: [],
  };
  const writes: { type: string; payload: Record<string, unknown> }[] = [];
  let refuse: { status: number; body: unknown } | null = null;
  let reads = { reference: 0, windows: 0 };
  const windowsResponse = (): WindowsResponse => ({
    hall: { id: newId(), name: '市民服务中心' },
    windows: data.windows.map((w): AdminWindow => ({
      id: w.id,
      code: w.code,
      name: w.name,
      active: w.active,
      department: { id: w.departmentId, code: '', name: '' },
      ratingPath: `/r/${w.code}`,
      ratingUrl: `http://127.0.0.1/r/${w.code}`,
    })),
  });
  const upsert = <T extends { id: string }>(list: T[], item: T) => {
    const i = list.findIndex((x) => x.id === item.id);
    if (i < 0) list.push(item);
    else list[i] = item;
  };
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
  const fetchFn: FetchLike = async (input, init) => {
    const key = `${init?.method ?? 'GET'} ${input}`;
    if (key === 'GET /api/v1/admin/me') return json(200, { username: 'admin' });
    if (key === 'GET /api/v1/admin/reference') {
      reads.reference++;
      return json(200, structuredClone(data));
    }
    if (key === 'GET /api/v1/admin/windows') {
      reads.windows++;
      return json(200, windowsResponse());
    }
    if (key === 'POST /api/v1/admin/ref') {
      const body = JSON.parse(String(init?.body)) as (typeof writes)[number];
      writes.push(body);
      if (refuse) {
        const r = refuse;
        refuse = null;
        return json(r.status, r.body);
      }
      const { payload: p } = body;
      if (body.type === 'ref.departmentSaved') {
        const { departmentId, ...rest } = p as { departmentId: string };
        const leaders = data.departments.find((d) => d.id === departmentId)?.leaders ?? 0;
        upsert(data.departments, { id: departmentId, ...rest, leaders } as never);
      } else if (body.type === 'ref.windowSaved') {
        const { windowId, ...rest } = p as { windowId: string };
        upsert(data.windows, { id: windowId, ...rest } as never);
      } else if (body.type === 'ref.serviceItemSaved') {
        const { serviceItemId, ...rest } = p as { serviceItemId: string };
        upsert(data.serviceItems, { id: serviceItemId, ...rest } as never);
      } else if (body.type === 'ref.settingsSaved') {
        data.settings = { ...data.settings, ...(p as Partial<HallSettings>) };
      }
      return json(200, { event: { id: newId() } });
    }
    return json(404, { error: 'not_found', message: key });
  };
  return {
    tax,
    social,
    data,
    writes,
    fetchFn,
    reads: () => reads,
    resetReads: () => (reads = { reference: 0, windows: 0 }),
    refuseNext: (status: number, body: unknown) => (refuse = { status, body }),
  };
}

async function openConsole(server: ReturnType<typeof referenceServer>) {
  const admin = new AdminState(createAdminApi(server.fetchFn));
  await admin.start();
  admin.show('departments');
  await expect.poll(() => admin.reference.data.data).not.toBeNull();
  return admin;
}

describe('reference data state', () => {
  let server: ReturnType<typeof referenceServer>;
  beforeEach(() => {
    server = referenceServer();
  });

  it('lists departments, their windows and service items in the hall’s order', async () => {
    const admin = await openConsole(server);
    const ref = admin.reference;
    expect(ref.departments.map((d) => d.code)).toEqual(['SW', 'RS']);
    expect(ref.windowsOf(server.tax).map((w) => w.code)).toEqual(['A01', 'A02']);
    expect(ref.windowsOf(server.social).map((w) => [w.code, w.active])).toEqual([['B01', false]]);
    expect(ref.serviceItemsOf(server.tax)).toEqual([]);
    expect(ref.nextSort('department')).toBe(30);
    expect(ref.nextSort('window', server.tax)).toBe(30);
    // Every reference tab reloads the same data.
    expect(ref.section('settings')).toBe(ref.data);
  });

  it('adds a department and a window of it, reloading what the pages and cards show', async () => {
    const admin = await openConsole(server);
    const ref = admin.reference;
    admin.windows.ensure();
    await expect.poll(() => admin.windows.data).not.toBeNull();

    ref.edit('department:new');
    expect(
      await ref.saveEntry(
        'department',
        { code: 'WJW', name: ' 卫健委 ', nameEn: 'Health', sort: 30 },
        {},
      ),
    ).toBe(true);
    const added = server.writes.at(-1)!;
    expect(added.type).toBe('ref.departmentSaved');
    expect(added.payload).toMatchObject({
      code: 'WJW',
      name: '卫健委',
      nameEn: 'Health',
      sort: 30,
      active: true,
    });
    const departmentId = added.payload.departmentId as string;
    expect(ref.run.done).toBe('added');
    expect(ref.editing).toBeNull();
    expect(ref.departments.map((d) => d.code)).toEqual(['SW', 'RS', 'WJW']);

    server.resetReads();
    const where = formKey('window', 'new', departmentId);
    ref.edit(where);
    expect(await ref.saveEntry('window', entry('W01', '卫健窗口', 10), { departmentId })).toBe(
      true,
    );
    expect(server.writes.at(-1)).toEqual({
      type: 'ref.windowSaved',
      payload: {
        windowId: expect.any(String),
        departmentId,
        code: 'W01',
        name: '卫健窗口',
        sort: 10,
        active: true,
      },
    });
    // The windows list (and with it the cards) is reloaded too.
    expect(server.reads()).toEqual({ reference: 1, windows: 1 });
    expect(admin.windows.data!.windows.map((w) => w.code)).toContain('W01');
    expect(ref.windowsOf(departmentId).map((w) => w.code)).toEqual(['W01']);
  });

  it('keeps a problem found before sending beside its field, and sends nothing', async () => {
    const admin = await openConsole(server);
    const ref = admin.reference;
    ref.edit('department:new');
    expect(await ref.saveEntry('department', entry('', '卫健委'), {})).toBe(false);
    expect(ref.issueAt('department:new', 'code')).toBe('required');
    expect(ref.issueAt('department:new', 'name')).toBeNull();
    expect(ref.issueAt('serviceItem:new:x', 'code')).toBeNull();
    expect(ref.editing).toBe('department:new');
    expect(server.writes).toEqual([]);
  });

  it('shows the server’s refusals beside the field or under the form, and keeps the form open', async () => {
    const admin = await openConsole(server);
    const ref = admin.reference;
    const where = formKey('serviceItem', 'new', server.tax);
    ref.edit(where);
    server.refuseNext(400, {
      error: 'duplicate_code',
      message: 'service item code SX1 is already used by another service item',
      issues: [{ path: '', code: 'duplicate_code', message: 'used' }],
    });
    expect(
      await ref.saveEntry('serviceItem', entry('SX1', '发票申领'), { departmentId: server.tax }),
    ).toBe(false);
    expect(ref.issueAt(where, 'code')).toBe('duplicate_code');
    expect(ref.otherFailure(where, ['code', 'name', 'nameEn', 'sort'])).toBeNull();
    expect(ref.editing).toBe(where);
    expect(ref.run.done).toBeNull();

    server.refuseNext(400, {
      error: 'invalid_min_length',
      message: 'The reference data is not valid.',
      issues: [
        { path: 'payload.name', code: 'invalid_min_length', message: 'payload.name: empty' },
        { path: 'payload', code: 'invalid_type', message: 'payload: odd' },
      ],
    });
    await ref.saveEntry('serviceItem', entry('SX2', '发票申领'), { departmentId: server.tax });
    expect(ref.issueAt(where, 'name')).toBe('invalid_min_length');
    expect(ref.issueAt(where, 'code')).toBeNull();
    expect(ref.otherFailure(where, ['code', 'name'])?.issues).toEqual([
      { path: 'payload', code: 'invalid_type', message: 'payload: odd' },
    ]);

    server.refuseNext(400, { error: 'unknown_department', message: 'gone' });
    await ref.saveEntry('serviceItem', entry('SX3', '发票申领'), { departmentId: server.tax });
    expect(ref.otherFailure(where, ['code', 'name'])).toMatchObject({
      code: 'unknown_department',
    });
    // Nothing was stored by the refused writes.
    expect(server.data.serviceItems).toEqual([]);
  });

  it('withdraws and restores a service item, and deactivates a window keeping its department', async () => {
    const admin = await openConsole(server);
    const ref = admin.reference;
    await ref.saveEntry('serviceItem', entry('SX1', '发票申领', 10), {
      departmentId: server.tax,
    });
    const item = ref.serviceItemsOf(server.tax)[0]!;
    expect(await ref.setActive('serviceItem', item, false)).toBe(true);
    expect(ref.run.done).toBe('withdrawn');
    expect(server.writes.at(-1)!.payload).toEqual({
      serviceItemId: item.id,
      departmentId: server.tax,
      code: 'SX1',
      name: '发票申领',
      sort: 10,
      active: false,
    });
    expect(ref.serviceItemsOf(server.tax)[0]!.active).toBe(false);
    await ref.setActive('serviceItem', ref.serviceItemsOf(server.tax)[0]!, true);
    expect(ref.run.done).toBe('restored');

    const window = ref.windowsOf(server.tax)[0]!;
    await ref.setActive('window', window, false);
    expect(ref.run.done).toBe('deactivated');
    expect(server.writes.at(-1)).toMatchObject({
      type: 'ref.windowSaved',
      payload: { windowId: window.id, departmentId: server.tax, active: false },
    });

    // Renaming keeps the entry's state and department.
    ref.edit(formKey('window', window.id));
    await ref.saveEntry('window', entry('A01', '税务综合一号', 10), { id: window.id });
    expect(server.writes.at(-1)!.payload).toMatchObject({
      windowId: window.id,
      departmentId: server.tax,
      name: '税务综合一号',
      active: false,
    });
    expect(ref.run.done).toBe('saved');
  });

  it('saves only the settings changed, and due days through the same settings', async () => {
    const admin = await openConsole(server);
    const ref = admin.reference;
    const fields = settingsFields(DEFAULT_SETTINGS);
    expect(await ref.saveSettings(fields)).toBe(true);
    expect(ref.run.done).toBe('unchanged');
    expect(server.writes).toEqual([]);

    await ref.saveSettings({
      ...fields,
      weights: { satisfaction: 50, attendance: 10, rectification: 25, timeliness: 15 },
    });
    expect(server.writes).toEqual([
      {
        type: 'ref.settingsSaved',
        payload: {
          rankingWeights: { satisfaction: 50, attendance: 10, rectification: 25, timeliness: 15 },
        },
      },
    ]);
    expect(ref.run.done).toBe('settingsSaved');
    expect(ref.data.data!.settings.rankingWeights.satisfaction).toBe(50);

    expect(await ref.saveSettings({ ...fields, open: '18:00', close: '08:00' })).toBe(false);
    expect(ref.issueAt('settings', 'openingHours')).toBe('open_before_close');
    expect(server.writes).toHaveLength(1);

    expect(
      await ref.saveDueDays({
        ratingCallBackDays: '2',
        ratingRectifyDays: 15,
        walkRectifyDays: 20,
        dutyRectifyDays: 10,
      }),
    ).toBe(true);
    expect(server.writes.at(-1)).toEqual({
      type: 'ref.settingsSaved',
      payload: {
        ratingCallBackDays: 2,
        ratingRectifyDays: 15,
        walkRectifyDays: 20,
        dutyRectifyDays: 10,
      },
    });
    expect(ref.run.done).toBe('dueDaysSaved');
    expect(await ref.saveDueDays({ ...DEFAULT_SETTINGS, walkRectifyDays: 0 })).toBe(false);
    expect(ref.issueAt('dueDays', 'dueDays')).toBe('bad_due_days');
  });

  it('chooses cards per sheet and which windows are printed', async () => {
    const admin = await openConsole(server);
    admin.show('windows');
    await expect.poll(() => admin.windows.data).not.toBeNull();
    const cards = admin.reference.cards;
    const windows = admin.windows.data!.windows;
    expect(cards.perSheet).toBe(1);
    // With none ticked, every active window is printed, one to a sheet.
    expect(cards.printed(windows).map((w) => w.code)).toEqual(['A02', 'A01']);
    expect(cards.sheets(windows)).toHaveLength(2);

    cards.choose(3);
    expect(cards.perSheet).toBe(1);
    cards.choose(4);
    expect(cards.perSheet).toBe(4);
    expect(cards.sheets(windows).map((s) => s.map((w) => w.code))).toEqual([['A02', 'A01']]);

    // A ticked window is printed even when inactive; only ticked ones are printed.
    const inactive = windows.find((w) => w.code === 'B01')!;
    cards.toggle(inactive.id);
    expect(cards.printed(windows).map((w) => w.code)).toEqual(['B01']);
    cards.toggle(windows[0]!.id);
    expect(cards.printed(windows).map((w) => w.code)).toEqual(['A02', 'B01']);
    cards.toggle(inactive.id);
    expect(cards.selected.size).toBe(1);

    // A window no longer listed is forgotten.
    server.data.windows.splice(0, 1);
    await admin.windows.refresh();
    cards.prune();
    expect(cards.selected.size).toBe(0);
    cards.clearSelection();
    expect(cards.printed(admin.windows.data!.windows).map((w) => w.code)).toEqual(['A01']);
  });
});

describe('settings form', () => {
  it('shows the weights as shares and an example of the level codes', async () => {
    await locale.use('admin');
    const server = referenceServer();
    const admin = new AdminState(createAdminApi(server.fetchFn));
    const settings: HallSettings = {
      ...DEFAULT_SETTINGS,
      levelCodeMap: 'ascending',
      rankingWeights: { satisfaction: 50, attendance: 25, rectification: 25, timeliness: 0 },
    };
    const { body } = render(SettingsForm, { props: { reference: admin.reference, settings } });
    expect(body).toContain('占 50%');
    expect(body).toContain('占 25%');
    expect(body).toContain('占 0%');
    expect(body).toContain('1 = 非常不满意');
    expect(body).toContain('5 = 非常满意');
  });
});

describe('a department’s entries', () => {
  const words = {
    empty: '尚无窗口',
    editTitle: '修改窗口',
    newTitle: '新增窗口',
    add: '新增窗口…',
    addLabel: '为税务局新增窗口',
  };

  it('lists the entries in order with the add button, or the empty line', async () => {
    await locale.use('admin');
    const server = referenceServer();
    const admin = await openConsole(server);
    const reference = admin.reference;
    const listed = render(DepartmentEntries, {
      props: {
        reference,
        kind: 'window',
        departmentId: server.tax,
        entries: reference.windowsOf(server.tax),
        words,
        indent: true,
      },
    }).body;
    const codes = [...listed.matchAll(/data-testid="window-entry" data-code="([^"]+)"/g)];
    expect(codes.map((m) => m[1])).toEqual(['A01', 'A02']);
    expect(listed).toMatch(/<ul class="entries [^"]*\bindent"/);
    expect(listed).toContain('aria-label="为税务局新增窗口"');
    expect(listed).not.toContain(words.empty);
    expect(listed).not.toContain('<form');
    expect(listed).toContain('aria-label="停用“税务一号”">停用</button>');
    expect(listed).not.toContain('恢复启用');

    const inactive = render(DepartmentEntries, {
      props: {
        reference,
        kind: 'window',
        departmentId: server.social,
        entries: reference.windowsOf(server.social),
        words,
      },
    }).body;
    expect(inactive).toContain('aria-label="恢复启用“社保窗口”">恢复启用</button>');
    expect(inactive).not.toContain('>停用</button>');

    const item = {
      id: newId(),
      departmentId: server.tax,
      code: 'SW01',
      name: '发票领用',
      sort: 10,
    };
    const items = (active: boolean) =>
      render(DepartmentEntries, {
        props: {
          reference,
          kind: 'serviceItem',
          departmentId: server.tax,
          entries: [{ ...item, active }],
          words,
        },
      }).body;
    expect(items(true)).toContain('aria-label="撤回“发票领用”">撤回</button>');
    expect(items(false)).toContain('aria-label="恢复“发票领用”">恢复</button>');

    const none = render(DepartmentEntries, {
      props: {
        reference,
        kind: 'serviceItem',
        departmentId: server.tax,
        entries: reference.serviceItemsOf(server.tax),
        words,
      },
    }).body;
    expect(none).toContain(words.empty);
    expect(none).not.toMatch(/\bindent"/);
    expect(none).not.toContain('<ul');
    expect(none).toContain(words.add);
  });

  it('shows the new entry’s form for its own department only', async () => {
    await locale.use('admin');
    const server = referenceServer();
    const admin = await openConsole(server);
    const reference = admin.reference;
    reference.edit(formKey('window', 'new', server.tax));
    const props = (departmentId: string) => ({
      reference,
      kind: 'window' as const,
      departmentId,
      entries: reference.windowsOf(departmentId),
      words,
    });
    const open = render(DepartmentEntries, { props: props(server.tax) }).body;
    expect(open).toContain('<form');
    expect(open).toContain(words.newTitle);
    expect(open).not.toContain(words.addLabel);

    const other = render(DepartmentEntries, { props: props(server.social) }).body;
    expect(other).not.toContain('<form');
    expect(other).toContain(words.addLabel);
  });
});

describe('a reference page', () => {
  it('lists each department’s service items and says what the last change did', async () => {
    await locale.use('admin');
    const server = referenceServer();
    const admin = await openConsole(server);
    const page = () => render(ServiceItemsSection, { props: { admin } }).body;
    const before = page();
    expect(before).toContain('id="service-items-title"');
    expect(
      [...before.matchAll(/data-testid="service-item-department" data-code="(\w+)"/g)].map(
        (m) => m[1],
      ),
    ).toEqual(['SW', 'RS']);
    expect(before).not.toContain('data-testid="refdata-done"');

    const reference = admin.reference;
    reference.edit(formKey('serviceItem', 'new', server.tax));
    expect(
      await reference.saveEntry('serviceItem', entry('SW01', '发票领用', 10), {
        departmentId: server.tax,
      }),
    ).toBe(true);
    await expect.poll(() => reference.serviceItemsOf(server.tax).length).toBe(1);
    const after = page();
    expect(after).toMatch(/data-testid="serviceItem-entry" data-code="SW01"/);
    expect(after).toContain('data-testid="refdata-done"');
    expect(after).toContain('已添加。');
  });
});
