/**
 * The real server process (`src/server/main.ts` on its embedded database) is killed outright
 * (SIGKILL) while an evaluator with a backlog is pushing it in batches, and started again on the
 * same data folder. The device — the real device code on fake-indexeddb — drains its backlog
 * after each restart; the server must then hold every rating exactly once, with gapless device
 * sequences.
 *
 * Every wait here is bounded and fails with what it waited for: the server's start, its death
 * (the whole process group and the port, so the restart never finds the old server still holding
 * the data folder's lock), and each sync round.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enrollDevice, openDevice, type DeviceOptions } from '../../src/app/device';
import { newId } from '../../src/domain/ids';
import { openPglite } from '../../src/server/db/pglite';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import { MAX_PUSH_BYTES } from '../../src/sync/protocol';
import { recordFigures } from '../support/reliability';
import { startServerProcess, within, type ServerProcess } from '../support/server-process';
import { ManualTimers } from './fake-api';
import { DELIVERED_RATINGS, ratingFor } from './helpers';

const PORT = 8191;
const KILLS = 3;
const PER_ROUND = 60;
const BATCH = 10;
const ENV = { LOG_LEVEL: 'silent', BUILD_CLIENT: 'never' };
const START_MS = 90_000;
const ROUND_MS = 30_000;

/** mulberry32, so the moment of each kill within its push is the same for the same seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const figures = { 'server kills': 0, 'events checked': 0, lost: 0, duplicated: 0 };
/** Data folders to remove however the test ends. */
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  recordFigures('server-kills', figures);
});

describe('server process killed mid-push', () => {
  it('converges after every restart with each rating on the server exactly once', async () => {
    const random = seeded(Number(process.env.KILL_SEED ?? 6));
    const dataDir = mkdtempSync(join(tmpdir(), 'hall-kiosk-kill-'));
    dataDirs.push(dataDir);
    let server: ServerProcess = await startServerProcess(PORT, ENV, {
      dataDir,
      startTimeoutMs: START_MS,
    });
    // Kill the server while the push numbered `killAt` is in flight: a few milliseconds after it
    // leaves the device, so it dies before, during or after storing the batch, never between.
    let pushes = 0;
    let killAt = Infinity;
    let killing: Promise<void> | null;
    const fetchThroughKills: typeof fetch = (input, init) => {
      const answer = fetch(input, init);
      if (String(input).includes('/push') && ++pushes === killAt) {
        const victim = server;
        killing = new Promise((r) => setTimeout(r, random() * 15)).then(() => victim.kill());
        figures['server kills']++;
      }
      return answer;
    };
    let clock = Date.parse('2026-11-20T01:00:00Z');
    const timers = new ManualTimers();
    const options: DeviceOptions = {
      baseUrl: server.url,
      settings: new DeviceSettings(memoryStore()),
      dbName: `device-${newId()}`,
      triggers: false,
      random: () => 0.99,
      now: () => clock,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
      fetch: fetchThroughKills,
      limits: { maxEvents: BATCH, maxBytes: MAX_PUSH_BYTES, overheadBytes: 1024 },
    };
    await enrollDevice(server.enrollmentCode, 'evaluator', options);
    const device = await openDevice(options);
    if (!device) throw new Error('enrolled device did not open');
    const sync = (what: string) => within(ROUND_MS, what, device.syncNow());
    const taken: string[] = [];
    try {
      // The hall's reference data (its windows) arrives with the first pull.
      expect((await sync('the first sync')).ok).toBe(true);
      const window = device.reference.windows[device.credentials.windowId!]!;
      for (let round = 0; round < KILLS; round++) {
        for (let i = 0; i < PER_ROUND; i++) {
          clock += 6_000;
          taken.push((await device.recordRating(ratingFor(window))).id);
        }
        // Two batches go through, the third is in flight when the process dies.
        killAt = pushes + 3;
        killing = null;
        const failed = await sync(`the round of kill ${round + 1}`);
        expect(killing).not.toBeNull();
        await killing;
        expect(server.running()).toBe(false);
        expect(failed.ok).toBe(false);
        server = await startServerProcess(PORT, ENV, {
          dataDir,
          fresh: false,
          startTimeoutMs: START_MS,
        });
        // Drain: rounds until a round pushes nothing more.
        let drained = false;
        for (let attempt = 0; attempt < 10 && !drained; attempt++) {
          const result = await sync(`drain ${attempt + 1} after kill ${round + 1}`);
          expect(result.ok).toBe(true);
          drained = result.pushed === 0;
        }
        expect(drained).toBe(true);
      }
    } finally {
      device.stop();
      // Stopped whether it runs or was killed: a stop never waits on an exit that already came.
      await server.stop();
    }

    const db = await openPglite(join(dataDir, 'db'));
    try {
      const rows = await db.query<{ id: string; seq: string | number }>(
        `SELECT e.id, e.device_seq AS seq FROM events e
         JOIN ${DELIVERED_RATINGS} ON delivered.event_id = e.id WHERE e.device_id = $1`,
        [device.credentials.deviceId],
      );
      const onServer = rows.map((r) => r.id);
      const unique = new Set(onServer);
      figures['events checked'] = onServer.length;
      figures.lost = taken.filter((id) => !unique.has(id)).length;
      figures.duplicated = onServer.length - unique.size;
      expect(figures.lost).toBe(0);
      expect(figures.duplicated).toBe(0);
      expect(onServer.length).toBe(taken.length);
      const seqs = new Set(rows.map((r) => Number(r.seq)));
      expect(seqs.size).toBe(taken.length);
      expect(figures['server kills']).toBe(KILLS);
    } finally {
      await db.close();
    }
  }, 360_000);
});
