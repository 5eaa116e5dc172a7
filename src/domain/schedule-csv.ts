/**
 * Reading a duty schedule (坐班排班) from a CSV file, as halls keep schedules in spreadsheets.
 * Every row is checked on its own, so a file with a few bad rows can be corrected — or its valid
 * rows imported — with each problem named by line and reason code.
 */
import Papa from 'papaparse';
import type { DutyShiftSaved } from './events';
import type { Department, Leader, ServiceWindow } from './reference';
import { isClockTime, isHallDate } from './schedule';

export const SCHEDULE_CSV_COLUMNS = [
  'date',
  'leader',
  'department',
  'window',
  'start',
  'end',
] as const;
export type ScheduleCsvColumn = (typeof SCHEDULE_CSV_COLUMNS)[number];

const REQUIRED: readonly ScheduleCsvColumn[] = ['date', 'leader', 'start', 'end'];

/** Header names accepted for each column, compared without case, spaces or bracketed hints. */
const HEADER_NAMES: Record<ScheduleCsvColumn, readonly string[]> = {
  date: ['date', '日期', '坐班日期'],
  leader: ['leader', '领导', '坐班领导', '领导职务', 'badge', '工牌号'],
  department: ['department', 'dept', '部门', '单位'],
  window: ['window', '窗口', '窗口号'],
  start: ['start', 'starttime', '开始', '开始时间'],
  end: ['end', 'endtime', '结束', '结束时间'],
};

export type ScheduleCsvRowCode =
  | 'bad_date'
  | 'unknown_leader'
  | 'unknown_department'
  | 'unknown_window'
  | 'bad_time'
  | 'ends_before_start';

export interface ScheduleCsvError {
  code: ScheduleCsvRowCode;
  message: string;
}

export interface ScheduleCsvRow {
  /** Line in the file where the row begins (the header is line 1). */
  line: number;
  /** The shift the row describes; present exactly when `errors` is empty. */
  shift?: Omit<DutyShiftSaved, 'shiftId' | 'published' | 'active'>;
  errors: ScheduleCsvError[];
}

export interface ScheduleCsvResult {
  rows: ScheduleCsvRow[];
  /** Why nothing in the file could be read; `rows` is then empty. */
  fatal?: { code: 'not_csv' | 'missing_columns' | 'empty'; message: string };
}

export interface ScheduleCsvContext {
  leaders: readonly Leader[];
  departments: readonly Department[];
  windows: readonly ServiceWindow[];
}

const normaliseHeader = (h: string) =>
  h
    .toLowerCase()
    .replace(/[(（][^)）]*[)）]/g, '')
    .replace(/[\s_-]/g, '');

/**
 * True for text that is not a text table: NUL bytes (a spreadsheet workbook, an image), or
 * control characters and undecodable bytes (a file in another encoding) in more than a trace.
 */
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  const sample = text.slice(0, 16_384);
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) odd++;
  }
  return odd > Math.max(2, sample.length / 100);
}

/** A spreadsheet may write 2026/11/5 or 2026年11月5日; shifts are written 2026-11-05. */
function normaliseDate(value: string): string | null {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(value);
  if (!m) return null;
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isHallDate(date) ? date : null;
}

/** A spreadsheet may write 9:00, 09:00:00 or 9：00; shifts are written 09:00. */
function normaliseTime(value: string): string | null {
  const m = /^(\d{1,2})[:：](\d{2})(?:[:：]\d{2})?$/.exec(value);
  if (!m) return null;
  const time = `${m[1]!.padStart(2, '0')}:${m[2]}`;
  return isClockTime(time) ? time : null;
}

/** The delimiter of the header line: comma, else tab, else semicolon; null for a single column. */
function delimiterOf(firstLine: string): string | null {
  for (const d of [',', '\t', ';']) if (firstLine.includes(d)) return d;
  return null;
}

