import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WriteError } from '../../src/app/device-api';
import { eventHash } from '../../src/domain/device';
import { validateEvent, type RatingSubmitted } from '../../src/domain/events';
import { compareByHlc, parseHlc } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import { InvalidRecordError } from '../../src/storage/errors';
import { pruneDevice } from '../../src/storage/prune';
import { DeviceClock, LocalStore } from '../../src/storage/store';

const hallId = newId();
const windowId = newId();
const departmentId = newId();

function payload(over: Partial<RatingSubmitted> = {}): RatingSubmitted {
  return {
    windowId,
    departmentId,
    level: 'satisfied',
    reasons: [],
    comment: '',
    ticket: null,
    channel: 'hall_tablet',
    phoneId: null,
    dutySessionId: null,
    ...over,
  };
}

const stores: LocalStore[] = [];
async function openStore(deviceId = newId(), clock?: DeviceClock): Promise<LocalStore> {
  const store = await LocalStore.open(`test-${newId()}`, deviceId, clock ? { clock } : {});
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function quotaError(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}

describe('RatingRepository.record', () => {
  it('writes the log entry, the rating and the new head together', async () => {
    const store = await openStore();
    const event = await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload({ ticket: 'A012' }),
    });

    expect(validateEvent(event).ok).toBe(true);
    expect(event).toMatchObject({
      deviceSeq: 1,
      prevHash: null,
      hallId,
      deviceId: store.deviceId,
      type: 'rating.submitted',
    });
    const entry = await store.db.log.get(1);
    expect(entry).toMatchObject({ id: event.id, status: 'pending', hash: eventHash(event) });
    expect(entry!.event).toEqual(event);
    const rating = await store.db.ratings.get(event.id);
    expect(rating).toMatchObject({
      windowId,
      level: 'satisfied',
      ticket: 'A012',
      status: 'pending',
      deviceSeq: 1,
    });
    expect(await store.db.getMeta('head')).toEqual({ seq: 1, hash: eventHash(event) });
    expect(await store.db.getMeta('hlc')).toBe(event.hlc);
    expect(await store.counts()).toEqual({ pending: 1, rejected: 0 });
  });

  it('writes nothing at all when part of the transaction fails', async () => {
    const store = await openStore();
    await store.ratings.record({ hallId, deviceId: store.deviceId, payload: payload() });
    const failRatings = () => {
      throw new Error('disk went away');
    };
    store.db.ratings.hook('creating', failRatings);
    await expect(
      store.ratings.record({ hallId, deviceId: store.deviceId, payload: payload() }),
    ).rejects.toMatchObject({
      code: 'storage_unavailable',
    });
    store.db.ratings.hook('creating').unsubscribe(failRatings);

    // The log entry written before the failing rating was rolled back with it, and the head too.
    expect(await store.db.log.count()).toBe(1);
    expect((await store.db.getMeta('head'))!.seq).toBe(1);
    const next = await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload(),
    });
    expect(next.deviceSeq).toBe(2);
  });

  it('keeps sequence numbers gap-free and the hash chain valid over many writes', async () => {
    const store = await openStore();
    const levels = ['very_satisfied', 'satisfied', 'basically_satisfied'] as const;
    for (let i = 0; i < 120; i++)
      await store.ratings.record({
        hallId,
        deviceId: store.deviceId,
        payload: payload({ level: levels[i % 3]! }),
      });
    const log = await store.log.all();
    expect(log.map((e) => e.deviceSeq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    let prev: string | null = null;
    for (const entry of log) {
      expect(entry.event.prevHash).toBe(prev);
      expect(entry.hash).toBe(eventHash(entry.event));
      prev = entry.hash;
    }
    // hlcs strictly increase in log order even though many were made in the same millisecond.
    const hlcs = log.map((e) => e.event.hlc);
    expect([...hlcs].sort()).toEqual(hlcs);
    expect(new Set(hlcs).size).toBe(hlcs.length);
  });

  it('keeps the chain when many records are written at once', async () => {
    const store = await openStore();
    const events = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store.ratings.record({
          hallId,
          deviceId: store.deviceId,
          payload: payload({ ticket: `T${i}` }),
        }),
      ),
    );
    expect(events.map((e) => e.deviceSeq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    const log = await store.log.all();
    for (let i = 1; i < log.length; i++)
      expect(log[i]!.event.prevHash).toBe(eventHash(log[i - 1]!.event));
    expect(await store.db.ratings.count()).toBe(60);
  });

  it('continues the chain after the database is closed and opened again', async () => {
    const name = `test-${newId()}`;
    const deviceId = newId();
    const first = await LocalStore.open(name, deviceId);
    const a = await first.ratings.record({ hallId, deviceId, payload: payload() });
    first.close();
    const second = await LocalStore.open(name, deviceId);
    stores.push(second);
    const b = await second.ratings.record({ hallId, deviceId, payload: payload() });
    expect(b.deviceSeq).toBe(2);
    expect(b.prevHash).toBe(eventHash(a));
    expect(compareByHlc(a, b)).toBeLessThan(0);
  });

  it('stamps the hlc with the server-corrected clock and `at` with the device clock', async () => {
    let t = Date.UTC(2026, 4, 1, 9, 0, 0);
    const clock = new DeviceClock(() => t);
    const store = await openStore(newId(), clock);
    await store.setClockOffset(120_000);
    const event = await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload(),
    });
    expect(event.at).toBe(new Date(t).toISOString());
    expect(parseHlc(event.hlc)!.millis).toBe(t + 120_000);
    // A device clock that jumps backwards does not make the hlc go backwards.
    t -= 3_600_000;
    const later = await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload(),
    });
    expect(compareByHlc(event, later)).toBeLessThan(0);
  });

  it('refuses an invalid record before writing anything', async () => {
    const store = await openStore();
    const poorWithoutReason = payload({ level: 'very_dissatisfied' });
    const error = await store.ratings
      .record({ hallId, deviceId: store.deviceId, payload: poorWithoutReason })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as InvalidRecordError).issues[0]!.code).toBe('poor_rating_needs_reason');
    expect(await store.db.log.count()).toBe(0);
    expect(await store.db.getMeta('head')).toBeUndefined();
  });
});

