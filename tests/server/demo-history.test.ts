import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAttendance } from '../../src/domain/attendance';
import { holidayCalendar } from '../../src/domain/calendar';
import { eventHash } from '../../src/domain/device';
import type { EventEnvelope } from '../../src/domain/events';
import { isOverdue, problemDeadlines, type Problem } from '../../src/domain/problem';
import { ConfigError, loadConfig } from '../../src/server/config';
import type { Db } from '../../src/server/db/db';
import { migrate } from '../../src/server/db/migrations';
import { openPglite } from '../../src/server/db/pglite';
import {
  DEMO_PIN,
  demoHistoryLine,
  fillDemoHistory,
  type DemoHistory,
} from '../../src/server/demo-history';
import { listShifts } from '../../src/server/repos/duty';
import { getHolidayYears, getSettings, listLeaders } from '../../src/server/repos/reference';
import { seedDemoHall, type DemoSeed } from '../../src/server/seed';
import { writeConsoleEvents } from '../../src/server/services/console-writer';
import { sessionsBetween } from '../../src/server/services/duty-reports';
import { backends } from '../support/databases';

/** Monday 2026-04-13, 10:00 in the hall: 14 days back are 03-30 … 04-12, with 清明 04-04 … 04-06. */
const NOW = Date.parse('2026-04-13T02:00:00Z');
const FIRST = '2026-03-30';
const LAST = '2026-04-12';
const HOLIDAYS = ['2026-04-04', '2026-04-05', '2026-04-06'];
const WEEKENDS = ['2026-04-11', '2026-04-12'];
const WORKING = [
  '2026-03-30',
  '2026-03-31',
  '2026-04-01',
  '2026-04-02',
  '2026-04-03',
  '2026-04-07',
  '2026-04-08',
  '2026-04-09',
  '2026-04-10',
];

async function freshHall(open: () => Promise<Db>): Promise<{ db: Db; seed: DemoSeed }> {
  const db = await open();
  await migrate(db);
  const seed = await seedDemoHall(db, NOW - 3 * 86_400_000 * 7);
  if (!seed) throw new Error('a fresh database already had a hall');
  return { db, seed };
}

async function one<T>(db: Db, sql: string, params: unknown[] = []): Promise<T> {
  const rows = await db.query<{ v: T }>(sql, params);
  return rows[0]!.v;
}

async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = ['events', 'ratings', 'duty_sessions', 'problems', 'walks', 'duty_shifts'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await one<number>(db, `SELECT count(*)::int AS v FROM ${t}`);
  return out;
}

