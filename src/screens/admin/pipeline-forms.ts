/**
 * The console's pipeline forms checked before anything is sent: evidence photos, holiday date
 * lists, due days, checklist order. Pure functions; the words for their problems are in the
 * catalogs (`admin.pipelineProblems`).
 */
import type { HolidayYear } from '../../domain/calendar';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, PHOTO_TYPES, type Photo } from '../../domain/events';
import type { Id } from '../../domain/ids';
import type { ChecklistItem } from '../../domain/reference';
import { isHallDate } from '../../domain/schedule';
import type { DueDays } from '../../domain/problem';

/** What a pipeline form can find wrong before sending. */
export type PipelineProblem =
  | 'required'
  | 'reason_required'
  | 'grounds_required'
  | 'photo_not_image'
  | 'photo_too_large'
  | 'too_many_photos'
  | 'bad_date'
  | 'date_outside_year'
  | 'holiday_and_workday'
  | 'too_many_dates'
  | 'bad_year'
  | 'bad_due_days';

/** A problem found in a form, with the offending value when there is one (a date, a file name). */
export interface FoundProblem {
  code: PipelineProblem;
  value?: string;
}

/** What the console needs of a chosen file (a `File` has it). */
export interface PhotoFile {
  name: string;
  type: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Why a file cannot be evidence, or null: only JPEG, PNG or WebP images up to 2 MB. */
export function photoFileProblem(file: Pick<PhotoFile, 'type' | 'size'>): PipelineProblem | null {
  if (!(PHOTO_TYPES as readonly string[]).includes(file.type)) return 'photo_not_image';
  if (file.size < 1 || file.size > MAX_PHOTO_BYTES) return 'photo_too_large';
  return null;
}

/** The first problem among chosen evidence files, or null when all may be sent. */
export function photoFilesProblem(files: readonly PhotoFile[]): FoundProblem | null {
  if (files.length > MAX_PHOTOS) return { code: 'too_many_photos' };
  for (const file of files) {
    const code = photoFileProblem(file);
    if (code) return { code, value: file.name };
  }
  return null;
}

/** SHA-256 of bytes as lower-case hex, with the browser's (or Node's) Web Crypto. */
export async function sha256Of(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A chosen file as the photo an event references, with its bytes for the upload. */
export async function photoOf(file: PhotoFile): Promise<{ photo: Photo; bytes: ArrayBuffer }> {
  const bytes = await file.arrayBuffer();
  return {
    photo: {
      sha256: await sha256Of(bytes),
      type: file.type as Photo['type'],
      size: bytes.byteLength,
    },
    bytes,
  };
}

/** Dates of a list typed one per line (commas and spaces also separate them), sorted, each once. */
export function parseDateList(text: string): { dates: string[]; bad: string | null } {
  const words = text.split(/[\s,，、;；]+/).filter(Boolean);
  const bad = words.find((w) => !isHallDate(w)) ?? null;
  return { dates: [...new Set(words.filter((w) => isHallDate(w)))].sort(), bad };
}

/** A date list written back as the form shows it: one date per line. */
export function dateListText(dates: readonly string[]): string {
  return dates.join('\n');
}

/** A holiday year as typed, checked as the shared validation will check it. */
export function checkHolidayYear(
  year: number,
  holidaysText: string,
  workdaysText: string,
  confirmed: boolean,
): { ok: true; value: HolidayYear } | { ok: false; problem: FoundProblem } {
  if (!Number.isInteger(year) || year < 2000 || year > 2100)
    return { ok: false, problem: { code: 'bad_year' } };
  const holidays = parseDateList(holidaysText);
  const workdays = parseDateList(workdaysText);
  const bad = holidays.bad ?? workdays.bad;
  if (bad !== null) return { ok: false, problem: { code: 'bad_date', value: bad } };
  const outside = [...holidays.dates, ...workdays.dates].find((d) => !d.startsWith(`${year}-`));
  if (outside) return { ok: false, problem: { code: 'date_outside_year', value: outside } };
  const both = holidays.dates.find((d) => workdays.dates.includes(d));
  if (both) return { ok: false, problem: { code: 'holiday_and_workday', value: both } };
  if (holidays.dates.length > 60 || workdays.dates.length > 30)
    return { ok: false, problem: { code: 'too_many_dates' } };
  return {
    ok: true,
    value: { year, holidays: holidays.dates, workdays: workdays.dates, confirmed },
  };
}

export const DUE_DAY_KEYS = [
  'ratingCallBackDays',
  'ratingRectifyDays',
  'walkRectifyDays',
  'dutyRectifyDays',
] as const satisfies readonly (keyof DueDays)[];

/** Due days as typed: whole working days from 1 to 120 each. */
export function checkDueDays(
  fields: Record<keyof DueDays, string | number | null>,
): { ok: true; value: DueDays } | { ok: false; problem: FoundProblem } {
  const value = {} as DueDays;
  for (const key of DUE_DAY_KEYS) {
    // An emptied number field binds as null.
    const typed = String(fields[key] ?? '').trim();
    const n = typed === '' ? NaN : Number(typed);
    if (!Number.isInteger(n) || n < 1 || n > 120)
      return { ok: false, problem: { code: 'bad_due_days', value: typed } };
    value[key] = n;
  }
  return { ok: true, value };
}

/**
 * The checklist's ids in walk order after moving one item up (-1) or down (+1) within its group;
 * null when it cannot move that way.
 */
export function movedOrder(
  ordered: readonly ChecklistItem[],
  id: Id,
  direction: -1 | 1,
): Id[] | null {
  const index = ordered.findIndex((item) => item.id === id);
  const item = ordered[index];
  const neighbour = ordered[index + direction];
  if (!item || !neighbour || neighbour.group !== item.group) return null;
  const ids = ordered.map((i) => i.id);
  ids[index] = neighbour.id;
  ids[index + direction] = item.id;
  return ids;
}

/** The sort number a new item of a group gets: after every item there. */
export function nextSort(items: readonly ChecklistItem[]): number {
  return items.reduce((most, item) => Math.max(most, item.sort), -1) + 1;
}
