/**
 * `npm run bench:capture`: what a rating costs on the device and how fast a backlog drains.
 *
 *  1. tap → rating committed in IndexedDB on the evaluator, headless Chromium, BENCH_TAPS taps
 *     (500; the 1,000 with BENCH_TAPS=1000) plain and as many with 4× CPU throttling
 *     (median, p99), with the write's own share; peer, in the same page and alternating with the
 *     taps: a bare Dexie `add` of a rating-sized record (strict durability, one table), so the
 *     ratio says what the tap path costs beyond IndexedDB's own commit;
 *  2. gzipped JavaScript the evaluator, the rating page and the console (signed in, on its
 *     dashboard with its charts) load, and whether a kiosk loads any of the console's scripts;
 *  3. 10,000 ratings queued on a device (Node, fake-indexeddb) drained to a local server (PGlite).
 *
 * Prints figures; asserts nothing. Needs a build (`npm run build`) and Chromium.
 */
import 'fake-indexeddb/auto';
import type { Browser, Page } from '@playwright/test';
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { enrollDevice, openDevice } from '../../src/app/device';
import { newId } from '../../src/domain/ids';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import {
  admin,
  enrolledEvaluator,
  kb,
  launchChromium,
  machine,
  printTable,
  summary,
} from './support';
import { recordBench, type BenchRow } from './results';

/** 500 keeps the run near three minutes on a busy machine; the size is BENCH_TAPS=1000. */
const TAPS = Number(process.env.BENCH_TAPS ?? 500);
const DRAIN = Number(process.env.BENCH_DRAIN ?? 10_000);
const PORT = Number(process.env.BENCH_PORT ?? 8386);
/** Taps (and bare adds) per turn: the two alternate in turns so both see the same machine. */
const TURN = 50;

/**
 * Taps "满意" n times in the page and reads when each rating was committed: [tap → commit, the
 * write alone (the app's own measure, from recordRating's call to the commit)]. Kept as source text:
 * the script runs in the page, untouched by the Node-side TypeScript loader.
 */
const TAP_SCRIPT = `async (count) => {
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  const find = async (selector) => {
    for (;;) {
      const el = document.querySelector(selector);
      if (el) return el;
      await frame();
    }
  };
  const committed = () =>
    new Promise((resolve) => {
      const observer = new PerformanceObserver((list) => {
        const entry = list.getEntriesByName('hk:rating-commit')[0];
        if (entry) {
          observer.disconnect();
          resolve(entry);
        }
      });
      observer.observe({ type: 'measure' });
    });
  const out = [];
  for (let i = 0; i < count; i++) {
    const button = await find('button[data-level="satisfied"]');
    const done = committed();
    const tapped = performance.now();
    button.click();
    const entry = await done;
    out.push([entry.startTime + entry.duration - tapped, entry.duration]);
    (await find('[data-testid="thank-you"] button')).click();
  }
  return out;
}`;

async function tapToCommit(page: Page, n: number): Promise<[number, number][]> {
  return page.evaluate(`(${TAP_SCRIPT})(${n})`) as Promise<[number, number][]>;
}

/**
 * The peer: a bare Dexie `add` of a record the size of a rating, into a one-table database opened
 * with the app's durability, in the page the taps run in (`__hkBareAdd(n)` gives n timings).
 */
const BARE_ADD_SOURCE = `
import Dexie from 'dexie';
const db = new Dexie('bench-bare-add', { chromeTransactionDurability: 'strict' });
db.version(1).stores({ ratings: 'id' });
window.__hkBareAdd = async (count) => {
  const out = [];
  for (let i = 0; i < count; i++) {
    const record = {
      id: crypto.randomUUID(),
      hallId: crypto.randomUUID(),
      deviceId: crypto.randomUUID(),
      status: 'pending',
      atMs: Date.now(),
      windowId: crypto.randomUUID(),
      departmentId: crypto.randomUUID(),
      level: 'satisfied',
      reasons: [],
      comment: '',
      ticket: '',
      channel: 'hall_tablet',
    };
    const started = performance.now();
    await db.ratings.add(record);
    out.push(performance.now() - started);
  }
  return out;
};
`;

async function bareAdd(page: Page, n: number): Promise<number[]> {
  return page.evaluate(`window.__hkBareAdd(${n})`) as Promise<number[]>;
}

/** `n` taps and `n` bare adds, alternating in turns. */
async function tapsAndPeer(page: Page, n: number) {
  const taps: [number, number][] = [];
  const bare: number[] = [];
  for (let done = 0; done < n; done += TURN) {
    const turn = Math.min(TURN, n - done);
    taps.push(...(await tapToCommit(page, turn)));
    bare.push(...(await bareAdd(page, turn)));
  }
  return {
    taps: summary(taps.map((t) => t[0])),
    write: summary(taps.map((t) => t[1])),
    bare: summary(bare),
  };
}

/** A message only chart.js's code carries, to tell whether a screen loaded it. */
const CHART_JS_MARK = 'Canvas is already in use';

/**
 * Gzipped bytes of every script a fresh visit to `path` loads (no service worker), and whether
 * chart.js was among them.
 */
