/**
 * A device store with ratings in its own log, and the log read back: shared by the tests of
 * settling answers and of the pending and refused counts.
 */
import 'fake-indexeddb/auto';
import { afterEach } from 'vitest';
import type { EventEnvelope, RatingSubmitted } from '../../src/domain/events';
import { newId, type Id } from '../../src/domain/ids';
import { ackedThrough, standing } from '../../src/storage/log-repository';
import { LocalStore } from '../../src/storage/store';

export const hallId = newId();

const stores: LocalStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A fresh store, closed after the test; `name` and `deviceId` open another tab on the same one. */
export async function openStore(name = `test-${newId()}`, deviceId: Id = newId()) {
  const store = await LocalStore.open(name, deviceId);
  stores.push(store);
  return store;
}

export const payload: RatingSubmitted = {
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

/** Record `n` ratings one after another. */
export async function rate(store: LocalStore, n: number): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  for (let i = 0; i < n; i++)
    events.push(await store.ratings.record({ hallId, deviceId: store.deviceId, payload }));
  return events;
}

/**
 * Each event by deviceSeq: its standing from its log entry and from its rating record, what its
 * entry stores, and when an answer was written on it.
 */
export async function statuses(store: LocalStore) {
  const { db } = store;
  const mark = await ackedThrough(db);
  const log = await db.log.orderBy('deviceSeq').toArray();
  const ratings = new Map((await db.ratings.toArray()).map((r) => [r.id, r]));
  return log.map((e) => {
    const rating = ratings.get(e.id);
    return {
      seq: e.deviceSeq,
      log: standing(e.status, e.deviceSeq, mark),
      rating: rating && standing(rating.status, rating.deviceSeq, mark),
      stored: e.status,
      settledAt: e.settledAt,
    };
  });
}

/** Pending and refused as counted from every entry: what the kept counter must agree with. */
export async function counted(store: LocalStore) {
  const all = await statuses(store);
  return {
    pending: all.filter((e) => e.log === 'pending').length,
    rejected: all.filter((e) => e.log === 'rejected').length,
  };
}
