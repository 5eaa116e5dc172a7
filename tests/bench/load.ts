/**
 * `npm run bench:load`: one server process on PostgreSQL under many devices at once.
 *
 * Simulated evaluator tablets (not browsers) each keep a hash-chained log as the client does
 * (tests/server/helpers.ts TestDevice), hold an ECDSA P-256 key, and push signed batches of
 * ratings over HTTP with keep-alive (Node's fetch), for BENCH_LOAD_SECONDS (8; 30 for the full run)
 * per level, in two runs:
 *
 * - paced (the latency target): each device pushes a batch every BENCH_LOAD_INTERVAL_MS (2,000;
 *   a window rates about every 90 s, so this is far above a hall's real rate), the devices'
 *   first pushes spread over one interval, at each number of devices in BENCH_LOAD_PACED
 *   (50, 200, 1000). A device whose push is still out when its next is due sends it on the answer.
 * - closed loop (the saturation ramp): the next push as soon as the last is answered, at each
 *   number of devices in BENCH_LOAD_DEVICES (1, 10, 50, 200, 1000).
 *
 * A push that fails is sent again, as a device would. Measured per level: push latency (p50, p99,
 * max), events and pushes stored per second, errors by status, and the CPU the load generator,
 * the server process and the whole machine used.
 *
 * The devices are enrolled through the server's own enrollment service on the same database
 * (the HTTP route admits 60 enrollments a minute per address, which would take 17 minutes here).
 * PostgreSQL is a throwaway cluster on loopback, as the server tests start one.
 *
 * Prints a table; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import pg from 'pg';
import type { EventEnvelope, RatingSubmitted } from '../../src/domain/events';
import { openPostgres } from '../../src/server/db/postgres';
import { listWindows } from '../../src/server/repos/reference';
import { createEnrollment, redeemEnrollment } from '../../src/server/services/enroll';
import type { PushResponse } from '../../src/sync/protocol';
import { exportPublicKey, generateDeviceKey, signRequest } from '../../src/sync/signing';
import { TestDevice } from '../server/helpers';
import { startServerProcess } from '../support/server-process';
import { recordBench, verdict } from './results';
import { machine, printTable, summary, withPostgresDatabase } from './support';

const levelsOf = (list: string) =>
  list
    .split(',')
    .map((n) => Number(n.trim()))
    .filter((n) => n > 0);
const LEVELS = levelsOf(process.env.BENCH_LOAD_DEVICES ?? '1,10,50,200,1000');
const PACED_LEVELS = levelsOf(process.env.BENCH_LOAD_PACED ?? '50,200,1000');
const INTERVAL_MS = Number(process.env.BENCH_LOAD_INTERVAL_MS ?? 2_000);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 8);
const BATCH = Number(process.env.BENCH_LOAD_BATCH ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 8389);
const PUSH_PATH = '/api/v1/sync/push';
/**
 * Ratings are timed as a window takes them, 90 s apart, from 60 days back: fewer than the 10 in
 * 10 minutes that flag an evaluator's burst (src/server/services/rating-flags.ts), which a
 * closed loop stamping every rating "now" would trip on every push.
 */
const RATING_GAP_MS = 90_000;
const HISTORY_MS = 60 * 86_400_000;
/** The target: p99 of a push at 200 devices. */
const P99_TARGET_MS = 200;

interface SimDevice {
  log: TestDevice;
  key: CryptoKeyPair;
  payload: RatingSubmitted;
  /** The device's clock: a rating every RATING_GAP_MS from HISTORY_MS ago. */
  clock: { now: number };
  /** Events sent but not answered with 200: sent again first. */
  unsent: EventEnvelope[];
}

/** Enroll `count` evaluators with keys, spread over the hall's open windows. */
async function enrollDevices(url: string, count: number): Promise<SimDevice[]> {
  const db = await openPostgres(url, { max: 4 });
  try {
    const hallId = (await db.query<{ id: string }>('SELECT id FROM halls LIMIT 1'))[0]!.id;
    const windows = (await listWindows(db, hallId)).filter((w) => w.active);
    const devices: SimDevice[] = [];
    const one = async (i: number): Promise<SimDevice> => {
      const window = windows[i % windows.length]!;
      const key = await generateDeviceKey();
      const clock = { now: Date.now() - HISTORY_MS };
      const { code } = await createEnrollment(
        db,
        hallId,
        { role: 'evaluator', windowId: window.id },
        Date.now(),
      );
      const answer = await redeemEnrollment(
        db,
        { code, name: `load ${i + 1}`, publicKey: await exportPublicKey(key.publicKey) },
        Date.now(),
      );
      return {
        log: new TestDevice(
          answer.deviceId,
          answer.hallId,
          answer.token,
          answer.windowId,
          () => clock.now,
        ),
        clock,
        key,
        payload: {
          windowId: window.id,
          departmentId: window.departmentId,
          level: 'very_satisfied',
          reasons: [],
          comment: '',
          ticket: null,
          channel: 'hall_tablet',
          phoneId: null,
          dutySessionId: null,
        },
        unsent: [],
      };
    };
    for (let i = 0; i < count; i += 20)
      devices.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(20, count - i) }, (_, k) => one(i + k)),
        )),
      );
    return devices;
  } finally {
    await db.close();
  }
}

