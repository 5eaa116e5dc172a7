/**
 * The drain with the device in headless Chromium: the real device code (src/app/device.ts, its
 * LocalStore and SyncEngine) bundled with esbuild into a page of the server's own origin, with
 * the page's IndexedDB on disk (a persistent profile, as a tablet's) and its WebCrypto key
 * signing every request. Used by tests/bench/drain.ts.
 *
 * The device enrolls with the server, queues the backlog through the real rating path
 * (`store.ratings.record`, one transaction per rating, strict durability) with its sync engine
 * not running (no triggers: nothing syncs until asked), on its own clock walking a rating every
 * `gapMs` up to now, then syncs until nothing is pending. Every request is timed on the wire
 * (the page's fetch), and the device's own storage work is timed where the engine calls it.
 */
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs in the page: the device, its timed fetch and its timed store. */
const PAGE_SOURCE = `
import { enrollDevice, openDevice } from '../../src/app/device';
import { ackedThrough, standing } from '../../src/storage/log-repository';

const PUSH_PATH = '/api/v1/sync/push';
const PULL_PATH = '/api/v1/sync/pull';
const times = { push: [], pull: [], other: [] };
let queueClock = null;
let device = null;

async function timedFetch(input, init) {
  const started = performance.now();
  const res = await fetch(input, init);
  const body = await res.arrayBuffer();
  const ms = performance.now() - started;
  const path = new URL(input, location.href).pathname;
  if (path === PUSH_PATH) times.push.push(ms);
  else if (path === PULL_PATH) times.pull.push(ms);
  else times.other.push(ms);
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** The store's calls the engine makes, timed (ms summed), beside or between requests. */
const storeTimes = {};
function timeStore(store) {
  for (const name of ['pending', 'after', 'settle', 'counts', 'cursor', 'applyPage']) {
    const original = store[name].bind(store);
    storeTimes[name] = { ms: 0, calls: 0 };
    store[name] = async (...args) => {
      const started = performance.now();
      try {
        return await original(...args);
      } finally {
        storeTimes[name].ms += performance.now() - started;
        storeTimes[name].calls++;
      }
    };
  }
}

export async function enroll(code) {
  // The device's own settings and database (IndexedDB), as a tablet enrolled through /setup.
  const options = { now: () => queueClock ?? Date.now(), fetch: timedFetch, triggers: false };
  await enrollDevice(code, 'bench chromium', options);
  device = await openDevice(options);
  timeStore(device.store);
  const { deviceId, hallId, windowId } = device.credentials;
  return { deviceId, hallId, windowId };
}

/** Queue n ratings, one every gapMs on the device's clock, ending now; seconds. */
export async function queue(n, gapMs, departmentId) {
  const { hallId, deviceId, windowId } = device.credentials;
  const started = performance.now();
  queueClock = Date.now() - n * gapMs;
  for (let i = 0; i < n; i++) {
    queueClock += gapMs;
    await device.store.ratings.record({
      hallId,
      deviceId,
      payload: {
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
    });
  }
  queueClock = null;
  return (performance.now() - started) / 1000;
}

/** Sync until nothing is pending: seconds, what is still pending, the timings. */
export async function drain() {
  times.push.length = 0;
  times.pull.length = 0;
  times.other.length = 0;
  for (const t of Object.values(storeTimes)) Object.assign(t, { ms: 0, calls: 0 });
  const started = performance.now();
  let rounds = 0;
  for (; rounds < 100; rounds++) {
    const round = await device.syncNow();
    if (!round.ok) throw new Error('sync round failed: ' + round.error);
    await device.engine.refreshCounts();
    if (device.status.get().pending === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const status = device.status.get();
  const { db } = device.store;
  const mark = await ackedThrough(db);
  const held = {
    log: await db.log.count(),
    acked: (await device.store.log.all()).filter((e) => e.status === 'acked').length,
    ratingsAcked: (await db.ratings.toArray()).filter(
      (r) => standing(r.status, r.deviceSeq, mark) === 'acked',
    ).length,
    hallEvents: await db.hallEvents.count(),
  };
  device.stop();
  return {
    seconds,
    rounds: rounds + 1,
    pending: status.pending,
    rejected: status.rejected,
    push: [...times.push],
    pull: [...times.pull],
    other: [...times.other],
    store: storeTimes,
    held,
  };
}
`;

export interface ChromiumDrained {
  deviceId: string;
  hallId: string;
  queueSeconds: number;
  seconds: number;
  rounds: number;
  pending: number;
  rejected: number;
  push: number[];
  pull: number[];
  other: number[];
  /** The store's calls made by the engine: summed milliseconds and calls. */
  store: Record<string, { ms: number; calls: number }>;
  /** What the device holds afterwards. */
  held: { log: number; acked: number; ratingsAcked: number; hallEvents: number };
}

interface PageDevice {
  enroll(code: string): Promise<{ deviceId: string; hallId: string; windowId: string }>;
  queue(n: number, gapMs: number, departmentId: string): Promise<number>;
  drain(): Promise<Omit<ChromiumDrained, 'deviceId' | 'hallId' | 'queueSeconds'>>;
}

let bundled: Promise<string> | null = null;
function bundle(): Promise<string> {
  bundled ??= build({
    stdin: { contents: PAGE_SOURCE, resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: '__hkDrain',
    target: 'es2022',
    logLevel: 'error',
  }).then((out) => out.outputFiles[0]!.text);
  return bundled;
}

/**
 * Enroll a device in a fresh Chromium profile (on disk) at `baseUrl` with `code`, queue `count`
 * ratings `gapMs` apart, then drain it.
 */
export async function drainInChromium(
  baseUrl: string,
  code: string,
  departmentId: string,
  count: number,
  gapMs: number,
): Promise<ChromiumDrained> {
  const profile = mkdtempSync(join(tmpdir(), 'hk-bench-drain-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    headless: true,
    // The server's CSP allows only its own built scripts; the bundle is added to a page of its
    // origin, whose IndexedDB is the one a device there uses.
    bypassCSP: true,
    serviceWorkers: 'block',
  });
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${baseUrl}/api/v1/health`);
    await page.addScriptTag({ content: await bundle() });
    const call = <K extends keyof PageDevice>(name: K, ...args: Parameters<PageDevice[K]>) =>
      page.evaluate(
        ([n, a]) =>
          (
            (window as unknown as { __hkDrain: Record<string, (...x: unknown[]) => unknown> })
              .__hkDrain[n] as (...x: unknown[]) => unknown
          )(...(a as unknown[])),
        [name, args] as const,
      ) as ReturnType<PageDevice[K]>;
    const { deviceId, hallId } = await call('enroll', code);
    const queueSeconds = await call('queue', count, gapMs, departmentId);
    const drained = await call('drain');
    return { deviceId, hallId, queueSeconds, ...drained };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
