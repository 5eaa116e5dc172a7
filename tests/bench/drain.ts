/**
 * `npm run bench:drain`: how fast a device's backlog reaches the server.
 *
 * An evaluator (the real device code, src/app/device.ts, over fake-indexeddb) enrolls with a key
 * against a real server process, queues BENCH_DRAIN ratings (10,000; 100,000 for the full size)
 * with the network off — timed as a window takes them, 90 s apart, ending now, on the device's
 * own clock (a backlog stamped all within seconds would be one long evaluator burst, which the
 * server flags with every push) — then syncs until nothing is pending — on PGlite, then on
 * PostgreSQL (a throwaway cluster on loopback, as the server tests start one). Every request is
 * timed on the wire, so the drain splits into pushes, the pull that brings the hall's events
 * back, and the device's own work that no request hides (the device records a batch's answers
 * while the next batch travels, and commits a pulled page while the next one is fetched).
 *
 * The same drain with the device in headless Chromium (tests/bench/drain-chromium.ts): the same
 * device code bundled into a page of the server's origin, its IndexedDB on disk and its WebCrypto
 * key signing, against a server of its own (the hall then holds no other device's backlog to
 * pull back), with its storage calls timed besides. `BENCH_DRAIN_DEVICES=chromium` (or `node`)
 * runs one of the two (the raw insert then peers the Chromium device's rows).
 *
 * Peer, in the same run and on the same database once the server has stopped: the same rows
 * (fresh ids) inserted raw into the same tables, a push batch (500) per transaction with the
 * ingest's own statement — hall sequence numbers, events and ratings in one (repos/events.ts
 * appendEvents) — and nothing else. Then the server's part alone: a backlog of the same size
 * through the push service in this process (validation, hashing, checks, burst check, writes),
 * without HTTP and without the device.
 * Also the cost a signed request adds: signing (device), verifying (server) and the nonce row.
 *
 * Prints a table; asserts nothing.
 */
import 'fake-indexeddb/auto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { enrollDevice, openDevice } from '../../src/app/device';
import { newId } from '../../src/domain/ids';
import type { Db } from '../../src/server/db/db';
import { openPglite } from '../../src/server/db/pglite';
import { openPostgres } from '../../src/server/db/postgres';
import { appendEvents, type StoredEvent } from '../../src/server/repos/events';
import type { RatingRow } from '../../src/server/repos/ratings';
import { getDevice } from '../../src/server/repos/devices';
import { isoAt } from '../../src/server/repos/util';
import { createEnrollment, redeemEnrollment } from '../../src/server/services/enroll';
import { push } from '../../src/server/services/sync';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import { MAX_PUSH_EVENTS } from '../../src/sync/protocol';
import { generateDeviceKey, signRequest, verifyRequest } from '../../src/sync/signing';
import type { FetchLike } from '../../src/sync/transport';
import { TestDevice } from '../server/helpers';
import { startServerProcess } from '../support/server-process';
import { drainInChromium, type ChromiumDrained } from './drain-chromium';
import { recordBench, verdict } from './results';
import { admin, machine, printTable, summary, withPostgresDatabase } from './support';

const DRAIN = Number(process.env.BENCH_DRAIN ?? 10_000);
const PGLITE_PORT = Number(process.env.BENCH_PORT ?? 8387);
const POSTGRES_PORT = PGLITE_PORT + 1;
/** The servers of the Chromium device's drains (PGlite, then PostgreSQL). */
const CHROMIUM_PORT = PGLITE_PORT + 2;
/** Which devices drain: `node` (fake-indexeddb), `chromium`; both by default. */
const DEVICES = new Set((process.env.BENCH_DRAIN_DEVICES ?? 'node,chromium').split(','));
/** Which servers: `pglite`, `postgresql`; both by default. */
const BACKENDS = new Set(
  (process.env.BENCH_DRAIN_BACKENDS ?? 'pglite,postgresql').toLowerCase().split(','),
);
/** Signatures and nonces timed to find what a signed request costs. */
const SIGNED_SAMPLES = 200;
const PUSH_PATH = '/api/v1/sync/push';
/**
 * The device's clock while it queues: a rating every BENCH_DRAIN_GAP_MS (90 s, a window's pace;
 * 0 stamps the whole backlog with one time, a burst on every push, as the first runs did).
 */
