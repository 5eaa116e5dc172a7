/**
 * `npm run bench:dashboard`: the console's figures over a large hall.
 *
 * Loads 1,000,000 ratings over 90 days at 100 windows of 10 departments (with their events, and
 * the problem every 差评 is), three months of duty shifts and sessions and some walk findings
 * into a fresh PGlite (a temporary folder) and a throwaway PostgreSQL (as the server tests start
 * one, or TEST_DATABASE_URL), set-based; then times the dashboard for a month and one department,
 * for a month and the whole hall, and the month's ranking: the median of 5 runs after a warm-up.
 *
 * Prints a table; asserts nothing. BENCH_RATINGS changes the number of ratings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../src/server/db/db';
import { migrate } from '../../src/server/db/migrations';
import { openPglite } from '../../src/server/db/pglite';
import { openPostgres } from '../../src/server/db/postgres';
import { newId } from '../../src/domain/ids';
import { addDays, hallDayStartMs, isoWeekday } from '../../src/domain/schedule';
import { seedDemoHall } from '../../src/server/seed';
import { writeConsoleEvents, type RefWrite } from '../../src/server/services/console-writer';
import { dashboard } from '../../src/server/services/dashboard';
import { ranking } from '../../src/server/services/ranking';
import { listDepartments, listLeaders, listWindows } from '../../src/server/repos/reference';
import { recordBench, verdict } from './results';
import { withPostgresDatabase } from './support';

const RATINGS = Number(process.env.BENCH_RATINGS ?? 1_000_000);
const DAYS = 90;
const DEPARTMENTS = 10;
const WINDOWS_PER_DEPARTMENT = 10;
const CHUNK = 100_000;
const RUNS = 5;
/** The first day of the ratings; the server's clock is the day after the last, at noon. */
const FIRST_DAY = '2026-04-01';
const TODAY = addDays(FIRST_DAY, DAYS);
const NOW = hallDayStartMs(TODAY) + 12 * 3600_000;
const MONTH = '2026-06';

const TARGET_MS = { postgres: 300, pglite: 1500 } as const;
type Backend = keyof typeof TARGET_MS;

/** Departments and windows up to 10 × 10, written as the console writes them. */
async function growHall(db: Db, hallId: string): Promise<void> {
  const writes: RefWrite[] = [];
  const departments = await listDepartments(db, hallId);
  const windows = await listWindows(db, hallId);
  for (let d = departments.length; d < DEPARTMENTS; d++) {
    const departmentId = newId();
    departments.push({
      id: departmentId,
      code: `BENCH${d}`,
      name: `部门${d + 1}`,
      sort: (d + 1) * 10,
      active: true,
      version: { hlc: '', id: '' },
    });
    writes.push({
      type: 'ref.departmentSaved',
      payload: {
        departmentId,
        code: `BENCH${d}`,
        name: `部门${d + 1}`,
        sort: (d + 1) * 10,
        active: true,
      },
    } as RefWrite);
  }
  for (const [d, dept] of departments.entries()) {
    const have = windows.filter((w) => w.departmentId === dept.id).length;
    for (let i = have; i < WINDOWS_PER_DEPARTMENT; i++) {
      const code = `W${d}-${i + 1}`;
      writes.push({
        type: 'ref.windowSaved',
        payload: {
          windowId: newId(),
          departmentId: dept.id,
          code,
          name: `${code}窗口`,
          sort: i + 1,
          active: true,
        },
      } as RefWrite);
    }
  }
  await db.tx((tx) => writeConsoleEvents(tx, hallId, writes, NOW - DAYS * 86_400_000 - 3600_000));
}

const HLC = (at: string, n: string) =>
  `to_char(${at} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '-0000-' || lpad(to_hex(${n}), 16, '0')`;

