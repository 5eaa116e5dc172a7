/**
 * The duty schedule (坐班排班) in the console: single shifts, weekly rules, CSV import,
 * cancelling and publishing. Every change is a ref.dutyShiftSaved event written through the
 * console's log; the duty_shifts table is its fold.
 */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { validatePayload, type DutyShiftSaved } from '../../domain/events';
import { newId } from '../../domain/ids';
import type { DutyShift } from '../../domain/reference';
import { addDays, expandWeeklyRule, isHallDate } from '../../domain/schedule';
import { parseScheduleCsv } from '../../domain/schedule-csv';
import { HttpError, badRequest, notFound } from '../errors';
import { getShift, listShifts, type ShiftRow } from '../repos/duty';
import { listDepartments, listLeaders, listWindows } from '../repos/reference';
import { writeConsoleEvents, type RefWrite } from './console-writer';
import { leaderOfHall } from './roster';

/** The longest span the console lists or publishes at once. */
export const MAX_SPAN_DAYS = 400;

export interface ConsoleShift extends DutyShift {
  leaderTitle: string;
  departmentName: string;
  windowCode: string | null;
}

async function describeShifts(
  db: Db,
  hallId: string,
  shifts: readonly DutyShift[],
): Promise<ConsoleShift[]> {
  const [leaders, departments, windows] = await Promise.all([
    listLeaders(db, hallId),
    listDepartments(db, hallId),
    listWindows(db, hallId),
  ]);
  const title = new Map(leaders.map((l) => [l.id, l.title]));
  const dept = new Map(departments.map((d) => [d.id, d.name]));
  const code = new Map(windows.map((w) => [w.id, w.code]));
  return shifts.map((s) => ({
    id: s.id,
    leaderId: s.leaderId,
    departmentId: s.departmentId,
    windowId: s.windowId,
    date: s.date,
    start: s.start,
    end: s.end,
    published: s.published,
    active: s.active,
    version: s.version,
    leaderTitle: title.get(s.leaderId) ?? '',
    departmentName: dept.get(s.departmentId) ?? '',
    windowCode: s.windowId !== null ? (code.get(s.windowId) ?? null) : null,
  }));
}

/** A span of dates from a query or body: both real dates, in order, at most MAX_SPAN_DAYS. */
export function dateSpan(from: unknown, to: unknown): { from: string; to: string } {
  if (typeof from !== 'string' || typeof to !== 'string' || !isHallDate(from) || !isHallDate(to)) {
    throw badRequest('invalid_query', 'from and to must be dates YYYY-MM-DD.');
  }
  if (from > to) throw badRequest('invalid_query', 'from must not be after to.');
  if (addDays(from, MAX_SPAN_DAYS) <= to) {
    throw badRequest('invalid_query', `A span is at most ${MAX_SPAN_DAYS} days.`);
  }
  return { from, to };
}

export async function adminShifts(
  db: Db,
  hallId: string,
  query: { from?: unknown; to?: unknown },
): Promise<{ shifts: ConsoleShift[] }> {
  const { from, to } = dateSpan(query.from, query.to);
  return { shifts: await describeShifts(db, hallId, await listShifts(db, hallId, from, to)) };
}

function checkShift(payload: unknown): DutyShiftSaved {
  const checked = validatePayload('ref.dutyShiftSaved', payload);
  if (!checked.ok) {
    throw badRequest(checked.issues[0]?.code ?? 'invalid', 'The shift is not valid.', {
      issues: checked.issues,
    });
  }
  if (!isHallDate(checked.value.date)) {
    const message = 'payload.date: must be a calendar date';
    throw badRequest('bad_date', 'The shift is not valid.', {
      issues: [{ path: 'payload.date', code: 'bad_date', message }],
    });
  }
  return checked.value;
}

async function writeShifts(
  db: Db,
  hallId: string,
  shifts: readonly DutyShiftSaved[],
  now: number,
): Promise<void> {
  if (shifts.length === 0) return;
  const writes: RefWrite[] = shifts.map((payload) => ({ type: 'ref.dutyShiftSaved', payload }));
  await db.tx((tx) => writeConsoleEvents(tx, hallId, writes, now));
}

