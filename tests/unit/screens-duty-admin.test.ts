import { describe, expect, it, vi } from 'vitest';
import { newId } from '../../src/domain/ids';
import { createAdminApi, type FetchLike } from '../../src/screens/admin/admin-api';
import { AdminState } from '../../src/screens/admin/admin-state.svelte';
import type { AdminLeader, AdminShift, ImportResult } from '../../src/screens/admin/duty-api';

/** 2026-11-18 (a Wednesday) 10:00 in the hall. */
const NOW = Date.parse('2026-11-18T02:00:00Z');

type Route = (body: unknown, url: string) => [number, unknown];

/** A scripted console server: answers by method and path (query included), records the bodies. */
function scripted(routes: Record<string, Route>) {
  const seen: { key: string; body: unknown }[] = [];
  const fetchFn: FetchLike = async (input, init) => {
    const key = `${init?.method ?? 'GET'} ${input}`;
    const body = init?.body ? (JSON.parse(init.body as string) as unknown) : undefined;
    seen.push({ key, body });
    const route = routes[key];
    if (!route)
      return new Response(JSON.stringify({ error: 'not_found', message: key }), { status: 404 });
    const [status, answer] = route(body, input);
    return new Response(answer === undefined ? null : JSON.stringify(answer), { status });
  };
  return {
    fetchFn,
    seen,
    keys: () => seen.map((s) => s.key),
    bodyOf: (key: string) => seen.findLast((s) => s.key === key)?.body,
  };
}

const tax = { id: newId(), code: 'TAX', name: '税务局' };
const market = { id: newId(), code: 'SCJG', name: '市场监管局' };
const windowA01 = newId();
const windows = {
  hall: { id: newId(), name: '市民服务中心' },
  windows: [
    {
      id: windowA01,
      code: 'A01',
      name: 'A01 综合窗口',
      active: true,
      department: tax,
      ratingPath: '/r/A01?s=x',
      ratingUrl: 'http://127.0.0.1/r/A01?s=x',
    },
    {
      id: newId(),
      code: 'B01',
      name: 'B01 登记窗口',
      active: true,
      department: market,
      ratingPath: '/r/B01?s=x',
      ratingUrl: 'http://127.0.0.1/r/B01?s=x',
    },
  ],
};

const taxHead: AdminLeader = {
  id: newId(),
  title: '税务局局长',
  departmentId: tax.id,
  departmentName: '税务局',
  badgeCode: 'TAX001',
  active: true,
  hasPin: false,
};
const marketHead: AdminLeader = {
  id: newId(),
  title: '市场监管局局长',
  departmentId: market.id,
  departmentName: '市场监管局',
  active: true,
  hasPin: true,
};

const shift = (over: Partial<AdminShift>): AdminShift => ({
  id: newId(),
  leaderId: taxHead.id,
  departmentId: tax.id,
  windowId: null,
  date: '2026-11-18',
  start: '09:00',
  end: '12:00',
  published: false,
  active: true,
  leaderTitle: '税务局局长',
  departmentName: '税务局',
  windowCode: null,
  ...over,
});

const base = (): Record<string, Route> => ({
  'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
  'GET /api/v1/admin/windows': () => [200, windows],
  'GET /api/v1/admin/leaders': () => [200, { leaders: [taxHead, marketHead] }],
  'GET /api/v1/admin/shifts?from=2026-11-16&to=2026-11-22': () => [200, { shifts: [] }],
});

async function signedIn(routes: Record<string, Route>) {
  const server = scripted({ ...base(), ...routes });
  const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
  await admin.start();
  return { admin, duty: admin.duty, server };
}