describe('a full disk', () => {
  it('answers storage_full and loses nothing already stored', async () => {
    const store = await openStore();
    const kept = [];
    for (let i = 0; i < 5; i++)
      kept.push(
        await store.ratings.record({ hallId, deviceId: store.deviceId, payload: payload() }),
      );

    const full = () => {
      throw quotaError();
    };
    store.db.log.hook('creating', full);
    const error = await store.ratings
      .record({ hallId, deviceId: store.deviceId, payload: payload() })
      .catch((e) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).code).toBe('storage_full');
    store.db.log.hook('creating').unsubscribe(full);

    const log = await store.log.all();
    expect(log.map((e) => e.id)).toEqual(kept.map((e) => e.id));
    expect(await store.db.ratings.count()).toBe(5);
    expect((await store.db.getMeta('head'))!.seq).toBe(5);
    // Space freed: the next record continues the chain where it stopped.
    const next = await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload(),
    });
    expect(next.deviceSeq).toBe(6);
    expect(next.prevHash).toBe(eventHash(kept[4]!));
  });

  it('recognises a quota error wrapped by Dexie in an abort', async () => {
    const store = await openStore();
    const wrapped = () => {
      throw Object.assign(new Error('Transaction aborted'), {
        name: 'AbortError',
        inner: quotaError(),
      });
    };
    store.db.meta.hook('updating', wrapped);
    store.db.meta.hook('creating', wrapped);
    const error = await store.ratings
      .record({ hallId, deviceId: store.deviceId, payload: payload() })
      .catch((e) => e);
    expect((error as WriteError).code).toBe('storage_full');
    expect(await store.db.log.count()).toBe(0);
    expect(await store.db.ratings.count()).toBe(0);
  });
});