/** Read a schedule CSV against the hall's leaders, departments and windows. */
export function parseScheduleCsv(text: string, ctx: ScheduleCsvContext): ScheduleCsvResult {
  const body = (text.startsWith('\uFEFF') ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  if (looksBinary(body)) {
    return {
      rows: [],
      fatal: { code: 'not_csv', message: 'The file is not CSV text; save the sheet as CSV UTF-8.' },
    };
  }
  if (body.trim() === '') {
    return { rows: [], fatal: { code: 'empty', message: 'The file is empty.' } };
  }
  const leadingBlank = /^\s*\n/.exec(body)?.[0].length ?? 0;
  const delimiter = delimiterOf(body.slice(leadingBlank).split('\n', 1)[0]!);
  if (delimiter === null) {
    return {
      rows: [],
      fatal: { code: 'not_csv', message: 'The file has no columns separated by commas.' },
    };
  }

  // Each record with the line it begins on, found from the parser's cursor.
  const records: { line: number; cells: string[] }[] = [];
  let cursor = 0;
  let line = 1;
  Papa.parse<string[]>(body, {
    delimiter,
    newline: '\n',
    step: (result) => {
      const end = result.meta.cursor;
      const cells = result.data.map((c) => c.trim());
      if (cells.some((c) => c !== '')) {
        let start = cursor;
        while (body[start] === '\n') start++;
        records.push({ line: line + countNewlines(body, cursor, start), cells });
      }
      line += countNewlines(body, cursor, end);
      cursor = end;
    },
  });

  const header = records.shift();
  if (!header) return { rows: [], fatal: { code: 'empty', message: 'The file is empty.' } };
  const index = new Map<ScheduleCsvColumn, number>();
  header.cells.forEach((cell, i) => {
    const name = normaliseHeader(cell);
    const column = SCHEDULE_CSV_COLUMNS.find((c) => HEADER_NAMES[c].includes(name));
    if (column && !index.has(column)) index.set(column, i);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) {
    return {
      rows: [],
      fatal: {
        code: 'missing_columns',
        message: `The header row lacks the column(s): ${missing.join(', ')}.`,
      },
    };
  }
  if (records.length === 0) {
    return {
      rows: [],
      fatal: { code: 'empty', message: 'The file has no rows below its header.' },
    };
  }

  const lookup = referenceLookup(ctx);
  return {
    rows: records.map(({ line, cells }) => {
      const get = (c: ScheduleCsvColumn) => {
        const i = index.get(c);
        return i === undefined ? '' : (cells[i] ?? '');
      };
      return parseRow(line, get, lookup);
    }),
  };
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text[i] === '\n') n++;
  return n;
}

interface Lookup {
  leader(value: string): Leader | 'ambiguous' | undefined;
  department(value: string): Department | undefined;
  window(departmentId: string, value: string): ServiceWindow | undefined;
}

function referenceLookup(ctx: ScheduleCsvContext): Lookup {
  const leaders = ctx.leaders.filter((l) => l.active);
  const departments = ctx.departments.filter((d) => d.active);
  const windows = ctx.windows.filter((w) => w.active);
  return {
    leader(value) {
      // Badge codes are letters and digits; a spreadsheet may have changed their case.
      const upper = value.toUpperCase();
      const byBadge = leaders.find((l) => l.badgeCode?.toUpperCase() === upper);
      if (byBadge) return byBadge;
      const byTitle = leaders.filter((l) => l.title === value);
      return byTitle.length > 1 ? 'ambiguous' : byTitle[0];
    },
    department(value) {
      const upper = value.toUpperCase();
      return (
        departments.find((d) => d.code.toUpperCase() === upper) ??
        departments.find((d) => d.name === value || d.nameEn === value)
      );
    },
    window(departmentId, value) {
      const upper = value.toUpperCase();
      const own = windows.filter((w) => w.departmentId === departmentId);
      return own.find((w) => w.code.toUpperCase() === upper) ?? own.find((w) => w.name === value);
    },
  };
}

function parseRow(
  line: number,
  get: (c: ScheduleCsvColumn) => string,
  lookup: Lookup,
): ScheduleCsvRow {
  const errors: ScheduleCsvError[] = [];
  const fail = (code: ScheduleCsvRowCode, message: string) => errors.push({ code, message });

  const date = normaliseDate(get('date'));
  if (!date) fail('bad_date', `"${get('date')}" is not a date (YYYY-MM-DD).`);

  const leaderValue = get('leader');
  const leader = lookup.leader(leaderValue);
  if (leader === 'ambiguous') {
    fail('unknown_leader', `More than one leader is titled "${leaderValue}"; use the badge code.`);
  } else if (!leader) {
    fail('unknown_leader', `No active leader has the badge code or title "${leaderValue}".`);
  }
  const found = leader === 'ambiguous' ? undefined : leader;

  let departmentId = found?.departmentId;
  const departmentValue = get('department');
  if (departmentValue !== '') {
    const department = lookup.department(departmentValue);
    departmentId = department?.id;
    if (!department)
      fail('unknown_department', `No department has the code or name "${departmentValue}".`);
  }

  let windowId: string | null = null;
  const windowValue = get('window');
  if (windowValue !== '' && departmentId !== undefined) {
    const window = lookup.window(departmentId, windowValue);
    if (window) windowId = window.id;
    else fail('unknown_window', `The department has no window "${windowValue}".`);
  }

  const start = normaliseTime(get('start'));
  const end = normaliseTime(get('end'));
  if (!start) fail('bad_time', `"${get('start')}" is not a time (HH:MM).`);
  if (!end) fail('bad_time', `"${get('end')}" is not a time (HH:MM).`);
  if (start && end && start >= end)
    fail('ends_before_start', `The shift ends (${end}) before it starts (${start}).`);

  if (errors.length > 0 || !date || !found || !departmentId || !start || !end) {
    return { line, errors };
  }
  return {
    line,
    shift: { leaderId: found.id, departmentId, windowId, date, start, end },
    errors,
  };
}
