/**
 * The real server process (`src/server/main.ts` on its embedded database) is killed outright
 * (SIGKILL) while an evaluator with a backlog is pushing it in batches, and started again on the
 * same data folder. The device, the real device code on fake-indexeddb, drains its backlog after
 * each restart; the server must then hold every rating exactly once, with gapless device sequences.
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
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { ManualTimers } from './fake-api';
import { ratingFor } from './helpers';

const PORT = 8191;
const KILLS = 3;
const PER_ROUND = 60;
const BATCH = 10;

const figures = { 'server kills': 0, 'events checked': 0, lost: 0, duplicated: 0 };
afterAll(() => recordFigures('server-kills', figures));

describe('server process killed mid-push', () => {
  it('converges after every restart with each rating on the server exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hall-kiosk-kill-'));
    let server: ServerProcess = await startServerProcess(
      PORT,
      { LOG_LEVEL: 'silent', BUILD_CLIENT: 'never' },
      { dataDir },
    );
    // Kill the server as the push numbered `killAt` leaves the device: in flight, not between.
    let pushes = 0;
    let killAt = Infinity;
    let killing: Promise<void> | null;
    const fetchThroughKills: typeof fetch = (input, init) => {
      const answer = fetch(input, init);
      if (String(input).includes('/push') && ++pushes === killAt) {
        killing = server.kill();
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
    // The hall's reference data (its windows) arrives with the first pull.
    expect((await device.syncNow()).ok).toBe(true);
    const window = device.reference.windows[device.credentials.windowId!]!;
    const taken: string[] = [];
    try {
      for (let round = 0; round < KILLS; round++) {
        for (let i = 0; i < PER_ROUND; i++) {
          clock += 6_000;
          taken.push((await device.recordRating(ratingFor(window))).id);
        }
        // Two batches go through, the third is in flight when the process dies.
        killAt = pushes + 3;
        killing = null;
        const failed = await device.syncNow();
        expect(killing).not.toBeNull();
        await killing;
        expect(failed.ok).toBe(false);
        server = await startServerProcess(
          PORT,
          { LOG_LEVEL: 'silent', BUILD_CLIENT: 'never' },
          { dataDir, fresh: false },
        );
        // Drain: rounds until a round pushes nothing more.
        for (let attempt = 0; attempt < 10; attempt++) {
          const round = await device.syncNow();
          expect(round.ok).toBe(true);
          if (round.pushed === 0) break;
        }
      }
    } finally {
      device.stop();
      await server.stop();
    }

    const db = await openPglite(join(dataDir, 'db'));
    try {
      const rows = await db.query<{ id: string; seq: string | number }>(
        'SELECT e.id, e.device_seq AS seq FROM events e JOIN ratings r ON r.event_id = e.id WHERE e.device_id = $1',
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
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
