/**
 * Projection tables of reference data. Rows are written only by the fold in
 * services/reference-projection.ts, which applies the domain's own `applyReferenceEvent`.
 */
import type { Db } from '../db/db';
import type { HolidayCalendar } from '../../domain/calendar';
import type { ChecklistGroup } from '../../domain/events';
import {
  DEFAULT_SETTINGS,
  type ChecklistItem,
  type Department,
  type HallSettings,
  type Leader,
  type Reference,
  type ServiceItem,
  type ServiceWindow,
} from '../../domain/reference';
import { json } from './util';

type Version = { hlc: string; id: string };

interface RawDepartment {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  sort: number;
  active: boolean;
  versionHlc: string;
  versionId: string;
}
interface RawWindow extends RawDepartment {
  departmentId: string;
  hallId: string;
}
interface RawLeader {
  id: string;
  departmentId: string;
  title: string;
  titleEn: string | null;
  badgeCode: string | null;
  active: boolean;
  versionHlc: string;
  versionId: string;
}

const version = (r: { versionHlc: string; versionId: string }): Version => ({
  hlc: r.versionHlc,
  id: r.versionId,
});

function toDepartment(r: RawDepartment): Department {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    ...(r.nameEn !== null ? { nameEn: r.nameEn } : {}),
    sort: r.sort,
    active: r.active,
    version: version(r),
  };
}

export type WindowRow = ServiceWindow & { hallId: string };

function toWindow(r: RawWindow): WindowRow {
  return {
    id: r.id,
    hallId: r.hallId,
    departmentId: r.departmentId,
    code: r.code,
    name: r.name,
    ...(r.nameEn !== null ? { nameEn: r.nameEn } : {}),
    sort: r.sort,
    active: r.active,
    version: version(r),
  };
}

function toLeader(r: RawLeader): Leader {
  return {
    id: r.id,
    departmentId: r.departmentId,
    title: r.title,
    ...(r.titleEn !== null ? { titleEn: r.titleEn } : {}),
    ...(r.badgeCode !== null ? { badgeCode: r.badgeCode } : {}),
    active: r.active,
    version: version(r),
  };
}

const DEPARTMENT = `id, code, name, name_en AS "nameEn", sort, active, version_hlc AS "versionHlc",
  version_id AS "versionId"`;
const WINDOW = `${DEPARTMENT}, department_id AS "departmentId", hall_id AS "hallId"`;
const LEADER = `id, department_id AS "departmentId", title, title_en AS "titleEn",
  badge_code AS "badgeCode", active,
  version_hlc AS "versionHlc", version_id AS "versionId"`;

export async function getDepartment(
  db: Db,
  id: string,
): Promise<(Department & { hallId: string }) | null> {
  const rows = await db.query<RawDepartment & { hallId: string }>(
    `SELECT ${DEPARTMENT}, hall_id AS "hallId" FROM departments WHERE id = $1`,
    [id],
  );
  return rows[0] ? { ...toDepartment(rows[0]), hallId: rows[0].hallId } : null;
}

/** The hall of each of these departments that exists. */
export async function departmentHalls(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; hallId: string }>(
    'SELECT id, hall_id AS "hallId" FROM departments WHERE id = ANY($1::text[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.hallId]));
}

export async function getWindow(db: Db, id: string): Promise<WindowRow | null> {
  const rows = await db.query<RawWindow>(`SELECT ${WINDOW} FROM windows WHERE id = $1`, [id]);
  return rows[0] ? toWindow(rows[0]) : null;
}

