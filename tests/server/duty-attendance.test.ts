import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../src/domain/events';
import type { MonthAttendance } from '../../src/server/services/duty-reports';
import type { ConsoleShift } from '../../src/server/services/shifts';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { pushOk, type TestDevice } from './helpers';
import {
  consoleClient,
  consoleCookie,
  enrollRole,
  kioskPins,
  ledgerEvent,
  setPin,
  signInEvent,
  signOutEvent,
  type Console,
  type KioskPin,
} from './duty-support';

/** Friday 2026-03-20, 12:00 in the hall (UTC+8). */
const NOW = Date.parse('2026-03-20T04:00:00Z');

const ZERO = {
  scheduled: 0,
  attended: 0,
  late: 0,
  missed: 0,
  upcoming: 0,
  unscheduled: 0,
  autoSignedOut: 0,
  hours: 0,
  served: 0,
  cases: 0,
  solved: 0,
  complaints: 0,
  suggestions: 0,
};

describe.each(backends)('duty attendance on $name', ({ name }) => {
  let server: TestServer;
  let admin: Console;
  let kiosk: TestDevice;
  let pins: KioskPin[];
  const leader = (title: string) => server.seed.leaders.find((l) => l.title === title)!;
  const director = () => leader('税务局局长');
  const deputy = () => leader('税务局副局长');
  const hrss = () => leader('人力资源和社会保障局局长');

  async function shift(
    l: { id: string },
    date: string,
    start: string,
    end: string,
    published = true,
  ): Promise<ConsoleShift> {
    return (
      await admin.ok<{ shift: ConsoleShift }>('/api/v1/admin/shifts', {
        leaderId: l.id,
        date,
        start,
        end,
        published,
      })
    ).shift;
  }

  /** A session from `inAt` (UTC) with ledger lines, signed out at `outAt` unless null. */
  async function session(
    l: { id: string; departmentId: string },
    inAt: string,
    outAt: string | null,
    ledger: (sessionId: string) => EventEnvelope[] = () => [],
  ): Promise<void> {
    const signIn = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: pins.find((p) => p.leaderId === l.id)!,
      at: inAt,
    });
    const sessionId = (signIn.payload as { sessionId: string }).sessionId;
    const events = [signIn, ...ledger(sessionId)];
    if (outAt) events.push(signOutEvent(kiosk, sessionId, outAt));
    const res = await pushOk(server.app, kiosk, events);
    expect(
      res.results.every((r) => r.status === 'stored'),
      JSON.stringify(res.results),
    ).toBe(true);
  }

  beforeAll(async () => {
    server = await startTestServer({ backend: name, now: () => NOW });
    admin = consoleClient(server, await consoleCookie(server));
    for (const l of [director(), deputy(), hrss()]) await setPin(admin, l.id, '2468');
    kiosk = await enrollRole(server, 'duty_kiosk', () => NOW);
    pins = await kioskPins(server, kiosk);

    // 税务局局长: on time, late, missed, and a missed draft.
    await shift(director(), '2026-03-02', '09:00', '11:00');
    await session(director(), '2026-03-02T01:05:00.000Z', '2026-03-02T02:55:00.000Z', (id) => [
      ledgerEvent(kiosk, id, 'served', 10),
      ledgerEvent(kiosk, id, 'cases', 4),
    ]);
    await shift(director(), '2026-03-03', '09:00', '11:00');
    await session(director(), '2026-03-03T01:30:00.000Z', '2026-03-03T03:00:00.000Z', (id) => [
      ledgerEvent(kiosk, id, 'served', 5),
    ]);
    await shift(director(), '2026-03-04', '09:00', '11:00');
    await shift(director(), '2026-03-10', '09:00', '10:00', false);
    // Last month's duty is not this month's.
    await session(director(), '2026-02-27T01:00:00.000Z', '2026-02-27T02:00:00.000Z', (id) => [
      ledgerEvent(kiosk, id, 'served', 99),
    ]);

    // 税务局副局长: signed in, never signed out (closed at the end of that day); one to come.
    await shift(deputy(), '2026-03-05', '14:00', '16:00');
    await session(deputy(), '2026-03-05T06:00:00.000Z', null, (id) => [
      ledgerEvent(kiosk, id, 'solved', 0, '现场解答社保转移问题'),
    ]);
    await shift(deputy(), '2026-03-25', '09:00', '11:00');

    // 人社局局长: a cancelled shift, and an hour of duty nobody scheduled.
    const cancelled = await shift(hrss(), '2026-03-06', '09:00', '10:00');
    await admin.ok(`/api/v1/admin/shifts/${cancelled.id}/cancel`);
    await session(hrss(), '2026-03-09T02:00:00.000Z', '2026-03-09T03:00:00.000Z', (id) => [
      ledgerEvent(kiosk, id, 'complaint', 0, '窗口午休无人值守'),
    ]);
  });
  afterAll(() => server.close());

  const month = async () => {
    const res = await admin.get('/api/v1/admin/attendance?month=2026-03');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<MonthAttendance>();
  };

  it('counts each leader’s month as computed by hand', async () => {
    const report = await month();
    expect(report).toMatchObject({ month: '2026-03', from: '2026-03-01', to: '2026-03-31' });
    const row = (id: string) => report.leaders.find((r) => r.leaderId === id);
    expect(row(director().id)).toEqual({
      ...ZERO,
      leaderId: director().id,
      departmentId: director().departmentId,
      title: '税务局局长',
      titleEn: 'Director of the Tax Bureau',
      scheduled: 4,
      attended: 2,
      late: 1,
      missed: 2,
      hours: 3.3, // 1 h 50 min + 1 h 30 min
      served: 15,
      cases: 4,
    });
    expect(row(deputy().id)).toMatchObject({
      ...ZERO,
      scheduled: 2,
      attended: 1,
      upcoming: 1,
      autoSignedOut: 1,
      hours: 10, // 14:00 until midnight
      solved: 1,
    });
    expect(row(hrss().id)).toMatchObject({
      ...ZERO,
      unscheduled: 1,
      hours: 1,
      complaints: 1,
    });
    // Leaders without duty are listed with zeros.
    const quiet = server.seed.leaders.find((l) => l.title === '医疗保障局局长')!;
    expect(row(quiet.id)).toMatchObject(ZERO);
  });

  it('sums the departments', async () => {
    const report = await month();
    const tax = server.seed.departments.find((d) => d.code === 'TAX')!;
    const hr = server.seed.departments.find((d) => d.code === 'HRSS')!;
    expect(report.departments.find((d) => d.departmentId === tax.id)).toEqual({
      ...ZERO,
      departmentId: tax.id,
      name: '税务',
      nameEn: 'Taxation',
      scheduled: 6,
      attended: 3,
      late: 1,
      missed: 2,
      upcoming: 1,
      autoSignedOut: 1,
      hours: 13.3,
      served: 15,
      cases: 4,
      solved: 1,
    });
    expect(report.departments.find((d) => d.departmentId === hr.id)).toMatchObject({
      ...ZERO,
      name: '人社',
      unscheduled: 1,
      hours: 1,
      complaints: 1,
    });
  });

  it('exports the month as a UTF-8 CSV with a byte-order mark, as an attachment', async () => {
    const res = await admin.get('/api/v1/admin/attendance.csv?month=2026-03');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="attendance-2026-03.csv"',
    );
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.rawPayload.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe(
      '领导,部门,排班次数,到岗次数,迟到次数,缺岗次数,待坐班次数,排班外坐班次数,自动签退次数,坐班时长（小时）,接待群众,办理事项,现场解决问题,收到投诉,收到建议',
    );
    expect(lines).toContain('税务局局长,税务,4,2,1,2,0,0,0,3.3,15,4,0,0,0');
    expect(lines).toContain('税务局副局长,税务,2,1,0,0,1,0,1,10.0,0,0,1,0,0');
    expect(lines).toContain('部门合计,税务,6,3,1,2,1,0,1,13.3,15,4,1,0,0');
    expect(lines.at(-1)).toBe('');
  });

  it('exports English headings on request', async () => {
    const res = await admin.get('/api/v1/admin/attendance.csv?month=2026-03&lang=en');
    const lines = res.rawPayload.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toMatch(/^Leader,Department,Scheduled,Attended,Late,Missed,/);
    expect(lines).toContain('Director of the Tax Bureau,Taxation,4,2,1,2,0,0,0,3.3,15,4,0,0,0');
  });

  it('answers 400 to a month that is not YYYY-MM, and 401 without a session', async () => {
    for (const q of ['', '?month=2026-13', '?month=March']) {
      for (const path of ['/api/v1/admin/attendance', '/api/v1/admin/attendance.csv']) {
        const res = await admin.get(`${path}${q}`);
        expect(res.statusCode, `${path}${q}`).toBe(400);
        expect(res.json().error).toBe('invalid_query');
      }
    }
    const anonymous = await server.app.inject({
      url: '/api/v1/admin/attendance.csv?month=2026-03',
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('has an empty month for a month with no duty', async () => {
    const res = await admin.get('/api/v1/admin/attendance?month=2025-12');
    const report = res.json<MonthAttendance>();
    expect(report.leaders.length).toBeGreaterThan(0);
    expect(report.leaders.every((r) => r.scheduled === 0 && r.hours === 0)).toBe(true);
    expect(report).toMatchObject({ month: '2025-12', from: '2025-12-01', to: '2025-12-31' });
  });
});
