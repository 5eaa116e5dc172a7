/**
 * The reference data forms checked before anything is sent (departments, windows, service items,
 * hall settings), the field a server's issue belongs to, ranking weights as shares, and rating
 * cards laid out on sheets. Pure functions; their reason codes are said in words by the
 * `refdata.issues` catalog entries.
 */
import type { SettingsSaved } from '../../domain/events';
import { RANKING_COMPONENTS, type RankingComponent } from '../../domain/ranking';
import type { HallSettings } from '../../domain/reference';
import type { LevelCodeMap } from '../../domain/rating';
import type { AdminIssue } from './api-error';

/** A number field as bound: text, a number, or null when emptied. */
export type NumberField = string | number | null;

/** What a form found wrong with one of its fields. */
export interface FieldProblem {
  field: string;
  code: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

/** The fields a department, a window and a service item share. */
export interface EntryFields {
  code: string;
  name: string;
  nameEn: string;
  sort: NumberField;
}

export interface Entry {
  code: string;
  name: string;
  nameEn?: string;
  sort: number;
}

const CODE = /^[A-Za-z0-9_-]{1,32}$/;

function wholeNumber(value: NumberField, min: number, max: number): number | null {
  const typed = String(value ?? '').trim();
  const n = typed === '' ? NaN : Number(typed);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/** An entry as typed, checked as the shared validation will check it. */
export function checkEntry(fields: EntryFields): Checked<Entry> {
  const code = fields.code.trim();
  const name = fields.name.trim();
  const nameEn = fields.nameEn.trim();
  if (!code) return { ok: false, problem: { field: 'code', code: 'required' } };
  if (!CODE.test(code)) return { ok: false, problem: { field: 'code', code: 'bad_code' } };
  if (!name) return { ok: false, problem: { field: 'name', code: 'required' } };
  if (name.length > 100) return { ok: false, problem: { field: 'name', code: 'too_long' } };
  if (nameEn.length > 100) return { ok: false, problem: { field: 'nameEn', code: 'too_long' } };
  const sort = wholeNumber(fields.sort, -1_000_000, 1_000_000);
  if (sort === null) return { ok: false, problem: { field: 'sort', code: 'bad_order' } };
  return { ok: true, value: { code, name, ...(nameEn ? { nameEn } : {}), sort } };
}

/** The fields of an entry as its form starts. */
export function entryFields(entry: Entry | null, sort: number): EntryFields {
  return {
    code: entry?.code ?? '',
    name: entry?.name ?? '',
    nameEn: entry?.nameEn ?? '',
    sort: entry?.sort ?? sort,
  };
}

/** Gap between the sort numbers of entries added one after another. */
export const SORT_GAP = 10;

/** The sort number of an entry added after these. */
export function sortAfter(entries: readonly { sort: number }[]): number {
  return entries.reduce((most, e) => Math.max(most, e.sort), 0) + SORT_GAP;
}

/**
 * The form field a server issue is about: the first part of its path under `payload`; a code
 * used twice is the code field's; '' when it is about no one field.
 */
export function fieldOfIssue(issue: Pick<AdminIssue, 'path' | 'code'>): string {
  if (issue.code === 'duplicate_code') return 'code';
  const parts = issue.path.split('.');
  return parts[0] === 'payload' ? (parts[1] ?? '') : '';
}

// ---------------------------------------------------------------------------------------------
// Hall settings

export interface SettingsFields {
  phoneRatingIntervalMinutes: NumberField;
  kioskIdleSeconds: NumberField;
  levelCodeMap: LevelCodeMap;
  weights: Record<RankingComponent, NumberField>;
  open: string;
  close: string;
  silentEvaluatorMinutes: NumberField;
  armedRatingSeconds: NumberField;
  deviceRetentionDays: NumberField;
}

/** The settings this page edits (due days have their own form). */
export type PageSettings = Pick<
  HallSettings,
  | 'phoneRatingIntervalMinutes'
  | 'kioskIdleSeconds'
  | 'levelCodeMap'
  | 'rankingWeights'
  | 'openingHours'
  | 'silentEvaluatorMinutes'
  | 'armedRatingSeconds'
  | 'deviceRetentionDays'
>;

export function settingsFields(s: HallSettings): SettingsFields {
  return {
    phoneRatingIntervalMinutes: s.phoneRatingIntervalMinutes,
    kioskIdleSeconds: s.kioskIdleSeconds,
    levelCodeMap: s.levelCodeMap,
    weights: { ...s.rankingWeights },
    open: s.openingHours.open,
    close: s.openingHours.close,
    silentEvaluatorMinutes: s.silentEvaluatorMinutes,
    armedRatingSeconds: s.armedRatingSeconds,
    deviceRetentionDays: s.deviceRetentionDays,
  };
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The settings as typed, checked with the shared validation's limits. */
export function checkSettings(f: SettingsFields): Checked<PageSettings> {
  const bad = (field: string, code: string) => ({ ok: false as const, problem: { field, code } });
  const interval = wholeNumber(f.phoneRatingIntervalMinutes, 0, 1440);
  if (interval === null) return bad('phoneRatingIntervalMinutes', 'bad_interval');
  const idle = wholeNumber(f.kioskIdleSeconds, 5, 600);
  if (idle === null) return bad('kioskIdleSeconds', 'bad_idle');
  const weights = {} as Record<RankingComponent, number>;
  for (const key of RANKING_COMPONENTS) {
    const w = wholeNumber(f.weights[key], 0, 100);
    if (w === null) return bad('rankingWeights', 'bad_weight');
    weights[key] = w;
  }
  if (RANKING_COMPONENTS.every((key) => weights[key] === 0))
    return bad('rankingWeights', 'at_least_one_weight');
  if (!CLOCK.test(f.open.trim()) || !CLOCK.test(f.close.trim()))
    return bad('openingHours', 'bad_time');
  if (f.open.trim() >= f.close.trim()) return bad('openingHours', 'open_before_close');
  const silent = wholeNumber(f.silentEvaluatorMinutes, 10, 1440);
  if (silent === null) return bad('silentEvaluatorMinutes', 'bad_silent');
  const armed = wholeNumber(f.armedRatingSeconds, 0, 600);
  if (armed === null) return bad('armedRatingSeconds', 'bad_armed');
  const retention = wholeNumber(f.deviceRetentionDays, 7, 3650);
  if (retention === null) {
    const typed = String(f.deviceRetentionDays ?? '').trim();
    const n = typed === '' ? NaN : Number(typed);
    const code = !Number.isInteger(n)
      ? 'invalid_integer'
      : n < 7
        ? 'invalid_min_value'
        : 'invalid_max_value';
    return bad('deviceRetentionDays', code);
  }
  return {
    ok: true,
    value: {
      phoneRatingIntervalMinutes: interval,
      kioskIdleSeconds: idle,
      levelCodeMap: f.levelCodeMap,
      rankingWeights: weights,
      openingHours: { open: f.open.trim(), close: f.close.trim() },
      silentEvaluatorMinutes: silent,
      armedRatingSeconds: armed,
      deviceRetentionDays: retention,
    },
  };
}

/** Only the settings that differ from those in force, so a save changes nothing else. */
export function changedSettings(next: PageSettings, current: HallSettings): SettingsSaved {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof PageSettings)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(current[key])) out[key] = next[key];
  }
  return out as SettingsSaved;
}

