/**
 * Draining a backlog: a batch's answers are recorded while the next batch travels, and the next
 * pulled page is fetched while the previous one commits. These tests hold a recording (or a
 * page's commit) until the next request has gone out, and fail recordings and requests in the
 * middle, to prove the order of pushes, that nothing is recorded as acknowledged unless the server
 * took it, and that every event reaches the server exactly once.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { RatingSubmitted } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { LocalStore } from '../../src/storage/store';
import { SyncEngine, type SyncStore } from '../../src/sync/engine';
import { HttpError } from '../../src/sync/errors';
import type { Settlement } from '../../src/sync/outcomes';
import type { PulledEvent } from '../../src/sync/protocol';
import type { OutboxEntry, PushResult } from '../../src/sync/transport';
import { FakeApi, ManualTimers, hallWindowEvents } from './fake-api';

const hallId = newId();
const departmentId = newId();
const payload: RatingSubmitted = {
  windowId: newId(),
  departmentId,
  level: 'satisfied',
  reasons: [],
  comment: '',
  ticket: null,
  channel: 'hall_tablet',
  phoneId: null,
  dutySessionId: null,
};
const BATCH = 10;
const limits = { maxEvents: BATCH, maxBytes: 512 * 1024, overheadBytes: 1024 };

const opened: LocalStore[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

/** Resolves when `signal` is given, or after a second at the latest (a broken pipeline then fails). */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
    setTimeout(resolve, 1000);
  });
  return { open, opened };
}

/** The seqs of a batch as a label: "11-20". */
const span = (seqs: readonly number[]) => `${seqs[0]}-${seqs[seqs.length - 1]}`;

/**
 * A server that logs when each push starts and ends (or fails), counts how often it stored each
 * event, and can be told to fail a push.
 */
class LoggingApi extends FakeApi {
  readonly log: string[] = [];
  readonly storedTimes = new Map<string, number>();
  /** Called as push number n (from 1) starts; may throw to fail it. */
  beforePush: ((n: number) => void) | null = null;
  readonly pushStarted = new Map<number, () => void>();
  readonly pushAnswered = new Map<number, () => void>();
  #inFlight = 0;
  maxInFlight = 0;

  override async push(batch: readonly OutboxEntry[]): Promise<PushResult> {
    const n = this.pushes.length + 1;
    this.log.push(`push ${span(batch.map((e) => e.deviceSeq))} start`);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.#inFlight);
    this.pushStarted.get(n)?.();
    try {
      // Let whatever runs beside this push (the recording before it) get going.
      await new Promise((r) => setImmediate(r));
      if (this.beforePush) {
        try {
          this.beforePush(n);
        } catch (error) {
          this.pushes.push(batch.map((e) => e.deviceSeq));
          throw error;
        }
      }
      const answer = await super.push(batch);
      for (const r of answer.results)
        if (r.status === 'stored')
          this.storedTimes.set(r.id, (this.storedTimes.get(r.id) ?? 0) + 1);
      this.log.push(`push ${span(batch.map((e) => e.deviceSeq))} answered`);
      return answer;
    } catch (error) {
      this.log.push(`push ${span(batch.map((e) => e.deviceSeq))} failed`);
      throw error;
    } finally {
      this.#inFlight--;
      this.pushAnswered.get(n)?.();
    }
  }
}

/** The real store, with a hook around recording answers and committing pulled pages. */
function hookedStore(
  store: LocalStore,
  hooks: {
    settle?: (settlement: Settlement, record: () => Promise<void>) => Promise<void>;
    applyPage?: (events: PulledEvent[], commit: () => Promise<unknown>) => Promise<unknown>;
  },
): SyncStore {
  return {
    pending: (limit) => store.pending(limit),
    after: (seq, limit) => store.after(seq, limit),
    has: (seq) => store.has(seq),
    counts: () => store.counts(),
    cursor: () => store.cursor(),
    setClockOffset: (offset) => store.setClockOffset(offset),
    settle: (settlement, at) =>
      hooks.settle
        ? hooks.settle(settlement, () => store.settle(settlement, at))
        : store.settle(settlement, at),
    applyPage: async (events, cursor) => {
      if (!hooks.applyPage) return store.applyPage(events, cursor);
      await hooks.applyPage(events, () => store.applyPage(events, cursor));
      return store.reference();
    },
  };
}

