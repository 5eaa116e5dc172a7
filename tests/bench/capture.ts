/**
 * `npm run bench:capture`: what a rating costs on the device and how fast a backlog drains.
 *
 *  1. tap → rating committed in IndexedDB on the evaluator, headless Chromium, plain and with 4×
 *     CPU throttling (median, p99);
 *  2. gzipped JavaScript the evaluator, the rating page and the console (signed in, on its
 *     dashboard with its charts) load, and whether a kiosk loads any of the console's scripts;
 *  3. 10,000 ratings queued on a device (Node, fake-indexeddb) drained to a local server (PGlite).
 *
 * Prints figures; asserts nothing. Needs a build (`npm run build`) and Chromium.
 */
import 'fake-indexeddb/auto';
import { chromium, type Browser, type Page } from '@playwright/test';
import { gzipSync } from 'node:zlib';
import { enrollDevice, openDevice } from '../../src/app/device';
import { newId } from '../../src/domain/ids';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const TAPS = Number(process.env.BENCH_TAPS ?? 500);
const DRAIN = Number(process.env.BENCH_DRAIN ?? 10_000);
const PORT = Number(process.env.BENCH_PORT ?? 8383);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1]! };
}

async function admin(server: ServerProcess) {
  const login = await fetch(`${server.url}/api/v1/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: server.adminPassword }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1/admin${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    /** The session cookie's name and value. */
    cookie: { name: cookie.split('=')[0]!, value: cookie.slice(cookie.indexOf('=') + 1) },
    windows: async () =>
      (await call('/windows')).windows as {
        id: string;
        code: string;
        ratingPath: string;
        department: { id: string };
      }[],
    enroll: async (windowId: string) =>
      (await call('/enrollments', { role: 'evaluator', windowId })).code as string,
    ratingCount: async () => (await call('/ratings?limit=1')).counted as number,
  };
}

async function enrolledEvaluator(
  browser: Browser,
  server: ServerProcess,
  code: string,
): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await page.goto(`/setup?code=${code}`);
  await page.getByRole('button', { name: '登记', exact: true }).click();
  await page.getByTestId('setup-done').waitFor();
  await page.goto('/kiosk/evaluator');
  await page.locator('button[data-level="satisfied"]').waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready);
  return page;
}

/**
 * Taps "满意" n times in the page and reads when each rating was committed. Kept as source text:
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
    out.push(entry.startTime + entry.duration - tapped);
    (await find('[data-testid="thank-you"] button')).click();
  }
  return out;
}`;

async function tapToCommit(page: Page, n: number): Promise<number[]> {
  return page.evaluate(`(${TAP_SCRIPT})(${n})`) as Promise<number[]>;
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
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const api = await admin(server);
    const windows = await api.windows();
    const rows: [string, string, string][] = [];

    const page = await enrolledEvaluator(browser, server, server.enrollmentCode);
    await tapToCommit(page, 20); // warm up
    const plain = summary(await tapToCommit(page, TAPS));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const throttled = summary(await tapToCommit(page, TAPS));
    await page.context().close();
    rows.push([
      `tap → committed, ${TAPS} taps`,
      `median ${plain.median.toFixed(1)} ms, p99 ${plain.p99.toFixed(1)} ms`,
      'median < 16 ms',
    ]);
    rows.push([
      `tap → committed, 4× CPU throttle`,
      `median ${throttled.median.toFixed(1)} ms, p99 ${throttled.p99.toFixed(1)} ms`,
      '',
    ]);

    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
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

    const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 6));
    console.log(`\nhall-kiosk capture benchmark · ${new Date().toISOString()}`);
    for (const r of [['what', 'measured', 'target'] as const, ...rows])
      console.log(r.map((c, i) => c.padEnd(width[i]!)).join('  │  '));
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
