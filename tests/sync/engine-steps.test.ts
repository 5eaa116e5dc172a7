/**
 * A round while the device is being written to: the push's answers and the pulled pages commit in
 * short steps, each after any rating being written has committed, with the same result as at once.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { RatingSubmitted } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { LocalStore } from '../../src/storage/store';
import {
  QUIET_WAIT_MS,
  SyncEngine,
  WRITING_STEP_EVENTS,
  WRITING_WINDOW_MS,
  pageSteps,
  splitSettlement,
} from '../../src/sync/engine';
import type { PulledEvent } from '../../src/sync/protocol';
import { FakeApi, ManualTimers, hallWindowEvents } from './fake-api';

const hallId = newId();
const windowId = newId();
const departmentId = newId();
const payload: RatingSubmitted = {
  windowId,
  departmentId,
  level: 'satisfied',
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

/** An engine over a real store whose settle and applyPage calls are counted. */
async function setup(quiet?: () => Promise<void>) {
  const store = await LocalStore.open(`steps-${newId()}`, newId());
  opened.push(store);
  const calls = { settle: [] as number[], apply: [] as { events: number; cursor: number }[] };
  const settle = store.settle.bind(store);
  const applyPage = store.applyPage.bind(store);
  store.settle = (settlement, at) => {
    calls.settle.push(settlement.acked.length + settlement.rejected.length);
    return settle(settlement, at);
  };
  store.applyPage = (events, cursor) => {
    calls.apply.push({ events: events.length, cursor });
    return applyPage(events, cursor);
  };
  let t = 1_000_000;
  const api = new FakeApi();
  const timers = new ManualTimers();
  const engine = new SyncEngine({
    api,
    store,
    now: () => t,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    ...(quiet ? { quiet } : {}),
  });
  const record = async (n: number) => {
    for (let i = 0; i < n; i++)
      await store.ratings.record({ hallId, deviceId: store.deviceId, payload });
  };
  /** What a local write does: ask for a round after it (the triggers' debounce and cap). */
  const wrote = () => engine.requestSync(1000, { maxWaitMs: 10_000 });
  return { store, api, engine, calls, record, wrote, advance: (ms: number) => (t += ms) };
}

describe('splitSettlement', () => {
  it('splits by deviceSeq in order, keeping an event’s answers together', () => {
    const settlement = {
      acked: [5, 1, 2, 3, 4, 6],
      rejected: [
        { deviceSeq: 3, reason: 'a', message: 'a' },
        { deviceSeq: 7, reason: 'b', message: 'b' },
      ],
    };
    const parts = splitSettlement(settlement, 3);
    expect(parts).toEqual([
      { acked: [1, 2, 3], rejected: [{ deviceSeq: 3, reason: 'a', message: 'a' }] },
      { acked: [4, 5, 6], rejected: [] },
      { acked: [], rejected: [{ deviceSeq: 7, reason: 'b', message: 'b' }] },
    ]);
    expect(splitSettlement(settlement, 7)).toEqual([settlement]);
  });
});

describe('pageSteps', () => {
  const events = (seqs: number[]) =>
    hallWindowEvents(hallId, departmentId, seqs.length).map((e, i) => ({
      ...e,
      hallSeq: seqs[i]!,
    }));

  it('commits each step with its last hallSeq as the cursor, the last with the page’s', () => {
    const page = events([3, 4, 8, 9, 12]);
    expect(pageSteps(page, 20, 2)?.map((s) => [s.events.map((e) => e.hallSeq), s.cursor])).toEqual([
      [[3, 4], 4],
      [[8, 9], 9],
      [[12], 20],
    ]);
  });

  it('leaves a page whole when one step holds it or its order cannot be trusted', () => {
    expect(pageSteps(events([1, 2]), 2, 2)).toBeNull();
    expect(pageSteps(events([1, 3, 2]), 3, 2)).toBeNull();
    expect(pageSteps(events([1, 2, 2]), 3, 2)).toBeNull();
    expect(pageSteps(events([1, 2, 9]), 5, 2)).toBeNull(); // beyond its own cursor
    const odd = events([1, 2, 3]);
    (odd[1] as PulledEvent).hallSeq = Number.NaN;
    expect(pageSteps(odd, 3, 2)).toBeNull();
  });
});

