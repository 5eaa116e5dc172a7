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

    // Another device's ratings, page by page.
    const other = await enrollDevice(server, 'A02');
    const theirs = [other.rating(server), other.rating(server), other.rating(server)];
    await pushOk(server.app, other, theirs);
    const paged = await pullAll(server, d, everything.cursor, 2);
    expect(paged.events.map((e) => e.id)).toEqual(theirs.map((e) => e.id));
    expect(paged.events[0]).toMatchObject({ ...theirs[0], hallSeq: everything.cursor + 1 });
    expect(paged.cursor).toBe(everything.cursor + 3);

    const first = await pullPage(server, d, everything.cursor, 2);
    expect(first.more).toBe(true);
    expect(first.events).toHaveLength(2);
    const rest = await pullPage(server, d, first.cursor, 2);
    expect(rest.more).toBe(false);
    expect(rest.events.map((e) => e.id)).toEqual([theirs[2]!.id]);
    const nothing = await pullPage(server, d, rest.cursor);
    expect(nothing).toMatchObject({ events: [], cursor: rest.cursor, more: false });
  });

  it("leaves out a device's own events that nothing on it reads back, moving its cursor past them", async () => {
    const d = await enrollDevice(server);
    const other = await enrollDevice(server, 'A02');
    const start = (await pullAll(server, d)).cursor;
    const satisfied = [d.rating(server), d.rating(server)];
    const poor = d.rating(server, { level: 'very_dissatisfied', reasons: ['attitude'] });
    await pushOk(server.app, d, [...satisfied, poor]);

    // Its own satisfied ratings are not sent back; the 差评 (a problem's first event) is.
    const first = await pullPage(server, d, start, 2);
    expect(first).toMatchObject({ events: [], cursor: start + 2, more: true });
    const rest = await pullPage(server, d, first.cursor, 2);
    expect(rest.events.map((e) => e.id)).toEqual([poor.id]);
    expect(rest).toMatchObject({ cursor: start + 3, more: false });
    // Any other device gets all three.
    const seen = await pullAll(server, other, start);
    expect(seen.events.map((e) => e.id)).toEqual([...satisfied, poor].map((e) => e.id));
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

    // The reader is not sent its own ratings back (its log holds them); every other one comes.
    const total = devices.length * rounds * perBatch;
    expect(seen).toHaveLength(total - rounds * perBatch);
    expect(seen.some((e) => e.deviceId === reader.deviceId)).toBe(false);
    expect(new Set(seen.map((e) => e.id)).size).toBe(total - rounds * perBatch);
    const seqs = seen.map((e) => e.hallSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // hall_seq is dense: every number after the start was handed to exactly one event, the
    // reader's own among them.
    const watcher = await enrollDevice(server);
    const all = (await pullAll(server, watcher, start)).events.map((e) => e.hallSeq);
    expect(all).toHaveLength(total);
    expect(all[all.length - 1]! - all[0]! + 1).toBe(total);
  });
});