describe.each(backends)('demo history on $name', ({ open }) => {
  let db: Db;
  let seed: DemoSeed;
  let history: DemoHistory;

  beforeAll(async () => {
    ({ db, seed } = await freshHall(open));
    history = await fillDemoHistory(db, { days: 14, now: NOW });
  }, 240_000);
  afterAll(() => db?.close());

  it('reports what it wrote, and the server refused none of it', async () => {
    if (!history.filled) throw new Error(`not filled: ${history.reason}`);
    expect(history.rejected).toBe(0);
    expect(await one(db, 'SELECT count(*)::int AS v FROM rejected_events')).toBe(0);
    expect(await one(db, 'SELECT count(*)::int AS v FROM ratings')).toBe(history.ratings);
    expect(await one(db, 'SELECT count(*)::int AS v FROM duty_sessions')).toBe(
      history.dutySessions,
    );
    expect(await one(db, 'SELECT count(*)::int AS v FROM problems')).toBe(history.problems);
    expect(await one(db, 'SELECT count(*)::int AS v FROM walks')).toBe(history.walks);
    expect(demoHistoryLine(history)).toMatch(
      new RegExp(
        `^Demo history: 14 days, ${history.ratings} ratings, ${history.dutySessions} duty sessions, ${history.problems} problems \\(\\d+\\.\\d s\\)$`,
      ),
    );
    // Roughly 20–60 ratings per window on a working day.
    const windows = seed.windows.length;
    expect(history.ratings).toBeGreaterThan(windows * WORKING.length * 20);
    expect(history.ratings).toBeLessThan(windows * (WORKING.length + WEEKENDS.length) * 60);
  });

  it('keeps the rating rollup equal to the ratings', async () => {
    expect(await one(db, 'SELECT sum(n)::int AS v FROM rating_rollup')).toBe(
      await one(db, 'SELECT count(*)::int AS v FROM ratings'),
    );
  });

  it('rates on working days more than on weekends, never on a holiday, within opening hours', async () => {
    const days = await db.query<{ day: string; n: number; early: number; late: number }>(
      `SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, count(*)::int AS n,
         min(extract(hour FROM at AT TIME ZONE 'Asia/Shanghai'))::int AS early,
         max(extract(hour FROM at AT TIME ZONE 'Asia/Shanghai'))::int AS late
       FROM ratings GROUP BY 1 ORDER BY 1`,
    );
    const byDay = new Map(days.map((d) => [d.day, d]));
    expect([...byDay.keys()].sort()).toEqual([...WORKING, ...WEEKENDS].sort());
    for (const h of HOLIDAYS) expect(byDay.has(h)).toBe(false);
    for (const d of days) {
      expect(d.day >= FIRST && d.day <= LAST).toBe(true);
      // Opening hours 09:00–17:00.
      expect(d.early).toBeGreaterThanOrEqual(9);
      expect(d.late).toBeLessThanOrEqual(16);
    }
    const mean = (list: string[]) =>
      list.reduce((sum, day) => sum + byDay.get(day)!.n, 0) / list.length;
    expect(mean(WEEKENDS)).toBeLessThan(mean(WORKING) / 2);

    const channels = await db.query<{ channel: string }>(
      'SELECT DISTINCT channel FROM ratings ORDER BY 1',
    );
    expect(channels.map((c) => c.channel)).toEqual(['hall_tablet', 'qr']);
    const poor = await db.query<{ reasons: number; comments: number; tickets: number }>(
      `SELECT count(*) FILTER (WHERE jsonb_array_length(reasons) > 0)::int AS reasons,
         count(*) FILTER (WHERE comment <> '')::int AS comments,
         count(*) FILTER (WHERE ticket IS NOT NULL)::int AS tickets
       FROM ratings WHERE level IN ('dissatisfied', 'very_dissatisfied')`,
    );
    expect(poor[0]!.reasons).toBeGreaterThan(0);
    expect(poor[0]!.comments).toBeGreaterThan(0);
    expect(poor[0]!.tickets).toBeGreaterThan(0);
  });

  it('gives departments different satisfaction: 不动产登记 weaker than 公积金', async () => {
    const rows = await db.query<{ code: string; good: number }>(
      `SELECT d.code, avg(CASE WHEN r.level IN ('very_satisfied', 'satisfied') THEN 1 ELSE 0 END)::float AS good
       FROM ratings r JOIN departments d ON d.id = r.department_id GROUP BY d.code`,
    );
    const good = new Map(rows.map((r) => [r.code, r.good]));
    expect(good.get('REALTY')!).toBeLessThan(good.get('FUND')! - 0.1);
  });

  it('has 医保 improving over the period', async () => {
    const rows = await db.query<{ late: boolean; good: number }>(
      `SELECT r.at >= $1 AS late,
         avg(CASE WHEN r.level IN ('very_satisfied', 'satisfied') THEN 1 ELSE 0 END)::float AS good
       FROM ratings r JOIN departments d ON d.id = r.department_id
       WHERE d.code = 'MED' GROUP BY 1`,
      ['2026-04-06T16:00:00Z'],
    );
    const good = new Map(rows.map((r) => [r.late, r.good]));
    expect(good.get(true)!).toBeGreaterThan(good.get(false)! + 0.05);
  });

  it("chains every device's log, as the devices pushed it", async () => {
    const devices = await db.query<{ id: string; lastSeq: number; lastHash: string | null }>(
      'SELECT id, last_seq::int AS "lastSeq", last_hash AS "lastHash" FROM devices',
    );
    const roles = await db.query<{ role: string; n: number }>(
      'SELECT role, count(*)::int AS n FROM devices GROUP BY role ORDER BY role',
    );
    expect(Object.fromEntries(roles.map((r) => [r.role, r.n]))).toMatchObject({
      console: 1,
      duty_kiosk: 1,
      inspection_tablet: 1,
      evaluator: seed.windows.length,
    });
    let checked = 0;
    for (const device of devices) {
      const events = await db.query<{ seq: number; prevHash: string | null; envelope: unknown }>(
        `SELECT device_seq::int AS seq, prev_hash AS "prevHash", envelope FROM events
         WHERE device_id = $1 ORDER BY device_seq`,
        [device.id],
      );
      let prev: string | null = null;
      events.forEach((e, i) => {
        expect(e.seq).toBe(i + 1);
        expect(e.prevHash).toBe(prev);
        const envelope = (
          typeof e.envelope === 'string' ? JSON.parse(e.envelope) : e.envelope
        ) as EventEnvelope;
        prev = eventHash(envelope);
      });
      expect(device.lastSeq).toBe(events.length);
      expect(device.lastHash).toBe(prev);
      checked += events.length;
    }
    expect(checked).toBe(await one(db, 'SELECT count(*)::int AS v FROM events'));
  });

  it('has leaders attend their shifts, some late, some missed, some unscheduled, with ledgers', async () => {
    const hallId = seed.hall.id;
    const [shifts, sessions, leaders] = await Promise.all([
      listShifts(db, hallId, FIRST, LAST),
      sessionsBetween(db, hallId, FIRST, LAST),
      listLeaders(db, hallId),
    ]);
    expect(shifts.every((s) => s.published && WORKING.includes(s.date))).toBe(true);
    const { departments } = computeAttendance({
      shifts,
      sessions,
      leaders,
      from: FIRST,
      to: LAST,
      nowMs: NOW,
    });
    const total = (k: 'attended' | 'late' | 'missed' | 'unscheduled' | 'served' | 'cases') =>
      departments.reduce((n, d) => n + d[k], 0);
    expect(total('attended')).toBeGreaterThan(total('missed'));
    expect(total('late')).toBeGreaterThan(0);
    expect(total('missed')).toBeGreaterThan(0);
    expect(total('unscheduled')).toBeGreaterThan(0);
    expect(total('served')).toBeGreaterThan(0);
    expect(total('cases')).toBeGreaterThan(0);
    // Ratings at a window while its department's leader was on duty carry the session.
    expect(
      await one<number>(
        db,
        'SELECT count(*)::int AS v FROM ratings WHERE duty_session_id IS NOT NULL',
      ),
    ).toBeGreaterThan(0);
  });

  it('takes problems from every source through the pipeline, some of them overdue today', async () => {
    const rows = await db.query<{ state: Problem | string }>('SELECT state FROM problems');
    const problems = rows.map((r) => (typeof r.state === 'string' ? JSON.parse(r.state) : r.state));
    expect(new Set(problems.map((p: Problem) => p.source))).toEqual(
      new Set(['rating', 'walk', 'duty']),
    );
    const statuses = new Set(problems.map((p: Problem) => p.status));
    for (const s of ['found', 'assigned', 'rectifying', 'rectified', 'verified', 'closed'])
      expect(statuses).toContain(s);
    expect(
      problems.some((p: Problem) => p.precheck === 'mistaken' || p.precheck === 'malicious'),
    ).toBe(true);
    expect(problems.some((p: Problem) => p.callBacks.some((c) => c.reached))).toBe(true);
    // Appeals are reviewed on the console, by the hall's administrator.
    const admin = await one<string>(db, 'SELECT id AS v FROM admins');
    const reviews = problems
      .flatMap((p: Problem) => p.steps)
      .filter((s) => s.type === 'problem.reviewed');
    expect(reviews.length).toBeGreaterThan(0);
    expect(reviews.every((s) => s.actorId === admin)).toBe(true);
    // No step was written out of turn.
    expect(problems.flatMap((p: Problem) => p.steps).filter((s) => s.superseded)).toEqual([]);
    const { settings } = await getSettings(db, seed.hall.id);
    const cal = holidayCalendar((await getHolidayYears(db, seed.hall.id)).holidays);
    const overdue = problems.filter((p: Problem) =>
      isOverdue(problemDeadlines(p, NOW, cal, settings)),
    );
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.length).toBeLessThan(problems.length / 2);
  });

  it('adds nothing when started again', async () => {
    const before = await tableCounts(db);
    expect(await fillDemoHistory(db, { days: 14, now: NOW })).toEqual({
      filled: false,
      reason: 'has_history',
    });
    expect(await fillDemoHistory(db, { days: 30, now: NOW + 86_400_000 })).toEqual({
      filled: false,
      reason: 'has_history',
    });
    expect(await tableCounts(db)).toEqual(before);
  });
});

