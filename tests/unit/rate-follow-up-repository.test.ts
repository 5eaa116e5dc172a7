import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteError } from '../../src/app/device-api';
import { eventHash } from '../../src/domain/device';
import { validateEvent, type RatingSubmitted } from '../../src/domain/events';
import { compareByHlc } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import type { CardRoute } from '../../src/storage/db';
import { InvalidRecordError } from '../../src/storage/errors';
import { FollowUpRefusal, FollowUpRepository } from '../../src/storage/follow-up-repository';
import { LocalStore } from '../../src/storage/store';

const hallId = newId();
const windowId = newId();
const departmentId = newId();
const route: CardRoute = { windowCode: 'A01', sig: 'card-signature' };

const stores: LocalStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A phone's store with its follow-up repository, built the way the phone builds it. */
async function phone() {
  const phoneId = newId();
  const store = await LocalStore.open(`phone-${newId()}`, phoneId);
  stores.push(store);
  const followUps = new FollowUpRepository(store.db, store.clock);
  const rate = (over: Partial<RatingSubmitted> = {}, card: CardRoute | null = route) =>
    store.ratings.record({
      hallId,
      deviceId: phoneId,
      payload: {
        windowId,
        departmentId,
        level: 'dissatisfied',
        reasons: ['waited_too_long'],
        comment: '',
        ticket: null,
        channel: 'qr',
        phoneId,
        dutySessionId: null,
        ...over,
      },
      ...(card ? { route: card } : {}),
    });
  /** Settle events as the sync engine does after the server's answer. */
  const settle = async (acked: number[], rejected: { deviceSeq: number; reason: string }[] = []) =>
    store.settle(
      { acked, rejected: rejected.map((r) => ({ ...r, message: r.reason })) },
      new Date().toISOString(),
    );
  return { phoneId, store, followUps, rate, settle };
}

describe('FollowUpRepository.record', () => {
  it('appends the follow-up to the phone log under the 差评’s card, chained after it', async () => {
    const { phoneId, store, followUps, rate } = await phone();
    const rating = await rate();
    const event = await followUps.record({
      phoneId,
      ratingId: rating.id,
      level: 'satisfied',
      comment: '已经改好了',
    });

    expect(validateEvent(event).ok).toBe(true);
    expect(event).toMatchObject({
      type: 'rating.followedUp',
      hallId,
      deviceId: phoneId,
      deviceSeq: 2,
      prevHash: eventHash(rating),
      actorId: null,
      payload: { ratingId: rating.id, phoneId, level: 'satisfied', comment: '已经改好了' },
    });
    expect(compareByHlc(rating, event)).toBeLessThan(0);
    const entry = await store.db.log.get(2);
    expect(entry).toMatchObject({ id: event.id, status: 'pending', route, problemId: rating.id });
    expect(entry!.hash).toBe(eventHash(event));
    expect(await store.db.getMeta('head')).toEqual({ seq: 2, hash: eventHash(event) });
    expect(await store.db.getMeta('hlc')).toBe(event.hlc);
    expect((await store.counts()).pending).toBe(2);
  });

  it('refuses a second follow-up of the same 差评 unless the first was refused', async () => {
    const { phoneId, followUps, rate, settle } = await phone();
    const rating = await rate();
    const first = {
      phoneId,
      ratingId: rating.id,
      level: 'basically_satisfied' as const,
      comment: '',
    };
    await followUps.record(first);
    const again = await followUps.record({ ...first, level: 'satisfied' }).catch((e) => e);
    expect(again).toBeInstanceOf(FollowUpRefusal);
    expect((again as FollowUpRefusal).code).toBe('already_followed_up');

    // The server refused the first one (not put right yet): the citizen may try again later.
    await settle([1], [{ deviceSeq: 2, reason: 'not_followable' }]);
    const retried = await followUps.record({ ...first, level: 'satisfied' });
    expect(retried.deviceSeq).toBe(3);
    expect((await followUps.all()).map((f) => [f.level, f.status, f.reason ?? null])).toEqual([
      ['basically_satisfied', 'rejected', 'not_followable'],
      ['satisfied', 'pending', null],
    ]);
  });

  it('refuses what is not a 差评 of this phone, writing nothing', async () => {
    const { phoneId, store, followUps, rate, settle } = await phone();
    const good = await rate({ level: 'satisfied', reasons: [] });
    const poor = await rate({ ticket: 'Q-1' });
    await settle([1], [{ deviceSeq: 2, reason: 'duplicate_ticket' }]);
    for (const ratingId of [good.id, poor.id, newId()]) {
      const error = await followUps
        .record({ phoneId, ratingId, level: 'satisfied', comment: '' })
        .catch((e) => e);
      expect((error as FollowUpRefusal).code).toBe('unknown_rating');
    }
    expect(await store.db.log.count()).toBe(2);
    expect((await store.db.getMeta('head'))!.seq).toBe(2);
  });

  it('refuses a payload the domain refuses and reports a full disk as storage_full', async () => {
    const { phoneId, store, followUps, rate } = await phone();
    const rating = await rate();
    const invalid = await followUps
      .record({ phoneId, ratingId: rating.id, level: 'satisfied', comment: 'x'.repeat(5000) })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(InvalidRecordError);

    const full = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    store.db.log.hook('creating', full);
    const error = await followUps
      .record({ phoneId, ratingId: rating.id, level: 'satisfied', comment: '' })
      .catch((e) => e);
    store.db.log.hook('creating').unsubscribe(full);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).code).toBe('storage_full');
    expect(await store.db.log.count()).toBe(1);
    expect((await store.db.getMeta('head'))!.seq).toBe(1);
  });
});

describe('FollowUpRepository.poorRatings', () => {
  it('lists the phone’s 差评 the server stored, newest first, at most the limit', async () => {
    const { followUps, rate, settle } = await phone();
    const a = await rate({ ticket: 'A' });
    await rate({ level: 'very_satisfied', reasons: [], ticket: 'B' });
    const c = await rate({ level: 'very_dissatisfied', ticket: 'C' });
    const pending = await rate({ ticket: 'D' });
    const refused = await rate({ ticket: 'E' });
    await settle([1, 2, 3], [{ deviceSeq: 5, reason: 'too_soon' }]);

    const ids = (await followUps.poorRatings(50)).map((r) => r.id);
    expect(ids).toEqual([c.id, a.id]);
    expect(ids).not.toContain(pending.id);
    expect(ids).not.toContain(refused.id);
    expect((await followUps.poorRatings(1)).map((r) => r.id)).toEqual([c.id]);
  });
});
