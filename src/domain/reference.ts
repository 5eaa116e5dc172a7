/**
 * Reference data (hall, departments, windows, leaders, duty shifts, checklist, holidays, settings) is written as `ref.*` events and
 * read as their fold: for each entity, the version with the greatest (hlc, id) wins.
 */
import type { HolidayCalendar } from './calendar';
import type {
  ChecklistItemSaved,
  DutyShiftSaved,
  EventEnvelope,
  RankingWeights,
  ServiceItemSaved,
} from './events';
import { compareByHlc } from './hlc';
import type { Id } from './ids';
import type { LevelCodeMap } from './rating';

interface Versioned {
  /** hlc and id of the event this version came from. */
  version: { hlc: string; id: Id };
}

export interface Department extends Versioned {
  id: Id;
  code: string;
  name: string;
  nameEn?: string;
  sort: number;
  active: boolean;
}

export interface ServiceWindow extends Versioned {
  id: Id;
  departmentId: Id;
  code: string;
  name: string;
  nameEn?: string;
  sort: number;
  active: boolean;
}

export interface Leader extends Versioned {
  id: Id;
  departmentId: Id;
  title: string;
  titleEn?: string;
  /** Code printed as a QR on the leader's badge, scanned at the duty kiosk. */
  badgeCode?: string;
  active: boolean;
}

/** A scheduled duty shift (坐班排班); date and times are hall-local. */
export interface DutyShift extends Omit<DutyShiftSaved, 'shiftId'>, Versioned {
  id: Id;
}

/** An item of the walk checklist (走流程检查清单); `active: false` when retired. */
export interface ChecklistItem extends Omit<ChecklistItemSaved, 'itemId'>, Versioned {
  id: Id;
}

/** A service item (办事事项) of a department; `active: false` when withdrawn. */
export interface ServiceItem extends Omit<ServiceItemSaved, 'serviceItemId'>, Versioned {
  id: Id;
}

export interface HallSettings {
  phoneRatingIntervalMinutes: number;
  kioskIdleSeconds: number;
  levelCodeMap: LevelCodeMap;
  /** Working days to call back a 差评's citizen (回访). */
  ratingCallBackDays: number;
  /** Working days to rectify a problem, by its source. */
  ratingRectifyDays: number;
  walkRectifyDays: number;
  dutyRectifyDays: number;
  /** Weights of the monthly department ranking (src/domain/ranking.ts). */
  rankingWeights: RankingWeights;
  /** Hall-local opening hours on working days. */
  openingHours: { open: string; close: string };
  /** Minutes without a rating, during opening hours, after which an evaluator is called silent. */
  silentEvaluatorMinutes: number;
  /**
   * Armed evaluators: when above 0, an evaluator takes a rating only within this many seconds
   * after the window's staff press 请评价; 0 leaves its buttons always open.
   */
  armedRatingSeconds: number;
  /**
   * Days a kiosk or tablet keeps records the server already has before deleting them (never
   * anything unsent, nor what a screen still shows: see src/storage/prune.ts).
   */
  deviceRetentionDays: number;
}

export const DEFAULT_SETTINGS: HallSettings = {
  phoneRatingIntervalMinutes: 10,
  kioskIdleSeconds: 30,
  levelCodeMap: 'national',
  ratingCallBackDays: 1,
  ratingRectifyDays: 15,
  walkRectifyDays: 15,
  dutyRectifyDays: 10,
  rankingWeights: { satisfaction: 40, attendance: 20, rectification: 20, timeliness: 20 },
  openingHours: { open: '09:00', close: '17:00' },
  silentEvaluatorMinutes: 120,
  armedRatingSeconds: 0,
  deviceRetentionDays: 90,
};

export interface Reference {
  hall: { name: string; nameEn?: string } | null;
  departments: Record<Id, Department>;
  windows: Record<Id, ServiceWindow>;
  leaders: Record<Id, Leader>;
  shifts: Record<Id, DutyShift>;
  checklist: Record<Id, ChecklistItem>;
  serviceItems: Record<Id, ServiceItem>;
  /** The hall's own holiday years (over the shipped ones: see `holidayCalendar`). */
  holidays: HolidayCalendar;
  /** Versions of the holiday years, last-writer-wins per year. */
  holidayVersions: Record<number, { hlc: string; id: Id }>;
  settings: HallSettings;
  /** Per-setting versions, so settings too are last-writer-wins field by field. */
  settingVersions: Partial<Record<keyof HallSettings, { hlc: string; id: Id }>>;
}

