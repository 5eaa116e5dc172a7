/**
 * `npm run bench:startup`: the evaluator's cold start with no network, from navigation to
 * interactive, in headless Chromium.
 *
 * A fresh browser context enrolls as an evaluator through /setup, opens /kiosk/evaluator and lets
 * the service worker install and precache the app. Then the context goes offline and the evaluator
 * is opened BENCH_STARTUP_RUNS times (20) in a new tab each time, plain and with 4× CPU
 * throttling (alternating, so both see the same machine). Interactive is the moment the five
 * level buttons are in the page, visible and enabled: a script that runs before the app's own
 * watches the DOM and takes `performance.now()` (milliseconds since navigation start) the moment
 * they are; the frame that first shows them is taken too. One more visit, not timed, counts the
 * JavaScript the start loads and where it came from.
 *
 * Prints a table; asserts nothing. Needs a build (`npx vite build`) and Chromium.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { gzipSync } from 'node:zlib';
import { SCREEN_LOADED_MARK } from '../../src/app/start-marks';
import { DEVICE_OPEN_MEASURE } from '../../src/screens/open-kiosk';
import { startServerProcess } from '../support/server-process';
import { enrolledEvaluator, kb, launchChromium, machine, ms, printTable, summary } from './support';
import { recordBench, type BenchRow } from './results';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 20);
const PORT = Number(process.env.BENCH_STARTUP_PORT ?? 8384);
const THROTTLE = 4;
const TARGET = { plain: 300, throttled: 1500 } as const;

/**
 * Runs before any script of the page: records when the five level buttons are first all there,
 * visible and enabled (`__hkInteractive`), and the start of the frame that first paints them
 * (`__hkFrame`, as its callbacks run), both in milliseconds since navigation start. Source text, run in the page.
 */
const WATCH_SCRIPT = `(() => {
  const ready = () => {
    const buttons = document.querySelectorAll('button[data-level]');
    if (buttons.length !== 5) return false;
    for (const b of buttons) if (b.disabled || !b.checkVisibility()) return false;
    return true;
  };
  const observer = new MutationObserver(() => {
    if (window.__hkShell === undefined && document.querySelector('main#main'))
      window.__hkShell = performance.now();
    if (!ready()) return;
    observer.disconnect();
    window.__hkInteractive = performance.now();
    requestAnimationFrame(() => {
      window.__hkFrame = performance.now();
    });
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true });
})()`;

interface Start {
  interactive: number;
  frame: number;
  /** The document's last byte (from the service worker's cache), since navigation start. */
  document: number;
  /** The module scripts ran and DOMContentLoaded's handlers returned. */
  scripts: number;
  /** The evaluator's shell was in the page, still loading the device. */
  shell: number;
  /** The screen's code and messages had loaded (`hk:screen-loaded`). */
  screenCode: number;
  /** Opening the device (`hk:device-open`): when it started and when it was ready. */
  deviceFrom: number;
  deviceTo: number;
  fromServiceWorker: boolean;
}