describe('local refusals', () => {
  it('refuses a ticket already rated on this device (一次一评)', async () => {
    const store = await openStore();
    await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload({ ticket: 'B027' }),
      refuseDuplicateTicket: true,
    });
    const error = await store.ratings
      .record({
        hallId,
        deviceId: store.deviceId,
        payload: payload({ ticket: 'B027' }),
        refuseDuplicateTicket: true,
      })
      .catch((e) => e);
    expect((error as WriteError).code).toBe('duplicate_ticket');
    // Other tickets and ratings without a ticket are fine.
    await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload({ ticket: 'B028' }),
      refuseDuplicateTicket: true,
    });
    await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload(),
      refuseDuplicateTicket: true,
    });
    await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload(),
      refuseDuplicateTicket: true,
    });
    expect(await store.db.ratings.count()).toBe(4);
  });

  it('refuses the same window again within the interval, on the device clock', async () => {
    let t = Date.UTC(2026, 4, 1, 9, 0, 0);
    const store = await openStore(newId(), new DeviceClock(() => t));
    const otherWindow = newId();
    const write = (w = windowId) => ({
      hallId,
      deviceId: store.deviceId,
      payload: payload({ windowId: w, channel: 'qr', phoneId: store.deviceId }),
      minIntervalMs: 10 * 60_000,
    });
    await store.ratings.record(write());
    t += 9 * 60_000;
    expect(((await store.ratings.record(write()).catch((e) => e)) as WriteError).code).toBe(
      'too_soon',
    );
    // Another window may be rated meanwhile.
    await store.ratings.record(write(otherWindow));
    t += 61_000;
    await store.ratings.record(write());
    expect(await store.db.ratings.where('windowId').equals(windowId).count()).toBe(2);
  });

  it('does not count a rating the server refused', async () => {
    const store = await openStore();
    const first = await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload({ ticket: 'C1' }),
      refuseDuplicateTicket: true,
    });
    await store.settle(
      { acked: [], rejected: [{ deviceSeq: first.deviceSeq, reason: 'too_soon', message: 'x' }] },
      new Date().toISOString(),
    );
    await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload({ ticket: 'C1' }),
      refuseDuplicateTicket: true,
      minIntervalMs: 600_000,
    });
    expect(await store.db.ratings.count()).toBe(2);
  });
});