export async function getWindows(db: Db, ids: readonly string[]): Promise<Map<string, WindowRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<RawWindow>(
    `SELECT ${WINDOW} FROM windows WHERE id = ANY($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, toWindow(r)]));
}

/** Window codes are matched without regard to case (cards are typed in by hand too). */
export async function getWindowByCode(db: Db, code: string): Promise<WindowRow | null> {
  const rows = await db.query<RawWindow>(
    `SELECT ${WINDOW} FROM windows WHERE upper(code) = upper($1)`,
    [code],
  );
  return rows[0] ? toWindow(rows[0]) : null;
}

export async function getLeader(db: Db, id: string): Promise<Leader | null> {
  const rows = await db.query<RawLeader>(`SELECT ${LEADER} FROM leaders WHERE id = $1`, [id]);
  return rows[0] ? toLeader(rows[0]) : null;
}

export type LeaderRow = Leader & { hallId: string };

export async function getLeaders(db: Db, ids: readonly string[]): Promise<Map<string, LeaderRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<RawLeader & { hallId: string }>(
    `SELECT ${LEADER}, hall_id AS "hallId" FROM leaders WHERE id = ANY($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { ...toLeader(r), hallId: r.hallId }]));
}

/** The hall's other leader carrying this badge code (matched without regard to case). */
export async function leaderByBadge(
  db: Db,
  hallId: string,
  badgeCode: string,
): Promise<Leader | null> {
  const rows = await db.query<RawLeader>(
    `SELECT ${LEADER} FROM leaders WHERE hall_id = $1 AND upper(badge_code) = upper($2)`,
    [hallId, badgeCode],
  );
  return rows[0] ? toLeader(rows[0]) : null;
}

export async function listDepartments(db: Db, hallId: string): Promise<Department[]> {
  const rows = await db.query<RawDepartment>(
    `SELECT ${DEPARTMENT} FROM departments WHERE hall_id = $1 ORDER BY sort, code`,
    [hallId],
  );
  return rows.map(toDepartment);
}

export async function listWindows(db: Db, hallId: string): Promise<WindowRow[]> {
  const rows = await db.query<RawWindow>(
    `SELECT ${WINDOW} FROM windows WHERE hall_id = $1 ORDER BY sort, code`,
    [hallId],
  );
  return rows.map(toWindow);
}

export async function listLeaders(db: Db, hallId: string): Promise<Leader[]> {
  const rows = await db.query<RawLeader>(
    `SELECT ${LEADER} FROM leaders WHERE hall_id = $1 ORDER BY title, id`,
    [hallId],
  );
  return rows.map(toLeader);
}

export async function saveDepartment(tx: Db, hallId: string, d: Department): Promise<void> {
  await tx.query(
    `INSERT INTO departments (id, hall_id, code, name, name_en, sort, active, version_hlc, version_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET code = $3, name = $4, name_en = $5, sort = $6, active = $7,
       version_hlc = $8, version_id = $9`,
    [d.id, hallId, d.code, d.name, d.nameEn ?? null, d.sort, d.active, d.version.hlc, d.version.id],
  );
}

export async function saveWindow(tx: Db, hallId: string, w: ServiceWindow): Promise<void> {
  await tx.query(
    `INSERT INTO windows (id, hall_id, department_id, code, name, name_en, sort, active, version_hlc,
       version_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET department_id = $3, code = $4, name = $5, name_en = $6,
       sort = $7, active = $8, version_hlc = $9, version_id = $10`,
    [
      w.id,
      hallId,
      w.departmentId,
      w.code,
      w.name,
      w.nameEn ?? null,
      w.sort,
      w.active,
      w.version.hlc,
      w.version.id,
    ],
  );
}

export async function saveLeader(tx: Db, hallId: string, l: Leader): Promise<void> {
  await tx.query(
    `INSERT INTO leaders (id, hall_id, department_id, title, title_en, active, version_hlc, version_id,
       badge_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET department_id = $3, title = $4, title_en = $5, active = $6,
       version_hlc = $7, version_id = $8, badge_code = $9`,
    [
      l.id,
      hallId,
      l.departmentId,
      l.title,
      l.titleEn ?? null,
      l.active,
      l.version.hlc,
      l.version.id,
      l.badgeCode ?? null,
    ],
  );
}