async function routeJs(
  browser: Browser,
  server: ServerProcess,
  path: string,
  options: { cookie?: { name: string; value: string }; ready?: string } = {},
): Promise<{ bytes: number; charts: boolean }> {
  const context = await browser.newContext({ baseURL: server.url, serviceWorkers: 'block' });
  if (options.cookie) await context.addCookies([{ ...options.cookie, url: server.url }]);
  const page = await context.newPage();
  const sizes: Promise<number>[] = [];
  let charts = false;
  page.on('response', (res) => {
    if (res.request().resourceType() !== 'script') return;
    sizes.push(
      res.body().then((b) => {
        charts ||= b.includes(CHART_JS_MARK);
        return gzipSync(b, { level: 9 }).length;
      }),
    );
  });
  await page.goto(path, { waitUntil: 'networkidle' });
  if (options.ready) await page.locator(options.ready).first().waitFor();
  await page.waitForLoadState('networkidle');
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  await context.close();
  return { bytes, charts };
}

async function drain(
  server: ServerProcess,
  code: string,
): Promise<{ seconds: number; stored: number }> {
  const options = {
    baseUrl: server.url,
    settings: new DeviceSettings(memoryStore()),
    dbName: `bench-${newId()}`,
    triggers: false as const,
  };
  await enrollDevice(code, 'bench', options);
  const device = (await openDevice(options))!;
  await device.syncNow(); // reference data
  const windowId = device.credentials.windowId!;
  const departmentId = (await device.store.reference()).windows[windowId]!.departmentId;
  for (let i = 0; i < DRAIN; i++)
    await device.store.ratings.record({
      hallId: device.credentials.hallId,
      deviceId: device.credentials.deviceId,
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
  const started = performance.now();
  for (let round = 0; round < 100; round++) {
    await device.syncNow();
    await device.engine.refreshCounts();
    if (device.status.get().pending === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  device.stop();
  return { seconds, stored: DRAIN };
}

async function main(): Promise<void> {
  const server = await startServerProcess(PORT);
  const browser = await launchChromium();
  try {
    const api = await admin(server);
    const windows = await api.windows();
    const rows: string[][] = [];

    // The peer is bundled into the page as a script of its own, which the app's CSP would refuse.
    const page = await enrolledEvaluator(browser, server, server.enrollmentCode, {
      bypassCSP: true,
    });
    const bare = await build({
      stdin: { contents: BARE_ADD_SOURCE, resolveDir: import.meta.dirname, loader: 'js' },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      logLevel: 'error',
    });
    await page.addScriptTag({ content: bare.outputFiles[0]!.text });
    await tapsAndPeer(page, 2 * TURN); // warm up
    const plain = await tapsAndPeer(page, TAPS);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const throttled = await tapsAndPeer(page, TAPS);
    await page.context().close();
    const tapRows = (label: string, r: typeof plain, targets: string): string[][] => {
      const ratio = r.taps.median / r.bare.median;
      return [
        [
          `tap → committed, ${label}`,
          `median ${r.taps.median.toFixed(1)} ms, p99 ${r.taps.p99.toFixed(1)} ms`,
          targets,
        ],
        [
          '  of which the write (recordRating → commit)',
          `median ${r.write.median.toFixed(1)} ms, p99 ${r.write.p99.toFixed(1)} ms`,
          '',
        ],
        [
          '  peer: bare Dexie add in the same page',
          `median ${r.bare.median.toFixed(1)} ms, p99 ${r.bare.p99.toFixed(1)} ms; ` +
            `ratio of medians ${ratio.toFixed(2)}`,
          `ratio ≤ 2: ${ratio <= 2 ? 'met' : 'MISSED'}`,
        ],
      ];
    };
    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    rows.push(
      ...tapRows(`${TAPS} taps`, plain, `median ≤ 5 ms: ${met(plain.taps.median <= 5)}`),
      ...tapRows(
        `${TAPS} taps, 4× CPU throttling`,
        throttled,
        `p99 ≤ 25 ms: ${met(throttled.taps.p99 <= 25)}`,
      ),
    );

    const evaluatorPage = await enrolledEvaluator(
      browser,
      server,
      await api.enroll(windows[1]!.id),
    );
    await evaluatorPage.context().close();
    const evaluatorJs = await routeJs(browser, server, '/kiosk/evaluator');
    const ratingJs = await routeJs(browser, server, windows[2]!.ratingPath);
    const consoleJs = await routeJs(browser, server, '/admin', {
      cookie: api.cookie,
      ready: 'canvas',
    });
    rows.push(['JS loaded by /kiosk/evaluator (gzip)', kb(evaluatorJs.bytes), '< 80 KB']);
    rows.push(['JS loaded by the rating page (gzip)', kb(ratingJs.bytes), '']);
    rows.push([
      'JS loaded by the console, dashboard with charts (gzip)',
      `${kb(consoleJs.bytes)} (${(consoleJs.bytes / evaluatorJs.bytes).toFixed(1)}× the evaluator's)`,
      '',
    ]);
    rows.push([
      'chart.js loaded by: console / evaluator / rating page',
      [consoleJs, evaluatorJs, ratingJs].map((r) => (r.charts ? 'yes' : 'no')).join(' / '),
      'yes / no / no',
    ]);

    const before = await api.ratingCount();
    const { seconds } = await drain(server, await api.enroll(windows[3]!.id));
    const stored = (await api.ratingCount()) - before;
    rows.push([
      `drain ${DRAIN} queued ratings (PGlite)`,
      `${seconds.toFixed(2)} s, ${Math.round(DRAIN / seconds)} events/s, ${stored} stored`,
      '< 10 s',
    ]);

    console.log(`\nhall-kiosk capture benchmark · ${new Date().toISOString()}\n${machine()}\n`);
    printTable(['what', 'measured', 'target'], rows);
    recordBench('capture', rows as BenchRow[]);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
