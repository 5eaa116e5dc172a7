import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/domain/device';
import type { RatingLevel } from '../../src/domain/rating';
import { newId, type Id } from '../../src/domain/ids';
import { pruneDevice } from '../../src/storage/prune';
import { DeviceClock, LocalStore } from '../../src/storage/store';
import type { PulledEvent } from '../../src/sync/protocol';
import { EventSource, ManualClock, at, makeHall } from './duty-fixtures';

const DAY_MS = 86_400_000;
const stores: LocalStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const hall = makeHall();
const PROOF = 'ab'.repeat(32);

function ratingPayload(level: RatingLevel = 'satisfied') {
  const poor = level === 'dissatisfied' || level === 'very_dissatisfied';
  return {
    windowId: hall.windowId,
    departmentId: hall.departmentId,
    level,
    reasons: poor ? (['attitude'] as const).slice() : [],
    comment: '',
    ticket: null,
    channel: 'hall_tablet' as const,
    phoneId: null,
    dutySessionId: null,
  };
}

/**
 * A device that rated, kept duty and pulled the hall's events 100 days ago, and again today, with
 * everything acknowledged but one pending and one refused event of the old days.
 */
async function busyDevice() {
  const clock = new ManualClock(at('09:30'));
  const store = await LocalStore.open(`prune-${newId()}`, newId(), {
    clock: new DeviceClock(clock.now),
  });
  stores.push(store);
  const writer = { hallId: hall.hallId, deviceId: store.deviceId };
  const rate = (level?: RatingLevel) =>
    store.ratings.record({ ...writer, payload: ratingPayload(level) });
  const source = new EventSource(hall.hallId, hall.consoleId, clock.now);
  const otherTablet = new EventSource(hall.hallId, newId(), clock.now);
  const pulled: PulledEvent[] = [];
  const pull = async (events: PulledEvent[]) => {
    // The hall's order across the two sources.
    const base = pulled.length;
    const numbered = events.map((e, i) => ({ ...e, hallSeq: base + i + 1 }));
    pulled.push(...numbered);
    await store.applyPage(numbered, pulled.length);
    return numbered;
  };
  const signIn = (sessionId: Id) =>
    store.duty.signIn(
      writer,
      newId(),
      {
        sessionId,
        leaderId: hall.leaderId,
        departmentId: hall.departmentId,
        windowId: hall.windowId,
        shiftId: null,
        method: 'pin',
        pinVersion: 1,
        pinProof: PROOF,
      },
      hall.leaderId,
    );
  const signOut = (sessionId: Id) =>
    store.duty.signOut(writer, hall.leaderId, { sessionId, reason: 'manual' });

  // 100 days ago.
  const old = {
    ratings: [await rate(), await rate()],
    poor: await rate('dissatisfied'),
    pending: null as unknown as Awaited<ReturnType<typeof rate>>,
    refused: await rate(),
    closedSession: newId(),
    openSession: newId(),
    pulled: [] as PulledEvent[],
  };
  await signIn(old.closedSession);
  clock.ms += 60_000;
  await signOut(old.closedSession);
  await signIn(old.openSession);
  const walkId = newId();
  old.pulled = await pull([
    source.make('ref.hallSaved', { name: '政务服务中心' }),
    otherTablet.make('rating.submitted', ratingPayload()),
    otherTablet.make('rating.submitted', ratingPayload('very_dissatisfied')),
    otherTablet.make('walk.started', {
      walkId,
      mode: 'inspect',
      leaderId: hall.leaderId,
      departmentId: hall.departmentId,
      windowId: null,
      serviceItem: '',
      pinVersion: 1,
      pinProof: PROOF,
    }),
  ]);
  const oldHead = await store.db.getMeta('head');
  const settledSeqs = (await store.db.log.toArray()).map((e) => e.deviceSeq);
  await store.settle(
    {
      acked: settledSeqs.filter((s) => s !== old.refused.deviceSeq),
      rejected: [{ deviceSeq: old.refused.deviceSeq, reason: 'too_soon', message: 'x' }],
    },
    new Date(clock.ms).toISOString(),
  );
  old.pending = await rate(); // never reached the server
  expect(oldHead!.seq).toBeGreaterThan(0);

  // Today, 100 days later.
  clock.ms += 100 * DAY_MS;
  const today = { rating: await rate(), session: newId(), pulled: [] as PulledEvent[] };
  await signIn(today.session);
  await signOut(today.session);
  today.pulled = await pull([otherTablet.make('rating.submitted', ratingPayload())]);
  const todays = (await store.db.log.toArray())
    .filter((e) => e.status === 'pending' && e.deviceSeq > old.pending.deviceSeq)
    .map((e) => e.deviceSeq);
  await store.settle({ acked: todays, rejected: [] }, new Date(clock.ms).toISOString());
  return { store, clock, old, today, walkId, writer, rate };
}