async function describeOne(db: Db, hallId: string, id: string): Promise<ConsoleShift> {
  const shift = await getShift(db, id);
  if (!shift) throw new HttpError(500, 'internal', 'the saved shift is missing');
  return (await describeShifts(db, hallId, [shift]))[0]!;
}

async function shiftOfHall(db: Db, hallId: string, id: string): Promise<ShiftRow> {
  const shift = await getShift(db, id);
  if (!shift || shift.hallId !== hallId) throw notFound('unknown_shift', 'There is no such shift.');
  return shift;
}

const ShiftBodySchema = v.object({
  shiftId: v.optional(v.string()),
  leaderId: v.string(),
  departmentId: v.optional(v.string()),
  windowId: v.optional(v.nullable(v.string())),
  date: v.unknown(),
  start: v.unknown(),
  end: v.unknown(),
  published: v.optional(v.boolean()),
});

/**
 * POST /admin/shifts: one shift (a new one, or an existing one changed when shiftId is given).
 * The department defaults to the leader's; the window to none (the department as a whole).
 */
export async function saveShift(
  db: Db,
  hallId: string,
  body: unknown,
  now: number,
): Promise<{ shift: ConsoleShift }> {
  const parsed = v.safeParse(ShiftBodySchema, body);
  if (!parsed.success) {
    throw badRequest(
      'invalid_body',
      'Expected { leaderId, departmentId?, windowId?, date, start, end, published? }.',
    );
  }
  const b = parsed.output;
  if (b.shiftId !== undefined) await shiftOfHall(db, hallId, b.shiftId);
  const leader = await leaderOfHall(db, hallId, b.leaderId);
  const shift = checkShift({
    shiftId: b.shiftId ?? newId(),
    leaderId: leader.id,
    departmentId: b.departmentId ?? leader.departmentId,
    windowId: b.windowId ?? null,
    date: b.date,
    start: b.start,
    end: b.end,
    published: b.published ?? false,
    active: true,
  });
  await writeShifts(db, hallId, [shift], now);
  return { shift: await describeOne(db, hallId, shift.shiftId) };
}

/** POST /admin/shifts/:id/cancel */
export async function cancelShift(
  db: Db,
  hallId: string,
  id: string,
  now: number,
): Promise<{ shift: ConsoleShift }> {
  const s = await shiftOfHall(db, hallId, id);
  await writeShifts(db, hallId, [{ ...toPayload(s), active: false }], now);
  return { shift: await describeOne(db, hallId, id) };
}

function toPayload(s: DutyShift): DutyShiftSaved {
  return {
    shiftId: s.id,
    leaderId: s.leaderId,
    departmentId: s.departmentId,
    windowId: s.windowId,
    date: s.date,
    start: s.start,
    end: s.end,
    published: s.published,
    active: s.active,
  };
}

const WeeklyRuleSchema = v.object({
  leaderId: v.string(),
  departmentId: v.optional(v.string()),
  windowId: v.optional(v.nullable(v.string())),
  weekdays: v.array(v.number()),
  from: v.string(),
  to: v.string(),
  start: v.string(),
  end: v.string(),
  published: v.optional(v.boolean()),
});

/** POST /admin/shifts/weekly: a weekly rule expanded to dated shifts, written together. */
export async function saveWeeklyRule(
  db: Db,
  hallId: string,
  body: unknown,
  now: number,
): Promise<{ created: number }> {
  const parsed = v.safeParse(WeeklyRuleSchema, body);
  if (!parsed.success) {
    throw badRequest(
      'invalid_body',
      'Expected { leaderId, departmentId?, windowId?, weekdays, from, to, start, end, published? }.',
    );
  }
  const r = parsed.output;
  const leader = await leaderOfHall(db, hallId, r.leaderId);
  let shifts: DutyShiftSaved[];
  try {
    shifts = expandWeeklyRule(
      {
        leaderId: leader.id,
        departmentId: r.departmentId ?? leader.departmentId,
        windowId: r.windowId ?? null,
        weekdays: r.weekdays,
        from: r.from,
        to: r.to,
        start: r.start,
        end: r.end,
        published: r.published ?? false,
      },
      newId,
    );
  } catch (error) {
    if (error instanceof RangeError) throw badRequest('bad_rule', error.message);
    throw error;
  }
  await writeShifts(db, hallId, shifts.map(checkShift), now);
  return { created: shifts.length };
}

