import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope, RatingSubmitted } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { LocalStore } from '../../src/storage/store';

const hallId = newId();
const stores: LocalStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
async function openStore(): Promise<LocalStore> {
  const store = await LocalStore.open(`test-${newId()}`, newId());
  stores.push(store);
  return store;
}

const payload: RatingSubmitted = {
  windowId: newId(),
  departmentId: newId(),
  level: 'satisfied',
  reasons: [],
  comment: '',
  ticket: null,
  channel: 'hall_tablet',
  phoneId: null,
  dutySessionId: null,
};

async function rate(store: LocalStore, n: number): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  for (let i = 0; i < n; i++)
    events.push(await store.ratings.record({ hallId, deviceId: store.deviceId, payload }));
  return events;
}

/** Each event's status on its log entry and on its rating record, by deviceSeq. */
async function statuses(store: LocalStore) {
  const log = await store.db.log.orderBy('deviceSeq').toArray();
  const ratings = new Map((await store.db.ratings.toArray()).map((r) => [r.id, r]));
  return log.map((e) => ({
    seq: e.deviceSeq,
    log: e.status,
    rating: ratings.get(e.id)?.status,
    settledAt: e.settledAt,
  }));
}

/** The pending count as the index says it: what the kept counter must agree with. */
async function countedPending(store: LocalStore): Promise<number> {
  return (await store.db.log.toArray()).filter((e) => e.status === 'pending').length;
}

describe('settling answers', () => {
  it('changes only the events named, when they do not follow one another', async () => {
    const store = await openStore();
    await rate(store, 8);
    // 1..7 is a narrow range around the named events: the ones between stay pending.
    await store.settle(
      { acked: [1, 3, 7], rejected: [{ deviceSeq: 5, reason: 'wrong_window', message: 'm' }] },
      't1',
    );
    expect(await statuses(store)).toEqual([
      { seq: 1, log: 'acked', rating: 'acked', settledAt: 't1' },
      { seq: 2, log: 'pending', rating: 'pending', settledAt: undefined },
      { seq: 3, log: 'acked', rating: 'acked', settledAt: 't1' },
      { seq: 4, log: 'pending', rating: 'pending', settledAt: undefined },
      { seq: 5, log: 'rejected', rating: 'rejected', settledAt: 't1' },
      { seq: 6, log: 'pending', rating: 'pending', settledAt: undefined },
      { seq: 7, log: 'acked', rating: 'acked', settledAt: 't1' },
      { seq: 8, log: 'pending', rating: 'pending', settledAt: undefined },
    ]);
    expect(await store.counts()).toEqual({ pending: 4, rejected: 1 });
    expect(await countedPending(store)).toBe(4);
  });

  it('settles a whole batch, and events spread far apart, and ignores events it does not hold', async () => {
    const store = await openStore();
    await rate(store, 40);
    const batch = Array.from({ length: 20 }, (_, i) => i + 1);
    await store.settle({ acked: batch, rejected: [] }, 't1');
    // Two events far apart (read one by one) and one past the log's head.
    await store.settle(
      { acked: [22, 40, 41], rejected: [{ deviceSeq: 39, reason: 'burst', message: 'm' }] },
      't2',
    );
    const all = await statuses(store);
    const acked = all.filter((s) => s.log === 'acked').map((s) => s.seq);
    expect(acked).toEqual([...batch, 22, 40]);
    expect(all.filter((s) => s.log === 'rejected').map((s) => s.seq)).toEqual([39]);
    expect(all.every((s) => s.rating === s.log)).toBe(true);
    expect(all.find((s) => s.seq === 40)!.settledAt).toBe('t2');
    expect(await store.counts()).toEqual({ pending: 17, rejected: 1 });
    expect(await countedPending(store)).toBe(17);
    const rejected = await store.log.rejected();
    expect(rejected[0]).toMatchObject({ deviceSeq: 39, reason: 'burst', message: 'm' });
    expect((await store.db.ratings.get(rejected[0]!.id))!.reason).toBe('burst');
  });

  it('counts an event named twice in one answer once', async () => {
    const store = await openStore();
    await rate(store, 4);
    await store.settle({ acked: [1, 1, 2, 2], rejected: [] }, 't1');
    expect(await store.counts()).toEqual({ pending: 2, rejected: 0 });
    expect(await countedPending(store)).toBe(2);
  });

  it('keeps the rest of each entry and record as written', async () => {
    const store = await openStore();
    const [first] = await rate(store, 3);
    const entryBefore = (await store.db.log.get(1))!;
    const ratingBefore = (await store.db.ratings.get(first!.id))!;
    await store.settle({ acked: [1, 2, 3], rejected: [] }, 't1');
    expect(await store.db.log.get(1)).toEqual({ ...entryBefore, status: 'acked', settledAt: 't1' });
    expect(await store.db.ratings.get(first!.id)).toEqual({ ...ratingBefore, status: 'acked' });
    // Answered again (a resend): nothing changes, the counter included.
    await store.settle({ acked: [1, 2, 3], rejected: [] }, 't2');
    expect((await store.db.log.get(1))!.settledAt).toBe('t1');
    expect(await store.db.getMeta('settled')).toBe(3);
  });
});
