/**
 * One seeded run of the sync fault simulation: a fresh small hall on a shared server, a few
 * devices running the real device code (Dexie over fake-indexeddb, the real sync engine) behind a
 * {@link FaultyNetwork}, a stretch of work while faults happen, then the faults heal, every queue
 * drains and the invariants of design §4 are checked against the server's database.
 */
import type { FastifyInstance } from 'fastify';
import { isDeepStrictEqual } from 'node:util';
import { buildApp } from '../../../src/server/app';
import { enrollDevice, openDevice, type EnrolledDevice } from '../../../src/app/device';
import type { ProblemStepInput } from '../../../src/app/device-api';
import { eventHash } from '../../../src/domain/device';
import type { EventEnvelope } from '../../../src/domain/events';
import type { RatingLevel } from '../../../src/domain/rating';
import { newId, type Id } from '../../../src/domain/ids';
import { pinHash, newSalt } from '../../../src/domain/pin';
import { nextSteps, type Problem } from '../../../src/domain/problem';
import { loadConfig } from '../../../src/server/config';
import { hashPassword, newHallSecret } from '../../../src/server/crypto';
import type { Db } from '../../../src/server/db/db';
import { migrate } from '../../../src/server/db/migrations';
import { isoAt } from '../../../src/server/repos/util';
import { savePin } from '../../../src/server/repos/duty';
import { insertHall } from '../../../src/server/repos/halls';
import {
  createConsoleWriter,
  writeConsoleEvents,
  type RefWrite,
} from '../../../src/server/services/console-writer';
import { createEnrollment } from '../../../src/server/services/enroll';
import { DeviceSettings, memoryStore } from '../../../src/storage/settings';
import { ManualTimers } from '../fake-api';
import { FaultyNetwork, type FaultKind, type ServerHandle } from './network';
import { Rng } from './random';

/** One server for many runs: its database, and a handle the network restarts it through. */
export interface SimServer {
  db: Db;
  handle: ServerHandle;
  close(): Promise<void>;
}