describe('console: leaders', () => {
  it('lists leaders with departments known from the windows', async () => {
    const { admin, duty } = await signedIn({});
    admin.show('leaders');
    await vi.waitFor(() => expect(duty.leaders.data?.leaders).toHaveLength(2));
    await vi.waitFor(() => expect(admin.windows.data).not.toBeNull());
    expect(duty.departments.map((d) => d.name).sort()).toEqual(['市场监管局', '税务局'].sort());
    expect(duty.windowsOf(tax.id).map((w) => w.code)).toEqual(['A01']);
  });

  it('adds a leader, edits one, and deactivates one keeping its fields', async () => {
    const { duty, server } = await signedIn({
      'POST /api/v1/admin/leaders': (body) => [200, { leader: body }],
    });
    duty.edit('new');
    const blank = { title: ' ', titleEn: '', departmentId: tax.id, badgeCode: '', active: true };
    expect(await duty.saveLeader(blank)).toBe(false);
    expect(duty.problemIn('leader')).toBe('required');
    expect(server.keys()).not.toContain('POST /api/v1/admin/leaders');

    const fields = { ...blank, title: ' 税务局副局长 ', badgeCode: ' TAX002 ' };
    expect(await duty.saveLeader(fields)).toBe(true);
    expect(server.bodyOf('POST /api/v1/admin/leaders')).toEqual({
      title: '税务局副局长',
      departmentId: tax.id,
      badgeCode: 'TAX002',
      active: true,
    });
    expect(duty.editing).toBeNull();
    expect(duty.done).toEqual({ what: 'leaderSaved' });
    expect(server.keys().at(-1)).toBe('GET /api/v1/admin/leaders');

    duty.edit(taxHead);
    await duty.saveLeader({
      title: '税务局局长',
      titleEn: 'Director',
      departmentId: tax.id,
      badgeCode: 'TAX001',
      active: true,
    });
    expect(server.bodyOf('POST /api/v1/admin/leaders')).toMatchObject({
      leaderId: taxHead.id,
      titleEn: 'Director',
    });

    await duty.setActive(marketHead, false);
    expect(server.bodyOf('POST /api/v1/admin/leaders')).toEqual({
      leaderId: marketHead.id,
      title: '市场监管局局长',
      departmentId: market.id,
      active: false,
    });
  });

  it('sets a PIN only when it is 4–8 digits typed twice alike', async () => {
    const path = `POST /api/v1/admin/leaders/${taxHead.id}/pin`;
    const { duty, server } = await signedIn({
      [path]: (body) =>
        (body as { pin: string }).pin === '00000000'
          ? [400, { error: 'bad_pin', message: 'no' }]
          : [204, undefined],
    });
    duty.askPin(taxHead.id);
    expect(await duty.setPin(taxHead.id, '12a4', '12a4')).toBe(false);
    expect(duty.problemIn('pin')).toBe('pin_format');
    expect(await duty.setPin(taxHead.id, '123', '123')).toBe(false);
    expect(await duty.setPin(taxHead.id, '123456789', '123456789')).toBe(false);
    expect(await duty.setPin(taxHead.id, '1234', '1243')).toBe(false);
    expect(duty.problemIn('pin')).toBe('pin_mismatch');
    expect(server.keys()).not.toContain(path);

    expect(await duty.setPin(taxHead.id, '00000000', '00000000')).toBe(false);
    expect(duty.error?.code).toBe('bad_pin');
    expect(duty.pinFor).toBe(taxHead.id);

    expect(await duty.setPin(taxHead.id, '2580', '2580')).toBe(true);
    expect(server.bodyOf(path)).toEqual({ pin: '2580' });
    expect(duty.pinFor).toBeNull();
    expect(duty.done).toEqual({ what: 'pinSet' });
    expect(duty.problemIn('pin')).toBeNull();
  });
});

