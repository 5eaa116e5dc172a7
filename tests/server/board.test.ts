import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPoorRating, type RatingLevel } from '../../src/domain/rating';
import type { BoardResponse } from '../../src/sync/report-protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import {
  consoleClient,
  consoleCookie,
  enrollRole,
  kioskPins,
  setPin,
  signInEvent,
  type Console,
  type KioskPin,
} from './duty-support';
import { enrollDevice, pushOk, type TestDevice } from './helpers';

/** Friday 2026-03-20, 12:00 in the hall (UTC+8). */
const NOW = Date.parse('2026-03-20T04:00:00Z');

describe.each(backends)('public board on $name', ({ name }) => {
  let server: TestServer;
  let admin: Console;
  let kiosk: TestDevice;
  let pins: KioskPin[];
  const leader = (title: string) => server.seed.leaders.find((l) => l.title === title)!;
  const windowOf = (departmentId: string) =>
    server.seed.windows.find((w) => w.departmentId === departmentId)!;

  async function shift(title: string, date: string, start: string, end: string, published = true) {
    const l = leader(title);
    await admin.ok('/api/v1/admin/shifts', {
      leaderId: l.id,
      windowId: windowOf(l.departmentId).id,
      date,
      start,
      end,
      published,
    });
  }

  async function signIn(title: string, at: string): Promise<void> {
    const l = leader(title);
    const event = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      windowId: windowOf(l.departmentId).id,
      pin: '2468',
      record: pins.find((p) => p.leaderId === l.id)!,
      at,
    });
    const res = await pushOk(server.app, kiosk, [event]);
    expect(res.results[0]!.status, JSON.stringify(res.results)).toBe('stored');
  }

  async function rate(device: TestDevice, level: RatingLevel, at: string): Promise<void> {
    const res = await pushOk(server.app, device, [
      device.rating(
        server,
        { level, reasons: isPoorRating(level) ? ['waited_too_long'] : [] },
        { at },
      ),
    ]);
    expect(res.results[0]!.status, JSON.stringify(res.results)).toBe('stored');
  }

  beforeAll(async () => {
    server = await startTestServer({ backend: name, now: () => NOW });
    admin = consoleClient(server, await consoleCookie(server));
    for (const title of ['税务局局长', '税务局副局长', '人力资源和社会保障局副局长'])
      await setPin(admin, leader(title).id, '2468');
    kiosk = await enrollRole(server, 'duty_kiosk', () => NOW);
    pins = await kioskPins(server, kiosk);

    await shift('税务局局长', '2026-03-20', '09:00', '12:30');
    await shift('税务局副局长', '2026-03-20', '14:00', '17:00');
    await shift('人力资源和社会保障局局长', '2026-03-20', '09:00', '11:00', false); // a draft
    await shift('税务局局长', '2026-03-21', '09:00', '11:00'); // tomorrow
    await signIn('税务局局长', '2026-03-20T01:05:00.000Z');
    // Signed in with no shift today.
    await signIn('人力资源和社会保障局副局长', '2026-03-20T02:15:00.000Z');

    const tax = server.seed.departments.find((d) => d.code === 'TAX')!;
    const hrss = server.seed.departments.find((d) => d.code === 'HRSS')!;
    const taxTablet = await enrollDevice(server, windowOf(tax.id).code, () => NOW);
    const hrssTablet = await enrollDevice(server, windowOf(hrss.id).code, () => NOW);
    // 1 March 00:30 in the hall is still 28 February in UTC: this month's.
    await rate(taxTablet, 'very_satisfied', '2026-02-28T16:30:00.000Z');
    await rate(taxTablet, 'very_satisfied', '2026-03-05T02:00:00.000Z');
    await rate(taxTablet, 'very_satisfied', '2026-03-19T07:00:00.000Z');
    await rate(taxTablet, 'satisfied', '2026-03-20T01:30:00.000Z');
    await rate(taxTablet, 'dissatisfied', '2026-03-20T02:30:00.000Z');
    // 28 February 23:00 in the hall: last month's.
    await rate(taxTablet, 'very_dissatisfied', '2026-02-28T15:00:00.000Z');
    await rate(hrssTablet, 'very_dissatisfied', '2026-03-10T03:00:00.000Z');
  });
  afterAll(async () => {
    await server?.close();
  });

  const getBoard = async (): Promise<BoardResponse> => {
    const res = await server.app.inject({ url: '/api/v1/public/board' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<BoardResponse>();
  };

  it('needs no login and says which day and month it shows', async () => {
    const b = await getBoard();
    expect(b.hall.name).toBe(server.seed.hall.name);
    expect(b.today).toBe('2026-03-20');
    expect(b.month).toBe('2026-03');
    expect(b.serverTime).toBe('2026-03-20T04:00:00.000Z');
  });

  it("lists today's published duty with who is signed in, and leaders on duty with no shift", async () => {
    const b = await getBoard();
    const tax = { name: '税务', nameEn: 'Taxation' };
    const a = windowOf(leader('税务局局长').departmentId);
    const bw = windowOf(leader('人力资源和社会保障局副局长').departmentId);
    expect(b.onDuty).toEqual([
      {
        leader: { title: '税务局局长', titleEn: 'Director of the Tax Bureau' },
        department: tax,
        window: { code: a.code, name: a.name, ...(a.nameEn ? { nameEn: a.nameEn } : {}) },
        signedIn: true,
        start: '09:00',
        end: '12:30',
      },
      {
        leader: { title: '税务局副局长', titleEn: 'Deputy Director of the Tax Bureau' },
        department: tax,
        window: { code: a.code, name: a.name, ...(a.nameEn ? { nameEn: a.nameEn } : {}) },
        signedIn: false,
        start: '14:00',
        end: '17:00',
      },
      {
        leader: {
          title: '人力资源和社会保障局副局长',
          titleEn: 'Deputy Director of the Human Resources and Social Security Bureau',
        },
        department: { name: '人社', nameEn: 'Human Resources and Social Security' },
        window: { code: bw.code, name: bw.name, ...(bw.nameEn ? { nameEn: bw.nameEn } : {}) },
        signedIn: true,
        start: '10:15',
        end: '',
      },
    ]);
  });

  it("gives this month's satisfaction of every active department from the hall-local days", async () => {
    const b = await getBoard();
    expect(b.departments.map((d) => d.name)).toEqual(server.seed.departments.map((d) => d.name));
    // 税务: 3 非常满意, 1 满意, 1 不满意 this month: (3·5 + 4 + 2) / 5 = 4.2; 好评率 4/5.
    expect(b.departments.find((d) => d.name === '税务')).toEqual({
      name: '税务',
      nameEn: 'Taxation',
      total: 5,
      good: 4,
      poor: 1,
      goodRate: 0.8,
      averageScore: 4.2,
    });
    expect(b.departments.find((d) => d.name === '人社')).toMatchObject({
      total: 1,
      good: 0,
      poor: 1,
      goodRate: 0,
      averageScore: 1,
    });
    expect(b.departments.find((d) => d.name === '医保')).toMatchObject({
      total: 0,
      goodRate: null,
      averageScore: null,
    });
  });

  it('shows no ids of devices, leaders, departments or windows, and no comments', async () => {
    const body = JSON.stringify(await getBoard());
    const ids = [
      kiosk.deviceId,
      ...server.seed.leaders.map((l) => l.id),
      ...server.seed.departments.map((d) => d.id),
      ...server.seed.windows.map((w) => w.id),
    ];
    for (const id of ids) expect(body).not.toContain(id);
    expect(body).not.toMatch(/"(id|leaderId|deviceId|comment)"/);
  });
});
