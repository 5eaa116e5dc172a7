/**
 * A Chromium that keeps its profile on disk, as a hall tablet's browser does, and can be killed
 * outright (SIGKILL, a pulled plug) and started again on the same profile. Playwright's own
 * contexts keep IndexedDB in memory only, so the browser is started here with a user-data folder
 * and attached to over the DevTools protocol. Also: what a device's IndexedDB holds, read in one
 * transaction, and the hall's events as the server orders them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, request, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { PulledEvent, PullResponse } from '../../../src/sync/protocol';

const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The flags of playwright.config.ts, plus what a fresh profile would otherwise do on start. */
const FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--headless=new',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-features=Translate,MediaRouter',
  '--password-store=basic',
  '--use-mock-keychain',
];

export interface PersistentBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** SIGKILL to the browser's whole process group; resolves once the browser process is gone. */
  kill(): Promise<void>;
  /** A normal close (the profile stays). */
  close(): Promise<void>;
}

/** A folder for a profile that outlives the browser processes started on it. */
export function newProfile(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hall-kiosk-profile-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Start Chromium on `profile` and attach to it. The DevTools port is chosen by the browser
 * (`--remote-debugging-port=0`) and read from the profile's DevToolsActivePort file, so nothing
 * races for a fixed port.
 */
export async function launchPersistent(profile: string): Promise<PersistentBrowser> {
  // A previous browser killed on this profile left its port file behind: it must not be read.
  rmSync(join(profile, 'DevToolsActivePort'), { force: true });
  const child: ChildProcess = spawn(
    EXECUTABLE,
    [...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    // Its own process group, so a kill reaches the renderers and the GPU process too.
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  // Drained, so a chatty browser never blocks on a full pipe.
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let port: string;
  try {
    port = await waitFor(
      'the browser to open its DevTools port',
      () => {
        if (child.exitCode !== null) throw new Error(`browser exited:\n${log}`);
        try {
          return (
            readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n')[0] || undefined
          );
        } catch {
          return undefined;
        }
      },
      30_000,
    );
  } catch (e) {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    throw e;
  }
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`, { timeout: 30_000 });
  const context = browser.contexts()[0]!;
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    browser,
    context,
    page,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await exited;
      await browser.close().catch(() => undefined);
    },
    async close() {
      await browser.close().catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null)
        process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

/** A device's own log and rating records as one IndexedDB transaction saw them. */
export interface DeviceSnapshot {
  deviceId: string | null;
  /**
   * Own rating events, in device order: id and sync status (its standing: an entry stored as
   * pending up to the `ackedThrough` mark counts as acknowledged, as the app reads it).
   */
  logRatings: { id: string; deviceSeq: number; status: string }[];
  /** The rating records beside them: id and sync status (their standing, likewise). */
  records: { id: string; deviceSeq: number; status: string }[];
  /** Own events of any type not yet acknowledged by the server. */
  pending: number;
  /** Device sequence numbers of the whole own log, in order. */
  seqs: number[];
  /** The hybrid-clock stamp each own rating event carries, by id. */
  hlcs: Record<string, string>;
}

/** Read the device database of the page's origin in one read-only transaction. */
export async function deviceSnapshot(page: Page): Promise<DeviceSnapshot> {
  return page.evaluate(
    () =>
      new Promise<DeviceSnapshot>((resolve, reject) => {
        const open = indexedDB.open('hall-kiosk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['log', 'ratings', 'meta'], 'readonly');
          const log = tx.objectStore('log').getAll();
          const ratings = tx.objectStore('ratings').getAll();
          const meta = tx.objectStore('meta').get('deviceId');
          const mark = tx.objectStore('meta').get('ackedThrough');
          tx.oncomplete = () => {
            const through = (mark.result as { value?: number } | undefined)?.value ?? 0;
            const standing = (r: { deviceSeq: number; status: string }) =>
              r.status === 'pending' && r.deviceSeq <= through ? 'acked' : r.status;
            const rows = log.result as {
              id: string;
              deviceSeq: number;
              type: string;
              status: string;
              event: { hlc: string };
            }[];
            const recs = ratings.result as { id: string; deviceSeq: number; status: string }[];
            db.close();
            resolve({
              deviceId: (meta.result as { value?: string } | undefined)?.value ?? null,
              logRatings: rows
                .filter((r) => r.type === 'rating.submitted')
                .map((r) => ({ id: r.id, deviceSeq: r.deviceSeq, status: standing(r) })),
              records: recs
                .map((r) => ({ id: r.id, deviceSeq: r.deviceSeq, status: standing(r) }))
                .sort((a, b) => a.deviceSeq - b.deviceSeq),
              pending: rows.filter((r) => standing(r) === 'pending').length,
              seqs: rows.map((r) => r.deviceSeq),
              hlcs: Object.fromEntries(
                rows.filter((r) => r.type === 'rating.submitted').map((r) => [r.id, r.event.hlc]),
              ),
            });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/**
 * Every event of the hall in the server's order, pulled as a device of the hall (`token`): what
 * the server stored, counted ratings and repeated presses alike.
 */
export async function hallEvents(baseURL: string, token: string): Promise<PulledEvent[]> {
  const api = await request.newContext({ baseURL });
  try {
    const events: PulledEvent[] = [];
    let after = 0;
    for (;;) {
      const res = await api.get(`/api/v1/sync/pull?after=${after}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok()) throw new Error(`pull: ${res.status()} ${await res.text()}`);
      const page = (await res.json()) as PullResponse;
      events.push(...page.events);
      after = page.cursor;
      if (!page.more) return events;
    }
  } finally {
    await api.dispose();
  }
}
