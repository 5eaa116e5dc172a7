import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import type { Department, Leader, ServiceWindow } from '../../src/domain/reference';
import { parseScheduleCsv } from '../../src/domain/schedule-csv';

const version = { hlc: '', id: newId() };
const tax: Department = { id: newId(), code: 'TAX', name: '税务', sort: 1, active: true, version };
const social: Department = {
  id: newId(),
  code: 'HRSS',
  name: '人社',
  nameEn: 'Human Resources',
  sort: 2,
  active: true,
  version,
};
const closed: Department = {
  id: newId(),
  code: 'OLD',
  name: '已撤销',
  sort: 3,
  active: false,
  version,
};
const taxWindow: ServiceWindow = {
  id: newId(),
  departmentId: tax.id,
  code: 'A01',
  name: '综合窗口',
  sort: 1,
  active: true,
  version,
};
const socialWindow: ServiceWindow = {
  id: newId(),
  departmentId: social.id,
  code: 'B01',
  name: '社保窗口',
  sort: 1,
  active: true,
  version,
};
const director: Leader = {
  id: newId(),
  departmentId: tax.id,
  title: '税务局局长',
  badgeCode: 'TAX-001',
  active: true,
  version,
};
const chief: Leader = {
  id: newId(),
  departmentId: social.id,
  title: '人社局局长',
  active: true,
  version,
};
const deputyA: Leader = {
  id: newId(),
  departmentId: social.id,
  title: '副局长',
  badgeCode: 'D1',
  active: true,
  version,
};
const deputyB: Leader = {
  id: newId(),
  departmentId: tax.id,
  title: '副局长',
  active: true,
  version,
};
const former: Leader = {
  id: newId(),
  departmentId: tax.id,
  title: '原局长',
  active: false,
  version,
};

const ctx = {
  leaders: [director, chief, deputyA, deputyB, former],
  departments: [tax, social, closed],
  windows: [taxWindow, socialWindow],
};

const csv = (...lines: string[]) => lines.join('\r\n') + '\r\n';