/** The server in this process, reached through `app.inject` (no sockets); restarts rebuild it. */
export async function startSimServer(db: Db): Promise<SimServer> {
  await migrate(db);
  const build = () => buildApp({ db, config: loadConfig({}), logger: false, now: Date.now });
  let app: FastifyInstance = await build();
  const handle: ServerHandle = {
    async send(sent) {
      const res = await app.inject({
        method: sent.method as 'GET',
        url: sent.url,
        headers: sent.headers,
        remoteAddress: sent.remoteAddress,
        ...(sent.body !== undefined ? { payload: sent.body } : {}),
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, String(v));
      }
      const empty = res.statusCode === 204 || res.statusCode === 304;
      return new Response(empty ? null : new Uint8Array(res.rawPayload), {
        status: res.statusCode,
        headers,
      });
    },
    async restart() {
      await app.close();
      app = await build();
    },
  };
  return {
    db,
    handle,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** What one run did and found. */
export interface RunReport {
  seed: number;
  devices: number;
  /** Events the devices confirmed (committed locally), each checked on the server. */
  events: number;
  problems: number;
  faults: Map<FaultKind, number>;
  restarts: number;
  /** Confirmed events missing on the server. */
  lost: number;
  /** Events stored more than once (by id, or a device sequence number twice). */
  duplicated: number;
  /** 5xx answers the network did not make. */
  crashes: number;
  /** Events a device's pulls passed over. */
  skipped: number;
  /** Every broken invariant, in words; empty when the run passed. */
  violations: string[];
}

const PIN = '246810';
/** Few PBKDF2 rounds: the simulation checks sync, not PIN strength (one hash per tablet sign-in). */
const PIN_ITERATIONS = 10;
let pinRecord: Promise<{ scryptHash: string; salt: string; hash: string }> | null = null;
function simPin() {
  pinRecord ??= (async () => {
    const salt = newSalt();
    return {
      scryptHash: await hashPassword(PIN),
      salt,
      hash: await pinHash(PIN, salt, PIN_ITERATIONS),
    };
  })();
  return pinRecord;
}

interface SimHall {
  id: Id;
  departmentId: Id;
  windows: Id[];
  leaderId: Id;
}

/** A small hall of its own for each run, so new devices pull only that run's events. */
async function createHall(db: Db, seed: number): Promise<SimHall> {
  const now = Date.now();
  const hall: SimHall = {
    id: newId(),
    departmentId: newId(),
    windows: [newId(), newId()],
    leaderId: newId(),
  };
  const writes = [
    {
      type: 'ref.hallSaved',
      payload: { name: `模拟大厅 ${seed}`, nameEn: `Simulated hall ${seed}` },
    },
    {
      type: 'ref.departmentSaved',
      payload: {
        departmentId: hall.departmentId,
        code: 'D01',
        name: '税务局',
        nameEn: 'Taxation',
        sort: 10,
        active: true,
      },
    },
    ...hall.windows.map((windowId, i) => ({
      type: 'ref.windowSaved',
      payload: {
        windowId,
        departmentId: hall.departmentId,
        code: `S${seed}${'AB'[i]}`,
        name: `${i + 1} 号窗口`,
        nameEn: `Window ${i + 1}`,
        sort: i + 1,
        active: true,
      },
    })),
    {
      type: 'ref.leaderSaved',
      payload: {
        leaderId: hall.leaderId,
        departmentId: hall.departmentId,
        title: '税务局局长',
        titleEn: 'Director of Taxation',
        badgeCode: 'D01-1',
        active: true,
      },
    },
  ] as unknown as RefWrite[];
  const pin = await simPin();
  await db.tx(async (tx) => {
    await insertHall(
      tx,
      { id: hall.id, name: `模拟大厅 ${seed}`, nameEn: null, secret: newHallSecret() },
      isoAt(now),
    );
    await createConsoleWriter(tx, hall.id, now);
    await writeConsoleEvents(tx, hall.id, writes, now);
    await savePin(
      tx,
      { hallId: hall.id, leaderId: hall.leaderId, ...pin, iterations: PIN_ITERATIONS },
      isoAt(now),
    );
  });
  return hall;
}

interface SimDevice {
  name: string;
  device: EnrolledDevice;
  role: 'evaluator' | 'inspection_tablet';
  windowId: Id | null;
}

let addresses = 0;

async function addDevice(
  server: SimServer,
  network: FaultyNetwork,
  hall: SimHall,
  rng: Rng,
  role: SimDevice['role'],
  windowId: Id | null,
  index: number,
): Promise<SimDevice> {
  const timers = new ManualTimers();
  const own = rng.fork(index + 1);
  const n = ++addresses;
  const options = {
    baseUrl: 'http://hall.sim',
    fetch: network.fetchFor(own, `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`),
    settings: new DeviceSettings(memoryStore()),
    dbName: `sim-${newId()}`,
    triggers: false as const,
    random: () => own.next(),
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    health: async () => null,
    limits: { maxEvents: own.int(2, 10), maxBytes: 512 * 1024, overheadBytes: 1024 },
    pullLimit: own.int(20, 100),
    timeoutMs: 60_000,
  };
  const code = (
    await createEnrollment(
      server.db,
      hall.id,
      (role === 'evaluator' ? { role, windowId } : { role }) as Parameters<
        typeof createEnrollment
      >[2],
      Date.now(),
    )
  ).code;
  await enrollDevice(code, `${role}-${index}`, options);
  const device = await openDevice(options);
  if (!device) throw new Error('enrolled device did not open');
  return { name: `${role}-${index}`, device, role, windowId };
}

const LEVELS: RatingLevel[] = [
  'very_satisfied',
  'very_satisfied',
  'satisfied',
  'satisfied',
  'basically_satisfied',
  'dissatisfied',
  'very_dissatisfied',
];

async function rate(d: SimDevice, hall: SimHall, rng: Rng): Promise<void> {
  const level = rng.pick(LEVELS);
  const poor = level === 'dissatisfied' || level === 'very_dissatisfied';
  await d.device.recordRating({
    windowId: d.windowId!,
    departmentId: hall.departmentId,
    level,
    reasons: [],
    comment: poor ? '等候时间太长' : '',
    ticket: null,
  });
}

/** A tablet's next piece of work: a walk with a finding first, then any step its fold allows. */
async function tabletWork(d: SimDevice, hall: SimHall, rng: Rng): Promise<void> {
  const tablet = d.device.inspection!;
  const views = await tablet.problems();
  if (views.length === 0 || rng.chance(0.15)) {
    const walk = await tablet.startWalk({
      mode: rng.pick(['simulate', 'accompany', 'inspect'] as const),
      departmentId: hall.departmentId,
      windowId: null,
      serviceItem: '发票申领',
    });
    await tablet.addFinding(walk.id, {
      description: '材料清单与窗口要求不一致',
      severity: rng.pick(['low', 'medium', 'high'] as const),
      checklistItemId: null,
      photos: [],
    });
    await tablet.endWalk(walk.id, '');
    return;
  }
  const { problem } = rng.pick(views);
  const step = pickStep(problem, hall, rng);
  await tablet.step(problem.id, step);
}

function pickStep(p: Problem, hall: SimHall, rng: Rng): ProblemStepInput {
  const can = nextSteps(p);
  const options: ProblemStepInput[] = [
    { type: 'problem.commented', payload: { note: `跟进 ${rng.int(1, 999)}` } },
  ];
  if (can.assign)
    options.push({
      type: 'problem.assigned',
      payload: {
        from: p.status,
        departmentId: hall.departmentId,
        assignee: '综合窗口负责人',
        note: '',
      },
    });
  for (const to of can.moves)
    options.push({
      type: 'problem.statusChanged',
      payload: { from: p.status, to, note: to === 'closed' ? '不属于本部门' : '' },
    } as ProblemStepInput);
  return rng.pick(options);
}

/** How big a run is. */
export interface RunShape {
  evaluators: [min: number, max: number];
  /** Chance that two inspection tablets work on problems in the run. */
  tablets: number;
  /** Chance of a server restart at each step. */
  restarts: number;
  /** Devices acting at once at each step. */
  concurrency: [min: number, max: number];
}

export const LIGHT_RUN: RunShape = {
  evaluators: [1, 2],
  tablets: 0.12,
  restarts: 0.04,
  concurrency: [1, 3],
};

/** Run one seed on `server`; never throws for a broken invariant (see `violations`). */
export async function runSeed(
  server: SimServer,
  seed: number,
  shape: RunShape = LIGHT_RUN,
): Promise<RunReport> {
  const rng = new Rng(seed);
  const hall = await createHall(server.db, seed);
  const network = new FaultyNetwork(server.handle);
  const devices: SimDevice[] = [];
  try {
    const evaluators = rng.int(...shape.evaluators);
    for (let i = 0; i < evaluators; i++)
      devices.push(
        await addDevice(server, network, hall, rng, 'evaluator', rng.pick(hall.windows), i),
      );
    if (rng.chance(shape.tablets)) {
      for (let i = 0; i < 2; i++) {
        const t = await addDevice(server, network, hall, rng, 'inspection_tablet', null, 10 + i);
        const first = await t.device.syncNow();
        if (!first.ok) throw new Error(`tablet's first sync failed: ${first.error}`);
        await t.device.inspection!.signIn(hall.leaderId, PIN);
        devices.push(t);
      }
    }

    // Work while the network misbehaves.
    network.faultRate = 0.05 + rng.next() * 0.45;
    const steps = rng.int(3, 8);
    for (let s = 0; s < steps; s++) {
      const actions: Promise<unknown>[] = [];
      // A restart happens between steps, or (a crash) while this step's requests are in flight.
      if (rng.chance(shape.restarts)) actions.push(network.restart(rng));
      for (let a = rng.int(...shape.concurrency); a > 0; a--) {
        const d = rng.pick(devices);
        const roll = rng.next();
        if (roll < 0.55)
          actions.push(d.role === 'evaluator' ? rate(d, hall, rng) : tabletWork(d, hall, rng));
        else if (roll < 0.9) actions.push(d.device.syncNow());
        else actions.push(network.replay(rng));
      }
      await Promise.all(actions);
    }

    // The faults heal: every queue drains, every device hears everything.
    network.faultRate = 0;
    await network.replay(new Rng(1));
    // Everyone pushes what waits (a round that still fails is a violation the check reports),
    // then the tablets, which fold the hall's problems, pull what the others pushed.
    for (const d of devices) await d.device.syncNow();
    for (const d of devices) if (d.role === 'inspection_tablet') await d.device.syncNow();
    return await check(server.db, hall, devices, network, seed);
  } finally {
    for (const d of devices) d.device.stop();
  }
}

async function check(
  db: Db,
  hall: SimHall,
  devices: SimDevice[],
  network: FaultyNetwork,
  seed: number,
): Promise<RunReport> {
  const violations: string[] = [];
  let events = 0;
  let lost = 0;
  let duplicated = 0;
  let skippedTotal = 0;
  for (const d of devices) {
    const { deviceId } = d.device.credentials;
    const log = await d.device.store.db.log.orderBy('deviceSeq').toArray();
    events += log.length;
    const rows = await db.query<{
      id: string;
      seq: string | number;
      envelope: EventEnvelope | string;
    }>(
      'SELECT id, device_seq AS seq, envelope FROM events WHERE device_id = $1 ORDER BY device_seq, id',
      [deviceId],
    );
    const stored = rows.map((r) => ({
      id: r.id,
      seq: Number(r.seq),
      envelope: (typeof r.envelope === 'string'
        ? JSON.parse(r.envelope)
        : r.envelope) as EventEnvelope,
    }));
    const byId = new Map(stored.map((r) => [r.id, r]));
    for (const entry of log) if (!byId.has(entry.id)) lost++;
    duplicated += stored.length - byId.size;
    const seqs = stored.map((r) => r.seq);
    duplicated += seqs.length - new Set(seqs).size;
    if (seqs.some((seq, i) => seq !== i + 1))
      violations.push(`${d.name}: the server's sequence numbers have a gap: ${seqs.join(',')}`);
    const [device] = await db.query<{ lastSeq: string | number }>(
      'SELECT last_seq AS "lastSeq" FROM devices WHERE id = $1',
      [deviceId],
    );
    const highest = log.at(-1)?.deviceSeq ?? 0;
    if (Number(device?.lastSeq) !== highest)
      violations.push(
        `${d.name}: server lastSeq ${device?.lastSeq} ≠ highest deviceSeq ${highest}`,
      );
    for (let i = 0; i < stored.length; i++) {
      const expected = i === 0 ? null : eventHash(stored[i - 1]!.envelope);
      if ((stored[i]!.envelope.prevHash ?? null) !== expected)
        violations.push(`${d.name}: hash chain broken at ${stored[i]!.seq}`);
      if (i < log.length && log[i]!.id !== stored[i]!.id)
        violations.push(`${d.name}: event ${i + 1} differs between device and server`);
    }
    // What the device pulled: every event of the hall up to its cursor, none skipped. Its own
    // events that no fold reads are not stored a second time: its log holds them.
    const cursor = await d.device.store.cursor();
    const pulled = new Set((await d.device.store.db.hallEvents.toArray()).map((e) => e.id));
    const ownUnlinked = new Set(
      log
        .filter((e) => e.problemId === undefined && e.walkId === undefined)
        .filter((e) => e.sessionId === undefined)
        .map((e) => e.id),
    );
    const upTo = await db.query<{ id: string }>(
      'SELECT id FROM events WHERE hall_id = $1 AND hall_seq <= $2',
      [hall.id, cursor],
    );
    const held = upTo.filter((e) => pulled.has(e.id) || ownUnlinked.has(e.id)).length;
    const skipped = upTo.length - held;
    const stray = pulled.size - upTo.filter((e) => pulled.has(e.id)).length;
    if (skipped > 0 || stray > 0)
      violations.push(
        `${d.name}: holds ${held} of the ${upTo.length} events up to its cursor` +
          (stray > 0 ? `, and ${stray} past it` : ''),
      );
    skippedTotal += skipped;
    const counts = await d.device.store.counts();
    if (counts.pending !== 0)
      violations.push(`${d.name}: ${counts.pending} events still wait with a healthy network`);
    if (counts.rejected !== 0) violations.push(`${d.name}: ${counts.rejected} events refused`);
  }
  const [ratingDupes] = await db.query<{ n: string | number }>(
    `SELECT count(*) - count(DISTINCT event_id) AS n FROM ratings WHERE hall_id = $1`,
    [hall.id],
  );
  duplicated += Number(ratingDupes?.n ?? 0);
  const [ratingCounts] = await db.query<{ stored: string | number; sent: string | number }>(
    `SELECT (SELECT count(*) FROM ratings WHERE hall_id = $1)
              + (SELECT count(*) FROM rating_extras WHERE hall_id = $1) AS stored,
            (SELECT count(*) FROM events WHERE hall_id = $1 AND type = 'rating.submitted') AS sent`,
    [hall.id],
  );
  if (Number(ratingCounts?.stored) !== Number(ratingCounts?.sent))
    violations.push(
      `ratings projected ${ratingCounts?.stored} ≠ rating events ${ratingCounts?.sent}`,
    );

  const problems = await db.query<{ id: string; state: Problem | string }>(
    'SELECT id, state FROM problems WHERE hall_id = $1 AND state IS NOT NULL',
    [hall.id],
  );
  for (const d of devices.filter((x) => x.role === 'inspection_tablet')) {
    for (const row of problems) {
      const server = typeof row.state === 'string' ? (JSON.parse(row.state) as Problem) : row.state;
      const local = (await d.device.inspection!.problem(row.id))?.problem ?? null;
      if (!isDeepStrictEqual(plain(local), plain(server)))
        violations.push(
          `${d.name}: problem ${row.id} folds differently on the device and the server`,
        );
    }
  }
  if (network.serverErrors.length > 0)
    violations.push(`server failed: ${network.serverErrors.slice(0, 3).join(' | ')}`);
  if (lost > 0) violations.push(`${lost} confirmed events are not on the server`);
  if (duplicated > 0) violations.push(`${duplicated} events stored more than once`);
  return {
    seed,
    devices: devices.length,
    events,
    problems: problems.length,
    faults: network.faults,
    restarts: network.restarts,
    lost,
    duplicated,
    crashes: network.serverErrors.length,
    skipped: skippedTotal,
    violations,
  };
}

/** As stored and sent: no undefined fields, keys in any order. */
function plain(value: unknown): unknown {
  return value === null ? null : JSON.parse(JSON.stringify(value));
}