interface Outcome {
  ms: number;
  status: string;
  stored: number;
}

/** One push: the events not yet delivered, or a new batch; signed afresh. */
async function pushOnce(baseUrl: string, sim: SimDevice): Promise<Outcome> {
  if (sim.unsent.length === 0)
    for (let i = 0; i < BATCH; i++) {
      sim.clock.now = Math.min(Date.now(), sim.clock.now + RATING_GAP_MS);
      const at = new Date(sim.clock.now).toISOString();
      sim.unsent.push(sim.log.append('rating.submitted', sim.payload, { at }));
    }
  const events = sim.unsent;
  const body = JSON.stringify({ deviceId: sim.log.deviceId, events, pending: 0 });
  const headers = {
    'content-type': 'application/json',
    ...sim.log.authorization(),
    ...(await signRequest(
      sim.key.privateKey,
      { method: 'POST', path: PUSH_PATH, body },
      Date.now(),
    )),
  };
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}${PUSH_PATH}`, { method: 'POST', headers, body });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) return { ms, status: String(res.status), stored: 0 };
    const answer = JSON.parse(text) as PushResponse;
    sim.unsent = [];
    const refused = answer.results.filter((r) => r.status === 'rejected');
    const stored = answer.results.filter((r) => r.status === 'stored').length;
    if (refused.length > 0) {
      const first = refused[0]!;
      return { ms, status: `refused ${first.status === 'rejected' ? first.reason : ''}`, stored };
    }
    return { ms, status: '200', stored };
  } catch (error) {
    return {
      ms: performance.now() - started,
      status: `network ${(error as Error).cause ?? (error as Error).message}`.slice(0, 60),
      stored: 0,
    };
  }
}

/**
 * CPU seconds (user + system) of a process and its descendants from /proc, those that ended
 * included; null when it cannot be read.
 */
function processCpu(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const own = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map((child) => processCpu(Number(child)) ?? 0);
    return children.reduce((a, b) => a + b, own);
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine. */
function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - (fields[4] ?? 0), total };
}

/** The process listening on `port`, from `ss` (null when it cannot tell). */
function listenerPid(port: number): number | null {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

type Mode = 'paced' | 'closed';

interface Level {
  mode: Mode;
  devices: number;
  seconds: number;
  latencies: number[];
  stored: number;
  pushes: number;
  statuses: Map<string, number>;
  generatorCores: number;
  serverCores: number | null;
  postgresCores: number | null;
  /** Mean database sessions of the server running a statement, and of those waiting on a lock. */
  database: { active: number; waiting: number };
  machineBusy: number;
}

/**
 * Samples the server's connections to the database every 100 ms until `stop` is called: how many
 * run a statement, and how many of those wait for a lock another transaction holds.
 */
function sampleSessions(client: pg.Client) {
  const samples: { active: number; waiting: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ active: number; waiting: number }>(
        `SELECT count(*) FILTER (WHERE state = 'active')::int AS active,
           count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock')::int AS waiting
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      samples.push(rows[0]!);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
    const mean = (f: (s: { active: number; waiting: number }) => number) =>
      samples.reduce((a, s) => a + f(s), 0) / Math.max(1, samples.length);
    return { active: mean((s) => s.active), waiting: mean((s) => s.waiting) };
  };
}