/** 1,000,000 ratings, their events and the problem each 差评 is, a chunk per statement. */
async function loadRatings(db: Db, hallId: string): Promise<void> {
  const windows = (await listWindows(db, hallId)).slice(0, DEPARTMENTS * WINDOWS_PER_DEPARTMENT);
  const seq = (
    await db.query<{ n: string }>('SELECT next_seq::text AS n FROM halls WHERE id = $1', [hallId])
  )[0]!.n;
  await db.query('SELECT setseed(0.42)');
  for (let start = 1; start <= RATINGS; start += CHUNK) {
    const end = Math.min(RATINGS, start + CHUNK - 1);
    await db.tx(async (tx) => {
      await tx.query(
        `CREATE TEMP TABLE bench_ratings ON COMMIT DROP AS
         SELECT x.g, 'bench-r-' || x.g AS id, w.window_id, w.department_id,
                $4::timestamptz + floor(x.d * ${DAYS}) * interval '1 day'
                  + (9 + floor(x.h * 8)) * interval '1 hour' + floor(x.m * 3600) * interval '1 second' AS at,
                CASE WHEN x.l < 0.55 THEN 'very_satisfied' WHEN x.l < 0.80 THEN 'satisfied'
                     WHEN x.l < 0.92 THEN 'basically_satisfied' WHEN x.l < 0.97 THEN 'dissatisfied'
                     ELSE 'very_dissatisfied' END AS level,
                (ARRAY['waited_too_long', 'too_many_documents', 'had_to_come_back', 'attitude'])[1 + floor(x.r * 4)::int] AS reason,
                CASE WHEN x.r < 0.3 THEN '等候时间太长' ELSE '' END AS comment,
                x.s AS status_draw, x.t AS time_draw
           FROM (SELECT g, random() AS d, random() AS h, random() AS m, random() AS l,
                        random() AS r, random() AS s, random() AS t,
                        1 + floor(random() * $5)::int AS w
                   FROM generate_series($1::bigint, $2::bigint) g) x
           JOIN unnest($3::text[], $6::text[]) WITH ORDINALITY AS w(window_id, department_id, i)
             ON w.i = x.w`,
        [
          start,
          end,
          windows.map((w) => w.id),
          new Date(hallDayStartMs(FIRST_DAY)).toISOString(),
          windows.length,
          windows.map((w) => w.departmentId),
        ],
      );
      await tx.query(
        `INSERT INTO events (id, hall_id, hall_seq, device_id, device_seq, type, actor_id, at, hlc,
           hlc_original, prev_hash, hash, payload, envelope, received_at)
         SELECT id, $1, $2::bigint + g, 'bench-device-' || window_id, g, 'rating.submitted', NULL, at,
                ${HLC('at', 'g')}, ${HLC('at', 'g')}, NULL, md5(id), p, p || jsonb_build_object('id', id), at
           FROM (SELECT *, jsonb_build_object('windowId', window_id, 'departmentId', department_id,
                   'level', level, 'reasons', CASE WHEN level IN ('dissatisfied', 'very_dissatisfied')
                   THEN jsonb_build_array(reason) ELSE '[]'::jsonb END, 'comment', comment,
                   'ticket', NULL, 'channel', 'hall_tablet', 'phoneId', NULL, 'dutySessionId', NULL) AS p
                   FROM bench_ratings) r`,
        [hallId, seq],
      );
      await tx.query(
        `INSERT INTO ratings (event_id, hall_id, device_id, window_id, department_id, level, channel,
           ticket, phone_id, duty_session_id, reasons, comment, at, received_at)
         SELECT id, $1, 'bench-device-' || window_id, window_id, department_id, level, 'hall_tablet',
                NULL, NULL, NULL,
                CASE WHEN level IN ('dissatisfied', 'very_dissatisfied') THEN jsonb_build_array(reason)
                     ELSE '[]'::jsonb END,
                CASE WHEN level IN ('dissatisfied', 'very_dissatisfied') THEN comment ELSE '' END, at, at
           FROM bench_ratings`,
        [hallId],
      );
      // Each 差评 is a problem: most of the older ones rectified (a few verified), in 0–10 days.
      await tx.query(
        `INSERT INTO problems (id, hall_id, event_id, source, source_id, department_id, window_id,
           description, severity, recorded_at, status, recorded_hlc, updated_at, state)
         SELECT id, $1, id, 'rating', id, department_id, window_id, reason, 'medium', at, status,
                hlc, at, jsonb_build_object('status', status, 'recordedHlc', hlc,
                  'rectifiedAtMs', CASE WHEN status IN ('rectified', 'verified') THEN rectified_ms END,
                  'verifiedAtMs', NULL, 'closedAtMs', NULL,
                  'callBacks', CASE WHEN status IN ('rectified', 'verified')
                    THEN jsonb_build_array(jsonb_build_object('reached', true)) ELSE '[]'::jsonb END)
           FROM (SELECT *, ${HLC('at', 'g')} AS hlc,
                        extract(epoch FROM at) * 1000 + floor(time_draw * 10 * 86400000) AS rectified_ms,
                        CASE WHEN at > $2::timestamptz - interval '20 days' THEN 'found'
                             WHEN status_draw < 0.7 THEN 'rectified'
                             WHEN status_draw < 0.8 THEN 'verified' ELSE 'assigned' END AS status
                   FROM bench_ratings WHERE level IN ('dissatisfied', 'very_dissatisfied')) p`,
        [hallId, new Date(NOW).toISOString()],
      );
    });
    process.stdout.write(`  ${end.toLocaleString('en')} ratings\r`);
  }
  await db.query('UPDATE halls SET next_seq = next_seq + $2 WHERE id = $1', [hallId, RATINGS]);
  process.stdout.write('\n');
}

