/**
 * `npm run bench:apply`: how fast a device applies the hall's events it pulls.
 *
 * The hall's log is a real one: the server starts on the demo hall filled with days of history
 * (DEMO_HISTORY_DAYS: ratings from every window and phones, duty shifts, walks, problems, and the
 * hall's reference events), enough for BENCH_APPLY_EVENTS (10,000) events. An evaluator enrolled
 * with the real device code (src/app/device.ts, fake-indexeddb) pulls it all from the server over
 * loopback — the end-to-end figure — and the first BENCH_APPLY_EVENTS of what it pulled become
 * the pages (PULL_PAGE events each) replayed below.
 *
 * Replayed: the sync engine (src/sync/engine.ts) pulls the same pages from memory into a fresh
 * LocalStore, so applyPage commits each page with its reference fold, clock and cursor in one
 * transaction, as on a device; once as an evaluator, once as an inspection tablet (which also
 * folds problems and walks). Peer, in the same run and the same IndexedDB: a bare Dexie bulkPut of
 * the same rows, one transaction per page. Both in Node (fake-indexeddb) and in headless
 * Chromium's IndexedDB, with the very same code bundled into the page; BENCH_APPLY_RUNS (3)
 * rounds, alternating, medians.
 *
 * Prints a table; asserts nothing.
 */
import 'fake-indexeddb/auto';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { enrollDevice, openDevice } from '../../src/app/device';
import { newId } from '../../src/domain/ids';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import { PULL_PAGE, type PullResponse, type PulledEvent } from '../../src/sync/protocol';
import { startServerProcess } from '../support/server-process';
import { launchChromium, machine, median, printTable } from './support';
import { recordBench, type BenchRow } from './results';

const EVENTS = Number(process.env.BENCH_APPLY_EVENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_APPLY_RUNS ?? 3);
const PORT = Number(process.env.BENCH_APPLY_PORT ?? 8385);
/** The demo hall's history makes about 900 ratings a day. */
const DAYS = Math.min(366, Math.ceil(EVENTS / 800) + 1);
const TARGET = 5_000;

/**
 * The replay, as module source bundled with the app's own storage and sync code: for Node (with
 * fake-indexeddb's globals) and for a Chromium page, so both run the same code.
 */
const REPLAY_SOURCE = `
import Dexie from 'dexie';
import { eventLinks, openDb } from '../../src/storage/db';
import { refoldPipeline } from '../../src/storage/pipeline-repository';
import { LocalStore } from '../../src/storage/store';
import { SyncEngine } from '../../src/sync/engine';

let databases = 0;
const fresh = () => 'bench-apply-' + Date.now() + '-' + databases++;

/** The engine pulls the pages from memory into a fresh store; milliseconds of the round. */
export async function applyPages(pages, deviceId, fold) {
  const name = fresh();
  const store = await LocalStore.open(name, deviceId, fold ? { foldPipeline: refoldPipeline } : {});
  let next = 0;
  const api = {
    push: async () => { throw new Error('nothing to push'); },
    pull: async () => pages[next++],
  };
  const engine = new SyncEngine({ api, store, setTimeout: () => 0, clearTimeout: () => {} });
  const started = performance.now();
  const round = await engine.syncOnce();
  const ms = performance.now() - started;
  if (!round.ok) throw new Error('replay failed: ' + round.error);
  const held = await store.hall.count();
  store.close();
  await Dexie.delete(name);
  return { ms, pulled: round.pulled, held };
}

/** The same rows put bare, a Dexie bulkPut per page in its own transaction; milliseconds. */
export async function bulkPutPages(pages) {
  const name = fresh();
  const db = await openDb(name);
  const rows = pages.map((p) => p.events.map((event) => ({
    hallSeq: event.hallSeq, id: event.id, type: event.type, valid: true, event, ...eventLinks(event),
  })));
  const started = performance.now();
  for (const page of rows) await db.transaction('rw', db.hallEvents, () => db.hallEvents.bulkPut(page));
  const ms = performance.now() - started;
  const held = await db.hallEvents.count();
  db.close();
  await Dexie.delete(name);
  return { ms, held };
}
`;

interface Replay {
  applyPages(
    pages: PullResponse[],
    deviceId: string,
    fold: boolean,
  ): Promise<{ ms: number; pulled: number; held: number }>;
  bulkPutPages(pages: PullResponse[]): Promise<{ ms: number; held: number }>;
}