async function setup(name = `drain-${newId()}`, deviceId = newId()) {
  const store = await LocalStore.open(name, deviceId);
  opened.push(store);
  const api = new LoggingApi();
  const timers = new ManualTimers();
  const record = async (n: number) => {
    for (let i = 0; i < n; i++)
      await store.ratings.record({ hallId, deviceId: store.deviceId, payload });
  };
  const engine = (syncStore: SyncStore = store) =>
    new SyncEngine({
      api,
      store: syncStore,
      limits,
      random: () => 0.5,
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
    });
  return { name, deviceId, store, api, timers, record, engine };
}

/** Every event the store holds as acknowledged, the server stored; and none more than once. */
async function expectHonest(store: LocalStore, api: LoggingApi): Promise<void> {
  const entries = await store.log.all();
  const acked = entries.filter((e) => e.status === 'acked').map((e) => e.id);
  for (const id of acked) expect(api.stored.has(id)).toBe(true);
  expect([...api.storedTimes.values()].every((times) => times === 1)).toBe(true);
}

describe('pushing a backlog', () => {
  it('pushes the next batch while the answers of one are recorded, one push at a time, in order', async () => {
    const { store, api, record, engine } = await setup();
    await record(35);
    const log = api.log;
    const seen: string[] = [];
    const syncStore = hookedStore(store, {
      async settle(settlement, commit) {
        const label = span(settlement.acked);
        seen.push(label);
        log.push(`record ${label} start`);
        // Hold this recording until the next push has gone out (the last batch has none).
        const next = gate();
        api.pushStarted.set(seen.length + 1, next.open);
        if (settlement.acked.at(-1)! < 35) await next.opened;
        await commit();
        log.push(`record ${label} end`);
      },
    });
    const sync = engine(syncStore);
    const result = await sync.syncOnce();

    expect(result).toMatchObject({ ok: true, pushed: 35 });
    expect(api.pushes.map(span)).toEqual(['1-10', '11-20', '21-30', '31-35']);
    expect(api.maxInFlight).toBe(1);
    const at = (line: string) => log.indexOf(line);
    const batches = ['1-10', '11-20', '21-30', '31-35'];
    batches.forEach((b, k) => {
      // A batch is recorded only after its answer, and recordings commit in order.
      expect(at(`record ${b} start`)).toBeGreaterThan(at(`push ${b} answered`));
      if (k > 0)
        expect(at(`record ${b} start`)).toBeGreaterThan(at(`record ${batches[k - 1]} end`));
      // The next push went out while this batch was being recorded.
      if (k < batches.length - 1) {
        expect(at(`push ${batches[k + 1]} start`)).toBeGreaterThan(at(`record ${b} start`));
        expect(at(`push ${batches[k + 1]} start`)).toBeLessThan(at(`record ${b} end`));
      }
    });
    // The round ended only once the last recording had committed.
    expect(log.at(-1)).toBe('record 31-35 end');
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
    expect(sync.status.get().pending).toBe(0);
    expect(api.stored.size).toBe(35);
    await expectHonest(store, api);
  });

  it('keeps a refused event with its reason and goes on with the batches after it', async () => {
    const { store, api, record, engine } = await setup();
    await record(25);
    api.refuse.set(12, 'wrong_window');
    const result = await engine().syncOnce();
    expect(result).toMatchObject({ ok: true, pushed: 25 });
    expect(api.pushes.map(span)).toEqual(['1-10', '11-20', '21-25']);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 1 });
    const [refused] = await store.log.rejected();
    expect(refused).toMatchObject({ deviceSeq: 12, status: 'rejected', reason: 'wrong_window' });
    await expectHonest(store, api);
  });

  it('records nothing the server did not take when recording fails with the next push out, and the next round pushes it again as duplicates', async () => {
    const { store, api, record, engine, timers } = await setup();
    await record(30);
    let failed = false;
    const syncStore = hookedStore(store, {
      async settle(settlement, commit) {
        if (settlement.acked[0] === 11 && !failed) {
          // The storage fills up while batch 21-30 is being pushed: wait for its answer, then fail.
          const answered = gate();
          api.pushAnswered.set(3, answered.open);
          await answered.opened;
          failed = true;
          throw new DOMException('the disk is full', 'QuotaExceededError');
        }
        await commit();
      },
    });
    const sync = engine(syncStore);
    const first = await sync.syncOnce();
    expect(first).toMatchObject({ ok: false, error: 'storage_full' });
    expect(api.log).toContain('push 21-30 answered');
    expect(api.stored.size).toBe(30); // the server took all three batches
    expect(await store.counts()).toEqual({ pending: 20, rejected: 0 });
    expect(sync.status.get()).toMatchObject({ pending: 20, lastError: 'storage_full' });
    await expectHonest(store, api);
    expect(timers.pending.size).toBe(0); // a full disk is not retried by itself

    const second = await sync.syncOnce();
    expect(second).toMatchObject({ ok: true, pushed: 20 });
    expect(api.pushes.slice(3).map(span)).toEqual(['11-20', '21-30']);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
    expect(api.stored.size).toBe(30);
    await expectHonest(store, api);
  });

  it('a device that dies after pushing a batch and before recording the one before it pushes both again after a restart, each event stored once', async () => {
    const { name, deviceId, store, api, record, engine } = await setup();
    await record(30);
    const syncStore = hookedStore(store, {
      async settle(settlement, commit) {
        if (settlement.acked[0] !== 11) return commit();
        const answered = gate();
        api.pushAnswered.set(3, answered.open);
        await answered.opened;
        // The tab is killed here: this recording never commits.
        throw new Error('the tab was killed');
      },
    });
    expect((await engine(syncStore).syncOnce()).ok).toBe(false);
    store.close();

    const reopened = await LocalStore.open(name, deviceId);
    opened.push(reopened);
    expect(await reopened.counts()).toEqual({ pending: 20, rejected: 0 });
    const restarted = new SyncEngine({ api, store: reopened, limits });
    expect(await restarted.syncOnce()).toMatchObject({ ok: true, pushed: 20 });
    expect(await reopened.counts()).toEqual({ pending: 0, rejected: 0 });
    expect(api.pushes.map(span)).toEqual(['1-10', '11-20', '21-30', '11-20', '21-30']);
    expect(api.stored.size).toBe(30);
    await expectHonest(reopened, api);
  });

  it('a push that fails while the batch before it is recorded ends the round only after that recording, with the retry the server asked for', async () => {
    const { store, api, record, engine, timers } = await setup();
    await record(30);
    api.beforePush = (n) => {
      if (n === 2) throw new HttpError(503, { error: 'unavailable', message: 'busy' }, 7_000);
    };
    const syncStore = hookedStore(store, {
      async settle(settlement, commit) {
        api.log.push(`record ${span(settlement.acked)} start`);
        if (settlement.acked[0] === 1) {
          // Still recording when the next push fails.
          const failed = gate();
          api.pushAnswered.set(2, failed.open);
          await failed.opened;
        }
        await commit();
        api.log.push(`record ${span(settlement.acked)} end`);
      },
    });
    const sync = engine(syncStore);
    const result = await sync.syncOnce();
    expect(result).toMatchObject({ ok: false, error: 'server_unavailable' });
    expect(api.log.indexOf('push 11-20 failed')).toBeLessThan(api.log.indexOf('record 1-10 end'));
    // The first batch's answers are committed, and the status counts them.
    expect(await store.counts()).toEqual({ pending: 20, rejected: 0 });
    expect(sync.status.get()).toMatchObject({ pending: 20, lastError: 'server_unavailable' });
    expect(timers.delays.at(-1)).toBe(7_000);

    api.beforePush = null;
    expect(await sync.syncOnce()).toMatchObject({ ok: true, pushed: 20 });
    expect(api.pushes.slice(2).map(span)).toEqual(['11-20', '21-30']);
    await expectHonest(store, api);
  });

  it('answers a gap found while the batch before is recorded by resending from what the server has', async () => {
    const { store, api, record, engine } = await setup();
    await record(30);
    // The server is restored from a backup taken after event 5, right after answering 1-10.
    api.beforePush = (n) => {
      if (n === 2) api.lastSeq = 5;
    };
    const result = await engine().syncOnce();
    expect(result.ok).toBe(true);
    expect(api.pushes.map(span)).toEqual(['1-10', '11-20', '6-15', '16-25', '26-30']);
    expect(api.lastSeq).toBe(30);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
  });

  it('reads again what stays pending when an answer settles only part of a batch, skipping nothing', async () => {
    const { store, api, record, engine } = await setup();
    await record(20);
    // This server takes at most 6 events per request and answers only for those.
    const push = api.push.bind(api);
    api.push = (batch) => push(batch.slice(0, 6));
    const result = await engine().syncOnce();
    expect(result).toMatchObject({ ok: true, pushed: 20 });
    expect(api.pushes.map(span)).toEqual(['1-6', '7-12', '13-18', '19-20']);
    expect(api.log.some((line) => line.endsWith('failed'))).toBe(false);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
    await expectHonest(store, api);
  });
  it('learns the clock only from a push that travelled alone, not from those answered beside a recording', async () => {
    const { store, api, record } = await setup();
    await record(30);
    // The server's clock reads a minute ahead for every push after the first.
    let skewMs = 0;
    api.serverTime = () => new Date(Date.now() + skewMs).toISOString();
    api.beforePush = (n) => {
      skewMs = n > 1 ? 60_000 : 0;
    };
    const sync = new SyncEngine({ api: { push: (b) => api.push(b) }, store, limits });
    expect(await sync.syncOnce()).toMatchObject({ ok: true, pushed: 30 });
    expect(api.pushes).toHaveLength(3);
    expect(Math.abs(store.clock.offsetMs)).toBeLessThan(250);

    // The next round's first push travels alone: the clock learns from it.
    await record(1);
    expect(await sync.syncOnce()).toMatchObject({ ok: true, pushed: 1 });
    expect(Math.abs(store.clock.offsetMs - 60_000)).toBeLessThan(250);
  });
});