describe('schedule CSV: a valid file', () => {
  const standard = ['date', 'leader', 'department', 'window', 'start', 'end'];
  it.each([
    ['English headers', 'date,leader,department,window,start,end', standard],
    ['Chinese headers', '日期,领导,部门,窗口,开始,结束', standard],
    [
      'Chinese headers with hints',
      '坐班日期（YYYY-MM-DD）, 坐班领导 ,部门,窗口号,开始时间,结束时间',
      standard,
    ],
    ['a byte-order mark', '\uFEFFdate,leader,department,window,start,end', standard],
    ['a byte-order mark and Chinese headers', '\uFEFF日期,领导,部门,窗口,开始,结束', standard],
    [
      'a byte-order mark before quoted headers',
      '\uFEFF"日期","领导","部门","窗口","开始","结束"',
      standard,
    ],
    [
      'columns in another order',
      'Start,End,Leader,Date,Window,Department',
      ['start', 'end', 'leader', 'date', 'window', 'department'],
    ],
  ])('reads %s', (_name, header, keys) => {
    const row = (values: Record<string, string>) => keys.map((k) => values[k]).join(',');
    const text = csv(
      header,
      row({
        date: '2026-11-23',
        leader: 'TAX-001',
        department: 'TAX',
        window: 'A01',
        start: '09:00',
        end: '11:30',
      }),
      row({
        date: '2026-11-24',
        leader: '人社局局长',
        department: '',
        window: '',
        start: '14:00',
        end: '16:00',
      }),
    );
    const result = parseScheduleCsv(text, ctx);
    expect(result.fatal).toBeUndefined();
    expect(result.rows).toEqual([
      {
        line: 2,
        errors: [],
        shift: {
          leaderId: director.id,
          departmentId: tax.id,
          windowId: taxWindow.id,
          date: '2026-11-23',
          start: '09:00',
          end: '11:30',
        },
      },
      {
        line: 3,
        errors: [],
        shift: {
          leaderId: chief.id,
          departmentId: social.id,
          windowId: null,
          date: '2026-11-24',
          start: '14:00',
          end: '16:00',
        },
      },
    ]);
  });

  it('reads a file without the optional department and window columns', () => {
    const result = parseScheduleCsv(
      csv('date,leader,start,end', '2026-11-23,TAX-001,09:00,11:00'),
      ctx,
    );
    expect(result.rows[0]?.shift).toMatchObject({
      leaderId: director.id,
      departmentId: tax.id,
      windowId: null,
    });
  });

  it.each([
    ['2026/11/5', '9:00', '2026-11-05', '09:00'],
    ['2026年11月5日', '09:00:00', '2026-11-05', '09:00'],
    ['2026-11-05', '9：30', '2026-11-05', '09:30'],
  ])('accepts the spreadsheet forms %s and %s', (date, start, wantDate, wantStart) => {
    const result = parseScheduleCsv(
      csv('date,leader,start,end', `${date},TAX-001,${start},17:00`),
      ctx,
    );
    expect(result.rows[0]?.errors).toEqual([]);
    expect(result.rows[0]?.shift).toMatchObject({ date: wantDate, start: wantStart, end: '17:00' });
  });

  it.each([
    ['department by name', '人社', 'B01', social.id, socialWindow.id],
    ['department by English name', 'Human Resources', 'b01', social.id, socialWindow.id],
    ['window by name', 'TAX', '综合窗口', tax.id, taxWindow.id],
    ['department code in lower case', 'tax', '', tax.id, null],
  ])('finds the %s', (_name, department, window, departmentId, windowId) => {
    const result = parseScheduleCsv(
      csv(
        'date,leader,department,window,start,end',
        `2026-11-23,TAX-001,${department},${window},09:00,11:00`,
      ),
      ctx,
    );
    expect(result.rows[0]?.shift).toMatchObject({ departmentId, windowId });
  });

  it('finds a leader by a badge code whose case the spreadsheet changed', () => {
    const result = parseScheduleCsv(
      csv('date,leader,start,end', '2026-11-23,tax-001,09:00,11:00'),
      ctx,
    );
    expect(result.rows[0]?.shift?.leaderId).toBe(director.id);
  });

  it('reads tab- and semicolon-separated sheets and quoted cells', () => {
    for (const text of [
      csv('date\tleader\tstart\tend', '2026-11-23\tTAX-001\t09:00\t11:00'),
      csv('date;leader;start;end', '2026-11-23;TAX-001;09:00;11:00'),
      csv('"date","leader","start","end"', '"2026-11-23","TAX-001","09:00","11:00"'),
    ]) {
      expect(parseScheduleCsv(text, ctx).rows).toEqual([
        { line: 2, errors: [], shift: expect.objectContaining({ leaderId: director.id }) },
      ]);
    }
  });

  it('skips blank lines and counts lines as the file has them, LF or CRLF', () => {
    const lines = [
      'date,leader,start,end',
      '',
      '2026-11-23,TAX-001,09:00,11:00',
      ' , , , ',
      '2026-11-24,TAX-001,09:00,11:00',
    ];
    for (const text of [lines.join('\n'), lines.join('\r\n') + '\r\n', '\n' + lines.join('\n')]) {
      const offset = text.startsWith('\n') ? 1 : 0;
      expect(parseScheduleCsv(text, ctx).rows.map((r) => r.line)).toEqual([3 + offset, 5 + offset]);
    }
  });

  it('counts a quoted line break in the line numbers', () => {
    const text = csv(
      'date,leader,department,start,end',
      '2026-11-23,TAX-001,"TAX\n",09:00,11:00',
      '2026-11-31,TAX-001,TAX,09:00,11:00',
    );
    expect(
      parseScheduleCsv(text, ctx).rows.map((r) => [r.line, r.errors.map((e) => e.code)]),
    ).toEqual([
      [2, []],
      [4, ['bad_date']],
    ]);
  });
});