export function emptyReference(): Reference {
  return {
    hall: null,
    departments: {},
    windows: {},
    leaders: {},
    shifts: {},
    checklist: {},
    serviceItems: {},
    holidays: {},
    holidayVersions: {},
    settings: { ...DEFAULT_SETTINGS },
    settingVersions: {},
  };
}

function newer(version: { hlc: string; id: Id }, current: Versioned | undefined): boolean {
  return !current || compareByHlc(version, current.version) > 0;
}

/** Apply one event to reference state (in place); events of other types are ignored. */
export function applyReferenceEvent(ref: Reference, e: EventEnvelope): void {
  const version = { hlc: e.hlc, id: e.id };
  switch (e.type) {
    case 'ref.hallSaved': {
      const p = (e as EventEnvelope<'ref.hallSaved'>).payload;
      ref.hall = { name: p.name, ...(p.nameEn ? { nameEn: p.nameEn } : {}) };
      break;
    }
    case 'ref.departmentSaved': {
      const { departmentId, ...p } = (e as EventEnvelope<'ref.departmentSaved'>).payload;
      if (newer(version, ref.departments[departmentId]))
        ref.departments[departmentId] = { id: departmentId, ...p, version };
      break;
    }
    case 'ref.windowSaved': {
      const { windowId, ...p } = (e as EventEnvelope<'ref.windowSaved'>).payload;
      if (newer(version, ref.windows[windowId]))
        ref.windows[windowId] = { id: windowId, ...p, version };
      break;
    }
    case 'ref.leaderSaved': {
      const { leaderId, ...p } = (e as EventEnvelope<'ref.leaderSaved'>).payload;
      if (newer(version, ref.leaders[leaderId]))
        ref.leaders[leaderId] = { id: leaderId, ...p, version };
      break;
    }
    case 'ref.dutyShiftSaved': {
      const { shiftId, ...p } = (e as EventEnvelope<'ref.dutyShiftSaved'>).payload;
      // A reference stored before shifts existed has no map yet.
      ref.shifts ??= {};
      if (newer(version, ref.shifts[shiftId])) ref.shifts[shiftId] = { id: shiftId, ...p, version };
      break;
    }
    case 'ref.checklistItemSaved': {
      const { itemId, ...p } = (e as EventEnvelope<'ref.checklistItemSaved'>).payload;
      // A reference stored before the checklist existed has no map yet.
      ref.checklist ??= {};
      if (newer(version, ref.checklist[itemId]))
        ref.checklist[itemId] = { id: itemId, ...p, version };
      break;
    }
    case 'ref.serviceItemSaved': {
      const { serviceItemId, ...p } = (e as EventEnvelope<'ref.serviceItemSaved'>).payload;
      // A reference stored before service items existed has no map yet.
      ref.serviceItems ??= {};
      if (newer(version, ref.serviceItems[serviceItemId]))
        ref.serviceItems[serviceItemId] = { id: serviceItemId, ...p, version };
      break;
    }
    case 'ref.holidaysSaved': {
      const p = (e as EventEnvelope<'ref.holidaysSaved'>).payload;
      ref.holidays ??= {};
      ref.holidayVersions ??= {};
      const current = ref.holidayVersions[p.year];
      if (current && compareByHlc(version, current) <= 0) break;
      ref.holidays[p.year] = p;
      ref.holidayVersions[p.year] = version;
      break;
    }
    case 'ref.settingsSaved': {
      const p = (e as EventEnvelope<'ref.settingsSaved'>).payload;
      for (const key of Object.keys(p) as (keyof HallSettings)[]) {
        const value = p[key];
        const current = ref.settingVersions[key];
        if (value === undefined || (current && compareByHlc(version, current) <= 0)) continue;
        (ref.settings as unknown as Record<string, unknown>)[key] = value;
        ref.settingVersions[key] = version;
      }
      break;
    }
  }
}

/** Fold a set of events, in any order, into reference state. */
export function foldReference(events: Iterable<EventEnvelope>): Reference {
  const ref = emptyReference();
  for (const e of events) applyReferenceEvent(ref, e);
  return ref;
}

/** A reference stored by an older version of the app, completed with what it lacks. */
export function normalizeReference(ref: Reference): Reference {
  return {
    ...emptyReference(),
    ...ref,
    settings: { ...DEFAULT_SETTINGS, ...ref.settings },
  };
}

export function activeWindows(ref: Reference): ServiceWindow[] {
  return Object.values(ref.windows)
    .filter((w) => w.active)
    .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));
}
