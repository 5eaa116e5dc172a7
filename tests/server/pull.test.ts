import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PulledEvent, PullResponse } from '../../src/sync/protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { enrollDevice, pushOk, type TestDevice } from './helpers';

async function pullPage(
  server: TestServer,
  d: TestDevice,
  after: number,
  limit?: number,
): Promise<PullResponse> {
  const query = `after=${after}${limit ? `&limit=${limit}` : ''}`;
  const res = await fetch(`${server.url}/api/v1/sync/pull?${query}`, {
    headers: d.authorization(),
  });
  if (res.status !== 200) throw new Error(`pull failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as PullResponse;
}

async function pullAll(
  server: TestServer,
  d: TestDevice,
  after = 0,
  limit?: number,
): Promise<{ events: PulledEvent[]; cursor: number }> {
  const events: PulledEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await pullPage(server, d, cursor, limit);
    events.push(...page.events);
    cursor = page.cursor;
    if (!page.more) return { events, cursor };
  }
}

describe.each(backends)('pull on $name', ({ name }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
  });
  afterAll(() => server.close());

  it("returns the hall's events in order, with the server's hlc and hallSeq, page by page", async () => {
    const d = await enrollDevice(server);
    const everything = await pullAll(server, d);
    // The seeded reference data comes first: hall, settings, departments, windows, leaders.
    expect(everything.events[0]!.type).toBe('ref.hallSaved');
    expect(everything.events.filter((e) => e.type === 'ref.windowSaved')).toHaveLength(
      server.seed.windows.length,
    );
    const seqs = everything.events.map((e) => e.hallSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    const mine = [d.rating(server), d.rating(server), d.rating(server)];
    await pushOk(server.app, d, mine);
    const paged = await pullAll(server, d, everything.cursor, 2);
    expect(paged.events.map((e) => e.id)).toEqual(mine.map((e) => e.id));
    expect(paged.events[0]).toMatchObject({ ...mine[0], hallSeq: everything.cursor + 1 });
    expect(paged.cursor).toBe(everything.cursor + 3);

    const first = await pullPage(server, d, everything.cursor, 2);
    expect(first.more).toBe(true);
    expect(first.events).toHaveLength(2);
    const rest = await pullPage(server, d, first.cursor, 2);
    expect(rest.more).toBe(false);
    expect(rest.events.map((e) => e.id)).toEqual([mine[2]!.id]);
    const nothing = await pullPage(server, d, rest.cursor);
    expect(nothing).toMatchObject({ events: [], cursor: rest.cursor, more: false });
  });

  it('caps a page at 500 and refuses a bad cursor', async () => {
    const d = await enrollDevice(server);
    const page = await pullPage(server, d, 0, 10_000);
    expect(page.events.length).toBeLessThanOrEqual(500);
    const bad = await fetch(`${server.url}/api/v1/sync/pull?after=-1`, {
      headers: d.authorization(),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_query' });
  });

  it('never skips an event while several devices push at once', async () => {
    const windows = ['A01', 'A02', 'A03', 'B01', 'B02'];
    const devices = await Promise.all(windows.map((w) => enrollDevice(server, w)));
    const reader = devices[0]!;
    const start = (await pullAll(server, reader)).cursor;

    const rounds = 12;
    const perBatch = 4;
    let pushing = true;
    const seen: PulledEvent[] = [];
    const readerLoop = (async () => {
      let cursor = start;
      // Read as fast as possible while writers commit; stop once they are done and drained.
      for (;;) {
        const done = !pushing;
        const got = await pullAll(server, reader, cursor, 7);
        seen.push(...got.events);
        cursor = got.cursor;
        if (done) return;
      }
    })();
    await Promise.all(
      devices.map(async (d) => {
        for (let r = 0; r < rounds; r++) {
          const batch = Array.from({ length: perBatch }, () => d.rating(server));
          const res = await fetch(`${server.url}/api/v1/sync/push`, {
            method: 'POST',
            headers: { ...d.authorization(), 'content-type': 'application/json' },
            body: JSON.stringify({ deviceId: d.deviceId, events: batch }),
          });
          expect(res.status).toBe(200);
        }
      }),
    );
    pushing = false;
    await readerLoop;

    const total = devices.length * rounds * perBatch;
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((e) => e.id)).size).toBe(total);
    const seqs = seen.map((e) => e.hallSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // hall_seq is dense: every number between the first and last was handed to exactly one event.
    expect(seqs[seqs.length - 1]! - seqs[0]! + 1).toBe(total);
  });
});