describe('schedule CSV: bad rows', () => {
  const header = 'date,leader,department,window,start,end';
  it.each([
    ['a date that does not exist', '2026-02-30,TAX-001,TAX,A01,09:00,11:00', ['bad_date']],
    ['a date in another form', '23.11,TAX-001,TAX,A01,09:00,11:00', ['bad_date']],
    ['no date', ',TAX-001,TAX,A01,09:00,11:00', ['bad_date']],
    ['an unknown leader', '2026-11-23,市长,TAX,A01,09:00,11:00', ['unknown_leader']],
    ['an inactive leader', '2026-11-23,原局长,TAX,A01,09:00,11:00', ['unknown_leader']],
    ['a title two leaders share', '2026-11-23,副局长,TAX,A01,09:00,11:00', ['unknown_leader']],
    ['an unknown department', '2026-11-23,TAX-001,LAND,,09:00,11:00', ['unknown_department']],
    ['an inactive department', '2026-11-23,TAX-001,OLD,,09:00,11:00', ['unknown_department']],
    ['an unknown window', '2026-11-23,TAX-001,TAX,Z99,09:00,11:00', ['unknown_window']],
    ['another department’s window', '2026-11-23,TAX-001,TAX,B01,09:00,11:00', ['unknown_window']],
    ['a bad start time', '2026-11-23,TAX-001,TAX,A01,25:00,11:00', ['bad_time']],
    ['a bad end time', '2026-11-23,TAX-001,TAX,A01,09:00,noon', ['bad_time']],
    ['an end before the start', '2026-11-23,TAX-001,TAX,A01,11:00,09:00', ['ends_before_start']],
    ['an end equal to the start', '2026-11-23,TAX-001,TAX,A01,09:00,09:00', ['ends_before_start']],
    [
      'several faults at once',
      '2026-13-01,nobody,TAX,A01,9,8',
      ['bad_date', 'unknown_leader', 'bad_time', 'bad_time'],
    ],
    ['a short row', '2026-11-23,TAX-001', ['bad_time', 'bad_time']],
  ])('names %s', (_name, row, codes) => {
    const result = parseScheduleCsv(csv(header, row), ctx);
    expect(result.fatal).toBeUndefined();
    expect(result.rows).toHaveLength(1);
    const [only] = result.rows;
    expect(only?.line).toBe(2);
    expect(only?.errors.map((e) => e.code)).toEqual(codes);
    expect(only?.errors.every((e) => e.message.length > 0)).toBe(true);
    expect(only?.shift).toBeUndefined();
  });

  it('keeps the valid rows of a file that has bad ones', () => {
    const result = parseScheduleCsv(
      csv(
        '日期,领导,部门,窗口,开始,结束',
        '2026-11-23,TAX-001,TAX,A01,09:00,11:00',
        '2026-11-32,TAX-001,TAX,A01,09:00,11:00',
        '2026-11-24,某局长,,,09:00,11:00',
        '2026-11-25,D1,,B01,14:00,16:00',
      ),
      ctx,
    );
    expect(
      result.rows.map((r) => [r.line, r.errors.map((e) => e.code), r.shift !== undefined]),
    ).toEqual([
      [2, [], true],
      [3, ['bad_date'], false],
      [4, ['unknown_leader'], false],
      [5, [], true],
    ]);
    expect(result.rows[3]?.shift).toMatchObject({
      leaderId: deputyA.id,
      windowId: socialWindow.id,
    });
  });
});

describe('schedule CSV: files that cannot be read', () => {
  const png =
    '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000\u0000\u0001\u0000' + '\ufffd'.repeat(40);
  const xlsx =
    'PK\u0003\u0004\u0014\u0000\u0006\u0000\b\u0000\u0000\u0000!\u0000[Content_Types].xml';
  const gbk =
    '\ufffd\ufffd\ufffd\ufffd,\ufffd\ufffd\ufffd\ufffd,\ufffd\ufffd,\ufffd\ufffd\n2026-11-23,\ufffd\ufffd\ufffd\ufffd,09:00,11:00\n';

  it.each([
    ['an image', png, 'not_csv'],
    ['a workbook', xlsx, 'not_csv'],
    ['text in another encoding', gbk, 'not_csv'],
    ['plain prose', 'Dear colleagues\nthe schedule is attached.\n', 'not_csv'],
    ['an empty file', '', 'empty'],
    ['only blank lines and a byte-order mark', '\uFEFF\r\n  \r\n', 'empty'],
    ['a header without rows', 'date,leader,start,end\r\n', 'empty'],
    [
      'a sheet without the leader and end columns',
      csv('date,department,start', '2026-11-23,TAX,09:00'),
      'missing_columns',
    ],
    ['a sheet with other columns', csv('name,phone', '张三,123'), 'missing_columns'],
  ])('refuses %s', (_name, text, code) => {
    const result = parseScheduleCsv(text, ctx);
    expect(result.fatal?.code).toBe(code);
    expect(result.fatal?.message.length).toBeGreaterThan(0);
    expect(result.rows).toEqual([]);
  });

  it('names the missing columns', () => {
    const result = parseScheduleCsv(csv('日期,部门,开始', '2026-11-23,TAX,09:00'), ctx);
    expect(result.fatal?.message).toContain('leader');
    expect(result.fatal?.message).toContain('end');
    expect(result.fatal?.message).not.toContain('date');
  });
});