describe('console: schedule', () => {
  const published = shift({ published: true, start: '14:00', end: '17:00' });
  const draft = shift({ windowId: windowA01, windowCode: 'A01' });
  const cancelled = shift({ active: false });
  const market1 = shift({
    leaderId: marketHead.id,
    departmentId: market.id,
    departmentName: '市场监管局',
    leaderTitle: '市场监管局局长',
    date: '2026-11-22',
    published: true,
  });

  it('shows the week of today, per department and day, and moves between weeks', async () => {
    const { admin, duty, server } = await signedIn({
      'GET /api/v1/admin/shifts?from=2026-11-16&to=2026-11-22': () => [
        200,
        { shifts: [published, draft, cancelled, market1] },
      ],
      'GET /api/v1/admin/shifts?from=2026-11-23&to=2026-11-29': () => [200, { shifts: [] }],
    });
    admin.show('schedule');
    await vi.waitFor(() => expect(duty.shifts.data).not.toBeNull());
    expect(duty.weekDays).toEqual([
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
    ]);
    const rows = duty.weekRows;
    expect(rows.map((r) => r.departmentName)).toEqual(['市场监管局', '税务局']);
    const taxRow = rows.find((r) => r.departmentId === tax.id)!;
    expect(taxRow.cells[2]!.map((s) => s.id)).toEqual([draft.id, published.id]);
    expect(rows[0]!.cells[6]!.map((s) => s.id)).toEqual([market1.id]);
    expect(duty.drafts).toBe(1);

    duty.nextWeek();
    expect(duty.weekFrom).toBe('2026-11-23');
    await vi.waitFor(() =>
      expect(server.keys()).toContain('GET /api/v1/admin/shifts?from=2026-11-23&to=2026-11-29'),
    );
    duty.previousWeek();
    expect([duty.weekFrom, duty.weekTo]).toEqual(['2026-11-16', '2026-11-22']);
  });

  it('publishes the shown week and cancels a shift after confirmation', async () => {
    const { duty, server } = await signedIn({
      'POST /api/v1/admin/shifts/publish': () => [200, { published: 3 }],
      [`POST /api/v1/admin/shifts/${draft.id}/cancel`]: () => [204, undefined],
    });
    await duty.publishWeek();
    expect(server.bodyOf('POST /api/v1/admin/shifts/publish')).toEqual({
      from: '2026-11-16',
      to: '2026-11-22',
    });
    expect(duty.done).toEqual({ what: 'published', count: 3 });
    expect(server.keys().at(-1)).toBe('GET /api/v1/admin/shifts?from=2026-11-16&to=2026-11-22');

    duty.askCancel(draft.id);
    expect(duty.confirmCancel).toBe(draft.id);
    await duty.cancelShift(draft.id);
    expect(server.keys()).toContain(`POST /api/v1/admin/shifts/${draft.id}/cancel`);
    expect(duty.confirmCancel).toBeNull();
    expect(duty.done).toEqual({ what: 'cancelled' });
  });

  it("adds a shift for the leader's department, refusing a wrong one before sending", async () => {
    const { duty, server } = await signedIn({ 'POST /api/v1/admin/shifts': () => [200, {}] });
    await duty.leaders.refresh();
    const input = {
      leaderId: taxHead.id,
      windowId: windowA01,
      date: '2026-11-19',
      start: '09:00',
      end: '12:00',
      published: false,
    };
    expect(await duty.addShift({ ...input, leaderId: '' })).toBe(false);
    expect(duty.problemIn('shift')).toBe('required');
    expect(await duty.addShift({ ...input, end: '08:00' })).toBe(false);
    expect(duty.problemIn('shift')).toBe('ends_before_start');
    expect(duty.problemIn('rule')).toBeNull();
    expect(await duty.addShift({ ...input, date: '2026-02-30' })).toBe(false);
    expect(duty.problemIn('shift')).toBe('bad_date');
    expect(await duty.addShift({ ...input, start: '9' })).toBe(false);
    expect(duty.problemIn('shift')).toBe('bad_time');
    expect(server.keys()).not.toContain('POST /api/v1/admin/shifts');

    expect(await duty.addShift(input)).toBe(true);
    expect(server.bodyOf('POST /api/v1/admin/shifts')).toEqual({ ...input, departmentId: tax.id });
    expect(duty.done).toEqual({ what: 'shiftAdded' });
  });

  it('adds a weekly rule with its weekdays in order', async () => {
    const { duty, server } = await signedIn({
      'POST /api/v1/admin/shifts/weekly': () => [200, { created: 8 }],
    });
    await duty.leaders.refresh();
    const rule = {
      leaderId: marketHead.id,
      windowId: null,
      weekdays: [3, 1],
      from: '2026-11-16',
      to: '2026-12-13',
      start: '09:00',
      end: '11:30',
      published: true,
    };
    expect(await duty.addRule({ ...rule, weekdays: [] })).toBe(false);
    expect(duty.problemIn('rule')).toBe('no_weekdays');
    expect(await duty.addRule({ ...rule, to: '2026-11-01' })).toBe(false);
    expect(duty.problemIn('rule')).toBe('bad_range');
    expect(server.keys()).not.toContain('POST /api/v1/admin/shifts/weekly');

    expect(await duty.addRule(rule)).toBe(true);
    expect(server.bodyOf('POST /api/v1/admin/shifts/weekly')).toEqual({
      ...rule,
      weekdays: [1, 3],
      departmentId: market.id,
    });
    expect(duty.done).toEqual({ what: 'ruleAdded', count: 8 });
  });
});