describe('pulling the hall back', () => {
  const hallEvents = (n: number) => hallWindowEvents(hallId, departmentId, n);

  it('asks for the next page while one commits, and drops it when that commit fails', async () => {
    const { store, api } = await setup();
    api.hall.push(...hallEvents(23));
    const log: string[] = [];
    const pull = api.pull.bind(api);
    api.pull = async (after, limit) => {
      log.push(`pull after ${after}`);
      return pull(after, limit);
    };
    let fail = true;
    const syncStore = hookedStore(store, {
      async applyPage(events, commit) {
        const first = events[0]!.hallSeq;
        log.push(`commit ${first} start`);
        if (first === 6 && fail) {
          fail = false;
          throw new DOMException('the disk is full', 'QuotaExceededError');
        }
        await commit();
        log.push(`commit ${first} end`);
      },
    });
    const sync = new SyncEngine({ api, store: syncStore, pullLimit: 5 });
    const first = await sync.syncOnce();
    expect(first).toMatchObject({ ok: false, error: 'storage_full' });
    // Page 6-10 was asked for while page 1-5 committed; page 11-15 while 6-10 failed, unapplied.
    expect(log.indexOf('pull after 5')).toBeLessThan(log.indexOf('commit 1 end'));
    expect(log).toContain('pull after 10');
    expect(log).not.toContain('commit 11 start');
    expect(await store.cursor()).toBe(5);
    expect(await store.hall.count()).toBe(5);

    const second = await sync.syncOnce();
    expect(second).toMatchObject({ ok: true, pulled: 18 });
    expect(api.pulls.slice(3)).toEqual([5, 10, 15, 20]);
    expect(await store.cursor()).toBe(23);
    expect(await store.hall.count()).toBe(23);
    expect(Object.keys((await store.reference()).windows)).toHaveLength(23);
  });

  it('learns the clock from the first page only, not from pages fetched while one commits', async () => {
    const { store, api } = await setup();
    api.hall.push(...hallEvents(15));
    let skewMs = 0;
    api.serverTime = () => new Date(Date.now() + skewMs).toISOString();
    const pull = api.pull.bind(api);
    api.pull = (after, limit) => {
      skewMs = after > 0 ? 60_000 : 0;
      return pull(after, limit);
    };
    const sync = new SyncEngine({ api, store, pullLimit: 5 });
    expect(await sync.syncOnce()).toMatchObject({ ok: true, pulled: 15 });
    expect(api.pulls).toEqual([0, 5, 10]);
    expect(Math.abs(store.clock.offsetMs)).toBeLessThan(250);

    expect(await sync.syncOnce()).toMatchObject({ ok: true, pulled: 0 });
    expect(Math.abs(store.clock.offsetMs - 60_000)).toBeLessThan(250);
  });
});