describe('the event built before the transaction', () => {
  /** Every stored log entry continues the one before it: seq + 1, prevHash = its hash, later hlc. */
  async function expectChain(store: LocalStore, n: number): Promise<void> {
    const log = await store.db.log.orderBy('deviceSeq').toArray();
    expect(log.map((e) => e.deviceSeq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    for (let i = 0; i < log.length; i++) {
      const entry = log[i]!;
      expect(eventHash(entry.event)).toBe(entry.hash);
      expect(entry.event.prevHash).toBe(i === 0 ? null : log[i - 1]!.hash);
      if (i > 0) expect(entry.event.hlc > log[i - 1]!.event.hlc).toBe(true);
    }
    expect(await store.db.getMeta('head')).toEqual({ seq: n, hash: log[n - 1]!.hash });
  }

  it('is rebuilt when another tab wrote meanwhile, so the chain has no fork', async () => {
    const deviceId = newId();
    const name = `test-${newId()}`;
    const a = await LocalStore.open(name, deviceId);
    const b = await LocalStore.open(name, deviceId);
    stores.push(a, b);
    const write = { hallId, deviceId, payload: payload() };
    // Each tab writes after the other, so each one's last head is stale every time.
    for (let i = 0; i < 6; i++) await (i % 2 === 0 ? a : b).ratings.record(write);
    // Both at once: the two transactions run one after the other.
    await Promise.all([a.ratings.record(write), b.ratings.record(write)]);
    await expectChain(a, 8);
  });

  it('is rebuilt when another writer of the log (a duty record) moved the head', async () => {
    const store = await openStore();
    const writer = { hallId, deviceId: store.deviceId };
    await store.ratings.record({ ...writer, payload: payload() });
    await store.duty.signOut(writer, null, { sessionId: newId(), reason: 'manual' });
    await store.ratings.record({ ...writer, payload: payload() });
    await expectChain(store, 3);
  });

  it('never issues an hlc before one a pulled page stored meanwhile', async () => {
    let t = Date.parse('2026-03-02T01:00:00.000Z');
    const store = await openStore(newId(), new DeviceClock(() => t));
    const first = await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload(),
    });
    // A pull merged an event from a clock two minutes ahead: the stored hlc jumped forward.
    const ahead = new Date(t + 120_000).toISOString();
    const pulledHlc = `${ahead}-0003-${first.hlc.slice(-16)}`;
    await store.db.putMeta('hlc', pulledHlc);
    t += 1_000;
    const next = await store.ratings.record({
      hallId,
      deviceId: store.deviceId,
      payload: payload(),
    });
    expect(next.hlc > pulledHlc).toBe(true);
    expect(parseHlc(next.hlc)!.millis).toBe(Date.parse(ahead));
    await expectChain(store, 2);
  });

  it('repeats the press another tab recorded, which this one never saw', async () => {
    let t = Date.parse('2026-03-02T01:00:00.000Z');
    const deviceId = newId();
    const name = `test-${newId()}`;
    const a = await LocalStore.open(name, deviceId, { clock: new DeviceClock(() => t) });
    const b = await LocalStore.open(name, deviceId, { clock: new DeviceClock(() => t) });
    stores.push(a, b);
    const write = { hallId, deviceId, payload: payload(), repeatWithinMs: 3_000 };
    await a.ratings.record(write); // a's own earlier press, long ago
    t += 60_000;
    const counted = await b.ratings.record(write);
    t += 1_000;
    const repeat = await a.ratings.record(write);
    expect(counted.payload.repeatOf).toBeUndefined();
    expect(repeat.payload.repeatOf).toBe(counted.id);
    expect((await a.db.ratings.get(repeat.id))!.repeatOf).toBe(counted.id);
    // And a press the guess would call a repeat is not one once the server refused its original.
    t += 1_000;
    await a.settle(
      { acked: [], rejected: [{ deviceSeq: repeat.deviceSeq, reason: 'x', message: 'x' }] },
      new Date(t).toISOString(),
    );
    await a.settle(
      { acked: [], rejected: [{ deviceSeq: counted.deviceSeq, reason: 'x', message: 'x' }] },
      new Date(t).toISOString(),
    );
    const alone = await a.ratings.record(write);
    expect(alone.payload.repeatOf).toBeUndefined();
    await expectChain(a, 4);
  });

  describe('committed the short way (reads and writes issued at once)', () => {
    it('commits a rating continuing its own last write without a Dexie transaction', async () => {
      let t = Date.parse('2026-03-02T01:00:00.000Z');
      const store = await openStore(newId(), new DeviceClock(() => t));
      const transactions = vi.spyOn(store.db, 'transaction');
      const write = {
        hallId,
        deviceId: store.deviceId,
        payload: payload(),
        refuseDuplicateTicket: true,
        repeatWithinMs: 5_000,
      };
      const first = await store.ratings.record(write);
      expect(transactions).toHaveBeenCalledTimes(1);
      const repeats = [];
      for (let i = 0; i < 4; i++) {
        t += 1_000;
        repeats.push(await store.ratings.record(write));
      }
      // Every later press went the short way, and each repeats the counted first one.
      expect(transactions).toHaveBeenCalledTimes(1);
      expect(repeats.map((e) => e.payload.repeatOf)).toEqual(repeats.map(() => first.id));
      for (const e of repeats)
        expect((await store.db.ratings.get(e.id))!).toMatchObject({
          repeatOf: first.id,
          deviceSeq: e.deviceSeq,
          status: 'pending',
        });
      // A press after the span counts again.
      t += 10_000;
      const counted = await store.ratings.record(write);
      expect(counted.payload.repeatOf).toBeUndefined();
      expect(transactions).toHaveBeenCalledTimes(1);
      await expectChain(store, 6);
      expect(await store.counts()).toEqual({ pending: 6, rejected: 0 });
    });

    it('refutes the second of two writes at once from one tab, rebuilt on what it read', async () => {
      const store = await openStore();
      const transactions = vi.spyOn(store.db, 'transaction');
      const write = { hallId, deviceId: store.deviceId, payload: payload() };
      await store.ratings.record(write);
      // Both are built on the same head; the second finds it moved, and is built again on the
      // head and hlc its reads found and committed the short way on the second try.
      const [a, b] = await Promise.all([store.ratings.record(write), store.ratings.record(write)]);
      expect([a.deviceSeq, b.deviceSeq]).toEqual([2, 3]);
      expect(transactions).toHaveBeenCalledTimes(1);
      await expectChain(store, 3);
      expect(await store.db.ratings.count()).toBe(3);
    });

    it('is refuted by a moved head even when the entry that moved it is gone', async () => {
      let t = Date.parse('2026-03-02T01:00:00.000Z');
      const deviceId = newId();
      const name = `test-${newId()}`;
      const clock = () => new DeviceClock(() => t);
      const a = await LocalStore.open(name, deviceId, { clock: clock() });
      const b = await LocalStore.open(name, deviceId, { clock: clock() });
      stores.push(a, b);
      const write = { hallId, deviceId, payload: payload() };
      await a.ratings.record(write);
      const other = await b.ratings.record(write);
      // The other tab's entry was acknowledged and pruned: only the head still says it was there.
      await b.settle({ acked: [other.deviceSeq], rejected: [] }, new Date(t).toISOString());
      t += 40 * 86_400_000;
      expect((await pruneDevice(b.db, { now: t, retentionDays: 30 })).log).toBe(1);
      expect(await a.db.log.get(other.deviceSeq)).toBeUndefined();

      const next = await a.ratings.record(write);
      expect(next.deviceSeq).toBe(3);
      expect(next.prevHash).toBe(eventHash(other));
      expect(next.hlc > other.hlc).toBe(true);
      expect(await a.db.getMeta('head')).toEqual({ seq: 3, hash: eventHash(next) });
    });

    it('repeats what the stored ratings hold, not what it remembers', async () => {
      let t = Date.parse('2026-03-02T01:00:00.000Z');
      const store = await openStore(newId(), new DeviceClock(() => t));
      const write = { hallId, deviceId: store.deviceId, payload: payload(), repeatWithinMs: 5_000 };
      const first = await store.ratings.record(write);
      // The press it would repeat is no longer held, though the log head did not move.
      await store.db.ratings.delete(first.id);
      t += 1_000;
      const next = await store.ratings.record(write);
      expect(next.payload.repeatOf).toBeUndefined();
      expect((await store.db.ratings.get(next.id))!.repeatOf).toBeUndefined();
      await expectChain(store, 2);
    });

    it('refuses an invalid record with nothing written, and the next one continues', async () => {
      const store = await openStore();
      const writer = { hallId, deviceId: store.deviceId };
      const first = await store.ratings.record({ ...writer, payload: payload() });
      const error = await store.ratings
        .record({ ...writer, payload: payload({ level: 'very_dissatisfied' }) })
        .catch((e: unknown) => e);
      expect((error as InvalidRecordError).issues[0]!.code).toBe('poor_rating_needs_reason');
      expect(await store.db.ratings.count()).toBe(1);
      expect(await store.db.getMeta('head')).toEqual({ seq: 1, hash: eventHash(first) });
      const next = await store.ratings.record({ ...writer, payload: payload() });
      expect(next.prevHash).toBe(eventHash(first));
      await expectChain(store, 2);
    });

    it('is refuted by an hlc a pulled page moved, and rebuilt after it', async () => {
      let t = Date.parse('2026-03-02T01:00:00.000Z');
      const store = await openStore(newId(), new DeviceClock(() => t));
      const transactions = vi.spyOn(store.db, 'transaction');
      const write = { hallId, deviceId: store.deviceId, payload: payload() };
      const first = await store.ratings.record(write);
      const pulledHlc = `${new Date(t + 60_000).toISOString()}-0007-${first.hlc.slice(-16)}`;
      await store.db.putMeta('hlc', pulledHlc);
      t += 1_000;
      const next = await store.ratings.record(write);
      expect(next.hlc > pulledHlc).toBe(true);
      expect(await store.db.getMeta('hlc')).toBe(next.hlc);
      // Tried on the stale hlc, refuted, then committed on the stored one: no careful way needed.
      expect(transactions).toHaveBeenCalledTimes(1);
      await expectChain(store, 2);
    });

    it('continues the stored head, not the one it remembers', async () => {
      const store = await openStore();
      const write = { hallId, deviceId: store.deviceId, payload: payload() };
      await store.ratings.record(write);
      // The head moved on (entries since pruned) while the stored hlc stayed where it was.
      const moved = { seq: 5, hash: 'a'.repeat(64) };
      await store.db.putMeta('head', moved);
      const next = await store.ratings.record(write);
      expect(next).toMatchObject({ deviceSeq: 6, prevHash: moved.hash });
      expect(await store.db.getMeta('head')).toEqual({ seq: 6, hash: eventHash(next) });
    });

    it('leaves nothing behind when one of its writes fails', async () => {
      const store = await openStore();
      const write = { hallId, deviceId: store.deviceId, payload: payload() };
      const kept = await store.ratings.record(write);
      const hlc = await store.db.getMeta('hlc');
      // A log entry under the next sequence number the head does not know of: the log refuses
      // the rating's entry after its checks passed, and the rating written beside it is undone.
      const planted = { ...(await store.db.log.get(1))!, deviceSeq: 2, id: newId() };
      await store.db.log.add(planted);
      const error = await store.ratings.record(write).catch((e: unknown) => e);
      expect((error as WriteError).code).toBe('storage_unavailable');
      expect(await store.db.ratings.toCollection().primaryKeys()).toEqual([kept.id]);
      expect(await store.db.getMeta('head')).toEqual({ seq: 1, hash: eventHash(kept) });
      expect(await store.db.getMeta('hlc')).toBe(hlc);
      expect((await store.db.log.toArray()).map((e) => e.id)).toEqual([kept.id, planted.id]);
    });

    it('answers storage_full for a full disk and loses nothing', async () => {
      const store = await openStore();
      const write = { hallId, deviceId: store.deviceId, payload: payload() };
      const kept = [await store.ratings.record(write), await store.ratings.record(write)];
      const original = IDBObjectStore.prototype.add;
      const full = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (
        this: IDBObjectStore,
        ...args
      ) {
        if (this.name === 'ratings') throw quotaError();
        return original.apply(this, args);
      });
      const error = await store.ratings.record(write).catch((e: unknown) => e);
      // Tried the short way, then the careful way, which answers.
      expect(full.mock.calls.length).toBeGreaterThanOrEqual(2);
      full.mockRestore();
      expect((error as WriteError).code).toBe('storage_full');
      expect((await store.log.all()).map((e) => e.id)).toEqual(kept.map((e) => e.id));
      expect(await store.db.ratings.count()).toBe(2);
      const next = await store.ratings.record(write);
      expect(next.prevHash).toBe(eventHash(kept[1]!));
      await expectChain(store, 3);
    });
  });
});