export async function getSettings(
  db: Db,
  hallId: string,
): Promise<Pick<Reference, 'settings' | 'settingVersions'>> {
  const rows = await db.query<{
    settings: Partial<HallSettings>;
    versions: Reference['settingVersions'];
  }>('SELECT settings, versions FROM settings WHERE hall_id = $1', [hallId]);
  const row = rows[0];
  return {
    settings: { ...DEFAULT_SETTINGS, ...(row?.settings ?? {}) },
    settingVersions: row?.versions ?? {},
  };
}

export async function saveSettings(
  tx: Db,
  hallId: string,
  s: Pick<Reference, 'settings' | 'settingVersions'>,
): Promise<void> {
  await tx.query(
    `INSERT INTO settings (hall_id, settings, versions) VALUES ($1, $2::jsonb, $3::jsonb)
     ON CONFLICT (hall_id) DO UPDATE SET settings = $2::jsonb, versions = $3::jsonb`,
    [hallId, json(s.settings), json(s.settingVersions)],
  );
}

// ---------------------------------------------------------------------------------------------
// The walk checklist (走流程检查清单) and the hall's holiday years

interface RawChecklistItem {
  id: string;
  hallId: string;
  group: ChecklistGroup;
  text: string;
  textEn: string | null;
  sort: number;
  active: boolean;
  versionHlc: string;
  versionId: string;
}

export type ChecklistItemRow = ChecklistItem & { hallId: string };

const CHECKLIST_ITEM = `id, hall_id AS "hallId", group_key AS "group", text, text_en AS "textEn",
  sort, active, version_hlc AS "versionHlc", version_id AS "versionId"`;

function toChecklistItem(r: RawChecklistItem): ChecklistItemRow {
  return {
    id: r.id,
    hallId: r.hallId,
    group: r.group,
    text: r.text,
    ...(r.textEn !== null ? { textEn: r.textEn } : {}),
    sort: r.sort,
    active: r.active,
    version: version(r),
  };
}

/** Every checklist item of the hall, retired ones too (old findings still name them). */
export async function getChecklist(db: Db, hallId: string): Promise<ChecklistItemRow[]> {
  const rows = await db.query<RawChecklistItem>(
    `SELECT ${CHECKLIST_ITEM} FROM checklist_items WHERE hall_id = $1 ORDER BY sort, id`,
    [hallId],
  );
  return rows.map(toChecklistItem);
}

