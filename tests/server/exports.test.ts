import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope, RatingSubmitted } from '../../src/domain/events';
import { EXCHANGE_HEADERS } from '../../src/domain/exchange';
import { newId } from '../../src/domain/ids';
import { exportFile, parseExportRequest } from '../../src/server/services/exports';
import { backends } from '../support/databases';
import { PipelineHall, PIN } from './console-support';
import {
  enrollRole,
  kioskPins,
  ledgerEvent,
  signInEvent,
  signOutEvent,
  type KioskPin,
} from './duty-support';
import { enrollDevice, type TestDevice } from './helpers';

type Cell = string | number;
const PERIOD = 'from=2026-11-01&to=2026-11-30';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A cell as the CSV must hold it: text a spreadsheet would run as a formula starts with '. */
const csvText = (cell: Cell) =>
  typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : String(cell);

/** The CSV's rows after checking the BOM; the header first. */
function csvRows(res: LightMyRequestResponse): string[][] {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  const text = res.rawPayload.toString('utf8').slice(1);
  expect(text.endsWith('\r\n')).toBe(true);
  const parsed = Papa.parse<string[]>(text, { newline: '\r\n', skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

/** Each sheet's rows (header first) of an XLSX reply, read back with exceljs. */
async function xlsxSheets(res: LightMyRequestResponse): Promise<Record<string, Cell[][]>> {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe(XLSX);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const out: Record<string, Cell[][]> = {};
  workbook.eachSheet((ws) => {
    expect(ws.getRow(1).font?.bold, `${ws.name} header bold`).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const rows: Cell[][] = [];
    for (let n = 1; n <= ws.rowCount; n++) {
      const row = ws.getRow(n);
      const cells: Cell[] = [];
      for (let c = 1; c <= ws.columnCount; c++) {
        const value = row.getCell(c).value;
        cells.push(value === null || value === undefined ? '' : (value as Cell));
      }
      rows.push(cells);
    }
    out[ws.name] = rows;
  });
  return out;
}

describe.each(backends)('console exports on $name', ({ name }) => {
  let hall: PipelineHall;
  let kiosk: TestDevice;
  let kioskRecords: KioskPin[];
  // Department 1 with two windows (w1, w3), department 2 with one (w2).
  let d1: { id: string; name: string; code: string };
  let d2: { id: string; name: string; code: string };
  let w1: { id: string; code: string; name: string };
  let w2: { id: string; code: string; name: string };
  let w3: { id: string; code: string; name: string };
  let e2: TestDevice;
  let e3: TestDevice;
  let leader1: { id: string; title: string; departmentId: string };
  let leader2: { id: string; title: string; departmentId: string };
  const ids: Record<string, string> = {};
  let session1 = '';

  const get = (url: string) => hall.admin.get(url);

  async function rate(device: TestDevice, at: string, fields: Partial<RatingSubmitted>) {
    hall.at(at);
    const e = hall.append(device, 'rating.submitted', device.ratingPayload(hall.server, fields));
    await hall.push(device, [e]);
    return e.id;
  }

  async function dutySession(
    leader: { id: string; departmentId: string },
    inAt: string,
    outAt: string | null,
    ledger: (sessionId: string) => EventEnvelope[],
    fields: { windowId?: string | null; shiftId?: string | null } = {},
  ): Promise<string> {
    hall.at(inAt);
    const signIn = await signInEvent(kiosk, {
      leaderId: leader.id,
      departmentId: leader.departmentId,
      pin: PIN,
      record: kioskRecords.find((p) => p.leaderId === leader.id)!,
      at: inAt,
      ...fields,
    });
    const sessionId = (signIn.payload as { sessionId: string }).sessionId;
    const events = [signIn, ...ledger(sessionId)];
    if (outAt) events.push(signOutEvent(kiosk, sessionId, outAt));
    await hall.push(kiosk, events);
    return sessionId;
  }

  beforeAll(async () => {
    hall = await PipelineHall.open(name, Date.parse('2026-10-20T02:00:00Z'));
    const seed = hall.server.seed;
    w1 = seed.windows.find((w) => w.id === hall.evaluator.windowId)!;
    const dept1 = seed.departments.find(
      (d) => d.id === seed.windows.find((w) => w.id === w1.id)!.departmentId,
    )!;
    d1 = dept1;
    w3 = seed.windows.filter((w) => w.departmentId === d1.id && w.id !== w1.id)[0]!;
    d2 = seed.departments.find((d) => d.id !== d1.id)!;
    w2 = seed.windows.find((w) => w.departmentId === d2.id)!;
    const now = () => hall.clock;
    e2 = await enrollDevice(hall.server, w2.code, now);
    e3 = await enrollDevice(hall.server, w3.code, now);
    leader1 = seed.leaders.find((l) => l.departmentId === d1.id)!;
    leader2 = seed.leaders.find((l) => l.departmentId === d2.id)!;
    await hall.withPins(leader1.title, leader2.title);
    kiosk = await enrollRole(hall.server, 'duty_kiosk', now);
    kioskRecords = await kioskPins(hall.server, kiosk);

    // 局长坐班 in November: late for a shift, with ledger lines; another left open (closed by the
    // kiosk at the end of the day); one on the last day of October that is not in the period.
    hall.at('2026-10-25T02:00:00Z');
    const shift = await hall.admin.ok<{ shift: { id: string } }>('/api/v1/admin/shifts', {
      leaderId: leader1.id,
      date: '2026-11-02',
      start: '09:00',
      end: '12:00',
      published: true,
    });
    session1 = await dutySession(
      leader1,
      '2026-11-02T01:20:00.000Z',
      '2026-11-02T04:00:00.000Z',
      (id) => [
        ledgerEvent(kiosk, id, 'served', 12, '', '2026-11-02T02:00:00.000Z'),
        ledgerEvent(kiosk, id, 'complaint', 0, '=窗口午休无人', '2026-11-02T03:00:00.000Z'),
      ],
      { windowId: w1.id, shiftId: shift.shift.id },
    );
    await dutySession(leader2, '2026-11-20T06:00:00.000Z', null, (id) => [
      ledgerEvent(kiosk, id, 'cases', 3, '', '2026-11-20T07:00:00.000Z'),
    ]);
    await dutySession(leader2, '2026-10-31T15:30:00.000Z', '2026-10-31T15:50:00.000Z', () => []);

    // Ratings at the edges of November in the hall (UTC+8), in both departments.
    ids.before = await rate(hall.evaluator, '2026-10-31T15:59:59.000Z', { ticket: 'T-0' });
    ids.first = await rate(hall.evaluator, '2026-10-31T16:00:00.000Z', {
      level: 'very_satisfied',
      ticket: 'B20261101001',
      comment: '=HYPERLINK("http://x","y")',
      dutySessionId: session1,
    });
    ids.w3 = await rate(e3, '2026-11-10T03:00:00.000Z', { level: 'basically_satisfied' });
    ids.d2 = await rate(e2, '2026-11-15T02:00:00.000Z', { level: 'satisfied', ticket: '-5' });
    ids.last = await rate(hall.evaluator, '2026-11-30T15:59:59.000Z', {
      level: 'dissatisfied',
      reasons: ['waited_too_long', 'attitude'],
      comment: '+1 等了很久',
    });
    ids.after = await rate(hall.evaluator, '2026-11-30T16:00:00.000Z', { ticket: 'T-9' });

    // Walk findings: one in October (not in the period), two in November, one assigned.
    hall.at('2026-10-31T15:00:00.000Z');
    const walk1 = {
      walkId: await hall.startWalk(leader1.title),
      leaderId: leader1.id,
      departmentId: d1.id,
    };
    ids.octFinding = await hall.finding(walk1, { description: '十月的问题' });
    hall.at('2026-11-05T02:00:00.000Z');
    ids.finding1 = await hall.finding(walk1, {
      description: '@导办台 指南缺页',
      severity: 'high',
      windowId: w1.id,
    });
    const walk2 = {
      walkId: await hall.startWalk(leader2.title),
      leaderId: leader2.id,
      departmentId: d2.id,
    };
    hall.at('2026-11-06T02:00:00.000Z');
    ids.finding2 = await hall.finding(walk2, { description: '窗口标识不清', severity: 'low' });
    hall.at('2026-11-09T02:00:00.000Z');
    await hall.step(ids.finding2, {
      type: 'problem.assigned',
      payload: {
        from: 'found',
        departmentId: d2.id,
        assignee: '综合窗口负责人',
        note: '本周内整改',
      },
    });

    hall.at('2026-12-03T02:00:00.000Z');
  });
  afterAll(() => hall.close());

  const device = (d: TestDevice) => d.deviceId;
  const ratingRow = (
    at: string,
    dept: { name: string },
    win: { code: string; name: string },
    level: string,
    reasons: string,
    comment: string,
    ticket: string,
    dev: TestDevice,
    onDuty: string,
  ): Cell[] => [
    at,
    dept.name,
    win.code,
    win.name,
    level,
    '窗口评价器',
    reasons,
    comment,
    ticket,
    device(dev),
    onDuty,
  ];

  const RATING_HEADER = [
    '评价时间',
    '部门',
    '窗口编号',
    '窗口名称',
    '评价等级',
    '评价渠道',
    '差评原因',
    '评价内容',
    '办件号',
    '评价设备',
    '领导坐班中',
  ];

  const allRatings = () => [
    ratingRow(
      '2026-11-01 00:00:00',
      d1,
      w1,
      '非常满意',
      '',
      '=HYPERLINK("http://x","y")',
      'B20261101001',
      hall.evaluator,
      '是',
    ),
    ratingRow('2026-11-10 11:00:00', d1, w3, '基本满意', '', '', '', e3, '否'),
    ratingRow('2026-11-15 10:00:00', d2, w2, '满意', '', '', '-5', e2, '否'),
    ratingRow(
      '2026-11-30 23:59:59',
      d1,
      w1,
      '不满意',
      '等候时间长、服务态度差',
      '+1 等了很久',
      '',
      hall.evaluator,
      '否',
    ),
  ];

  it('exports the period’s ratings as CSV with a BOM, hall-local times and formulas defused', async () => {
    const res = await get(`/api/v1/admin/exports/ratings.csv?${PERIOD}`);
    const rows = csvRows(res);
    expect(rows[0]).toEqual(RATING_HEADER);
    expect(rows.slice(1)).toEqual(allRatings().map((r) => r.map(csvText)));
    expect(res.rawPayload.toString('utf8')).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="ratings-2026-11-01_2026-11-30.csv"; filename*=UTF-8''${encodeURIComponent('评价记录-2026-11-01_2026-11-30.csv')}`,
    );
  });

  it('narrows ratings by department, window and level, in CSV and XLSX', async () => {
    const [first, w3Row, d2Row, last] = allRatings();
    const cases: [string, Cell[][]][] = [
      [`department=${d1.id}`, [first!, w3Row!, last!]],
      [`department=${d2.id}`, [d2Row!]],
      [`window=${w1.id}`, [first!, last!]],
      [`window=${w3.id}`, [w3Row!]],
      [`level=dissatisfied`, [last!]],
      [`department=${d1.id}&level=satisfied`, []],
    ];
    for (const [filter, expected] of cases) {
      const csv = csvRows(await get(`/api/v1/admin/exports/ratings.csv?${PERIOD}&${filter}`));
      expect(csv.slice(1), filter).toEqual(expected.map((r) => r.map(csvText)));
      const xlsx = await xlsxSheets(
        await get(`/api/v1/admin/exports/ratings.xlsx?${PERIOD}&${filter}`),
      );
      expect(xlsx['评价记录'], filter).toEqual([RATING_HEADER, ...expected]);
    }
    // One day: the last of the month, up to its last second.
    const oneDay = csvRows(
      await get('/api/v1/admin/exports/ratings.csv?from=2026-11-30&to=2026-11-30'),
    );
    expect(oneDay.slice(1)).toEqual([last!.map(csvText)]);
  });

  it('writes the 好差评 exchange layout with the hall’s level codes, either way round', async () => {
    // The columns as tests/unit/exchange.test.ts pins them.
    const header = [...EXCHANGE_HEADERS];
    const expected = (codes: [number, number, number, number]): Cell[][] => [
      [
        ids.first!,
        '2026-11-01 00:00:00',
        d1.code,
        d1.name,
        w1.code,
        'B20261101001',
        4,
        codes[0],
        '',
        '=HYPERLINK("http://x","y")',
      ],
      [ids.w3!, '2026-11-10 11:00:00', d1.code, d1.name, w3.code, '', 4, codes[1], '', ''],
      [ids.d2!, '2026-11-15 10:00:00', d2.code, d2.name, w2.code, '-5', 4, codes[2], '', ''],
      [
        ids.last!,
        '2026-11-30 23:59:59',
        d1.code,
        d1.name,
        w1.code,
        '',
        4,
        codes[3],
        '等候时间长；服务态度差',
        '+1 等了很久',
      ],
    ];
    const national = expected([1, 3, 2, 4]);
    const csv = csvRows(await get(`/api/v1/admin/exports/ratings-exchange.csv?${PERIOD}`));
    expect(csv).toEqual([header, ...national.map((r) => r.map(csvText))]);
    const xlsx = await xlsxSheets(
      await get(`/api/v1/admin/exports/ratings-exchange.xlsx?${PERIOD}`),
    );
    expect(xlsx['好差评数据']).toEqual([header, ...national]);

    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.settingsSaved',
      payload: { levelCodeMap: 'ascending' },
    });
    try {
      const ascending = await xlsxSheets(
        await get(`/api/v1/admin/exports/ratings-exchange.xlsx?${PERIOD}&level=dissatisfied`),
      );
      expect(ascending['好差评数据']).toEqual([header, expected([5, 3, 4, 2])[3]!]);
    } finally {
      await hall.admin.ok('/api/v1/admin/ref', {
        type: 'ref.settingsSaved',
        payload: { levelCodeMap: 'national' },
      });
    }
  });

  const DUTY_HEADER = [
    '领导',
    '部门',
    '窗口',
    '签到时间',
    '签退时间',
    '坐班时长（小时）',
    '自动签退',
    '排班',
    '迟到',
    '接待群众',
    '办理业务',
    '现场解决问题',
    '收到投诉',
    '收到建议',
    '台账记录',
  ];
  const LEDGER_HEADER = [
    '领导',
    '部门',
    '签到时间',
    '记录时间',
    '记录类型',
    '数量',
    '情况说明',
    '需要跟进整改',
  ];

  it('exports duty sessions with their ledgers; XLSX adds one row per ledger line', async () => {
    const s1: Cell[] = [
      leader1.title,
      d1.name,
      `${w1.code} ${w1.name}`,
      '2026-11-02 09:20:00',
      '2026-11-02 12:00:00',
      2.7,
      '否',
      '09:00–12:00',
      '是',
      12,
      0,
      0,
      1,
      0,
      '2026-11-02 10:00:00 接待群众 12\n2026-11-02 11:00:00 收到投诉 =窗口午休无人',
    ];
    const s2: Cell[] = [
      leader2.title,
      d2.name,
      '',
      '2026-11-20 14:00:00',
      '2026-11-21 00:00:00',
      10,
      '是',
      '排班外',
      '',
      0,
      3,
      0,
      0,
      0,
      '2026-11-20 15:00:00 办理业务 3',
    ];
    const csv = csvRows(await get(`/api/v1/admin/exports/duty.csv?${PERIOD}`));
    expect(csv).toEqual([DUTY_HEADER, ...[s1, s2].map((r) => r.map(csvText))]);

    const xlsx = await xlsxSheets(await get(`/api/v1/admin/exports/duty.xlsx?${PERIOD}`));
    expect(xlsx['坐班记录']).toEqual([DUTY_HEADER, s1, s2]);
    expect(xlsx['坐班台账']).toEqual([
      LEDGER_HEADER,
      [
        leader1.title,
        d1.name,
        '2026-11-02 09:20:00',
        '2026-11-02 10:00:00',
        '接待群众',
        12,
        '',
        '否',
      ],
      [
        leader1.title,
        d1.name,
        '2026-11-02 09:20:00',
        '2026-11-02 11:00:00',
        '收到投诉',
        0,
        '=窗口午休无人',
        '否',
      ],
      [
        leader2.title,
        d2.name,
        '2026-11-20 14:00:00',
        '2026-11-20 15:00:00',
        '办理业务',
        3,
        '',
        '否',
      ],
    ]);

    const byDepartment = csvRows(
      await get(`/api/v1/admin/exports/duty.csv?${PERIOD}&department=${d2.id}`),
    );
    expect(byDepartment.slice(1)).toEqual([s2.map(csvText)]);
    const byWindow = csvRows(await get(`/api/v1/admin/exports/duty.csv?${PERIOD}&window=${w1.id}`));
    expect(byWindow.slice(1)).toEqual([s1.map(csvText)]);
  });

  const PROBLEM_HEADER = [
    '问题编号',
    '来源',
    '部门',
    '窗口',
    '问题描述',
    '程度',
    '状态',
    '发现时间',
    '整改时限',
    '已逾期',
    '整改完成时间',
    '责任部门',
    '处理经过',
  ];

  it('exports problems with their history, filtered by source and status', async () => {
    const csv = csvRows(await get(`/api/v1/admin/exports/problems.csv?${PERIOD}`));
    expect(csv[0]).toEqual(PROBLEM_HEADER);
    expect(csv.slice(1).map((r) => r[0])).toEqual([ids.finding1, ids.finding2, ids.last]);
    const byId = new Map(csv.slice(1).map((r) => [r[0], r]));

    const f1 = byId.get(ids.finding1!)!;
    expect(f1.slice(1, 8)).toEqual([
      '走流程',
      d1.name,
      `${w1.code} ${w1.name}`,
      "'@导办台 指南缺页",
      '严重',
      '待处理',
      '2026-11-05 10:00:00',
    ]);
    expect(f1[12]).toBe(`2026-11-05 10:00:00 发现问题 · ${leader1.title} — @导办台 指南缺页`);

    const f2 = byId.get(ids.finding2!)!;
    expect(f2.slice(1, 8)).toEqual([
      '走流程',
      d2.name,
      '',
      '窗口标识不清',
      '一般',
      '已交办',
      '2026-11-06 10:00:00',
    ]);
    expect(f2[11]).toBe(`${d2.name} · 综合窗口负责人`);
    expect(f2[12]).toBe(
      `2026-11-06 10:00:00 发现问题 · ${leader2.title} — 窗口标识不清\n2026-11-09 10:00:00 交办 · admin — 本周内整改`,
    );

    const poor = byId.get(ids.last!)!;
    expect(poor.slice(1, 8)).toEqual([
      '差评',
      d1.name,
      `${w1.code} ${w1.name}`,
      '等候时间长、服务态度差 — +1 等了很久',
      poor[5],
      '待处理',
      '2026-11-30 23:59:59',
    ]);
    expect(poor[9]).toBe('是'); // its call-back was due within a working day
    expect(poor[12]).toBe('2026-11-30 23:59:59 市民差评：不满意 · 市民 — +1 等了很久');

    const walks = csvRows(await get(`/api/v1/admin/exports/problems.csv?${PERIOD}&source=walk`));
    expect(walks.slice(1).map((r) => r[0])).toEqual([ids.finding1, ids.finding2]);
    const assigned = csvRows(
      await get(`/api/v1/admin/exports/problems.csv?${PERIOD}&status=assigned`),
    );
    expect(assigned.slice(1).map((r) => r[0])).toEqual([ids.finding2]);
    const atWindow = csvRows(
      await get(`/api/v1/admin/exports/problems.csv?${PERIOD}&window=${w1.id}&source=rating`),
    );
    expect(atWindow.slice(1).map((r) => r[0])).toEqual([ids.last]);
    const overdue = csvRows(await get(`/api/v1/admin/exports/problems.csv?${PERIOD}&overdue=1`));
    expect(overdue.slice(1)).toEqual(csv.slice(1).filter((r) => r[9] === '是'));
    expect(overdue.slice(1).map((r) => r[0])).toContain(ids.last);
    const october = csvRows(
      await get('/api/v1/admin/exports/problems.csv?from=2026-10-01&to=2026-10-31'),
    );
    expect(october.slice(1).map((r) => r[0])).toEqual([ids.octFinding]);

    const xlsx = await xlsxSheets(
      await get(`/api/v1/admin/exports/problems.xlsx?${PERIOD}&department=${d2.id}`),
    );
    expect(xlsx['问题']!.map((r) => r[0])).toEqual(['问题编号', ids.finding2]);
    expect(xlsx['问题']![1]!.map(csvText)).toEqual(f2);
    expect(xlsx['处理经过']).toEqual([
      ['问题编号', '时间', '步骤', '处理人', '说明', '已失效'],
      [ids.finding2, '2026-11-06 10:00:00', '发现问题', leader2.title, '窗口标识不清', ''],
      [ids.finding2, '2026-11-09 10:00:00', '交办', 'admin', '本周内整改', ''],
    ]);
  });

  it('refuses a bad kind, format, date or filter with 400 invalid_query', async () => {
    const bad = [
      `/api/v1/admin/exports/walks.csv?${PERIOD}`,
      `/api/v1/admin/exports/ratings.pdf?${PERIOD}`,
      `/api/v1/admin/exports/ratings?${PERIOD}`,
      '/api/v1/admin/exports/ratings.csv?from=2026-11-01',
      '/api/v1/admin/exports/ratings.csv?from=2026-11-31&to=2026-12-01',
      '/api/v1/admin/exports/ratings.csv?from=2026-12-01&to=2026-11-01',
      `/api/v1/admin/exports/ratings.csv?${PERIOD}&level=great`,
      `/api/v1/admin/exports/ratings.csv?${PERIOD}&status=found`,
      `/api/v1/admin/exports/duty.csv?${PERIOD}&level=satisfied`,
      `/api/v1/admin/exports/problems.csv?${PERIOD}&source=phone`,
      `/api/v1/admin/exports/problems.csv?${PERIOD}&colour=red`,
      `/api/v1/admin/exports/problems.csv?${PERIOD}&overdue=maybe`,
      `/api/v1/admin/exports/ratings.csv?${PERIOD}&overdue=1`,
    ];
    for (const url of bad) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({
        error: 'invalid_query',
        message: expect.any(String),
      });
    }
  });

  it('refuses an XLSX with more rows than a sheet holds, and tells to narrow the filter', async () => {
    const request = parseExportRequest('ratings.xlsx', { from: '2026-11-01', to: '2026-11-30' });
    const refuse = exportFile(hall.server.db, hall.server.seed.hall.id, request, hall.clock, {
      maxXlsxRows: 3,
    });
    await expect(refuse).rejects.toMatchObject({ status: 400, code: 'too_many_rows' });
    await expect(refuse).rejects.toThrow(/narrow/);
    const fits = await exportFile(hall.server.db, hall.server.seed.hall.id, request, hall.clock, {
      maxXlsxRows: 4,
    });
    expect(fits.contentType).toBe(XLSX);
  });

  it('answers 401 without an administrator’s session', async () => {
    const res = await hall.server.app.inject({
      url: `/api/v1/admin/exports/ratings.csv?${PERIOD}`,
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('pages through a period longer than one page in time order', async () => {
    // 4,500 ratings of one day (more than two pages), written straight to the table.
    const day = '2026-09-10';
    const event = hall.server.db;
    const n = 4500;
    const base = Date.parse(`${day}T01:00:00.000Z`);
    const eventIds = Array.from({ length: n }, () => newId());
    await event.query(
      `INSERT INTO events (id, hall_id, hall_seq, device_id, device_seq, type, at, hlc,
         hlc_original, hash, payload, envelope, received_at)
       SELECT id, $2, -seq, 'bulk', seq, 'rating.submitted', now(), 'x', 'x', 'x', '{}'::jsonb,
         '{}'::jsonb, now()
       FROM unnest($1::text[]) WITH ORDINALITY AS t(id, seq)`,
      [eventIds, hall.server.seed.hall.id],
    );
    await event.query(
      `INSERT INTO ratings (event_id, hall_id, device_id, window_id, department_id, level, channel,
         ticket, phone_id, duty_session_id, reasons, comment, at, received_at)
       SELECT id, $2, 'bulk', $3, $4, 'satisfied', 'qr', NULL, NULL, NULL, '[]'::jsonb,
         'n' || seq, to_timestamp(($5::bigint + (seq % 7) * 1000) / 1000.0), now()
       FROM unnest($1::text[]) WITH ORDINALITY AS t(id, seq)`,
      [eventIds, hall.server.seed.hall.id, w2.id, d2.id, base],
    );
    const rows = csvRows(await get(`/api/v1/admin/exports/ratings.csv?from=${day}&to=${day}`));
    expect(rows.length - 1).toBe(n);
    const comments = rows.slice(1).map((r) => r[7]);
    expect(new Set(comments).size).toBe(n);
    const times = rows.slice(1).map((r) => r[0]!);
    expect([...times].sort()).toEqual(times);
  });
});