describe('console: CSV import', () => {
  const importer = (check: ImportResult, imported: number) => {
    const modes: string[] = [];
    const route: Route = (body) => {
      const { mode } = body as { mode: string };
      modes.push(mode);
      return mode === 'check' ? [200, check] : [200, { ...check, imported }];
    };
    return { route, modes };
  };

  it('checks first, shows the bad rows, and imports only the valid rows when asked', async () => {
    const result: ImportResult = {
      rows: [
        { line: 2, errors: [] },
        { line: 3, errors: [{ code: 'bad_date', message: 'bad date' }] },
        {
          line: 4,
          errors: [
            { code: 'unknown_leader', message: 'who' },
            { code: 'bad_time', message: 't' },
          ],
        },
        { line: 5, errors: [] },
      ],
      valid: 2,
      invalid: 2,
      imported: 0,
    };
    const { route, modes } = importer(result, 2);
    const { duty, server } = await signedIn({ 'POST /api/v1/admin/shifts/import': route });
    const csv = '日期,领导,开始,结束\n2026-11-23,TAX001,09:00,12:00\n';
    expect(await duty.checkImport('排班.csv', csv)).toBe(true);
    expect(server.bodyOf('POST /api/v1/admin/shifts/import')).toEqual({ csv, mode: 'check' });
    expect(duty.importCheck?.fileName).toBe('排班.csv');
    expect(duty.importErrors.map((r) => [r.line, r.errors.map((e) => e.code)])).toEqual([
      [3, ['bad_date']],
      [4, ['unknown_leader', 'bad_time']],
    ]);

    expect(await duty.importRows('all')).toBe(false);
    expect(modes).toEqual(['check']);

    expect(await duty.importRows('valid_rows')).toBe(true);
    expect(modes).toEqual(['check', 'valid_rows']);
    expect(duty.done).toEqual({ what: 'imported', count: 2 });
    expect(duty.importCheck).toBeNull();
  });

  it('imports a clean file whole, and nothing from a file that is not CSV', async () => {
    const clean = importer(
      { rows: [{ line: 2, errors: [] }], valid: 1, invalid: 0, imported: 0 },
      1,
    );
    const first = await signedIn({ 'POST /api/v1/admin/shifts/import': clean.route });
    await first.duty.checkImport('ok.csv', 'date,leader,start,end\n2026-11-23,TAX001,09:00,12:00');
    expect(await first.duty.importRows('valid_rows')).toBe(true);
    await first.duty.checkImport('ok.csv', 'date,leader,start,end\n2026-11-23,TAX001,09:00,12:00');
    expect(await first.duty.importRows('all')).toBe(true);
    expect(clean.modes).toEqual(['check', 'valid_rows', 'check', 'all']);

    const binary = importer(
      {
        rows: [],
        valid: 0,
        invalid: 0,
        imported: 0,
        fatal: { code: 'not_csv', message: 'not csv' },
      },
      0,
    );
    const second = await signedIn({ 'POST /api/v1/admin/shifts/import': binary.route });
    await second.duty.checkImport('photo.png', '\u0089PNG\r\n\u001a\n\u0000\u0000');
    expect(second.duty.importCheck?.result?.fatal?.code).toBe('not_csv');
    expect(await second.duty.importRows('all')).toBe(false);
    expect(await second.duty.importRows('valid_rows')).toBe(false);
    expect(binary.modes).toEqual(['check']);
  });

  it('refuses a file picked while the import before it is still finishing, changing nothing', async () => {
    const clean = importer(
      { rows: [{ line: 2, errors: [] }], valid: 1, invalid: 0, imported: 0 },
      1,
    );
    const { duty } = await signedIn({ 'POST /api/v1/admin/shifts/import': clean.route });
    await duty.checkImport('ok.csv', 'date,leader,start,end\n2026-11-23,TAX001,09:00,12:00');
    const importing = duty.importRows('valid_rows');
    expect(duty.busy).toBe(true);
    expect(await duty.checkImport('next.csv', 'date,leader,start,end\n')).toBe(false);
    expect(duty.importCheck?.fileName).toBe('ok.csv');
    expect(await importing).toBe(true);
    expect(duty.importCheck).toBeNull();
    expect(duty.done).toEqual({ what: 'imported', count: 1 });
    expect(clean.modes).toEqual(['check', 'valid_rows']);
  });
});

