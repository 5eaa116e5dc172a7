import { describe, expect, it, vi } from 'vitest';
import { counted, openStore, rate, statuses } from './own-log';

describe('settling answers', () => {
  it('moves only the mark for a batch right after it: no entry or rating record is written', async () => {
    const store = await openStore();
    const [first] = await rate(store, 30);
    const entryBefore = (await store.db.log.get(1))!;
    const ratingBefore = (await store.db.ratings.get(first!.id))!;
    const logPut = vi.spyOn(store.db.log, 'bulkPut');
    const ratingPut = vi.spyOn(store.db.ratings, 'bulkPut');
    await store.settle({ acked: Array.from({ length: 20 }, (_, i) => i + 1), rejected: [] }, 't1');
    expect(logPut).not.toHaveBeenCalled();
    expect(ratingPut).not.toHaveBeenCalled();
    expect(await store.db.getMeta('ackedThrough')).toBe(20);
    expect(await store.db.log.get(1)).toEqual(entryBefore);
    expect(await store.db.ratings.get(first!.id)).toEqual(ratingBefore);
    const all = await statuses(store);
    expect(all.filter((s) => s.log === 'acked').map((s) => s.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(all.every((s) => s.rating === s.log)).toBe(true);
    expect(await store.counts()).toEqual({ pending: 10, rejected: 0 });
    expect(await store.counts()).toEqual(await counted(store));
    // What is sent next starts after the mark.
    expect((await store.pending(5)).map((e) => e.deviceSeq)).toEqual([21, 22, 23, 24, 25]);
    expect((await store.log.all())[0]!.status).toBe('acked');
    expect(await store.log.statusOf(first!.id)).toBe('acked');
  });

  it('marks acks and refusals on the log and the rating; a refusal is final', async () => {
    const store = await openStore();
    const [a, b, c] = await rate(store, 3);
    await store.settle(
      { acked: [1, 3], rejected: [{ deviceSeq: 2, reason: 'wrong_window', message: 'm' }] },
      'now',
    );
    expect(await store.counts()).toEqual({ pending: 0, rejected: 1 });
    expect(await store.db.getMeta('ackedThrough')).toBe(3);
    expect((await store.db.ratings.get(b!.id))!.status).toBe('rejected');
    expect(await store.log.statusOf(a!.id)).toBe('acked');
    expect(await store.log.statusOf(b!.id)).toBe('rejected');
    expect(await store.log.statusOf(c!.id)).toBe('acked');
    // A resend answered "duplicate" does not hide the refusal.
    await store.settle({ acked: [2], rejected: [] }, 'later');
    const [rejected] = await store.log.rejected();
    expect(rejected).toMatchObject({
      deviceSeq: 2,
      status: 'rejected',
      reason: 'wrong_window',
      message: 'm',
      settledAt: 'now',
    });
    expect(await store.counts()).toEqual({ pending: 0, rejected: 1 });
  });

  it('writes answers out of order on their entries, and the mark catches up over them', async () => {
    const store = await openStore();
    await rate(store, 8);
    await store.settle(
      { acked: [1, 3, 7], rejected: [{ deviceSeq: 5, reason: 'wrong_window', message: 'm' }] },
      't1',
    );
    expect(await store.db.getMeta('ackedThrough')).toBe(1);
    expect(await statuses(store)).toEqual([
      { seq: 1, log: 'acked', rating: 'acked', stored: 'pending', settledAt: undefined },
      { seq: 2, log: 'pending', rating: 'pending', stored: 'pending', settledAt: undefined },
      { seq: 3, log: 'acked', rating: 'acked', stored: 'acked', settledAt: 't1' },
      { seq: 4, log: 'pending', rating: 'pending', stored: 'pending', settledAt: undefined },
      { seq: 5, log: 'rejected', rating: 'rejected', stored: 'rejected', settledAt: 't1' },
      { seq: 6, log: 'pending', rating: 'pending', stored: 'pending', settledAt: undefined },
      { seq: 7, log: 'acked', rating: 'acked', stored: 'acked', settledAt: 't1' },
      { seq: 8, log: 'pending', rating: 'pending', stored: 'pending', settledAt: undefined },
    ]);
    expect(await store.counts()).toEqual({ pending: 4, rejected: 1 });
    expect(await store.counts()).toEqual(await counted(store));
    expect((await store.pending(10)).map((e) => e.deviceSeq)).toEqual([2, 4, 6, 8]);

    // 2 joins the run, and the mark moves on over 3, written before.
    await store.settle({ acked: [2], rejected: [] }, 't2');
    expect(await store.db.getMeta('ackedThrough')).toBe(3);
    // 4 joins it, 5 (refused) and 7 were written, 6 is written now: the mark reaches 7.
    await store.settle({ acked: [4, 6], rejected: [] }, 't3');
    expect(await store.db.getMeta('ackedThrough')).toBe(7);
    expect(await store.counts()).toEqual({ pending: 1, rejected: 1 });
    expect(await store.counts()).toEqual(await counted(store));
    expect((await store.pending(10)).map((e) => e.deviceSeq)).toEqual([8]);
    // The refusal inside the mark still stands as one.
    expect((await statuses(store))[4]).toMatchObject({
      seq: 5,
      log: 'rejected',
      rating: 'rejected',
    });
    await store.settle({ acked: [8], rejected: [] }, 't4');
    expect(await store.db.getMeta('ackedThrough')).toBe(8);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 1 });
  });

  it('refuses an event in the middle of a batch, on its entry, while the mark passes it', async () => {
    const store = await openStore();
    await rate(store, 6);
    await store.settle(
      {
        acked: [1, 2, 4, 5],
        rejected: [{ deviceSeq: 3, reason: 'invalid_payload', message: 'x' }],
      },
      't1',
    );
    expect(await store.db.getMeta('ackedThrough')).toBe(5);
    expect((await statuses(store)).map((s) => s.log)).toEqual([
      'acked',
      'acked',
      'rejected',
      'acked',
      'acked',
      'pending',
    ]);
    expect(await store.counts()).toEqual({ pending: 1, rejected: 1 });
    expect(await store.counts()).toEqual(await counted(store));
  });

  it('turns an acknowledged event refused, without counting it again', async () => {
    const store = await openStore();
    await rate(store, 3);
    await store.settle({ acked: [1, 2, 3], rejected: [] }, 't1');
    await store.settle(
      { acked: [], rejected: [{ deviceSeq: 2, reason: 'wrong_window', message: 'm' }] },
      't2',
    );
    expect((await statuses(store)).map((s) => s.rating)).toEqual(['acked', 'rejected', 'acked']);
    expect(await store.counts()).toEqual({ pending: 0, rejected: 1 });
    expect(await store.counts()).toEqual(await counted(store));
  });

  it('settles events spread far apart, and ignores events it does not hold', async () => {
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
    expect(all.filter((s) => s.log === 'acked').map((s) => s.seq)).toEqual([...batch, 22, 40]);
    expect(all.filter((s) => s.log === 'rejected').map((s) => s.seq)).toEqual([39]);
    expect(all.every((s) => s.rating === s.log)).toBe(true);
    expect(all.find((s) => s.seq === 40)!.settledAt).toBe('t2');
    expect(await store.counts()).toEqual({ pending: 17, rejected: 1 });
    expect(await store.counts()).toEqual(await counted(store));
    const rejected = await store.log.rejected();
    expect(rejected[0]).toMatchObject({ deviceSeq: 39, reason: 'burst', message: 'm' });
    expect((await store.db.ratings.get(rejected[0]!.id))!.reason).toBe('burst');
  });

  it('never moves the mark past the head, whatever an answer names', async () => {
    const store = await openStore();
    await rate(store, 3);
    await store.settle({ acked: [1, 2, 3, 4, 5], rejected: [] }, 't1');
    expect(await store.db.getMeta('ackedThrough')).toBe(3);
    // The next rating waits to be sent like any other.
    await rate(store, 1);
    expect(await store.counts()).toEqual({ pending: 1, rejected: 0 });
    expect((await store.pending(10)).map((e) => e.deviceSeq)).toEqual([4]);
    expect((await statuses(store))[3]).toMatchObject({ seq: 4, log: 'pending', rating: 'pending' });
  });

  it('counts an event named twice in one answer once', async () => {
    const store = await openStore();
    await rate(store, 6);
    await store.settle({ acked: [1, 1, 2, 2, 5, 5], rejected: [] }, 't1');
    expect(await store.counts()).toEqual({ pending: 3, rejected: 0 });
    expect(await store.counts()).toEqual(await counted(store));
  });

  it('answered again (a resend) changes nothing, the counter included', async () => {
    const store = await openStore();
    await rate(store, 5);
    await store.settle({ acked: [1, 2, 3, 5], rejected: [] }, 't1');
    const before = await statuses(store);
    await store.settle({ acked: [1, 2, 3, 5], rejected: [] }, 't2');
    expect(await statuses(store)).toEqual(before);
    expect(await store.db.getMeta('settled')).toBe(4);
    expect(await store.db.getMeta('ackedThrough')).toBe(3);
  });

  it('starts the mark in a database that stored every answer on its entry', async () => {
    const name = `test-${crypto.randomUUID()}`;
    const first = await openStore(name);
    await rate(first, 6);
    // As an older version of the app left it: answers on the entries (1, 2 and 4), no mark.
    await first.db.transaction('rw', [first.db.log, first.db.ratings, first.db.meta], async () => {
      for (const seq of [1, 2, 4]) {
        const entry = (await first.db.log.get(seq))!;
        await first.db.log.put({ ...entry, status: 'acked', settledAt: 'old' });
        await first.db.ratings.update(entry.id, { status: 'acked' });
      }
      await first.db.meta.delete('ackedThrough');
      await first.db.putMeta('settled', 3);
    });
    first.close();
    const store = await openStore(name, first.deviceId);
    expect(await store.db.getMeta('ackedThrough')).toBe(2);
    expect(await store.counts()).toEqual({ pending: 3, rejected: 0 });
    expect((await store.pending(10)).map((e) => e.deviceSeq)).toEqual([3, 5, 6]);
    await store.settle({ acked: [3], rejected: [] }, 't1');
    expect(await store.db.getMeta('ackedThrough')).toBe(4);
    expect(await store.counts()).toEqual({ pending: 2, rejected: 0 });
    expect(await store.counts()).toEqual(await counted(store));
  });
});