/** These checklist items (of any hall), by id. */
export async function getChecklistItems(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, ChecklistItemRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<RawChecklistItem>(
    `SELECT ${CHECKLIST_ITEM} FROM checklist_items WHERE id = ANY($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, toChecklistItem(r)]));
}

export async function saveChecklistItem(tx: Db, hallId: string, c: ChecklistItem): Promise<void> {
  await tx.query(
    `INSERT INTO checklist_items (id, hall_id, group_key, text, text_en, sort, active, version_hlc,
       version_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET group_key = $3, text = $4, text_en = $5, sort = $6,
       active = $7, version_hlc = $8, version_id = $9`,
    [
      c.id,
      hallId,
      c.group,
      c.text,
      c.textEn ?? null,
      c.sort,
      c.active,
      c.version.hlc,
      c.version.id,
    ],
  );
}

/**
 * The hall's own holiday years and their versions. They replace the shipped years of the same
 * number; the calendar in force is `holidayCalendar(holidays)` (src/domain/calendar.ts).
 */
export async function getHolidayYears(
  db: Db,
  hallId: string,
): Promise<Pick<Reference, 'holidays' | 'holidayVersions'>> {
  const rows = await db.query<{
    year: number;
    holidays: string[];
    workdays: string[];
    confirmed: boolean;
    versionHlc: string;
    versionId: string;
  }>(
    `SELECT year, holidays, workdays, confirmed, version_hlc AS "versionHlc",
       version_id AS "versionId"
     FROM holiday_years WHERE hall_id = $1 ORDER BY year`,
    [hallId],
  );
  const holidays: HolidayCalendar = {};
  const holidayVersions: Reference['holidayVersions'] = {};
  for (const r of rows) {
    holidays[r.year] = {
      year: r.year,
      holidays: r.holidays,
      workdays: r.workdays,
      confirmed: r.confirmed,
    };
    holidayVersions[r.year] = version(r);
  }
  return { holidays, holidayVersions };
}

export async function saveHolidayYear(
  tx: Db,
  hallId: string,
  year: HolidayCalendar[number],
  v: Version,
): Promise<void> {
  await tx.query(
    `INSERT INTO holiday_years (hall_id, year, holidays, workdays, confirmed, version_hlc,
       version_id)
     VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7)
     ON CONFLICT (hall_id, year) DO UPDATE SET holidays = $3::jsonb, workdays = $4::jsonb,
       confirmed = $5, version_hlc = $6, version_id = $7`,
    [hallId, year.year, json(year.holidays), json(year.workdays), year.confirmed, v.hlc, v.id],
  );
}

// ---------------------------------------------------------------------------------------------
// Service items (办事事项) of the departments

interface RawServiceItem extends RawDepartment {
  departmentId: string;
  hallId: string;
}

export type ServiceItemRow = ServiceItem & { hallId: string };

const SERVICE_ITEM = `${DEPARTMENT}, department_id AS "departmentId", hall_id AS "hallId"`;

function toServiceItem(r: RawServiceItem): ServiceItemRow {
  return {
    id: r.id,
    hallId: r.hallId,
    departmentId: r.departmentId,
    code: r.code,
    name: r.name,
    ...(r.nameEn !== null ? { nameEn: r.nameEn } : {}),
    sort: r.sort,
    active: r.active,
    version: version(r),
  };
}

/** Every service item of the hall, withdrawn ones too, in the hall's order. */
export async function listServiceItems(db: Db, hallId: string): Promise<ServiceItemRow[]> {
  const rows = await db.query<RawServiceItem>(
    `SELECT ${SERVICE_ITEM} FROM service_items WHERE hall_id = $1 ORDER BY sort, code`,
    [hallId],
  );
  return rows.map(toServiceItem);
}

export async function getServiceItem(db: Db, id: string): Promise<ServiceItemRow | null> {
  const rows = await db.query<RawServiceItem>(
    `SELECT ${SERVICE_ITEM} FROM service_items WHERE id = $1`,
    [id],
  );
  return rows[0] ? toServiceItem(rows[0]) : null;
}

/** The hall's service item with this code (matched without regard to case), if any. */
export async function serviceItemByCode(
  db: Db,
  hallId: string,
  code: string,
): Promise<ServiceItemRow | null> {
  const rows = await db.query<RawServiceItem>(
    `SELECT ${SERVICE_ITEM} FROM service_items WHERE hall_id = $1 AND upper(code) = upper($2)`,
    [hallId, code],
  );
  return rows[0] ? toServiceItem(rows[0]) : null;
}

export async function saveServiceItem(tx: Db, hallId: string, s: ServiceItem): Promise<void> {
  await tx.query(
    `INSERT INTO service_items (id, hall_id, department_id, code, name, name_en, sort, active,
       version_hlc, version_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET department_id = $3, code = $4, name = $5, name_en = $6,
       sort = $7, active = $8, version_hlc = $9, version_id = $10`,
    [
      s.id,
      hallId,
      s.departmentId,
      s.code,
      s.name,
      s.nameEn ?? null,
      s.sort,
      s.active,
      s.version.hlc,
      s.version.id,
    ],
  );
}

/** Active leaders of each department of the hall. */
export async function leaderCounts(db: Db, hallId: string): Promise<Map<string, number>> {
  const rows = await db.query<{ departmentId: string; n: number }>(
    `SELECT department_id AS "departmentId", count(*)::int AS n FROM leaders
     WHERE hall_id = $1 AND active GROUP BY department_id`,
    [hallId],
  );
  return new Map(rows.map((r) => [r.departmentId, r.n]));
}
