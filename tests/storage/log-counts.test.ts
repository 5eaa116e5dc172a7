import { describe, expect, it, vi } from 'vitest';
import { newId } from '../../src/domain/ids';
import { counted, openStore, rate } from './own-log';

const at = () => new Date().toISOString();

describe('pending and refused counts', () => {
  it('follow writes, acknowledgements, refusals and repeated answers', async () => {
    const store = await openStore();
    expect(await store.counts()).toEqual({ pending: 0, rejected: 0 });
    await rate(store, 6);
    expect(await store.counts()).toEqual({ pending: 6, rejected: 0 });
    await store.settle({ acked: [1, 2], rejected: [] }, at());
    expect(await store.counts()).toEqual({ pending: 4, rejected: 0 });
    await store.settle(
      { acked: [3], rejected: [{ deviceSeq: 4, reason: 'invalid_payload', message: 'x' }] },
      at(),
    );
    expect(await store.counts()).toEqual({ pending: 2, rejected: 1 });
    // A resend answered again (duplicates), and a refusal answered again: nothing changes.
    await store.settle(
      {
        acked: [1, 2, 3, 4],
        rejected: [{ deviceSeq: 4, reason: 'invalid_payload', message: 'x' }],
      },
      at(),
    );
    expect(await store.counts()).toEqual({ pending: 2, rejected: 1 });
    await rate(store, 3);
    await store.settle({ acked: [5, 6, 7, 8, 9, 10], rejected: [] }, at()); // 10 does not exist
    expect(await store.counts()).toEqual({ pending: 0, rejected: 1 });
    expect(await store.counts()).toEqual(await counted(store));
  });

  it('does not count the pending backlog once a settlement kept the counter', async () => {
    const store = await openStore();
    await rate(store, 5);
    await store.settle({ acked: [1], rejected: [] }, at());
    const where = vi.spyOn(store.db.log, 'where');
    expect(await store.counts()).toEqual({ pending: 4, rejected: 0 });
    const indexes = where.mock.calls.map((c) => c[0]);
    where.mockRestore();
    // Only the refused events are counted from the index (one range); the backlog is not read.
    expect(indexes).toEqual(['[status+deviceSeq]']);
  });

  it('starts the counter right in a database written before it was kept', async () => {
    const store = await openStore();
    await rate(store, 4);
    await store.settle({ acked: [1, 2], rejected: [] }, at());
    await store.db.meta.delete('settled'); // as an older version of the app left it
    expect(await store.counts()).toEqual({ pending: 2, rejected: 0 });
    await store.settle({ acked: [3], rejected: [] }, at());
    expect(await store.db.getMeta('settled')).toBe(3);
    expect(await store.counts()).toEqual({ pending: 1, rejected: 0 });
  });

  it('agrees across two tabs settling and writing the same database', async () => {
    const name = `test-${newId()}`;
    const deviceId = newId();
    const a = await openStore(name, deviceId);
    const b = await openStore(name, deviceId);
    await rate(a, 3);
    await rate(b, 3);
    await Promise.all([
      a.settle({ acked: [1, 2, 3], rejected: [] }, at()),
      b.settle({ acked: [2, 3, 4], rejected: [] }, at()),
    ]);
    expect(await a.counts()).toEqual({ pending: 2, rejected: 0 });
    expect(await b.counts()).toEqual(await counted(b));
  });
});