const RATING_GAP_MS = Number(process.env.BENCH_DRAIN_GAP_MS ?? 90_000);

const TARGET = { PGlite: 5_000, PostgreSQL: 10_000 } as const;
type Backend = keyof typeof TARGET;

/** Every request the device sends, timed from the call to the answer's last byte. */
function timedFetch() {
  const times = { push: [] as number[], pull: [] as number[], other: [] as number[] };
  let pushBody = '';
  const fetchLike: FetchLike = async (input, init) => {
    const started = performance.now();
    const res = await fetch(input, init);
    const body = await res.arrayBuffer();
    const ms = performance.now() - started;
    const path = new URL(input).pathname;
    if (path === PUSH_PATH) {
      times.push.push(ms);
      if (!pushBody && typeof init?.body === 'string') pushBody = init.body;
    } else if (path === '/api/v1/sync/pull') times.pull.push(ms);
    else times.other.push(ms);
    return new Response(body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
  return { fetch: fetchLike, times, firstPushBody: () => pushBody };
}

interface Drained {
  deviceId: string;
  hallId: string;
  queueSeconds: number;
  seconds: number;
  pending: number;
  push: number[];
  pull: number[];
  /** A full push body as the device sent it, for timing signatures over one. */
  pushBody: string;
}

async function drainDevice(baseUrl: string, code: string, departmentId: string): Promise<Drained> {
  const timed = timedFetch();
  // While the backlog is queued the device's clock walks from DRAIN gaps ago up to now; then it
  // is the real clock again (requests are signed with it).
  let queueClock: number | null = null;
  const options = {
    now: () => queueClock ?? Date.now(),
    baseUrl,
    fetch: timed.fetch,
    settings: new DeviceSettings(memoryStore()),
    dbName: `bench-drain-${newId()}`,
    triggers: false as const,
  };
  await enrollDevice(code, 'bench', options);
  const device = (await openDevice(options))!;
  // No sync before the backlog: the device's clock (and so its hlc) walks from the backlog's
  // start, as a tablet offline since then; what it pulls it pulls with the drain.
  const { windowId, hallId, deviceId } = device.credentials;
  const queueStarted = performance.now();
  queueClock = Date.now() - DRAIN * RATING_GAP_MS;
  for (let i = 0; i < DRAIN; i++) {
    queueClock += RATING_GAP_MS;
    await device.store.ratings.record({
      hallId,
      deviceId,
      payload: {
        windowId: windowId!,
        departmentId,
        level: 'satisfied',
        reasons: [],
        comment: '',
        ticket: null,
        channel: 'hall_tablet',
        phoneId: null,
        dutySessionId: null,
      },
    });
  }
  queueClock = null;
  const queueSeconds = (performance.now() - queueStarted) / 1000;
  timed.times.push.length = 0;
  timed.times.pull.length = 0;
  const started = performance.now();
  for (let round = 0; round < 100; round++) {
    await device.syncNow();
    await device.engine.refreshCounts();
    if (device.status.get().pending === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const pending = device.status.get().pending;
  device.stop();
  return {
    deviceId,
    hallId,
    queueSeconds,
    seconds,
    pending,
    push: [...timed.times.push],
    pull: [...timed.times.pull],
    pushBody: timed.firstPushBody(),
  };
}

/**
 * The drained device's events and ratings inserted again under fresh ids, MAX_PUSH_EVENTS per
 * transaction, with the statements the ingest needs at the least. Returns seconds and rows.
 */
async function rawInsert(db: Db, deviceId: string, hallId: string) {
  const events = await db.query<StoredEvent & { at: Date; receivedAt: Date }>(
    `SELECT id, hall_id AS "hallId", device_id AS "deviceId", device_seq AS "deviceSeq", type,
       actor_id AS "actorId", at, hlc, hlc_original AS "hlcOriginal", prev_hash AS "prevHash",
       hash, payload, envelope, received_at AS "receivedAt"
     FROM events WHERE device_id = $1 ORDER BY device_seq`,
    [deviceId],
  );
  const ratings = new Map(
    (
      await db.query<RatingRow & { at: Date; receivedAt: Date }>(
        `SELECT event_id AS "eventId", hall_id AS "hallId", device_id AS "deviceId",
           window_id AS "windowId", department_id AS "departmentId", level, channel, ticket,
           phone_id AS "phoneId", duty_session_id AS "dutySessionId", reasons, comment, at,
           received_at AS "receivedAt"
         FROM ratings WHERE device_id = $1`,
        [deviceId],
      )
    ).map((r) => [r.eventId, r]),
  );
  const receivedAt = isoAt(Date.now());
  const copy = (from: typeof events, copyDevice: string) =>
    from.map((e) => {
      const id = newId();
      const rating = ratings.get(e.id);
      return {
        event: { ...e, id, deviceId: copyDevice, at: e.at.toISOString(), receivedAt },
        rating: rating
          ? {
              ...rating,
              eventId: id,
              deviceId: copyDevice,
              at: rating.at.toISOString(),
              receivedAt,
            }
          : null,
      };
    });
  const insert = (batch: typeof copies) =>
    db.tx((tx) =>
      appendEvents(
        tx,
        hallId,
        batch.map((c) => c.event),
        batch.flatMap((c) => (c.rating ? [c.rating] : [])),
      ),
    );
  // A warm-up, as the server was warm when the device pushed: one more copy, not timed.
  await insert(copy(events.slice(0, 1), newId()));
  const copies = copy(events, newId());
  const started = performance.now();
  for (let i = 0; i < copies.length; i += MAX_PUSH_EVENTS)
    await insert(copies.slice(i, i + MAX_PUSH_EVENTS));
  return { seconds: (performance.now() - started) / 1000, rows: copies.length };
}

/**
 * The server's part alone: a backlog of the same size pushed through the push service in this
 * process, on the same database — no HTTP, no device code — by a fresh evaluator of the same
 * window, its ratings timed as the drained device's. Returns seconds.
 */
async function ingestAlone(db: Db, hallId: string, windowId: string, departmentId: string) {
  const now = Date.now();
  const { code } = await createEnrollment(db, hallId, { role: 'evaluator', windowId }, now);
  const enrolled = await redeemEnrollment(db, { code, name: 'bench alone' }, now);
  const device = (await getDevice(db, enrolled.deviceId))!;
  let clock = now - DRAIN * RATING_GAP_MS;
  const log = new TestDevice(enrolled.deviceId, hallId, enrolled.token, windowId, () => clock);
  const bodies: string[] = [];
  for (let i = 0; i < DRAIN; i += MAX_PUSH_EVENTS) {
    const events = Array.from({ length: Math.min(MAX_PUSH_EVENTS, DRAIN - i) }, () => {
      clock += RATING_GAP_MS;
      return log.append(
        'rating.submitted',
        {
          windowId,
          departmentId,
          level: 'satisfied',
          reasons: [],
          comment: '',
          ticket: null,
          channel: 'hall_tablet',
          phoneId: null,
          dutySessionId: null,
        },
        { at: new Date(clock).toISOString() },
      );
    });
    bodies.push(JSON.stringify({ deviceId: device.id, events, pending: DRAIN - i }));
  }
  const started = performance.now();
  for (const body of bodies) {
    const answer = await push(db, device, JSON.parse(body), Date.now);
    if (answer.results.some((r) => r.status !== 'stored')) throw new Error('a rating was refused');
  }
  return (performance.now() - started) / 1000;
}

/** Milliseconds per signed request: signing (device), verifying (server), the nonce row (server). */
async function signedCost(db: Db, deviceId: string, body: string) {
  const key = await generateDeviceKey();
  const parts = { method: 'POST', path: PUSH_PATH, body };
  const signed: Record<string, string>[] = [];
  let started = performance.now();
  for (let i = 0; i < SIGNED_SAMPLES; i++)
    signed.push(await signRequest(key.privateKey, parts, Date.now()));
  const sign = (performance.now() - started) / SIGNED_SAMPLES;
  started = performance.now();
  for (const headers of signed) {
    const verdict = await verifyRequest(key.publicKey, parts, headers, Date.now());
    if (!verdict.ok) throw new Error(`signature refused: ${verdict.reason}`);
  }
  const verify = (performance.now() - started) / SIGNED_SAMPLES;
  started = performance.now();
  for (const headers of signed)
    // The statement src/server/services/auth.ts runs for every signed request.
    await db.query(
      `INSERT INTO device_nonces (device_id, nonce, signed_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
      [deviceId, headers['x-device-nonce'], isoAt(Date.now())],
    );
  const nonce = (performance.now() - started) / SIGNED_SAMPLES;
  return { sign, verify, nonce, bodyKb: Buffer.byteLength(body) / 1024 };
}

/** Where a server keeps its data: its environment and data folder, and the database opened after. */
interface Site {
  env: Record<string, string>;
  dataDir?: string;
  open: () => Promise<Db>;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / 1000;
const rate = (events: number, seconds: number) => Math.round(events / seconds);

/**
 * The drain with the device in Chromium, on a server of its own (its own database: the hall
 * holds no other device's backlog to pull), and its rows against the raw insert's rate.
 */
async function benchChromium(backend: Backend, port: number, site: Site) {
  const server = await startServerProcess(
    port,
    site.env,
    site.dataDir ? { dataDir: site.dataDir } : {},
  );
  try {
    const api = await admin(server);
    const window = (await api.windows())[3]!;
    const code = await api.enroll(window.id);
    return await drainInChromium(server.url, code, window.department.id, DRAIN, RATING_GAP_MS);
  } finally {
    await server.stop();
  }
}

function chromiumRows(backend: Backend, d: ChromiumDrained, rawRate: number): string[][] {
  const n = DRAIN.toLocaleString('en');
  const pushSeconds = sum(d.push);
  const pullSeconds = sum(d.pull);
  const drainRate = rate(DRAIN, d.seconds);
  const push = summary(d.push);
  const store = (name: string) => d.store[name] ?? { ms: 0, calls: 0 };
  const storeCell = (name: string, what: string) =>
    `${what} ${(store(name).ms / 1000).toFixed(2)} s (${store(name).calls})`;
  const held =
    d.held.acked === DRAIN && d.held.ratingsAcked === DRAIN && d.pending === 0 && d.rejected === 0
      ? ''
      : ` (held ${d.held.log}, acked ${d.held.acked}, ratings acked ${d.held.ratingsAcked}, ` +
        `pending ${d.pending}, refused ${d.rejected})`;
  return [
    [
      backend,
      `Chromium device: drain ${n} queued ratings to pending 0 (IndexedDB on disk)`,
      `${d.seconds.toFixed(2)} s, ${drainRate.toLocaleString('en')} events/s in ${d.rounds} round(s)${held}`,
      `≥ ${TARGET[backend].toLocaleString('en')}/s: ${verdict(drainRate >= TARGET[backend] && held === '')}`,
    ],
    [
      backend,
      `  Chromium: of which pushes (${d.push.length} requests)`,
      `${pushSeconds.toFixed(2)} s, ${rate(DRAIN, pushSeconds).toLocaleString('en')} events/s; ` +
        `per push median ${push.median.toFixed(0)} ms, p99 ${push.p99.toFixed(0)} ms`,
      '',
    ],
    [
      backend,
      `  Chromium: of which pulls of the hall's events (${d.pull.length} requests, ${d.held.hallEvents.toLocaleString('en')} events)`,
      `${pullSeconds.toFixed(2)} s`,
      '',
    ],
    [
      backend,
      '  Chromium: of which the device, beyond what runs beside a request',
      `${(d.seconds - pushSeconds - pullSeconds).toFixed(2)} s`,
      '',
    ],
    [
      backend,
      "  Chromium: the device's storage calls, in all (beside a request or not)",
      [
        storeCell('settle', 'recording answers'),
        storeCell('pending', 'reading pending'),
        storeCell('after', 'reading the next batch'),
        storeCell('applyPage', 'applying pulled pages'),
        storeCell('counts', 'counts'),
      ].join('; '),
      '',
    ],
    [
      backend,
      'Chromium: ratio drain / raw insert (pushes only / raw)',
      `${(drainRate / rawRate).toFixed(2)} (${(rate(DRAIN, pushSeconds) / rawRate).toFixed(2)})`,
      `≥ 0.5: ${verdict(drainRate / rawRate >= 0.5)}`,
    ],
    [
      backend,
      '(Chromium: queueing the backlog through the rating path, not timed above)',
      `${d.queueSeconds.toFixed(1)} s, ${rate(DRAIN, d.queueSeconds).toLocaleString('en')} ratings/s`,
      '',
    ],
  ];
}

async function bench(
  backend: Backend,
  port: number,
  site: Site,
  chromiumPort: number,
  chromiumSite: Site,
): Promise<string[][]> {
  const chromiumDrained = DEVICES.has('chromium')
    ? await benchChromium(backend, chromiumPort, chromiumSite)
    : null;
  if (!DEVICES.has('node')) {
    // The raw insert's peer on the Chromium device's rows.
    const db = await chromiumSite.open();
    try {
      const raw = await rawInsert(db, chromiumDrained!.deviceId, chromiumDrained!.hallId);
      return [
        [
          backend,
          `raw batched insert of the same ${raw.rows.toLocaleString('en')} rows`,
          `${raw.seconds.toFixed(2)} s, ${rate(raw.rows, raw.seconds).toLocaleString('en')} events/s`,
          '(peer)',
        ],
        ...chromiumRows(backend, chromiumDrained!, rate(raw.rows, raw.seconds)),
      ];
    } finally {
      await db.close();
    }
  }
  const server = await startServerProcess(
    port,
    site.env,
    site.dataDir ? { dataDir: site.dataDir } : {},
  );
  let drained: Drained;
  let window: { id: string; department: { id: string } };
  try {
    const api = await admin(server);
    const windows = await api.windows();
    window = windows[3]!;
    drained = await drainDevice(server.url, await api.enroll(window.id), window.department.id);
  } finally {
    await server.stop();
  }
  const db = await site.open();
  let raw: { seconds: number; rows: number };
  let alone: number;
  let signed: Awaited<ReturnType<typeof signedCost>>;
  try {
    raw = await rawInsert(db, drained.deviceId, drained.hallId);
    alone = await ingestAlone(db, drained.hallId, window.id, window.department.id);
    signed = await signedCost(db, drained.deviceId, drained.pushBody);
  } finally {
    await db.close();
  }

  const pushSeconds = sum(drained.push);
  const pullSeconds = sum(drained.pull);
  const drainRate = rate(DRAIN, drained.seconds);
  const rawRate = rate(raw.rows, raw.seconds);
  const push = summary(drained.push);
  const perRequest = signed.sign + signed.verify + signed.nonce;
  const n = DRAIN.toLocaleString('en');
  return [
    [
      backend,
      `drain ${n} queued ratings to pending 0`,
      `${drained.seconds.toFixed(2)} s, ${drainRate.toLocaleString('en')} events/s` +
        (drained.pending > 0 ? ` (${drained.pending} still pending)` : ''),
      `≥ ${TARGET[backend].toLocaleString('en')}/s: ${drainRate >= TARGET[backend] ? 'met' : 'MISSED'}`,
    ],
    [
      backend,
      `  of which pushes (${drained.push.length} requests)`,
      `${pushSeconds.toFixed(2)} s, ${rate(DRAIN, pushSeconds).toLocaleString('en')} events/s; ` +
        `per push median ${push.median.toFixed(0)} ms, p99 ${push.p99.toFixed(0)} ms`,
      '',
    ],
    [
      backend,
      `  of which pulls of the hall's events (${drained.pull.length} requests)`,
      `${pullSeconds.toFixed(2)} s`,
      '',
    ],
    [
      backend,
      '  of which the device, beyond what runs beside a request (fake-indexeddb)',
      `${(drained.seconds - pushSeconds - pullSeconds).toFixed(2)} s`,
      '',
    ],
    [
      backend,
      `raw batched insert of the same ${raw.rows.toLocaleString('en')} rows`,
      `${raw.seconds.toFixed(2)} s, ${rawRate.toLocaleString('en')} events/s`,
      '(peer)',
    ],
    [
      backend,
      `the server alone: the same backlog through the push service in process (no HTTP, no device)`,
      `${alone.toFixed(2)} s, ${rate(DRAIN, alone).toLocaleString('en')} events/s, ` +
        `${(rate(DRAIN, alone) / rawRate).toFixed(2)} of the raw insert`,
      `≥ ${TARGET[backend].toLocaleString('en')}/s: ${rate(DRAIN, alone) >= TARGET[backend] ? 'met' : 'MISSED'}; ` +
        `≥ 0.5: ${rate(DRAIN, alone) / rawRate >= 0.5 ? 'met' : 'MISSED'}`,
    ],
    [
      backend,
      'ratio drain / raw insert (pushes only / raw)',
      `${(drainRate / rawRate).toFixed(2)} (${(rate(DRAIN, pushSeconds) / rawRate).toFixed(2)})`,
      `≥ 0.5: ${drainRate / rawRate >= 0.5 ? 'met' : 'MISSED'}`,
    ],
    [
      backend,
      `signed request, ${signed.bodyKb.toFixed(0)} KB body: sign + verify + nonce row`,
      `${signed.sign.toFixed(2)} + ${signed.verify.toFixed(2)} + ${signed.nonce.toFixed(2)} ms = ` +
        `${perRequest.toFixed(2)} ms, ${((100 * perRequest) / push.median).toFixed(1)} % of a median push`,
      '',
    ],
    [
      backend,
      '(queueing the backlog on the device, not timed above)',
      `${drained.queueSeconds.toFixed(1)} s`,
      '',
    ],
    ...(chromiumDrained ? chromiumRows(backend, chromiumDrained, rawRate) : []),
  ];
}

/** Runs `fn` with a second database beside `url`'s on the same cluster, dropped afterwards. */
async function withSiblingDatabase<T>(
  url: string,
  fn: (sibling: string) => Promise<T>,
): Promise<T> {
  const name = `${new URL(url).pathname.slice(1)}_chromium`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const sibling = new URL(url);
  sibling.pathname = `/${name}`;
  try {
    return await fn(sibling.toString());
  } finally {
    await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  if (BACKENDS.has('pglite')) {
    const dir = mkdtempSync(join(tmpdir(), 'hk-bench-drain-'));
    try {
      const pglite = (name: string): Site => ({
        env: {},
        dataDir: mkdirSync(join(dir, name), { recursive: true }) ?? join(dir, name),
        open: () => openPglite(join(dir, name, 'db')),
      });
      rows.push(
        ...(await bench('PGlite', PGLITE_PORT, pglite('node'), CHROMIUM_PORT, pglite('chromium'))),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const postgres = (url: string): Site => ({
    env: { DATABASE_URL: url },
    open: () => openPostgres(url),
  });
  const pgRows = !BACKENDS.has('postgresql')
    ? []
    : await withPostgresDatabase((url) =>
        withSiblingDatabase(url, (sibling) =>
          bench('PostgreSQL', POSTGRES_PORT, postgres(url), CHROMIUM_PORT + 1, postgres(sibling)),
        ),
      );
  if (pgRows) rows.push(...pgRows);
  else console.log('PostgreSQL: not available, left out');

  console.log(`\nhall-kiosk drain benchmark · ${new Date().toISOString()}`);
  console.log(`${machine()}\n`);
  printTable(['backend', 'what', 'measured', 'target'], rows);
  // The full size is kept apart from the default one, so `npm run bench:report` shows both; a run
  // of one device alone too.
  const only =
    (DEVICES.size === 1 ? `-${[...DEVICES][0]}` : '') +
    (BACKENDS.size === 1 ? `-${[...BACKENDS][0]}` : '');
  recordBench(
    `${DRAIN === 10_000 ? 'drain' : `drain-${DRAIN}`}${only}`,
    rows.map(([backend, what, measured, target]) => [
      `${what!.trim()}, ${backend}`,
      measured!,
      target!,
    ]),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