/**
 * Each weight as a share of their sum, in percent to one decimal; null for every component while
 * the weights are not whole numbers from 0 to 100 or are all 0.
 */
export function weightShares(
  weights: Record<RankingComponent, NumberField>,
): Record<RankingComponent, number | null> {
  const values = RANKING_COMPONENTS.map((key) => wholeNumber(weights[key], 0, 100));
  const total = values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
  const valid = values.every((v) => v !== null) && total > 0;
  return Object.fromEntries(
    RANKING_COMPONENTS.map((key, i) => [
      key,
      valid ? Math.round((values[i]! / total) * 1000) / 10 : null,
    ]),
  ) as Record<RankingComponent, number | null>;
}

// ---------------------------------------------------------------------------------------------
// Rating cards on sheets

/** How many rating cards an A4 sheet may carry. */
export const CARDS_PER_SHEET = [1, 2, 4, 6] as const;
export type CardsPerSheet = (typeof CARDS_PER_SHEET)[number];

export function isCardsPerSheet(n: number): n is CardsPerSheet {
  return (CARDS_PER_SHEET as readonly number[]).includes(n);
}

/** Cards split into sheets of `perSheet`, in order; the last sheet may be part-filled. */
export function sheetsOf<T>(cards: readonly T[], perSheet: CardsPerSheet): T[][] {
  const sheets: T[][] = [];
  for (let i = 0; i < cards.length; i += perSheet) sheets.push(cards.slice(i, i + perSheet));
  return sheets;
}