export const IMPORT_MODES = ['check', 'valid_rows', 'all'] as const;

const ImportBodySchema = v.object({
  csv: v.pipe(v.string(), v.maxLength(1_000_000)),
  mode: v.picklist(IMPORT_MODES),
});

export interface ImportResult {
  rows: { line: number; errors: { code: string; message: string }[] }[];
  valid: number;
  invalid: number;
  imported: number;
  fatal?: { code: string; message: string };
}

/**
 * POST /admin/shifts/import: a schedule kept in a spreadsheet. `check` imports nothing; `all`
 * imports only a file without errors (else 400 has_errors); `valid_rows` imports the good rows.
 * Imported shifts are drafts until published. A file that is not a table imports nothing.
 */
export async function importShifts(
  db: Db,
  hallId: string,
  body: unknown,
  now: number,
): Promise<ImportResult> {
  const parsed = v.safeParse(ImportBodySchema, body);
  if (!parsed.success) {
    throw badRequest('invalid_body', "Expected { csv, mode: 'check' | 'valid_rows' | 'all' }.");
  }
  const { csv, mode } = parsed.output;
  const [leaders, departments, windows] = await Promise.all([
    listLeaders(db, hallId),
    listDepartments(db, hallId),
    listWindows(db, hallId),
  ]);
  const result = parseScheduleCsv(csv, { leaders, departments, windows });
  // What the parser cannot know: a leader sits for their own department.
  const leaderDept = new Map(leaders.map((l) => [l.id, l.departmentId]));
  const checked = result.rows.map((r) => {
    const errors: { code: string; message: string }[] = [...r.errors];
    if (
      r.shift &&
      errors.length === 0 &&
      leaderDept.get(r.shift.leaderId) !== r.shift.departmentId
    ) {
      errors.push({
        code: 'wrong_department',
        message: "The department is not the leader's department.",
      });
    }
    return { line: r.line, errors, shift: errors.length === 0 ? r.shift : undefined };
  });
  const rows = checked.map((r) => ({ line: r.line, errors: r.errors }));
  const good = checked.flatMap((r) => (r.shift ? [r.shift] : []));
  const valid = good.length;
  const invalid = checked.length - valid;
  if (result.fatal) return { rows, valid: 0, invalid, imported: 0, fatal: result.fatal };
  if (mode === 'check') return { rows, valid, invalid, imported: 0 };
  if (mode === 'all' && invalid > 0) {
    throw badRequest('has_errors', 'The file has rows with errors; nothing was imported.', {
      rows,
      valid,
      invalid,
      imported: 0,
    });
  }
  const shifts = good.map((s) =>
    checkShift({ ...s, shiftId: newId(), published: false, active: true }),
  );
  await writeShifts(db, hallId, shifts, now);
  return { rows, valid, invalid, imported: shifts.length };
}

/** POST /admin/shifts/publish: every active draft between two dates goes on the public page. */
export async function publishShifts(
  db: Db,
  hallId: string,
  body: unknown,
  now: number,
): Promise<{ published: number }> {
  const b = (body ?? {}) as { from?: unknown; to?: unknown };
  const { from, to } = dateSpan(b.from, b.to);
  const drafts = await listShifts(db, hallId, from, to, { active: true, published: false });
  await writeShifts(
    db,
    hallId,
    drafts.map((s) => ({ ...toPayload(s), published: true })),
    now,
  );
  return { published: drafts.length };
}