describe('console: attendance', () => {
  const report = (month: string) => ({
    month,
    leaders: [
      {
        leaderId: taxHead.id,
        departmentId: tax.id,
        title: '税务局局长',
        scheduled: 4,
        attended: 3,
        late: 1,
        missed: 1,
        upcoming: 0,
        unscheduled: 1,
        autoSignedOut: 1,
        hours: 10.5,
        served: 40,
        cases: 12,
        solved: 3,
        complaints: 1,
        suggestions: 2,
      },
    ],
    departments: [],
  });

  it("loads this month's figures, another month on request, and links the CSV", async () => {
    const { admin, duty, server } = await signedIn({
      'GET /api/v1/admin/attendance?month=2026-11': () => [200, report('2026-11')],
      'GET /api/v1/admin/attendance?month=2026-10': () => [200, report('2026-10')],
    });
    expect(duty.month).toBe('2026-11');
    expect(duty.csvHref).toBe('/api/v1/admin/attendance.csv?month=2026-11');
    admin.show('attendance');
    await vi.waitFor(() => expect(duty.attendance.data?.month).toBe('2026-11'));
    expect(duty.attendance.data?.leaders[0]).toMatchObject({ attended: 3, late: 1, hours: 10.5 });

    duty.showMonth('2026-13');
    expect(duty.month).toBe('2026-11');
    duty.showMonth('2026-10');
    expect(duty.csvHref).toBe('/api/v1/admin/attendance.csv?month=2026-10');
    await vi.waitFor(() => expect(duty.attendance.data?.month).toBe('2026-10'));
    expect(server.keys().filter((k) => k.includes('attendance'))).toHaveLength(2);
  });

  it('sends the administrator back to sign in when the session is gone, forgetting duty data', async () => {
    const { admin, duty } = await signedIn({
      'GET /api/v1/admin/attendance?month=2026-11': () => [
        401,
        { error: 'unauthorized', message: 'expired' },
      ],
    });
    await duty.leaders.refresh();
    expect(duty.leaders.data).not.toBeNull();
    await duty.attendance.refresh();
    expect(admin.session).toBe('signedOut');
    expect(duty.leaders.data).toBeNull();
  });
});
