/**
 * GET /admin/exports/<kind>.<format>: ratings, the 好差评 exchange layout, duty sessions with
 * their ledgers (坐班台账) and problems with their history, as CSV or XLSX, for the console's
 * filters. Files are in the hall's language (Chinese), times hall-local `YYYY-MM-DD HH:mm:ss`.
 * Ratings are read page by page in (time, id) order, so a CSV of a long period streams.
 */
import * as v from 'valibot';
import type { Db } from '../db/db';
import { attendsShift, isLate } from '../../domain/attendance';
import { foldDutySessions, sessionEnd, type DutySession } from '../../domain/duty';
import {
  PROBLEM_SOURCES,
  PROBLEM_STATUSES,
  type DutyLedgerEntry,
  type EventEnvelope,
} from '../../domain/events';
import { EXCHANGE_COLUMNS, exchangeCells, exchangeRow, hallDateTime } from '../../domain/exchange';
import { compareByHlc } from '../../domain/hlc';
import type { Id } from '../../domain/ids';
import { isOverdue, problemDeadlines, type Problem, type ProblemStep } from '../../domain/problem';
import {
  RATING_LABELS,
  RATING_LEVELS,
  type RatingChannel,
  type RatingLevel,
} from '../../domain/rating';
import { addDays, hallDayStartMs, isHallDate } from '../../domain/schedule';
import { interpolate, lookup, type MessageKey } from '../../i18n/catalog';
import { stepMessage } from '../../i18n/problem-steps';
import admin from '../../i18n/screens/admin.zh-CN';
import duty from '../../i18n/screens/duty.zh-CN';
import core from '../../i18n/zh-CN';
import {
  EXPORT_FORMATS,
  EXPORT_KINDS,
  type ExportFormat,
  type ExportKind,
  type ExportQuery,
} from '../../sync/report-protocol';
import { badRequest } from '../errors';
import { dutyEventsSignedInBetween, listShifts } from '../repos/duty';
import { getSettings, listLeaders } from '../repos/reference';
import { iso, isoAt } from '../repos/util';
import {
  CSV_TYPE,
  MAX_XLSX_ROWS,
  XLSX_TYPE,
  csvStream,
  pagesOf,
  xlsxStream,
  type Cell,
  type Column,
  type Sheet,
} from './export-files';
import { actorNames, hallProblems, loadHallView, type HallView } from './pipeline-console';

/** The hall's words: exports are in Chinese whatever language the console shows. */
const words = { ...core, ...admin, ...duty };
const w = words.exports;
const say = (key: MessageKey, params?: Record<string, string | number>): string => {
  const entry = lookup(words, key);
  return interpolate(typeof entry === 'string' ? entry : (entry?.other ?? key), params);
};
const yesNo = (yes: boolean) => (yes ? w.yes : w.no);
const levelWord = (level: string) => RATING_LABELS['zh-CN'][level as RatingLevel] ?? level;
const reasonWord = (reason: string) => (core.reasons as Record<string, string>)[reason] ?? reason;
const channelWord = (channel: string) =>
  (admin.channels as Record<string, string>)[channel] ?? channel;
const time = (at: string | number) => hallDateTime(typeof at === 'number' ? at : Date.parse(at));

const columns = <K extends string>(
  labels: Record<K, string>,
  widths: Record<K, number>,
): Column[] => (Object.keys(widths) as K[]).map((k) => ({ header: labels[k], width: widths[k] }));

export interface ExportRequest {
  kind: ExportKind;
  format: ExportFormat;
  query: ExportQuery;
}

const FILE = /^([a-z-]+)\.([a-z]+)$/;
const optionalId = v.optional(v.pipe(v.string(), v.maxLength(100)));
const QuerySchema = v.strictObject({
  from: v.string(),
  to: v.string(),
  department: optionalId,
  window: optionalId,
  level: v.optional(v.picklist(RATING_LEVELS)),
  status: v.optional(v.picklist(PROBLEM_STATUSES)),
  source: v.optional(v.picklist(PROBLEM_SOURCES)),
  overdue: v.optional(v.picklist(['1', 'true', '0', 'false'])),
});

/** Filters each kind takes beyond the period, department and window. */
const KIND_FILTERS: Record<ExportKind, readonly ('level' | 'status' | 'source' | 'overdue')[]> = {
  ratings: ['level'],
  'ratings-exchange': ['level'],
  duty: [],
  problems: ['status', 'source', 'overdue'],
};

