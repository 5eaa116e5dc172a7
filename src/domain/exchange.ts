/**
 * The 好差评 exchange layout: ratings as a hall hands them to its provincial platform. Levels and
 * channels travel as numbers — the level's number by the hall's `levelCodeMap` (the national
 * standard codes 1 = 非常满意, several provincial interfaces 1 = 非常不满意), the channel's by
 * `RATING_CHANNELS` — and times as hall-local `YYYY-MM-DD HH:mm:ss`. A row read back gives the
 * same rating by meaning, so the layout is checked in both directions.
 */
import type { Id } from './ids';
import {
  codeToLevel,
  levelToCode,
  RATING_CHANNELS,
  RATING_CHANNEL_NAMES,
  type LevelCodeMap,
  type RatingChannel,
  type RatingLevel,
} from './rating';
import { HALL_UTC_OFFSET_MIN } from './schedule';

/** The layout's columns in order, with their headings as the platforms name them. */
export const EXCHANGE_COLUMNS = [
  ['ratingId', '评价编号'],
  ['ratedAt', '评价时间'],
  ['departmentCode', '部门编码'],
  ['departmentName', '部门名称'],
  ['windowCode', '窗口编码'],
  ['ticket', '办件编号'],
  ['channel', '评价渠道'],
  ['level', '评价等级'],
  ['reasons', '差评原因'],
  ['comment', '评价内容'],
] as const;
export type ExchangeColumn = (typeof EXCHANGE_COLUMNS)[number][0];

export const EXCHANGE_HEADERS: readonly string[] = EXCHANGE_COLUMNS.map(([, header]) => header);

/** Reason words are joined by a full-width semicolon, as Chinese lists in one cell are. */
export const EXCHANGE_REASON_SEPARATOR = '；';

/** A counted rating with what the layout names of it. */
export interface ExchangeRating {
  id: Id;
  /** Capture time, ISO-8601 UTC. */
  at: string;
  departmentCode: string;
  departmentName: string;
  windowCode: string;
  ticket: string | null;
  channel: RatingChannel;
  level: RatingLevel;
  /** The ticked reasons already in words. */
  reasons: readonly string[];
  comment: string;
}

/** One row of the layout: the rating id and the channel and level codes as numbers. */
export type ExchangeRow = Record<ExchangeColumn, string | number>;

const OFFSET_MS = HALL_UTC_OFFSET_MIN * 60_000;

/** An instant as hall-local `YYYY-MM-DD HH:mm:ss`. */
export function hallDateTime(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

/** The instant of a hall-local `YYYY-MM-DD HH:mm:ss`, or null when it is not one. */
export function parseHallDateTime(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}Z`);
  return Number.isNaN(ms) ? null : ms - OFFSET_MS;
}

/** The channel a code names, or null for a code the exchange does not define. */
export function codeToChannel(code: number): RatingChannel | null {
  return RATING_CHANNEL_NAMES.find((c) => RATING_CHANNELS[c] === code) ?? null;
}

/** A rating as a row of the exchange layout. */
export function exchangeRow(r: ExchangeRating, map: LevelCodeMap): ExchangeRow {
  return {
    ratingId: r.id,
    ratedAt: hallDateTime(Date.parse(r.at)),
    departmentCode: r.departmentCode,
    departmentName: r.departmentName,
    windowCode: r.windowCode,
    ticket: r.ticket ?? '',
    channel: RATING_CHANNELS[r.channel],
    level: levelToCode(r.level, map),
    reasons: r.reasons.join(EXCHANGE_REASON_SEPARATOR),
    comment: r.comment,
  };
}

/** The row's cells in column order. */
export function exchangeCells(row: ExchangeRow): (string | number)[] {
  return EXCHANGE_COLUMNS.map(([column]) => row[column]);
}

/** A row of the layout read back (from the platform, or from a file this hall wrote). */
export type ParsedExchangeRow = Omit<ExchangeRating, 'at'> & { at: string };

/**
 * Cells in column order (as text or numbers, as a spreadsheet gives them) read back into a
 * rating by meaning; null when the time, channel or level code is not one the layout defines.
 */
export function parseExchangeCells(
  cells: readonly (string | number)[],
  map: LevelCodeMap,
): ParsedExchangeRow | null {
  const cell = (column: ExchangeColumn) =>
    String(cells[EXCHANGE_COLUMNS.findIndex(([c]) => c === column)] ?? '');
  const atMs = parseHallDateTime(cell('ratedAt'));
  const channel = codeToChannel(Number(cell('channel')));
  const level = codeToLevel(Number(cell('level')), map);
  if (atMs === null || channel === null || level === null) return null;
  const reasons = cell('reasons');
  return {
    id: cell('ratingId'),
    at: new Date(atMs).toISOString(),
    departmentCode: cell('departmentCode'),
    departmentName: cell('departmentName'),
    windowCode: cell('windowCode'),
    ticket: cell('ticket') === '' ? null : cell('ticket'),
    channel,
    level,
    reasons: reasons === '' ? [] : reasons.split(EXCHANGE_REASON_SEPARATOR),
    comment: cell('comment'),
  };
}