async function ids(store: LocalStore) {
  return {
    log: new Set((await store.db.log.toArray()).map((e) => e.id)),
    ratings: new Set((await store.db.ratings.toArray()).map((r) => r.id)),
    pulled: new Set((await store.db.hallEvents.toArray()).map((e) => e.id)),
    sessions: new Set((await store.db.dutySessions.toArray()).map((s) => s.id)),
  };
}

describe('pruning a device', () => {
  it('deletes acknowledged records older than the retention, and nothing else', async () => {
    const { store, clock, old, today } = await busyDevice();
    const before = await ids(store);
    const headBefore = await store.db.getMeta('head');
    const cursorBefore = await store.db.getMeta('cursor');
    const countsBefore = await store.counts();
    let pauses = 0;
    const result = await pruneDevice(store.db, {
      now: clock.ms,
      retentionDays: 90,
      batch: 2,
      pause: async () => void pauses++,
    });
    const after = await ids(store);

    // What went: the two old acknowledged ratings with their records, the closed session's
    // sign-in and sign-out with the session, the pulled reference event and plain rating.
    for (const r of old.ratings) {
      expect(after.log.has(r.id)).toBe(false);
      expect(after.ratings.has(r.id)).toBe(false);
    }
    expect(after.sessions.has(old.closedSession)).toBe(false);
    expect(after.pulled.has(old.pulled[0]!.id)).toBe(false);
    expect(after.pulled.has(old.pulled[1]!.id)).toBe(false);
    expect(result).toEqual({ log: 4, ratings: 2, hallEvents: 2, dutySessions: 1, dutyLedger: 0 });
    expect(before.log.size - after.log.size).toBe(4);
    // In small transactions with pauses between them.
    expect(pauses).toBeGreaterThanOrEqual(3);

    // Never: pending, refused, a 差评 (a problem), a walk's event, a session not signed out,
    // anything within the retention.
    for (const kept of [old.pending, old.refused, old.poor, today.rating]) {
      expect(after.log.has(kept.id)).toBe(true);
      expect(after.ratings.has(kept.id)).toBe(true);
    }
    expect(after.pulled.has(old.pulled[2]!.id)).toBe(true); // a pulled 差评
    expect(after.pulled.has(old.pulled[3]!.id)).toBe(true); // walk.started
    expect((await store.db.hallEvents.get(old.pulled[3]!.hallSeq))!.valid).toBe(true);
    expect(after.pulled.has(today.pulled[0]!.id)).toBe(true);
    expect(after.sessions.has(old.openSession)).toBe(true);
    expect(after.sessions.has(today.session)).toBe(true);
    const openSessionEvents = (await store.db.log.where('type').equals('duty.signedIn').toArray())
      .map((e) => (e.event.payload as { sessionId: Id }).sessionId)
      .sort();
    expect(openSessionEvents).toEqual([old.openSession, today.session].sort());

    // The head, the cursor and the counts are untouched.
    expect(await store.db.getMeta('head')).toEqual(headBefore);
    expect(await store.db.getMeta('cursor')).toBe(cursorBefore);
    expect(await store.counts()).toEqual(countsBefore);
    expect(countsBefore).toEqual({ pending: 1, rejected: 1 });

    // Again: nothing more to do.
    const again = await pruneDevice(store.db, { now: clock.ms, retentionDays: 90 });
    expect(again).toEqual({ log: 0, ratings: 0, hallEvents: 0, dutySessions: 0, dutyLedger: 0 });
  });

  it('keeps everything younger than the retention', async () => {
    const { store, clock } = await busyDevice();
    const before = await ids(store);
    const result = await pruneDevice(store.db, { now: clock.ms, retentionDays: 120 });
    expect(result).toEqual({ log: 0, ratings: 0, hallEvents: 0, dutySessions: 0, dutyLedger: 0 });
    expect(await ids(store)).toEqual(before);
  });

  it('continues the hash chain and the numbering after pruning', async () => {
    const { store, clock, rate } = await busyDevice();
    const head = (await store.db.getMeta('head'))!;
    await pruneDevice(store.db, { now: clock.ms, retentionDays: 90 });
    const next = await rate();
    expect(next.deviceSeq).toBe(head.seq + 1);
    expect(next.prevHash).toBe(head.hash);
    expect((await store.db.getMeta('head'))!.hash).toBe(eventHash(next));
    expect(await store.counts()).toEqual({ pending: 2, rejected: 1 });
  });

  it('lets a tap through while it runs', async () => {
    const { store, clock, rate } = await busyDevice();
    let tapped = false;
    const run = pruneDevice(store.db, {
      now: clock.ms,
      retentionDays: 90,
      batch: 1,
      pause: async () => {
        if (!tapped) {
          tapped = true;
          await rate();
        }
      },
    });
    await run;
    expect(tapped).toBe(true);
    expect(await store.counts()).toEqual({ pending: 2, rejected: 1 });
  });
});