describe('a round while the device is being written to', () => {
  const n = 2 * WRITING_STEP_EVENTS + 3;

  it('records a push’s answers in short steps, with the same result as at once', async () => {
    const { store, api, engine, calls, record, wrote } = await setup();
    await record(n);
    wrote();
    api.refuse.set(WRITING_STEP_EVENTS, 'invalid');
    expect(await engine.syncOnce()).toMatchObject({ ok: true, pushed: n });
    expect(calls.settle).toEqual([WRITING_STEP_EVENTS, WRITING_STEP_EVENTS, 3]);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 1 });
    expect(engine.status.get()).toMatchObject({ pending: 0, rejected: 1 });
    const ratings = (await store.db.ratings.toArray()).sort((a, b) => a.deviceSeq - b.deviceSeq);
    expect(ratings.map((r) => r.status)).toEqual(
      Array.from({ length: n }, (_, i) => (i + 1 === WRITING_STEP_EVENTS ? 'rejected' : 'acked')),
    );
  });

  it('commits a pulled page in steps, each with its cursor, and resumes after a failed one', async () => {
    const { store, api, engine, calls, wrote } = await setup();
    api.hall.push(...hallWindowEvents(hallId, departmentId, n));
    wrote();
    const applyPage = store.applyPage;
    store.applyPage = (events, cursor) =>
      calls.apply.length === 2
        ? Promise.reject(new Error('disk'))
        : applyPage.call(store, events, cursor);
    expect((await engine.syncOnce()).ok).toBe(false);
    expect(await store.cursor()).toBe(2 * WRITING_STEP_EVENTS);

    store.applyPage = applyPage;
    calls.apply.length = 0;
    expect(await engine.syncOnce()).toMatchObject({ ok: true, pulled: 3 });
    expect(api.pulls.at(-1)).toBe(2 * WRITING_STEP_EVENTS);
    expect(await store.cursor()).toBe(n);
    expect(Object.keys((await store.reference()).windows)).toHaveLength(n);
    expect(await store.hall.count()).toBe(n);
  });

  it('commits at once when no write asked for a round lately (a backlog drains in big steps)', async () => {
    let asked = 0;
    const { store, api, engine, calls, record, wrote, advance } = await setup(async () => {
      asked++;
    });
    await record(n);
    api.hall.push(...hallWindowEvents(hallId, departmentId, n));
    expect((await engine.syncOnce()).ok).toBe(true);
    expect(calls.settle).toEqual([n]);
    expect(calls.apply).toEqual([{ events: n, cursor: n }]);
    expect(asked).toBe(0); // nor does it wait for quiet moments

    wrote();
    advance(WRITING_WINDOW_MS);
    await record(n);
    expect((await engine.syncOnce()).ok).toBe(true);
    expect(calls.settle).toEqual([n, n]);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
  });

  it('runs each step only once no rating is being written', async () => {
    let release!: () => void;
    let writing = true;
    const waits: string[] = [];
    const { store, engine, calls, record, wrote } = await setup(() => {
      waits.push(writing ? 'writing' : 'idle');
      return writing ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    });
    writing = false;
    await record(3);
    wrote();
    writing = true;
    const round = engine.syncOnce();
    // The batch's read waits for the rating being written; nothing of the round ran meanwhile.
    await new Promise((r) => setTimeout(r, 20));
    expect(waits).toEqual(['writing']);
    expect(calls.settle).toEqual([]);
    writing = false;
    release();
    expect(await round).toMatchObject({ ok: true, pushed: 3 });
    expect(calls.settle).toEqual([3]);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
  });
});

describe('a stream of writes that never pauses', () => {
  it('holds a round up for QUIET_WAIT_MS in all at most', async () => {
    const { store, api, engine, calls, record, wrote } = await setup(
      () => new Promise<void>(() => {}),
    );
    await record(2 * WRITING_STEP_EVENTS + 3);
    api.hall.push(...hallWindowEvents(hallId, departmentId, 2 * WRITING_STEP_EVENTS + 3));
    wrote();
    const started = Date.now();
    expect((await engine.syncOnce()).ok).toBe(true);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(QUIET_WAIT_MS - 50);
    expect(took).toBeLessThan(QUIET_WAIT_MS + 800);
    // Waiting no more, the round records the rest of the answers in one step.
    expect(calls.settle).toEqual([2 * WRITING_STEP_EVENTS + 3]);
    expect(calls.apply).toEqual([
      { events: 2 * WRITING_STEP_EVENTS + 3, cursor: 2 * WRITING_STEP_EVENTS + 3 },
    ]);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
  });
});

describe('RatingRepository.quietMoment', () => {
  const open = async () => {
    const store = await LocalStore.open(`quiet-${newId()}`, newId());
    opened.push(store);
    return store;
  };
  const rate = (store: LocalStore) =>
    store.ratings.record({ hallId, deviceId: store.deviceId, payload });

  it('comes at once when no rating was begun lately, else after the given time', async () => {
    const store = await open();
    let now = false;
    await Promise.race([
      store.ratings.quietMoment(60_000).then(() => (now = true)),
      new Promise((r) => setTimeout(r, 20)),
    ]);
    expect(now).toBe(true);
    await rate(store);
    const started = Date.now();
    await store.ratings.quietMoment(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('comes right after the rating being written has committed', async () => {
    const store = await open();
    const order: string[] = [];
    const rating = rate(store).then(() => order.push('committed'));
    await store.ratings.quietMoment(60_000).then(() => order.push('quiet'));
    await rating;
    expect(order).toEqual(['committed', 'quiet']);
    expect(await store.counts()).toEqual({ pending: 1, rejected: 0 });
  });

  it('waits for a rating begun within the time, however long it takes, and a refused one too', async () => {
    const store = await open();
    await rate(store);
    const order: string[] = [];
    const quiet = store.ratings.quietMoment(30).then(() => order.push('quiet'));
    await new Promise((r) => setTimeout(r, 5));
    // Another transaction on the log holds the ratings begun now well past the 30 ms.
    const holding = store.db.transaction('rw', store.db.log, () =>
      Dexie.waitFor(new Promise((r) => setTimeout(r, 120))),
    );
    const committed = rate(store).then(() => order.push('committed'));
    const refused = store.ratings
      .record({ hallId, deviceId: store.deviceId, payload: { ...payload, windowId: 'x' } })
      .catch(() => order.push('refused'));
    await Promise.all([quiet, committed, refused, holding]);
    expect(order.slice(0, 2).sort()).toEqual(['committed', 'refused']);
    expect(order[2]).toBe('quiet');
  });
});
