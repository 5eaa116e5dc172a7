/**
 * `npm run bench:capture`: what a rating costs on the device, and the JavaScript each screen loads.
 *
 *  1. tap → rating committed in IndexedDB on the evaluator, headless Chromium, BENCH_TAPS taps
 *     (500; the 1,000 with BENCH_TAPS=1000) plain and as many with 4× CPU throttling
 *     (median, p99), with the write's own share; peer, in the same page and alternating with the
 *     taps: a bare Dexie `add` of a rating-sized record (strict durability, one table), so the
 *     ratio says what the tap path costs beyond IndexedDB's own commit;
 *  2. gzipped JavaScript the evaluator and the duty kiosk (each enrolled), the rating page and the
 *     console (signed in, on its dashboard with its charts) load, and whether a kiosk loads any of
 *     the console's scripts.
 *
 * The drain of a backlog is `npm run bench:drain`.
 *
 * Prints figures; asserts nothing. Needs a build (`npm run build`) and Chromium.
 */
import type { Browser, Page } from '@playwright/test';
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
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
import { recordBench, verdict, type BenchRow } from './results';

/** 500 keeps the run near three minutes on a busy machine; the size is BENCH_TAPS=1000. */
const TAPS = Number(process.env.BENCH_TAPS ?? 500);
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
  options: { cookie?: { name: string; value: string }; ready?: string; enroll?: string } = {},
): Promise<{ bytes: number; charts: boolean }> {
  const context = await browser.newContext({ baseURL: server.url, serviceWorkers: 'block' });
  if (options.cookie) await context.addCookies([{ ...options.cookie, url: server.url }]);
  if (options.enroll) {
    // Enrolled as a kiosk is, in a page of its own: only the kiosk's own visit is counted.
    const setup = await context.newPage();
    await setup.goto(`/setup?code=${options.enroll}`);
    await setup.getByRole('button', { name: '登记', exact: true }).click();
    await setup.getByTestId('setup-done').waitFor();
    await setup.close();
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
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
          `ratio ≤ 2: ${verdict(ratio <= 2)}`,
        ],
      ];
    };
    rows.push(
      ...tapRows(`${TAPS} taps`, plain, `median ≤ 5 ms: ${verdict(plain.taps.median <= 5)}`),
      ...tapRows(
        `${TAPS} taps, 4× CPU throttling`,
        throttled,
        `p99 ≤ 25 ms: ${verdict(throttled.taps.p99 <= 25)}`,
      ),
    );
    // The taps' figures as soon as they are in (stderr): the page sizes below take a while.
    for (const row of rows) process.stderr.write(`  ${row.join(' · ')}\n`);

    const evaluatorPage = await enrolledEvaluator(
      browser,
      server,
      await api.enroll(windows[1]!.id),
    );
    await evaluatorPage.context().close();
    const evaluatorJs = await routeJs(browser, server, '/kiosk/evaluator', {
      enroll: await api.enroll(windows[1]!.id),
      ready: 'button[data-level="satisfied"]',
    });
    const dutyJs = await routeJs(browser, server, '/kiosk/duty', {
      enroll: await api.enrollRole('duty_kiosk'),
      ready: '[data-testid="leader-button"]',
    });
    const ratingJs = await routeJs(browser, server, windows[2]!.ratingPath);
    const consoleJs = await routeJs(browser, server, '/admin', {
      cookie: api.cookie,
      ready: 'canvas',
    });
    rows.push([
      'JS loaded by the evaluator, enrolled (gzip)',
      kb(evaluatorJs.bytes),
      `≤ 60 KB: ${verdict(evaluatorJs.bytes <= 60 * 1024)}`,
    ]);
    rows.push([
      'JS loaded by the duty kiosk, enrolled (gzip)',
      kb(dutyJs.bytes),
      `≤ 90 KB: ${verdict(dutyJs.bytes <= 90 * 1024)}`,
    ]);
    rows.push(['JS loaded by the rating page (gzip)', kb(ratingJs.bytes), '']);
    rows.push([
      'JS loaded by the console, dashboard with charts (gzip)',
      `${kb(consoleJs.bytes)} (${(consoleJs.bytes / evaluatorJs.bytes).toFixed(1)}× the evaluator's)`,
      '',
    ]);
    const kiosks = [evaluatorJs, dutyJs, ratingJs];
    rows.push([
      'chart.js loaded by: console / evaluator / duty kiosk / rating page',
      [consoleJs, ...kiosks].map((r) => (r.charts ? 'yes' : 'no')).join(' / '),
      `yes / no / no / no: ${verdict(consoleJs.charts && kiosks.every((r) => !r.charts))}`,
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