async function runLevel(
  mode: Mode,
  baseUrl: string,
  devices: SimDevice[],
  serverPid: number | null,
  postgresPid: number | null,
  sessions: pg.Client,
) {
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  let stored = 0;
  const cpu = process.cpuUsage();
  const serverBefore = processCpu(serverPid);
  const postgresBefore = processCpu(postgresPid);
  const machineBefore = machineCpu();
  const stopSampling = sampleSessions(sessions);
  const started = performance.now();
  const end = started + SECONDS * 1000;
  await Promise.all(
    devices.map(async (sim, i) => {
      // Paced: the first push somewhere in the first interval, then one every interval.
      let due = started + (mode === 'paced' ? (INTERVAL_MS * i) / devices.length : 0);
      while (performance.now() < end) {
        if (mode === 'paced') {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (performance.now() >= end) break;
          due += INTERVAL_MS;
        }
        const outcome = await pushOnce(baseUrl, sim);
        latencies.push(outcome.ms);
        stored += outcome.stored;
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const database = await stopSampling();
  const used = process.cpuUsage(cpu);
  const serverAfter = processCpu(serverPid);
  const postgresAfter = processCpu(postgresPid);
  const machineAfter = machineCpu();
  return {
    mode,
    devices: devices.length,
    seconds,
    latencies,
    stored,
    pushes: latencies.length,
    statuses,
    generatorCores: (used.user + used.system) / 1e6 / seconds,
    serverCores:
      serverBefore === null || serverAfter === null ? null : (serverAfter - serverBefore) / seconds,
    postgresCores:
      postgresBefore === null || postgresAfter === null
        ? null
        : (postgresAfter - postgresBefore) / seconds,
    database,
    machineBusy:
      (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
  } satisfies Level;
}

async function bench(url: string): Promise<Level[]> {
  const server = await startServerProcess(PORT, { DATABASE_URL: url });
  try {
    const devices = await enrollDevices(url, Math.max(...LEVELS, ...PACED_LEVELS));
    const serverPid = listenerPid(PORT);
    const postgresPid = listenerPid(Number(new URL(url).port));
    // Warm the server up (keys imported, statements planned) off the clock.
    for (const sim of devices.slice(0, 20)) await pushOnce(server.url, sim);
    const levels: Level[] = [];
    const sessions = new pg.Client({ connectionString: url });
    await sessions.connect();
    try {
      const runs = [
        ...PACED_LEVELS.map((n) => ['paced', n] as const),
        ...LEVELS.map((n) => ['closed', n] as const),
      ];
      for (const [mode, n] of runs) {
        const devicesNow = devices.slice(0, n);
        levels.push(await runLevel(mode, server.url, devicesNow, serverPid, postgresPid, sessions));
        process.stderr.write(`${mode}: ${n} devices done\n`);
      }
    } finally {
      await sessions.end();
    }
    return levels;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const levels = await withPostgresDatabase(bench);
  if (!levels) {
    console.log('PostgreSQL: not available; nothing measured');
    return;
  }
  console.log(`\nhall-kiosk load benchmark · ${new Date().toISOString()}`);
  console.log(machine());
  console.log(
    `PostgreSQL on loopback, one server process; ${BATCH} ratings per signed push, ${SECONDS} s ` +
      `per level. paced: each device pushes every ${INTERVAL_MS.toLocaleString('en')} ms (the ` +
      `latency target); closed loop: each device pushes again as soon as answered (saturation)\n`,
  );
  const rows = levels.map((l) => {
    const s = summary(l.latencies);
    const errors = [...l.statuses].filter(([status]) => status !== '200');
    const target =
      l.mode === 'paced' && l.devices === 200
        ? `p99 ≤ ${P99_TARGET_MS} ms: ${s.p99 <= P99_TARGET_MS ? 'met' : 'MISSED'}; ` +
          `errors: ${errors.length === 0 ? 'none' : 'SOME'}`
        : errors.length === 0
          ? 'no errors'
          : 'ERRORS';
    return [
      l.mode === 'paced' ? `paced, every ${INTERVAL_MS.toLocaleString('en')} ms` : 'closed loop',
      String(l.devices),
      `${s.median.toFixed(0)} / ${s.p99.toFixed(0)} / ${s.max.toFixed(0)}`,
      Math.round(l.stored / l.seconds).toLocaleString('en'),
      Math.round(l.pushes / l.seconds).toLocaleString('en'),
      errors.length === 0 ? '0' : errors.map(([status, n]) => `${status}: ${n}`).join(', '),
      `${l.database.active.toFixed(1)} / ${l.database.waiting.toFixed(1)}`,
      [l.generatorCores, l.serverCores, l.postgresCores, cpus().length * l.machineBusy]
        .map((c) => (c === null ? '?' : c.toFixed(2)))
        .join(' / '),
      target,
    ];
  });
  printTable(
    [
      'run',
      'devices',
      'push ms p50 / p99 / max',
      'events/s',
      'pushes/s',
      'errors',
      'db sessions busy / on a lock',
      'cores: generator / server / PostgreSQL / machine',
      'target',
    ],
    rows,
  );
  recordBench(
    'load',
    levels.map((l, i) => {
      const s = summary(l.latencies);
      return [
        `${l.devices} devices pushing ${BATCH} signed ratings ` +
          (l.mode === 'paced'
            ? `every ${INTERVAL_MS.toLocaleString('en')} ms`
            : 'again as soon as answered (closed loop)') +
          ` for ${SECONDS} s, PostgreSQL`,
        `push p50 ${s.median.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms; ` +
          `${Math.round(l.stored / l.seconds).toLocaleString('en')} events/s; errors ${rows[i]![5]}; ` +
          `db sessions on a lock ${l.database.waiting.toFixed(1)}`,
        l.mode === 'paced' && l.devices === 200
          ? `p99 ≤ ${P99_TARGET_MS} ms, no errors: ${verdict(s.p99 <= P99_TARGET_MS && rows[i]![5] === '0')}`
          : `no errors: ${verdict(rows[i]![5] === '0')}`,
      ];
    }),
  );
  // Where adding devices stops adding throughput: each closed-loop level against the one before.
  console.log('');
  const ramp = levels.filter((l) => l.mode === 'closed');
  for (const [i, l] of ramp.entries()) {
    if (i === 0) continue;
    const before = ramp[i - 1]!;
    const gain = l.stored / l.seconds / (before.stored / before.seconds);
    const p50 = summary(l.latencies).median / summary(before.latencies).median;
    console.log(
      `closed loop, ${before.devices} → ${l.devices} devices: ${gain.toFixed(2)}× the events/s, ` +
        `${p50.toFixed(1)}× the median push` +
        (gain < 1.2 ? ' — saturated: more devices only lengthen the queue' : ''),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