/** Every leader on duty 09:00–11:00 each working day (one in ten missed), and walk findings. */
async function loadDutyAndWalks(db: Db, hallId: string): Promise<void> {
  const leaders = await listLeaders(db, hallId);
  const shifts: unknown[][] = [];
  const events: unknown[][] = [];
  const sessions: unknown[][] = [];
  let n = 0;
  for (let day = FIRST_DAY; day < TODAY; day = addDays(day, 1)) {
    if (isoWeekday(day) > 5) continue;
    for (const l of leaders) {
      n++;
      const shiftId = newId();
      shifts.push([shiftId, l.id, l.departmentId, day]);
      if (n % 10 === 0) continue;
      const sessionId = newId();
      const inAt = new Date(hallDayStartMs(day) + (9 * 60 + (n % 20)) * 60_000).toISOString();
      const outAt = new Date(hallDayStartMs(day) + (10 * 60 + 50) * 60_000).toISOString();
      sessions.push([sessionId, l.id, l.departmentId, inAt, outAt]);
      events.push([
        newId(),
        'duty.signedIn',
        inAt,
        {
          sessionId,
          leaderId: l.id,
          departmentId: l.departmentId,
          windowId: null,
          shiftId,
          method: 'pin',
          pinVersion: 1,
          pinProof: 'bench',
        },
      ]);
      events.push([newId(), 'duty.signedOut', outAt, { sessionId, reason: 'manual' }]);
    }
  }
  await db.tx(async (tx) => {
    await tx.query(
      `INSERT INTO duty_shifts (id, hall_id, leader_id, department_id, window_id, date, start_time,
         end_time, published, active, version_hlc, version_id)
       SELECT id, $1, leader_id, department_id, NULL, date::date, '09:00', '11:00', true, true, '', ''
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS s(id, leader_id, department_id, date)`,
      [hallId, ...[0, 1, 2, 3].map((i) => shifts.map((s) => s[i]))],
    );
    await tx.query(
      `INSERT INTO duty_sessions (id, hall_id, leader_id, department_id, window_id, device_id,
         signed_in_at, signed_out_at)
       SELECT id, $1, leader_id, department_id, NULL, 'bench-kiosk', signed_in, signed_out
         FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
           AS s(id, leader_id, department_id, signed_in, signed_out)`,
      [hallId, ...[0, 1, 2, 3, 4].map((i) => sessions.map((s) => s[i]))],
    );
    const seq = (
      await tx.query<{ n: string }>('SELECT next_seq::text AS n FROM halls WHERE id = $1', [hallId])
    )[0]!.n;
    await tx.query(
      `INSERT INTO events (id, hall_id, hall_seq, device_id, device_seq, type, actor_id, at, hlc,
         hlc_original, prev_hash, hash, payload, envelope, received_at)
       SELECT id, $1, $2::bigint + i, 'bench-kiosk', i, type, NULL, at, hlc, hlc, NULL, md5(id), payload,
              jsonb_build_object('id', id, 'type', type, 'hallId', $1::text, 'deviceId', 'bench-kiosk',
                'deviceSeq', i, 'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'hlc', hlc, 'payload', payload), at
         FROM (SELECT e.*, ${HLC('e.at', 'e.i')} AS hlc
                 FROM unnest($3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
                   WITH ORDINALITY AS e(id, type, at, payload, i)) x`,
      [
        hallId,
        seq,
        ...[0, 1, 2].map((i) => events.map((e) => e[i])),
        events.map((e) => JSON.stringify(e[3])),
      ],
    );
    await tx.query('UPDATE halls SET next_seq = next_seq + $2 WHERE id = $1', [
      hallId,
      events.length,
    ]);
    // Two walk findings per department a week, half of them rectified within a week.
    const departments = await listDepartments(tx, hallId);
    await tx.query(
      `INSERT INTO problems (id, hall_id, event_id, source, source_id, department_id, window_id,
         description, severity, recorded_at, status, recorded_hlc, updated_at, state)
       SELECT 'bench-w-' || d.i || '-' || k, $1, e.id, 'walk', 'bench-w-' || d.i || '-' || k, d.id, NULL,
              '办事指南与窗口要求不一致', 'medium', at, status, ${HLC('at', 'k')}, at,
              jsonb_build_object('status', status, 'recordedHlc', ${HLC('at', 'k')},
                'rectifiedAtMs', CASE WHEN status = 'rectified' THEN extract(epoch FROM at) * 1000 + 5 * 86400000 END,
                'verifiedAtMs', NULL, 'closedAtMs', NULL, 'callBacks', '[]'::jsonb)
         FROM unnest($2::text[]) WITH ORDINALITY AS d(id, i)
         CROSS JOIN generate_series(1, 26) AS k
         CROSS JOIN LATERAL (SELECT $3::timestamptz + (k * 3.4) * interval '1 day' AS at,
                                    CASE WHEN k % 2 = 0 THEN 'rectified' ELSE 'assigned' END AS status) a
         CROSS JOIN LATERAL (SELECT id FROM events WHERE hall_id = $1 LIMIT 1) e`,
      [
        hallId,
        departments.map((d) => d.id),
        new Date(hallDayStartMs(FIRST_DAY) + 10 * 3600_000).toISOString(),
      ],
    );
  });
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(RUNS / 2)]!;
}