describe('demo history', () => {
  it('counts the same for the same days and seed', async () => {
    const fill = async (seedNo: number) => {
      const { db } = await freshHall(() => openPglite());
      try {
        const h = await fillDemoHistory(db, { days: 2, seed: seedNo, now: NOW });
        if (!h.filled) throw new Error(`not filled: ${h.reason}`);
        const { ms: _ms, ...counts } = h;
        return { counts, tables: await tableCounts(db) };
      } finally {
        await db.close();
      }
    };
    const a = await fill(7);
    const b = await fill(7);
    expect(b).toEqual(a);
    expect(a.counts.ratings).toBeGreaterThan(0);
    expect(a.tables.ratings).toBe(a.counts.ratings);
  }, 240_000);

  it('fills a hall once when two starts race', async () => {
    const { db } = await freshHall(() => openPglite());
    try {
      const results = await Promise.all([
        fillDemoHistory(db, { days: 1, now: NOW }),
        fillDemoHistory(db, { days: 1, now: NOW }),
      ]);
      expect(results.filter((r) => r.filled)).toHaveLength(1);
      expect(results.filter((r) => !r.filled)).toEqual([{ filled: false, reason: 'has_history' }]);
      const filled = results.find((r) => r.filled)!;
      expect(await tableCounts(db)).toMatchObject({
        ratings: filled.filled ? filled.ratings : -1,
      });
      const tablets = await one(
        db,
        "SELECT count(*)::int AS v FROM devices WHERE role = 'inspection_tablet'",
      );
      expect(tablets).toBe(1);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('leaves a hall alone that is not the untouched demo hall', async () => {
    const { db, seed } = await freshHall(() => openPglite());
    try {
      await db.tx((tx) =>
        writeConsoleEvents(
          tx,
          seed.hall.id,
          [{ type: 'ref.hallSaved', payload: { name: '政务服务中心' } }],
          NOW,
        ),
      );
      const before = await tableCounts(db);
      expect(await fillDemoHistory(db, { days: 5, now: NOW })).toEqual({
        filled: false,
        reason: 'not_demo_hall',
      });
      expect(await tableCounts(db)).toEqual(before);
    } finally {
      await db.close();
    }
  });

  it('refuses a number of days outside 1 … 366', async () => {
    // Refused before the database is looked at.
    const untouched = new Proxy({} as Db, {
      get: () => {
        throw new Error('the database was used');
      },
    });
    for (const days of [0, -1, 367, 2.5, Number.NaN]) {
      await expect(fillDemoHistory(untouched, { days, now: NOW })).rejects.toThrow(
        /whole number of days from 1 to 366/,
      );
    }
    expect(() => loadConfig({ DEMO_HISTORY_DAYS: '0' })).toThrow(
      'DEMO_HISTORY_DAYS="0": must be a whole number of days from 1 to 366',
    );
    expect(() => loadConfig({ DEMO_HISTORY_DAYS: 'ninety' })).toThrow(ConfigError);
    expect(() => loadConfig({}, ['--demo-history', '400'])).toThrow(
      '--demo-history "400": must be a whole number of days from 1 to 366',
    );
    expect(() => loadConfig({}, ['--demo-history'])).toThrow(/--demo-history: needs a number/);
    expect(() => loadConfig({}, ['--demo-histroy', '9'])).toThrow(/Unknown option/);
  });

  it('takes the days from the command line or the environment', () => {
    expect(loadConfig({}).demoHistoryDays).toBeUndefined();
    expect(loadConfig({ DEMO_HISTORY_DAYS: '30' }).demoHistoryDays).toBe(30);
    expect(loadConfig({}, ['--demo-history', '90']).demoHistoryDays).toBe(90);
    expect(loadConfig({}, ['--demo-history=366']).demoHistoryDays).toBe(366);
    // The command line wins.
    expect(loadConfig({ DEMO_HISTORY_DAYS: '30' }, ['--demo-history', '7']).demoHistoryDays).toBe(
      7,
    );
    expect(DEMO_PIN).toMatch(/^\d{4,8}$/);
  });
});
