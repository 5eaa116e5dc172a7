/**
 * The hall screen (大厅公示屏): today's leaders on duty (局长坐班) from the published schedule and
 * the sessions open now, and this month's satisfaction per active department from the rating
 * rollup. Only what a hall shows in public: titles, departments and windows, no ids.
 */
import type { Db } from '../db/db';
import { hallDate, hallMinutes } from '../../domain/schedule';
import type { BoardResponse } from '../../sync/report-protocol';
import { notFound } from '../errors';
import { ratingsByDepartment } from '../repos/figures';
import { firstHall } from '../repos/halls';
import { listDepartments, listLeaders, listWindows } from '../repos/reference';
import { isoAt } from '../repos/util';
import { ratingFigures, zeroLevels, type LevelCounts } from './dashboard';
import { monthSpan, publicSchedule } from './duty-reports';

type Named = { name: string; nameEn?: string };
const named = (x: { name: string; nameEn?: string | null }): Named => ({
  name: x.name,
  ...(x.nameEn ? { nameEn: x.nameEn } : {}),
});

/** Counts by department and level over hall-local days from … to, from the rating rollup. */
async function monthCounts(
  db: Db,
  hallId: string,
  from: string,
  to: string,
): Promise<Map<string, LevelCounts>> {
  const counts = new Map<string, LevelCounts>();
  for (const r of await ratingsByDepartment(db, { hallId, from, to, departmentId: null })) {
    const levels = counts.get(r.departmentId) ?? zeroLevels();
    levels[r.level] += r.n;
    counts.set(r.departmentId, levels);
  }
  return counts;
}

const clock = (ms: number) => {
  const m = hallMinutes(ms);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** GET /api/v1/public/board */
export async function board(db: Db, now: number): Promise<BoardResponse> {
  const hall = await firstHall(db);
  if (!hall) throw notFound('unknown_hall', 'This server has no hall yet.');
  const today = hallDate(now);
  const month = monthSpan(today.slice(0, 7));
  const [schedule, departments, leaders, windows, counts] = await Promise.all([
    publicSchedule(db, { date: today }, now),
    listDepartments(db, hall.id),
    listLeaders(db, hall.id),
    listWindows(db, hall.id),
    monthCounts(db, hall.id, month.from, month.to),
  ]);
  const signedIn = new Set(schedule.onDutyNow.map((s) => s.leaderId));
  const shifts = schedule.days.find((d) => d.date === today)?.shifts ?? [];
  const onDuty: BoardResponse['onDuty'] = shifts.map((s) => ({
    leader: { title: s.leader.title, ...(s.leader.titleEn ? { titleEn: s.leader.titleEn } : {}) },
    department: named(s.department),
    window: s.window ? { code: s.window.code, ...named(s.window) } : null,
    signedIn: signedIn.has(s.leader.id),
    start: s.start,
    end: s.end,
  }));

  // Leaders signed in without a shift today are on duty too (end unknown: empty).
  const scheduled = new Set(shifts.map((s) => s.leader.id));
  const leader = new Map(leaders.map((l) => [l.id, l]));
  const department = new Map(departments.map((d) => [d.id, d]));
  const window = new Map(windows.map((w) => [w.id, w]));
  for (const s of schedule.onDutyNow) {
    const l = leader.get(s.leaderId);
    const d = department.get(s.departmentId);
    if (scheduled.has(s.leaderId) || !l || !d) continue;
    const w = s.windowId ? window.get(s.windowId) : undefined;
    onDuty.push({
      leader: { title: l.title, ...(l.titleEn ? { titleEn: l.titleEn } : {}) },
      department: named(d),
      window: w ? { code: w.code, ...named(w) } : null,
      signedIn: true,
      start: clock(Date.parse(s.since)),
      end: '',
    });
  }

  return {
    hall: named(hall),
    serverTime: isoAt(now),
    today,
    month: month.month,
    onDuty,
    departments: departments
      .filter((d) => d.active)
      .map((d) => ({ ...named(d), ...ratingFigures(counts.get(d.id) ?? zeroLevels()) })),
  };
}