interface Row {
  backend: Backend;
  query: string;
  ms: number;
}

async function bench(backend: Backend, db: Db): Promise<Row[]> {
  const t0 = performance.now();
  await migrate(db);
  const seed = await seedDemoHall(db, NOW - DAYS * 86_400_000 - 7200_000);
  if (!seed) throw new Error('the database already had a hall');
  const hallId = seed.hall.id;
  await growHall(db, hallId);
  console.log(`${backend}: loading ${RATINGS.toLocaleString('en')} ratings …`);
  await loadRatings(db, hallId);
  await loadDutyAndWalks(db, hallId);
  // What autovacuum does on a server after a load (PGlite has none: there it is only analysed).
  await db.exec(backend === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE');
  console.log(`${backend}: loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const department = seed.departments[0]!.id;
  const from = `${MONTH}-01`;
  const to = `${MONTH}-30`;
  const sample = await dashboard(db, hallId, { from, to, department }, NOW);
  console.log(
    `${backend}: ${MONTH} × one department: ${sample.ratings.total} ratings, ` +
      `${sample.problems.found} problems, ${sample.duty.scheduled} shifts, ` +
      `${sample.dutyEffect[0]?.onDuty.total ?? 0} ratings with a leader on duty`,
  );
  const rows: Row[] = [];
  const measure = async (query: string, fn: () => Promise<unknown>) => {
    rows.push({ backend, query, ms: await time(fn) });
  };
  await measure('dashboard, month × department', () =>
    dashboard(db, hallId, { from, to, department }, NOW),
  );
  await measure('dashboard, month × hall', () => dashboard(db, hallId, { from, to }, NOW));
  await measure('dashboard, 90 days × hall', () =>
    dashboard(db, hallId, { from: FIRST_DAY, to: addDays(TODAY, -1) }, NOW),
  );
  await measure('ranking, month', () => ranking(db, hallId, { month: MONTH }, NOW));
  return rows;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hk-bench-pglite-'));
  try {
    const db = await openPglite(dir);
    try {
      rows.push(...(await bench('pglite', db)));
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgRows = await withPostgresDatabase(async (url) => {
    const db = await openPostgres(url);
    try {
      return await bench('postgres', db);
    } finally {
      await db.close();
    }
  });
  if (pgRows) rows.push(...pgRows);
  else console.log('PostgreSQL: not available, left out');

  console.log(
    `\n${RATINGS.toLocaleString('en')} ratings over ${DAYS} days, ` +
      `${DEPARTMENTS * WINDOWS_PER_DEPARTMENT} windows; median of ${RUNS} after a warm-up\n`,
  );
  const header = ['backend', 'query', 'median ms', 'target ms', 'within target'];
  const table = rows.map((r) => [
    r.backend,
    r.query,
    r.ms.toFixed(1),
    `< ${TARGET_MS[r.backend]}`,
    r.ms < TARGET_MS[r.backend] ? 'yes' : 'no',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
  recordBench(
    'dashboard',
    rows.map((r) => [
      `${r.query}, ${r.backend}, ${RATINGS.toLocaleString('en')} ratings`,
      `median ${r.ms.toFixed(1)} ms`,
      `≤ ${TARGET_MS[r.backend]} ms: ${verdict(r.ms <= TARGET_MS[r.backend])}`,
    ]),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