/** The file asked for (`ratings.csv`) and its filters; 400 invalid_query otherwise. */
export function parseExportRequest(file: string, rawQuery: Record<string, unknown>): ExportRequest {
  const m = FILE.exec(file);
  const kind = m?.[1] as ExportKind | undefined;
  const format = m?.[2] as ExportFormat | undefined;
  if (!kind || !format || !EXPORT_KINDS.includes(kind) || !EXPORT_FORMATS.includes(format)) {
    throw badRequest(
      'invalid_query',
      `Exports are ${EXPORT_KINDS.join(', ')} as ${EXPORT_FORMATS.join(' or ')}, e.g. ratings.csv.`,
    );
  }
  const given = Object.fromEntries(
    Object.entries(rawQuery).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = v.safeParse(QuerySchema, given);
  if (!parsed.success) {
    const path = v.getDotPath(parsed.issues[0]) ?? 'query';
    const missing = parsed.issues[0]?.received === 'undefined' && path !== 'query';
    throw badRequest(
      'invalid_query',
      missing ? `${path} is required.` : `${path}: not a valid filter of an export.`,
    );
  }
  const q = parsed.output;
  if (!isHallDate(q.from) || !isHallDate(q.to)) {
    throw badRequest('invalid_query', 'from and to must be dates YYYY-MM-DD.');
  }
  if (q.from > q.to) throw badRequest('invalid_query', 'from must not be after to.');
  for (const filter of ['level', 'status', 'source', 'overdue'] as const) {
    if (q[filter] !== undefined && !KIND_FILTERS[kind].includes(filter)) {
      throw badRequest('invalid_query', `${filter} is not a filter of ${kind} exports.`);
    }
  }
  const { overdue, ...rest } = q;
  return {
    kind,
    format,
    query: { ...rest, ...(overdue === '1' || overdue === 'true' ? { overdue: true } : {}) },
  };
}

export interface ExportFile {
  /** ASCII name, e.g. ratings-2026-11-01_2026-11-30.csv */
  filename: string;
  /** The same in the hall's language, for RFC 5987 `filename*`. */
  localName: string;
  contentType: string;
  body: NodeJS.ReadableStream;
}

/** The Content-Disposition of a file: the ASCII name and the Chinese one (RFC 5987). */
export function contentDisposition(file: Pick<ExportFile, 'filename' | 'localName'>): string {
  return `attachment; filename="${file.filename}"; filename*=UTF-8''${encodeURIComponent(file.localName)}`;
}

const tooMany = (rows: number, max: number) =>
  badRequest(
    'too_many_rows',
    `The export has ${rows} rows, more than a spreadsheet sheet holds (${max}); narrow the period or the filters, or export CSV.`,
  );

/** The export file for the request, streamed; an XLSX is first counted against a sheet's rows. */
export async function exportFile(
  db: Db,
  hallId: string,
  request: ExportRequest,
  now: number,
  limits: { maxXlsxRows: number } = { maxXlsxRows: MAX_XLSX_ROWS },
): Promise<ExportFile> {
  const { kind, format, query } = request;
  const sheets = await sheetsOf(db, hallId, request, now);
  const stem = `${query.from}_${query.to}.${format}`;
  const names = { filename: `${kind}-${stem}`, localName: `${w.fileNames[kind]}-${stem}` };
  if (format === 'csv')
    return { ...names, contentType: CSV_TYPE, body: csvStream(sheets[0]!.sheet) };
  for (const { rows } of sheets) {
    const n = await rows();
    if (n > limits.maxXlsxRows) throw tooMany(n, limits.maxXlsxRows);
  }
  return { ...names, contentType: XLSX_TYPE, body: xlsxStream(sheets.map((s) => s.sheet)) };
}

/** A sheet and how many rows it will have (asked only for XLSX). */
interface CountedSheet {
  sheet: Sheet;
  rows: () => Promise<number>;
}

async function sheetsOf(
  db: Db,
  hallId: string,
  { kind, query }: ExportRequest,
  now: number,
): Promise<CountedSheet[]> {
  switch (kind) {
    case 'ratings':
    case 'ratings-exchange':
      return [await ratingsSheet(db, hallId, query, kind === 'ratings-exchange')];
    case 'duty':
      return dutySheets(db, hallId, query, now);
    case 'problems':
      return problemSheets(db, hallId, query, now);
  }
}

// ---------------------------------------------------------------------------------------------
// Ratings

interface RatingExportRow {
  id: string;
  at: Date | string;
  level: RatingLevel;
  channel: RatingChannel;
  reasons: string[];
  comment: string;
  ticket: string | null;
  dutySessionId: string | null;
  deviceId: string;
  deviceName: string | null;
  windowCode: string | null;
  windowName: string | null;
  departmentCode: string | null;
  departmentName: string | null;
}

const RATINGS_PAGE = 2000;

/** The period and filters as SQL conditions on `ratings r`, parameters from $2 on. */
function ratingFilter(hallId: string, q: ExportQuery): { where: string; params: unknown[] } {
  return {
    where: `r.hall_id = $1 AND r.at >= $2 AND r.at < $3
      AND ($4::text IS NULL OR r.department_id = $4)
      AND ($5::text IS NULL OR r.window_id = $5)
      AND ($6::text IS NULL OR r.level = $6)`,
    params: [
      hallId,
      isoAt(hallDayStartMs(q.from)),
      isoAt(hallDayStartMs(addDays(q.to, 1))),
      q.department ?? null,
      q.window ?? null,
      q.level ?? null,
    ],
  };
}

/** The filtered ratings in (time, id) order, one page at a time (keyset, not offset). */
async function* ratingPages(
  db: Db,
  hallId: string,
  q: ExportQuery,
): AsyncGenerator<RatingExportRow[]> {
  const { where, params } = ratingFilter(hallId, q);
  let after: { at: string; id: string } | null = null;
  for (;;) {
    const keyset: string = after ? 'AND (r.at, r.event_id) > ($8::timestamptz, $9::text)' : '';
    const page: RatingExportRow[] = await db.query<RatingExportRow>(
      `SELECT r.event_id AS id, r.at, r.level, r.channel, r.reasons, r.comment, r.ticket,
         r.duty_session_id AS "dutySessionId", r.device_id AS "deviceId", dv.name AS "deviceName",
         w.code AS "windowCode", w.name AS "windowName",
         d.code AS "departmentCode", d.name AS "departmentName"
       FROM ratings r
         LEFT JOIN windows w ON w.id = r.window_id
         LEFT JOIN departments d ON d.id = r.department_id
         LEFT JOIN devices dv ON dv.id = r.device_id
       WHERE ${where} ${keyset}
       ORDER BY r.at, r.event_id LIMIT $7`,
      [...params, RATINGS_PAGE, ...(after ? [after.at, after.id] : [])],
    );
    if (page.length > 0) yield page;
    if (page.length < RATINGS_PAGE) return;
    const last = page[page.length - 1]!;
    after = { at: iso(last.at), id: last.id };
  }
}

async function ratingsSheet(
  db: Db,
  hallId: string,
  q: ExportQuery,
  exchange: boolean,
): Promise<CountedSheet> {
  const rows = async () => {
    const { where, params } = ratingFilter(hallId, q);
    const counted = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ratings r WHERE ${where}`,
      params,
    );
    return counted[0]?.n ?? 0;
  };
  if (exchange) {
    const map = (await getSettings(db, hallId)).settings.levelCodeMap;
    return {
      rows,
      sheet: {
        name: w.sheets.exchange,
        columns: EXCHANGE_COLUMNS.map(([column, header]) => ({
          header,
          width: column === 'ratingId' ? 38 : column === 'comment' ? 40 : 20,
        })),
        pages: async function* () {
          for await (const page of ratingPages(db, hallId, q)) {
            yield page.map((r) =>
              exchangeCells(
                exchangeRow(
                  {
                    id: r.id,
                    at: iso(r.at),
                    departmentCode: r.departmentCode ?? '',
                    departmentName: r.departmentName ?? '',
                    windowCode: r.windowCode ?? '',
                    ticket: r.ticket,
                    channel: r.channel,
                    level: r.level,
                    reasons: r.reasons.map(reasonWord),
                    comment: r.comment,
                  },
                  map,
                ),
              ),
            );
          }
        },
      },
    };
  }
  return {
    rows,
    sheet: {
      name: w.sheets.ratings,
      columns: columns(w.ratingColumns, {
        at: 20,
        department: 18,
        windowCode: 10,
        windowName: 18,
        level: 12,
        channel: 12,
        reasons: 28,
        comment: 40,
        ticket: 20,
        device: 20,
        onDuty: 12,
      }),
      pages: async function* () {
        for await (const page of ratingPages(db, hallId, q)) {
          yield page.map((r) => [
            time(iso(r.at)),
            r.departmentName ?? '',
            r.windowCode ?? '',
            r.windowName ?? '',
            levelWord(r.level),
            channelWord(r.channel),
            r.reasons.map(reasonWord).join('、'),
            r.comment,
            r.ticket ?? '',
            r.deviceName ?? r.deviceId,
            yesNo(r.dutySessionId !== null),
          ]);
        }
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Duty sessions and their ledgers (坐班台账)

type LedgerEvent = EventEnvelope<'duty.ledgerEntry'>;

/** Each session's ledger entries, once each (the first copy by hlc), oldest first. */
function ledgersOf(events: readonly EventEnvelope[]): Map<Id, LedgerEvent[]> {
  const entries = new Map<Id, LedgerEvent>();
  for (const e of events) {
    if (e.type !== 'duty.ledgerEntry') continue;
    const entry = e as LedgerEvent;
    const seen = entries.get(entry.payload.entryId);
    if (!seen || compareByHlc(entry, seen) < 0) entries.set(entry.payload.entryId, entry);
  }
  const out = new Map<Id, LedgerEvent[]>();
  for (const e of [...entries.values()].sort(compareByHlc)) {
    const list = out.get(e.payload.sessionId) ?? [];
    list.push(e);
    out.set(e.payload.sessionId, list);
  }
  return out;
}

const kindWord = (kind: DutyLedgerEntry['kind']) => duty.duty.kinds[kind];

function ledgerLine(e: LedgerEvent): string {
  const { kind, count, text } = e.payload;
  return [time(e.at), kindWord(kind), count > 0 ? String(count) : '', text]
    .filter(Boolean)
    .join(' ');
}

async function dutySheets(
  db: Db,
  hallId: string,
  q: ExportQuery,
  now: number,
): Promise<CountedSheet[]> {
  const [events, shifts, leaders, hall] = await Promise.all([
    dutyEventsSignedInBetween(
      db,
      hallId,
      isoAt(hallDayStartMs(q.from)),
      isoAt(hallDayStartMs(addDays(q.to, 1))),
    ),
    listShifts(db, hallId, q.from, q.to, { active: true }),
    listLeaders(db, hallId),
    loadHallView(db, hallId),
  ]);
  const leader = new Map(leaders.map((l) => [l.id, l]));
  const ledgers = ledgersOf(events);
  const sessions = Object.values(foldDutySessions(events))
    .filter(
      (s) =>
        (!q.department || s.departmentId === q.department) &&
        (!q.window || s.windowId === q.window),
    )
    .sort((a, b) => a.signedInAt.localeCompare(b.signedInAt) || a.id.localeCompare(b.id));

  // The shift a session attended: the one it was signed in for, else one of its leader's that
  // day it overlaps, as attendance counts it.
  const shiftOf = (s: DutySession) =>
    shifts.find((x) => x.id === s.shiftId) ?? shifts.find((x) => attendsShift(s, x, now));

  const title = (id: Id) => leader.get(id)?.title ?? '';
  const department = (id: Id) => hall.departments.get(id)?.name ?? '';
  const sessionRows: Cell[][] = [];
  const ledgerRows: Cell[][] = [];
  for (const s of sessions) {
    const startMs = Date.parse(s.signedInAt);
    const end = sessionEnd(s, now);
    const shift = shiftOf(s);
    const win = s.windowId ? hall.windows.get(s.windowId) : undefined;
    const entries = ledgers.get(s.id) ?? [];
    sessionRows.push([
      title(s.leaderId),
      department(s.departmentId),
      win ? `${win.code} ${win.name}` : '',
      time(startMs),
      end.open ? '' : time(end.endMs),
      Math.round(((end.endMs - startMs) / 3_600_000) * 10) / 10,
      yesNo(end.autoClosed),
      shift ? say('exports.shift', { start: shift.start, end: shift.end }) : w.unscheduled,
      shift ? yesNo(isLate(shift, startMs)) : '',
      s.served,
      s.cases,
      s.solved,
      s.complaints,
      s.suggestions,
      entries.map(ledgerLine).join('\n'),
    ]);
    for (const e of entries) {
      ledgerRows.push([
        title(s.leaderId),
        department(s.departmentId),
        time(startMs),
        time(e.at),
        kindWord(e.payload.kind),
        e.payload.count,
        e.payload.text,
        yesNo(e.payload.needsFollowUp),
      ]);
    }
  }
  return [
    {
      rows: async () => sessionRows.length,
      sheet: {
        name: w.sheets.duty,
        columns: columns(w.dutyColumns, {
          leader: 24,
          department: 18,
          window: 18,
          signedIn: 20,
          signedOut: 20,
          hours: 10,
          autoSignedOut: 10,
          shift: 14,
          late: 8,
          served: 10,
          cases: 10,
          solved: 12,
          complaints: 10,
          suggestions: 10,
          ledger: 50,
        }),
        pages: pagesOf(sessionRows),
      },
    },
    {
      rows: async () => ledgerRows.length,
      sheet: {
        name: w.sheets.ledger,
        columns: columns(w.ledgerColumns, {
          leader: 24,
          department: 18,
          signedIn: 20,
          at: 20,
          kind: 14,
          count: 8,
          text: 50,
          followUp: 12,
        }),
        pages: pagesOf(ledgerRows),
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Problems and their history

/** A problem's description in words: a 差评's reasons and comment, a finding's text. */
function problemDescription(p: Problem): string {
  if (!p.rating) return p.description;
  return [p.rating.reasons.map(reasonWord).join('、'), p.rating.comment]
    .filter(Boolean)
    .join(' — ');
}

function stepTitle(step: ProblemStep): string {
  const { key, level } = stepMessage(step);
  return say(key, level ? { level: levelWord(level) } : undefined);
}

function actorOf(step: ProblemStep, actors: Record<Id, string>): string {
  if (step.actorId && actors[step.actorId]) return actors[step.actorId]!;
  return step.type === 'rating.submitted' || step.type === 'rating.followedUp'
    ? admin.admin.problem.citizen
    : admin.admin.problem.unknownActor;
}

const supersededWord = (step: ProblemStep) =>
  step.superseded ? admin.admin.supersededReasons[step.superseded] : '';

function historyLine(step: ProblemStep, actors: Record<Id, string>): string {
  const head = `${time(step.at)} ${stepTitle(step)} · ${actorOf(step, actors)}`;
  const superseded = step.superseded
    ? ` (${say('admin.problem.supersededMark', { reason: supersededWord(step) })})`
    : '';
  return `${head}${step.note ? ` — ${step.note}` : ''}${superseded}`;
}

function windowText(hall: HallView, id: Id | null): string {
  const win = id ? hall.windows.get(id) : undefined;
  return win ? `${win.code} ${win.name}` : '';
}

async function problemSheets(
  db: Db,
  hallId: string,
  q: ExportQuery,
  now: number,
): Promise<CountedSheet[]> {
  const hall = await loadHallView(db, hallId);
  const problems = (
    await hallProblems(db, hallId, {
      fromMs: hallDayStartMs(q.from),
      toMs: hallDayStartMs(addDays(q.to, 1)),
    })
  )
    .filter(
      (p) =>
        (!q.department || p.departmentId === q.department) &&
        (!q.window || p.windowId === q.window) &&
        (!q.status || p.status === q.status) &&
        (!q.source || p.source === q.source) &&
        (!q.overdue || isOverdue(problemDeadlines(p, now, hall.calendar, hall.settings))),
    )
    .reverse();
  const actors = await actorNames(
    db,
    problems.flatMap((p) => p.steps.map((s) => s.actorId)).filter((a): a is Id => a !== null),
  );
  const pipeline = admin.admin.pipeline;
  const department = (id: Id) => hall.departments.get(id)?.name ?? '';
  const problemRows: Cell[][] = [];
  const stepRows: Cell[][] = [];
  for (const p of problems) {
    const deadlines = problemDeadlines(p, now, hall.calendar, hall.settings);
    problemRows.push([
      p.id,
      pipeline.sources[p.source],
      department(p.departmentId),
      windowText(hall, p.windowId),
      problemDescription(p),
      pipeline.severities[p.severity],
      pipeline.statuses[p.status],
      time(p.recordedAt),
      deadlines.rectify.due,
      yesNo(isOverdue(deadlines)),
      p.rectifiedAtMs !== null ? time(p.rectifiedAtMs) : '',
      p.assignee ? `${department(p.assignee.departmentId)} · ${p.assignee.assignee}` : '',
      p.steps.map((s) => historyLine(s, actors)).join('\n'),
    ]);
    for (const s of p.steps) {
      stepRows.push([
        p.id,
        time(s.at),
        stepTitle(s),
        actorOf(s, actors),
        s.note,
        supersededWord(s),
      ]);
    }
  }
  return [
    {
      rows: async () => problemRows.length,
      sheet: {
        name: w.sheets.problems,
        columns: columns(w.problemColumns, {
          id: 38,
          source: 10,
          department: 18,
          window: 18,
          description: 40,
          severity: 8,
          status: 12,
          recordedAt: 20,
          deadline: 12,
          overdue: 8,
          rectifiedAt: 20,
          assignee: 24,
          history: 60,
        }),
        pages: pagesOf(problemRows),
      },
    },
    {
      rows: async () => stepRows.length,
      sheet: {
        name: w.sheets.history,
        columns: columns(w.stepColumns, {
          problem: 38,
          at: 20,
          step: 24,
          actor: 20,
          note: 50,
          superseded: 24,
        }),
        pages: pagesOf(stepRows),
      },
    },
  ];
}