/** One cold start in a new tab of `context`, optionally CPU-throttled from before navigation. */
async function coldStart(context: BrowserContext, rate: number): Promise<Start> {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    const response = await page.goto('/kiosk/evaluator', { waitUntil: 'commit' });
    await page.waitForFunction(() => '__hkFrame' in window, undefined, {
      timeout: 30_000,
      polling: 50,
    });
    // The buttons may show before the device has opened: its measure is read once it is there.
    await page.waitForFunction(
      (name) => performance.getEntriesByName(name).length > 0,
      DEVICE_OPEN_MEASURE,
      { timeout: 30_000, polling: 50 },
    );
    const [interactive, frame, document, scripts, shell, screenCode, deviceFrom, deviceTo] =
      (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const code = performance.getEntriesByName('${SCREEN_LOADED_MARK}')[0];
      const device = performance.getEntriesByName('${DEVICE_OPEN_MEASURE}')[0];
      return [window.__hkInteractive, window.__hkFrame, nav.responseEnd,
        nav.domContentLoadedEventEnd, window.__hkShell ?? NaN, code?.startTime ?? NaN,
        device?.startTime ?? NaN, device ? device.startTime + device.duration : NaN];
    })()`)) as number[] as [number, number, number, number, number, number, number, number];
    return {
      interactive,
      frame,
      document,
      scripts,
      shell,
      screenCode,
      deviceFrom,
      deviceTo,
      fromServiceWorker: response?.fromServiceWorker() ?? false,
    };
  } finally {
    await page.close();
  }
}

/** The scripts one offline start loads: bytes, gzipped bytes, and how many came over the network. */
async function startScripts(context: BrowserContext) {
  const page: Page = await context.newPage();
  const scripts: Promise<{ bytes: number; gzip: number; network: boolean }>[] = [];
  page.on('response', (res) => {
    if (res.request().resourceType() !== 'script') return;
    scripts.push(
      res.body().then((b) => ({
        bytes: b.length,
        gzip: gzipSync(b, { level: 9 }).length,
        network: !res.fromServiceWorker(),
      })),
    );
  });
  await page.goto('/kiosk/evaluator');
  await page.waitForFunction(() => '__hkFrame' in window);
  await page.waitForLoadState('load');
  const loaded = await Promise.all(scripts);
  await page.close();
  return {
    count: loaded.length,
    bytes: loaded.reduce((a, s) => a + s.bytes, 0),
    gzip: loaded.reduce((a, s) => a + s.gzip, 0),
    network: loaded.filter((s) => s.network).length,
  };
}

async function main(): Promise<void> {
  const server = await startServerProcess(PORT);
  const browser = await launchChromium();
  try {
    const enrolled = await enrolledEvaluator(browser, server, server.enrollmentCode);
    const context = enrolled.context();
    // The service worker controls the next load, and the app is precached: reload once online.
    await enrolled.reload();
    await enrolled.locator('button[data-level="satisfied"]').waitFor();
    const controlled = await enrolled.evaluate(() => navigator.serviceWorker.controller !== null);
    await enrolled.close();
    await context.addInitScript(WATCH_SCRIPT);
    await context.setOffline(true);

    for (let i = 0; i < 2; i++) await coldStart(context, 1); // warm-up, not counted
    const plain: Start[] = [];
    const throttled: Start[] = [];
    for (let i = 0; i < RUNS; i++) {
      plain.push(await coldStart(context, 1));
      throttled.push(await coldStart(context, THROTTLE));
    }
    const js = await startScripts(context);
    await context.close();

    const all = [...plain, ...throttled];
    const served = all.filter((s) => s.fromServiceWorker).length;
    const rows = (label: string, starts: Start[], target: number): string[][] => {
      const i = summary(starts.map((s) => s.interactive));
      const f = summary(starts.map((s) => s.frame));
      const d = summary(starts.map((s) => s.document));
      const c = summary(starts.map((s) => s.scripts));
      const h = summary(starts.map((s) => s.shell));
      const code = summary(starts.map((s) => s.screenCode));
      const from = summary(starts.map((s) => s.deviceFrom));
      const to = summary(starts.map((s) => s.deviceTo));
      return [
        [
          label,
          `median ${ms(i.median)}, p95 ${ms(i.p95)}`,
          `median ≤ ${target} ms: ${i.median <= target ? 'met' : 'MISSED'}`,
        ],
        [
          '  on the way (medians)',
          `document from the cache ${ms(d.median)}, scripts run ${ms(c.median)}, ` +
            `screen's code in ${ms(code.median)}, shell shown ${ms(h.median)}, ` +
            `first frame with the buttons ${ms(f.median)}`,
          '',
        ],
        [
          '  opening the device (medians)',
          `from ${ms(from.median)} to ${ms(to.median)} (${ms(to.median - from.median)})`,
          '',
        ],
      ];
    };
    console.log(
      `\nhall-kiosk start-up benchmark · ${new Date().toISOString()}\n${machine()}\n` +
        `service worker controlled the page after install: ${controlled ? 'yes' : 'NO'}; ` +
        `timed starts served by it while offline: ${served} of ${all.length}\n`,
    );
    const table = [
      ...rows(`evaluator cold start offline → interactive, ${RUNS} runs`, plain, TARGET.plain),
      ...rows(`the same, ${THROTTLE}× CPU throttling`, throttled, TARGET.throttled),
      [
        'JavaScript that start loads',
        `${js.count} scripts, ${kb(js.bytes)} (${kb(js.gzip)} gzip); ` +
          `${js.network} over the network`,
        `0 over the network: ${js.network === 0 ? 'met' : 'MISSED'}`,
      ],
    ];
    printTable(['what', 'measured', 'target'], table);
    recordBench('startup', table as BenchRow[]);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
