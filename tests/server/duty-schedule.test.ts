import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import type { ConsoleShift, ImportResult } from '../../src/server/services/shifts';
import type { PublicSchedule } from '../../src/server/services/duty-reports';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { pushOk } from './helpers';
import {
  consoleClient,
  consoleCookie,
  enrollRole,
  kioskPins,
  setPin,
  signInEvent,
  signOutEvent,
  type Console,
} from './duty-support';

/** Wednesday 2026-03-11, 10:00 in the hall (UTC+8). */
const NOW = Date.parse('2026-03-11T02:00:00Z');

describe.each(backends)('duty schedule on $name', ({ name }) => {
  let server: TestServer;
  let admin: Console;
  const clock = { now: NOW };
  beforeAll(async () => {
    server = await startTestServer({ backend: name, now: () => clock.now });
    admin = consoleClient(server, await consoleCookie(server));
  });
  afterAll(() => server.close());

  const tax = () => server.seed.departments.find((d) => d.code === 'TAX')!;
  const director = () => server.seed.leaders.find((l) => l.title === '税务局局长')!;
  const deputy = () => server.seed.leaders.find((l) => l.title === '税务局副局长')!;
  const windowA01 = () => server.seed.windows.find((w) => w.code === 'A01')!;

  const shifts = async (from: string, to: string) => {
    const res = await admin.get(`/api/v1/admin/shifts?from=${from}&to=${to}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ shifts: ConsoleShift[] }>().shifts;
  };

  describe('single shifts', () => {
    it('saves a draft shift for the department as a whole by default', async () => {
      const { shift } = await admin.ok<{ shift: ConsoleShift }>('/api/v1/admin/shifts', {
        leaderId: director().id,
        date: '2026-04-01',
        start: '09:00',
        end: '11:30',
      });
      expect(shift).toMatchObject({
        leaderId: director().id,
        departmentId: tax().id,
        windowId: null,
        date: '2026-04-01',
        start: '09:00',
        end: '11:30',
        published: false,
        active: true,
        leaderTitle: '税务局局长',
        departmentName: '税务',
        windowCode: null,
      });
      expect(await shifts('2026-04-01', '2026-04-01')).toEqual([shift]);
      const events = await server.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM events WHERE type = 'ref.dutyShiftSaved' AND payload ->> 'shiftId' = $1",
        [shift.id],
      );
      expect(events[0]!.n).toBe(1);
    });

    it('saves a shift at a window of the department, published', async () => {
      const { shift } = await admin.ok<{ shift: ConsoleShift }>('/api/v1/admin/shifts', {
        leaderId: deputy().id,
        windowId: windowA01().id,
        date: '2026-04-02',
        start: '14:00',
        end: '17:00',
        published: true,
      });
      expect(shift).toMatchObject({ windowId: windowA01().id, windowCode: 'A01', published: true });
    });

    it('refuses a shift that ends before it starts, at another department’s window, or of an unknown leader', async () => {
      const backwards = await admin.post('/api/v1/admin/shifts', {
        leaderId: director().id,
        date: '2026-04-03',
        start: '12:00',
        end: '09:00',
      });
      expect(backwards.statusCode).toBe(400);
      expect(backwards.json().error).toBe('shift_ends_before_start');

      const badDate = await admin.post('/api/v1/admin/shifts', {
        leaderId: director().id,
        date: '2026-02-30',
        start: '09:00',
        end: '10:00',
      });
      expect(badDate.statusCode).toBe(400);
      expect(badDate.json().error).toBe('bad_date');

      const otherWindow = server.seed.windows.find((w) => w.departmentId !== tax().id)!;
      const elsewhere = await admin.post('/api/v1/admin/shifts', {
        leaderId: director().id,
        windowId: otherWindow.id,
        date: '2026-04-03',
        start: '09:00',
        end: '10:00',
      });
      expect(elsewhere.statusCode).toBe(400);
      expect(elsewhere.json().error).toBe('unknown_window');

      const stranger = await admin.post('/api/v1/admin/shifts', {
        leaderId: newId(),
        date: '2026-04-03',
        start: '09:00',
        end: '10:00',
      });
      expect(stranger.statusCode).toBe(404);
      expect(stranger.json().error).toBe('unknown_leader');
      expect(await shifts('2026-04-03', '2026-04-03')).toEqual([]);
    });

    it('moves an existing shift when saved with its id', async () => {
      const { shift } = await admin.ok<{ shift: ConsoleShift }>('/api/v1/admin/shifts', {
        leaderId: director().id,
        date: '2026-04-07',
        start: '09:00',
        end: '10:00',
      });
      const moved = await admin.ok<{ shift: ConsoleShift }>('/api/v1/admin/shifts', {
        shiftId: shift.id,
        leaderId: director().id,
        date: '2026-04-08',
        start: '10:00',
        end: '11:00',
        published: true,
      });
      expect(moved.shift).toMatchObject({ id: shift.id, date: '2026-04-08', published: true });
      expect(await shifts('2026-04-07', '2026-04-08')).toEqual([moved.shift]);
      const unknown = await admin.post('/api/v1/admin/shifts', {
        shiftId: newId(),
        leaderId: director().id,
        date: '2026-04-08',
        start: '10:00',
        end: '11:00',
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error).toBe('unknown_shift');
    });

    it('refuses a shift event with a date off the calendar on the generic reference route', async () => {
      const res = await admin.post('/api/v1/admin/ref', {
        type: 'ref.dutyShiftSaved',
        payload: {
          shiftId: newId(),
          leaderId: director().id,
          departmentId: tax().id,
          windowId: null,
          date: '2026-02-29',
          start: '09:00',
          end: '10:00',
          published: true,
          active: true,
        },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('bad_date');
    });

    it('cancels a shift, which stays listed as inactive', async () => {
      const { shift } = await admin.ok<{ shift: ConsoleShift }>('/api/v1/admin/shifts', {
        leaderId: director().id,
        date: '2026-04-06',
        start: '09:00',
        end: '10:00',
      });
      const cancelled = await admin.ok<{ shift: ConsoleShift }>(
        `/api/v1/admin/shifts/${shift.id}/cancel`,
      );
      expect(cancelled.shift).toMatchObject({ id: shift.id, active: false, date: '2026-04-06' });
      expect(await shifts('2026-04-06', '2026-04-06')).toEqual([cancelled.shift]);

      const unknown = await admin.post(`/api/v1/admin/shifts/${newId()}/cancel`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error).toBe('unknown_shift');
    });

    it('answers 400 to a list without a proper span', async () => {
      for (const q of ['', '?from=2026-04-01', '?from=2026-04-10&to=2026-04-01', '?from=x&to=y']) {
        const res = await admin.get(`/api/v1/admin/shifts${q}`);
        expect(res.statusCode, q).toBe(400);
        expect(res.json().error).toBe('invalid_query');
      }
    });
  });

  describe('weekly rules', () => {
    it('expands Monday, Wednesday and Friday over two weeks to six shifts', async () => {
      const res = await admin.ok<{ created: number }>('/api/v1/admin/shifts/weekly', {
        leaderId: deputy().id,
        weekdays: [1, 3, 5],
        from: '2026-05-04',
        to: '2026-05-17',
        start: '09:00',
        end: '12:00',
        published: false,
      });
      expect(res).toEqual({ created: 6 });
      const listed = await shifts('2026-05-04', '2026-05-17');
      expect(listed.map((s) => s.date)).toEqual([
        '2026-05-04',
        '2026-05-06',
        '2026-05-08',
        '2026-05-11',
        '2026-05-13',
        '2026-05-15',
      ]);
      expect(new Set(listed.map((s) => s.id)).size).toBe(6);
      expect(listed.every((s) => s.leaderId === deputy().id && s.departmentId === tax().id)).toBe(
        true,
      );
    });

    it('refuses a rule that ends before it begins or makes too many shifts (bad_rule)', async () => {
      for (const rule of [
        { from: '2026-06-10', to: '2026-06-01', weekdays: [1] },
        { from: '2026-01-01', to: '2028-12-31', weekdays: [1, 2, 3, 4, 5] },
        { from: '2026-06-01', to: '2026-06-30', weekdays: [8] },
      ]) {
        const res = await admin.post('/api/v1/admin/shifts/weekly', {
          leaderId: deputy().id,
          start: '09:00',
          end: '12:00',
          ...rule,
        });
        expect(res.statusCode).toBe(400);
        expect(res.json().error).toBe('bad_rule');
      }
      expect(await shifts('2026-06-01', '2026-06-30')).toEqual([]);
    });
  });

  describe('publishing', () => {
    it('publishes the active drafts of a span and leaves cancelled shifts alone', async () => {
      const make = (date: string) =>
        admin.ok<{ shift: ConsoleShift }>('/api/v1/admin/shifts', {
          leaderId: director().id,
          date,
          start: '09:00',
          end: '10:00',
        });
      const a = (await make('2026-07-01')).shift;
      const b = (await make('2026-07-02')).shift;
      const c = (await make('2026-07-03')).shift;
      const outside = (await make('2026-07-20')).shift;
      await admin.ok(`/api/v1/admin/shifts/${c.id}/cancel`);
      const res = await admin.ok('/api/v1/admin/shifts/publish', {
        from: '2026-07-01',
        to: '2026-07-10',
      });
      expect(res).toEqual({ published: 2 });
      const byId = new Map((await shifts('2026-07-01', '2026-07-31')).map((s) => [s.id, s]));
      expect(byId.get(a.id)!.published).toBe(true);
      expect(byId.get(b.id)!.published).toBe(true);
      expect(byId.get(c.id)).toMatchObject({ published: false, active: false });
      expect(byId.get(outside.id)!.published).toBe(false);
      expect(
        await admin.ok('/api/v1/admin/shifts/publish', { from: '2026-07-01', to: '2026-07-10' }),
      ).toEqual({ published: 0 });
    });
  });

  describe('CSV import', () => {
    const VALID = [
      '日期,领导,部门,窗口,开始,结束',
      '2026-08-03,税务局局长,TAX,A01,09:00,11:00',
      '2026/8/4,税务局副局长,,,14:00,16:30',
    ].join('\r\n');
    const BAD_ROWS = [
      'date,leader,start,end',
      '2026-02-30,税务局局长,09:00,10:00',
      '2026-08-05,不存在的领导,09:00,10:00',
      '2026-08-06,税务局局长,09:00,10:00',
    ].join('\n');
    const PNG = '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000\u0000\u0001\u0000';
    const importCsv = (csv: string, mode: string) =>
      admin.post('/api/v1/admin/shifts/import', { csv, mode });

    it('checks a valid file without importing, then imports it as drafts', async () => {
      const check = await importCsv(VALID, 'check');
      expect(check.statusCode, check.body).toBe(200);
      expect(check.json<ImportResult>()).toEqual({
        rows: [
          { line: 2, errors: [] },
          { line: 3, errors: [] },
        ],
        valid: 2,
        invalid: 0,
        imported: 0,
      });
      expect(await shifts('2026-08-01', '2026-08-31')).toEqual([]);

      const all = await importCsv(VALID, 'all');
      expect(all.statusCode, all.body).toBe(200);
      expect(all.json<ImportResult>()).toMatchObject({ valid: 2, invalid: 0, imported: 2 });
      const listed = await shifts('2026-08-01', '2026-08-31');
      expect(
        listed.map((s) => [s.date, s.leaderTitle, s.windowCode, s.start, s.end, s.published]),
      ).toEqual([
        ['2026-08-03', '税务局局长', 'A01', '09:00', '11:00', false],
        ['2026-08-04', '税务局副局长', null, '14:00', '16:30', false],
      ]);
    });

    it('names the bad rows of a file by line and code, and imports nothing in "all" mode', async () => {
      const check = await importCsv(BAD_ROWS, 'check');
      expect(check.statusCode).toBe(200);
      const result = check.json<ImportResult>();
      expect(result).toMatchObject({ valid: 1, invalid: 2, imported: 0 });
      expect(result.rows.map((r) => [r.line, r.errors.map((e) => e.code)])).toEqual([
        [2, ['bad_date']],
        [3, ['unknown_leader']],
        [4, []],
      ]);
      expect(result.rows[1]!.errors[0]!.message).toEqual(expect.any(String));

      const all = await importCsv(BAD_ROWS, 'all');
      expect(all.statusCode).toBe(400);
      expect(all.json()).toMatchObject({
        error: 'has_errors',
        valid: 1,
        invalid: 2,
        imported: 0,
        rows: result.rows,
      });
      expect(await shifts('2026-08-05', '2026-08-06')).toEqual([]);
    });

    it('imports only the valid rows when asked to', async () => {
      const res = await importCsv(BAD_ROWS, 'valid_rows');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<ImportResult>()).toMatchObject({ valid: 1, invalid: 2, imported: 1 });
      const listed = await shifts('2026-08-05', '2026-08-06');
      expect(listed.map((s) => [s.date, s.leaderTitle, s.published])).toEqual([
        ['2026-08-06', '税务局局长', false],
      ]);
    });

    it('refuses a file that is not a CSV in every mode, importing nothing', async () => {
      for (const mode of ['check', 'all', 'valid_rows']) {
        const res = await importCsv(PNG, mode);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json<ImportResult>()).toMatchObject({
          rows: [],
          valid: 0,
          imported: 0,
          fatal: { code: 'not_csv' },
        });
      }
      expect(await shifts('2026-08-07', '2026-12-31')).toEqual([]);
    });

    it('flags a row whose department is not the leader’s', async () => {
      const csv = [
        'date,leader,department,start,end',
        '2026-08-10,税务局局长,HRSS,09:00,10:00',
      ].join('\n');
      const res = await importCsv(csv, 'check');
      expect(res.json<ImportResult>().rows).toEqual([
        { line: 2, errors: [{ code: 'wrong_department', message: expect.any(String) }] },
      ]);
    });

    it('answers 400 to an unknown mode', async () => {
      const res = await importCsv(VALID, 'everything');
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_body');
    });
  });

  describe('public schedule', () => {
    const publicSchedule = async (query = '') => {
      const res = await server.app.inject({ url: `/api/v1/public/schedule${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<PublicSchedule>();
    };

    it('shows only the published, active shifts of this week, with no login', async () => {
      const save = (fields: object) =>
        admin.ok<{ shift: ConsoleShift }>('/api/v1/admin/shifts', {
          leaderId: director().id,
          start: '09:00',
          end: '11:00',
          ...fields,
        });
      const shown = (await save({ date: '2026-03-11', windowId: windowA01().id, published: true }))
        .shift;
      const afternoon = (
        await save({
          leaderId: deputy().id,
          date: '2026-03-11',
          start: '14:00',
          end: '16:00',
          published: true,
        })
      ).shift;
      const draft = (await save({ date: '2026-03-12' })).shift;
      const cancelled = (await save({ date: '2026-03-13', published: true })).shift;
      await admin.ok(`/api/v1/admin/shifts/${cancelled.id}/cancel`);
      const nextWeek = (await save({ date: '2026-03-16', published: true })).shift;

      const body = await publicSchedule();
      expect(body.hall).toEqual({ name: '市民服务中心', nameEn: 'Citizen Service Center' });
      expect(body.date).toBe('2026-03-11');
      expect(body.week).toEqual({ from: '2026-03-09', to: '2026-03-15' });
      expect(body.serverTime).toBe(new Date(NOW).toISOString());
      expect(body.days.map((d) => d.date)).toEqual([
        '2026-03-09',
        '2026-03-10',
        '2026-03-11',
        '2026-03-12',
        '2026-03-13',
        '2026-03-14',
        '2026-03-15',
      ]);
      const all = body.days.flatMap((d) => d.shifts.map((s) => s.shiftId));
      expect(all).toEqual([shown.id, afternoon.id]);
      expect(body.days[2]!.shifts[0]).toEqual({
        shiftId: shown.id,
        start: '09:00',
        end: '11:00',
        leader: { id: director().id, title: '税务局局长', titleEn: 'Director of the Tax Bureau' },
        department: { id: tax().id, name: '税务', nameEn: 'Taxation' },
        window: { id: windowA01().id, code: 'A01', name: 'A01 窗口', nameEn: 'Window A01' },
      });
      expect(all).not.toContain(draft.id);

      const later = await publicSchedule('?date=2026-03-18');
      expect(later.week).toEqual({ from: '2026-03-16', to: '2026-03-22' });
      expect(later.days.flatMap((d) => d.shifts.map((s) => s.shiftId))).toEqual([nextWeek.id]);
    });

    it('answers 400 to a date that is not one', async () => {
      const res = await server.app.inject({ url: '/api/v1/public/schedule?date=2026-13-01' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_query');
    });

    it('shows who is on duty now, from sign-in until sign-out', async () => {
      const [l, d] = [director(), deputy()];
      await setPin(admin, l.id, '8642');
      await setPin(admin, d.id, '9753');
      const kiosk = await enrollRole(server, 'duty_kiosk', () => clock.now);
      const pins = await kioskPins(server, kiosk);
      const record = (id: string) => pins.find((p) => p.leaderId === id)!;
      // Yesterday's session left open does not count as on duty today.
      const yesterday = await signInEvent(kiosk, {
        leaderId: d.id,
        departmentId: d.departmentId,
        pin: '9753',
        record: record(d.id),
        at: '2026-03-10T01:00:00.000Z',
      });
      const today = await signInEvent(kiosk, {
        leaderId: l.id,
        departmentId: l.departmentId,
        windowId: windowA01().id,
        pin: '8642',
        record: record(l.id),
        at: '2026-03-11T01:05:00.000Z',
      });
      const res = await pushOk(server.app, kiosk, [yesterday, today]);
      expect(res.results.map((r) => r.status)).toEqual(['stored', 'stored']);

      expect((await publicSchedule()).onDutyNow).toEqual([
        {
          leaderId: l.id,
          departmentId: l.departmentId,
          windowId: windowA01().id,
          since: '2026-03-11T01:05:00.000Z',
        },
      ]);

      const sessionId = (today.payload as { sessionId: string }).sessionId;
      await pushOk(server.app, kiosk, [signOutEvent(kiosk, sessionId, '2026-03-11T01:50:00.000Z')]);
      expect((await publicSchedule()).onDutyNow).toEqual([]);
    });
  });
});