async function bundle(platform: 'node' | 'browser'): Promise<string> {
  const out = await build({
    stdin: { contents: REPLAY_SOURCE, resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    write: false,
    platform,
    format: platform === 'node' ? 'esm' : 'iife',
    ...(platform === 'browser' ? { globalName: '__hkReplay' } : {}),
    target: 'es2022',
    logLevel: 'error',
  });
  return out.outputFiles[0]!.text;
}

/** What the evaluator pulled from the server, end to end, and the events it now holds. */
async function pullFromServer(baseUrl: string, code: string) {
  const options = {
    baseUrl,
    settings: new DeviceSettings(memoryStore()),
    dbName: `bench-apply-device-${newId()}`,
    triggers: false as const,
  };
  await enrollDevice(code, 'bench', options);
  const device = (await openDevice(options))!;
  const started = performance.now();
  const round = await device.syncNow();
  const seconds = (performance.now() - started) / 1000;
  const rows = await device.store.db.hallEvents.orderBy('hallSeq').toArray();
  device.stop();
  return {
    seconds,
    round,
    events: rows.map((r) => r.event),
    deviceId: device.credentials.deviceId,
  };
}

/** The events as the server's pull pages: PULL_PAGE each, the cursor at the last hallSeq. */
function pagesOf(events: PulledEvent[]): PullResponse[] {
  const pages: PullResponse[] = [];
  for (let i = 0; i < events.length; i += PULL_PAGE) {
    const page = events.slice(i, i + PULL_PAGE);
    pages.push({
      serverTime: new Date().toISOString(),
      events: page,
      cursor: page[page.length - 1]!.hallSeq,
      more: i + PULL_PAGE < events.length,
    });
  }
  return pages;
}

interface Figures {
  evaluator: number[];
  inspection: number[];
  bulkPut: number[];
}

/** RUNS rounds of the three, alternating. */
async function measure(replay: Replay, pages: PullResponse[], deviceId: string): Promise<Figures> {
  const count = pages.reduce((a, p) => a + p.events.length, 0);
  const figures: Figures = { evaluator: [], inspection: [], bulkPut: [] };
  const check = (held: number) => {
    if (held !== count) throw new Error(`${held} events held, ${count} expected`);
  };
  // Warm-up, not counted: the first pages of the same log through all three.
  const warm = pagesOf(pages.flatMap((p) => p.events).slice(0, 2 * PULL_PAGE));
  await replay.applyPages(warm, deviceId, false);
  await replay.applyPages(warm, deviceId, true);
  await replay.bulkPutPages(warm);
  for (let run = 0; run < RUNS; run++) {
    const evaluator = await replay.applyPages(pages, deviceId, false);
    check(evaluator.held);
    figures.evaluator.push(evaluator.ms);
    const inspection = await replay.applyPages(pages, deviceId, true);
    check(inspection.held);
    figures.inspection.push(inspection.ms);
    const bare = await replay.bulkPutPages(pages);
    check(bare.held);
    figures.bulkPut.push(bare.ms);
  }
  return figures;
}

function rows(where: string, count: number, f: Figures): string[][] {
  const rate = (ms: number) => Math.round((count * 1000) / ms);
  const bare = rate(median(f.bulkPut));
  const line = (what: string, samples: number[], target: boolean): string[] => {
    const r = rate(median(samples));
    return [
      `${where}: ${what}`,
      `${(median(samples) / 1000).toFixed(2)} s, ${r.toLocaleString('en')} events/s, ` +
        `${((100 * r) / bare).toFixed(0)} % of bare bulkPut`,
      target ? `≥ ${TARGET.toLocaleString('en')}/s: ${r >= TARGET ? 'met' : 'MISSED'}` : '',
    ];
  };
  return [
    line('evaluator applies the pages', f.evaluator, true),
    line('inspection tablet (also folds problems, walks)', f.inspection, true),
    [
      `${where}: bare Dexie bulkPut of the same rows`,
      `${(median(f.bulkPut) / 1000).toFixed(2)} s, ${bare.toLocaleString('en')} events/s`,
      '(peer)',
    ],
  ];
}

async function main(): Promise<void> {
  const server = await startServerProcess(
    PORT,
    { DEMO_HISTORY_DAYS: String(DAYS) },
    { startTimeoutMs: 600_000 },
  );
  const table: string[][] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hk-bench-apply-'));
  try {
    const pulled = await pullFromServer(server.url, server.enrollmentCode);
    const all = pulled.round.pulled;
    table.push([
      `Node: evaluator pulls the whole hall from the server (loopback, PGlite)`,
      `${all.toLocaleString('en')} events in ${pulled.seconds.toFixed(2)} s, ` +
        `${Math.round(all / pulled.seconds).toLocaleString('en')} events/s`,
      '',
    ]);
    const events = pulled.events.slice(0, EVENTS);
    const count = events.length;
    const kinds = new Map<string, number>();
    for (const e of events) {
      const kind = e.type.split('.')[0]!;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const pages = pagesOf(events);

    const nodeFile = join(dir, 'replay.mjs');
    writeFileSync(nodeFile, await bundle('node'));
    const nodeReplay = (await import(pathToFileURL(nodeFile).href)) as Replay;
    table.push(
      ...rows('Node, fake-indexeddb', count, await measure(nodeReplay, pages, pulled.deviceId)),
    );

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ bypassCSP: true, serviceWorkers: 'block' });
      const page = await context.newPage();
      // Any page of the server's origin: its IndexedDB is the one a device there uses.
      await page.goto(`${server.url}/api/v1/health`);
      await page.addScriptTag({ content: await bundle('browser') });
      await page.evaluate((p) => {
        (window as unknown as { __hkPages: unknown }).__hkPages = p;
      }, pages);
      const inPage: Replay = {
        applyPages: (_pages, deviceId, fold) =>
          page.evaluate(
            ([id, f]) => {
              const w = window as unknown as { __hkReplay: Replay; __hkPages: PullResponse[] };
              return w.__hkReplay.applyPages(w.__hkPages, id, f);
            },
            [deviceId, fold] as const,
          ),
        bulkPutPages: () =>
          page.evaluate(() => {
            const w = window as unknown as { __hkReplay: Replay; __hkPages: PullResponse[] };
            return w.__hkReplay.bulkPutPages(w.__hkPages);
          }),
      };
      table.push(
        ...rows('Chromium IndexedDB', count, await measure(inPage, pages, pulled.deviceId)),
      );
    } finally {
      await browser.close();
    }

    console.log(
      `\nhall-kiosk apply benchmark · ${new Date().toISOString()}\n${machine()}\n` +
        `${count.toLocaleString('en')} events of the demo hall (${DAYS} days) in ${pages.length} ` +
        `pages of ${PULL_PAGE}: ` +
        [...kinds].map(([k, n]) => `${k} ${n.toLocaleString('en')}`).join(', ') +
        `; medians of ${RUNS} runs\n`,
    );
    printTable(['what', 'measured', 'target'], table);
    recordBench('apply', table as BenchRow[]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
