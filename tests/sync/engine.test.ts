import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RatingSubmitted } from '../../src/domain/events';
import { parseHlc } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import { DeviceClock, LocalStore } from '../../src/storage/store';
import { SyncEngine, type SyncEngineOptions } from '../../src/sync/engine';
import { HttpError, NetworkError } from '../../src/sync/errors';
import type { SyncStatus } from '../../src/sync/status';
import { FakeApi, ManualTimers, hallWindowEvents } from './fake-api';

const hallId = newId();
const windowId = newId();
const departmentId = newId();
const payload: RatingSubmitted = {
  windowId,
  departmentId,
  level: 'very_satisfied',
  reasons: [],
  comment: '',
  ticket: null,
  channel: 'hall_tablet',
  phoneId: null,
  dutySessionId: null,
};

const opened: LocalStore[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

async function setup(options: Partial<SyncEngineOptions> = {}, clock?: DeviceClock) {
  const store = await LocalStore.open(`engine-${newId()}`, newId(), clock ? { clock } : {});
  opened.push(store);
  const api = new FakeApi();
  const timers = new ManualTimers();
  const engine = new SyncEngine({
    api,
    store,
    random: () => 0.99,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    ...options,
  });
  const record = async (n = 1) => {
    for (let i = 0; i < n; i++)
      await store.ratings.record({ hallId, deviceId: store.deviceId, payload });
  };
  return { store, api, timers, engine, record };
}

describe('push', () => {
  it('pushes everything pending in batches and acknowledges it', async () => {
    const { store, api, engine, record } = await setup({
      limits: { maxEvents: 10, maxBytes: 512 * 1024, overheadBytes: 1024 },
    });
    await record(25);
    const result = await engine.syncOnce();
    expect(result).toMatchObject({ ok: true, error: null, pushed: 25 });
    expect(api.pushes.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(api.pushes.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(api.stored.size).toBe(25);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
    expect(engine.status.get()).toMatchObject({ pending: 0, syncing: false, lastError: null });
    expect(engine.status.get().lastSuccessAt).not.toBeNull();
  });

  it('resends after a lost answer without storing anything twice', async () => {
    const { store, api, engine, record } = await setup();
    await record(5);
    api.loseNextAnswer();
    const first = await engine.syncOnce();
    expect(first).toMatchObject({ ok: false, error: 'offline' });
    expect(api.stored.size).toBe(5); // the server did store them
    expect((await store.counts()).pending).toBe(5); // but we could not know

    const second = await engine.syncOnce();
    expect(second.ok).toBe(true);
    expect(api.stored.size).toBe(5);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
  });

  it('keeps a refused event with its reason and carries on with later ones', async () => {
    const { store, api, engine, record } = await setup();
    await record(4);
    api.refuse.set(2, 'wrong_window');
    const result = await engine.syncOnce();
    expect(result.ok).toBe(true);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 1 });
    expect(engine.status.get().rejected).toBe(1);
    const [refused] = await store.log.rejected();
    expect(refused).toMatchObject({ deviceSeq: 2, reason: 'wrong_window' });
    expect([...api.stored.values()].map((e) => e.deviceSeq)).toEqual([1, 3, 4]);
  });

  it('answers a gap by resending from what the server has', async () => {
    const { store, api, engine, record } = await setup();
    await record(5);
    await engine.syncOnce();
    // The server was restored from a backup taken after event 2.
    api.lastSeq = 2;
    await record(1);
    const result = await engine.syncOnce();
    expect(result.ok).toBe(true);
    expect(api.pushes.at(-1)).toEqual([3, 4, 5, 6]);
    expect(api.lastSeq).toBe(6);
    expect((await store.counts()).pending).toBe(0);
  });

  it('reports a gap it cannot fill instead of looping', async () => {
    const { store, api, engine, record } = await setup();
    await record(3);
    await engine.syncOnce();
    api.lastSeq = 0;
    await store.db.log.delete(1); // this device no longer holds event 1
    await record(1);
    const result = await engine.syncOnce();
    expect(result).toMatchObject({ ok: false, error: 'gap' });
    expect(engine.status.get().lastError).toBe('gap');
    expect(api.pushes.length).toBe(2);
    expect((await store.counts()).pending).toBe(1);
  });

  it('stops when the server settles nothing it was sent', async () => {
    const { api, engine, record } = await setup();
    await record(2);
    api.push = async () => ({ serverTime: new Date().toISOString(), lastSeq: 0, results: [] });
    expect(await engine.syncOnce()).toMatchObject({ ok: false, error: 'bad_response' });
  });
});

describe('one round at a time', () => {
  it('serialises overlapping calls and runs exactly one more round after the current one', async () => {
    const { api, engine, record } = await setup();
    await record(3);
    let inFlight = 0;
    let maxInFlight = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let pushing!: () => void;
    const pushStarted = new Promise<void>((resolve) => (pushing = resolve));
    api.duringPush = async () => {
      pushing();
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await gate;
      inFlight--;
    };
    let rounds = 0;
    let wasSyncing = false;
    engine.status.subscribe((s) => {
      if (s.syncing && !wasSyncing) rounds++;
      wasSyncing = s.syncing;
    });
    const first = engine.syncOnce();
    await pushStarted; // the first round's batch is on its way
    await record(2);
    const second = engine.syncOnce();
    const third = engine.syncOnce();
    expect(third).toBe(second);
    release();
    const results = await Promise.all([first, second, third]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(maxInFlight).toBe(1);
    expect(rounds).toBe(2);
    expect(api.pushes).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });
});

describe('backoff', () => {
  it('retries with growing full-jitter delays, then recovers', async () => {
    const { api, timers, engine, record } = await setup();
    await record(2);
    api.fail(
      new NetworkError('down'),
      new NetworkError('down'),
      new HttpError(503, { error: 'server_unavailable', message: '' }),
    );
    await engine.syncOnce();
    expect(engine.status.get().lastError).toBe('offline');
    expect(engine.retryDelayMs).toBe(990); // 0.99 · 1 s

    timers.fireAll();
    await engine.whenIdle();
    expect(engine.retryDelayMs).toBe(1980);

    timers.fireAll();
    await engine.whenIdle();
    expect(engine.status.get().lastError).toBe('server_unavailable');
    expect(engine.retryDelayMs).toBe(3960);
    expect(engine.failures).toBe(3);

    timers.fireAll();
    await engine.whenIdle();
    expect(engine.status.get().lastError).toBeNull();
    expect(engine.failures).toBe(0);
    expect(engine.retryDelayMs).toBeNull();
    expect(timers.pending.size).toBe(0);
    expect(api.stored.size).toBe(2);
  });

  it('honours Retry-After', async () => {
    const { api, engine, record } = await setup();
    await record(1);
    api.fail(new HttpError(503, { error: 'server_unavailable', message: '' }, 45_000));
    await engine.syncOnce();
    expect(engine.retryDelayMs).toBe(45_000);
  });

  it('does not let ordinary requests jump the backoff, but a forced one does', async () => {
    const { api, timers, engine, record } = await setup();
    await record(1);
    api.fail(new NetworkError('down'));
    await engine.syncOnce();
    const scheduled = timers.pending.size;
    engine.requestSync(0);
    expect(timers.pending.size).toBe(scheduled);
    expect(engine.retryDelayMs).toBe(990);
    engine.requestSync(0, { force: true }); // e.g. the network came back
    expect(engine.retryDelayMs).toBeNull();
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([0]);
  });

  it('does not knock while the browser says it is offline, but keeps a retry scheduled', async () => {
    const { api, engine, record } = await setup();
    await record(1);
    engine.status.update({ online: false });
    expect(await engine.syncOnce()).toMatchObject({ ok: false, error: 'offline' });
    expect(api.pushes).toEqual([]);
    expect(engine.retryDelayMs).not.toBeNull();
    engine.status.update({ online: true });
    expect((await engine.syncOnce()).ok).toBe(true);
    expect(api.stored.size).toBe(1);
  });

  it('does not retry by itself when the device was revoked, and keeps its records', async () => {
    const { store, api, engine, record } = await setup();
    await record(3);
    api.fail(new HttpError(403, { error: 'revoked', message: 'revoked' }));
    const result = await engine.syncOnce();
    expect(result.error).toBe('revoked');
    expect(engine.status.get().lastError).toBe('revoked');
    expect(engine.retryDelayMs).toBeNull();
    expect(await store.log.all()).toHaveLength(3);
    expect(engine.status.get().pending).toBe(3);
  });

  it('keeps a request made while a round runs, for a round after it', async () => {
    const { api, timers, engine, record } = await setup();
    api.duringPush = async () => {
      api.duringPush = null;
      engine.requestSync(1000); // e.g. a rating recorded while the push is on its way
    };
    await record(1);
    expect((await engine.syncOnce()).ok).toBe(true);
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([1000]);
  });

  it('coalesces requests into one timer at the earliest time asked', async () => {
    const { timers, engine } = await setup();
    engine.requestSync(1000);
    engine.requestSync(1000);
    engine.requestSync(5000);
    expect(timers.pending.size).toBe(1);
    engine.requestSync(0);
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([0]);
  });

  it('syncs a stream of writes once it pauses, and at the latest every maxWait', async () => {
    let t = 0;
    const { timers, engine, api, record } = await setup({ now: () => t });
    /** When the one pending round is due (device ms). */
    const due = () => {
      expect(timers.pending.size).toBe(1);
      return t + [...timers.pending.values()][0]!.ms;
    };
    const write = (at: number) => {
      t = at;
      engine.requestSync(1000, { maxWaitMs: 10_000 });
    };
    write(0);
    expect(due()).toBe(1000);
    write(600);
    expect(due()).toBe(1600); // each write moves the round on …
    for (let at = 1200; at <= 9600; at += 600) write(at);
    expect(due()).toBe(10_000); // … but never past maxWait after the first
    write(9900);
    expect(due()).toBe(10_000);

    // The round takes the writes so far; the next write waits for its own round.
    await record(2);
    t = 10_000;
    timers.fireAll();
    await engine.whenIdle();
    expect(api.pushes.flat()).toEqual([1, 2]);
    write(10_500);
    expect(due()).toBe(11_500);
  });

  it('keeps a round asked for otherwise, which writes do not move later', async () => {
    let t = 0;
    const { timers, engine } = await setup({ now: () => t });
    engine.requestSync(500); // e.g. the network came back
    engine.requestSync(1000, { maxWaitMs: 10_000 });
    expect(timers.delays).toEqual([500]);

    // A request answered by the writes' round, due sooner, pins it: a later write leaves it be.
    const other = await setup({ now: () => t });
    other.engine.requestSync(1000, { maxWaitMs: 10_000 });
    other.engine.requestSync(2000);
    t = 900;
    other.engine.requestSync(1000, { maxWaitMs: 10_000 });
    expect(other.timers.delays).toEqual([1000]);
    expect(other.timers.pending.size).toBe(1);
  });
});

describe('clock offset', () => {
  it('learns the server offset, keeps it, and stamps new hlcs with it', async () => {
    const t0 = Date.UTC(2026, 4, 1, 9, 0, 0);
    let t = t0;
    const clock = new DeviceClock(() => t);
    const { store, api, engine, record } = await setup({ now: () => t }, clock);
    api.serverTime = () => new Date(t + 90_000).toISOString();
    await record(1);
    await engine.syncOnce();
    expect(engine.status.get().clockOffsetMs).toBe(90_000);
    expect(await store.db.getMeta('clockOffsetMs')).toBe(90_000);
    t += 1000;
    const event = await store.ratings.record({ hallId, deviceId: store.deviceId, payload });
    expect(parseHlc(event.hlc)!.millis).toBe(t + 90_000);
    expect(Date.parse(event.at)).toBe(t);
  });
});

describe('pull', () => {
  const hallEvents = (n: number) => hallWindowEvents(hallId, departmentId, n);

  it('pulls page after page until the server has no more, committing before notifying', async () => {
    const seen: { windows: number; cursor: number }[] = [];
    const holder: { store?: LocalStore } = {};
    const ctx = await setup({
      pullLimit: 5,
      onReference: (ref) => {
        // Called after the page committed: the stored cursor already covers what we are told.
        void holder
          .store!.cursor()
          .then((cursor) => seen.push({ windows: Object.keys(ref.windows).length, cursor }));
      },
    });
    const store = ctx.store;
    holder.store = store;
    ctx.api.hall.push(...hallEvents(23));
    const result = await ctx.engine.syncOnce();
    expect(result).toMatchObject({ ok: true, pulled: 23 });
    expect(ctx.api.pulls).toEqual([0, 5, 10, 15, 20]);
    expect(await store.cursor()).toBe(23);
    expect(Object.keys((await store.reference()).windows)).toHaveLength(23);
    await new Promise((r) => setImmediate(r));
    expect(seen.map((s) => s.windows)).toEqual([5, 10, 15, 20, 23]);
    expect(seen.every((s) => s.cursor >= s.windows)).toBe(true);

    // The next round asks only for what is new.
    await ctx.engine.syncOnce();
    expect(ctx.api.pulls.at(-1)).toBe(23);
  });

  it('keeps the pages already applied when a later page fails', async () => {
    const { store, api, engine } = await setup({ pullLimit: 10 });
    api.hall.push(...hallEvents(25));
    const realPull = api.pull.bind(api);
    let calls = 0;
    api.pull = async (after, limit) => {
      if (++calls === 2) throw new NetworkError('dropped');
      return realPull(after, limit);
    };
    expect((await engine.syncOnce()).error).toBe('offline');
    expect(await store.cursor()).toBe(10);
    expect((await engine.syncOnce()).ok).toBe(true);
    expect(await store.cursor()).toBe(25);
  });

  it('refuses a server whose cursor does not advance', async () => {
    const { api, engine } = await setup();
    api.pull = async (after) => ({
      serverTime: new Date().toISOString(),
      events: [],
      cursor: after,
      more: true,
    });
    expect((await engine.syncOnce()).error).toBe('bad_response');
  });
});

describe('status', () => {
  it('tells listeners the current value, then each change', async () => {
    const { engine, record } = await setup();
    await record(2);
    const seen: SyncStatus[] = [];
    const unsubscribe = engine.status.subscribe((s) => seen.push(s));
    expect(seen).toHaveLength(1);
    await engine.refreshCounts();
    expect(seen.at(-1)!.pending).toBe(2);
    await engine.syncOnce();
    expect(seen.some((s) => s.syncing)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ syncing: false, pending: 0 });
    unsubscribe();
    const count = seen.length;
    await record(1);
    await engine.refreshCounts();
    expect(seen).toHaveLength(count);
  });
});
