import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/server/db/db';
import { eventHash } from '../../src/domain/device';
import { newId } from '../../src/domain/ids';
import type { GapError, PushResponse } from '../../src/sync/protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { TestDevice, count, enrollDevice, push, pushOk } from './helpers';

describe.each(backends)('push on $name', ({ name }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
  });
  afterAll(() => server.close());

  const deviceEvents = (d: TestDevice) => count(server, 'events', 'device_id = $1', [d.deviceId]);
  const deviceRow = async (d: TestDevice) =>
    (
      await server.db.query<{ lastSeq: number; pending: number | null; lastSeenAt: Date | null }>(
        'SELECT last_seq AS "lastSeq", pending, last_seen_at AS "lastSeenAt" FROM devices WHERE id = $1',
        [d.deviceId],
      )
    )[0]!;

  it('stores a batch once when it is pushed twice', async () => {
    const d = await enrollDevice(server);
    const events = [d.rating(server), d.rating(server, { level: 'satisfied' }), d.rating(server)];
    const first = await pushOk(server.app, d, events);
    expect(first.lastSeq).toBe(3);
    expect(first.results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
    expect(Date.parse(first.serverTime)).not.toBeNaN();

    const again = await pushOk(server.app, d, events);
    expect(again.lastSeq).toBe(3);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await deviceEvents(d)).toBe(3);
    expect(await count(server, 'ratings', 'device_id = $1', [d.deviceId])).toBe(3);
  });

  it('answers a batch overlapping what is stored with duplicates then new outcomes', async () => {
    const d = await enrollDevice(server);
    const a = [d.rating(server), d.rating(server)];
    await pushOk(server.app, d, a);
    const b = [d.rating(server), d.rating(server)];
    const res = await pushOk(server.app, d, [...a, ...b]);
    expect(res.results.map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'stored',
      'stored',
    ]);
    expect(res.lastSeq).toBe(4);
    expect(await deviceEvents(d)).toBe(4);
  });

  it('records pending and last seen', async () => {
    const d = await enrollDevice(server);
    await pushOk(server.app, d, [d.rating(server)]);
    const res = await push(server.app, d, [d.rating(server)], { pending: 7 });
    expect(res.statusCode).toBe(200);
    const row = await deviceRow(d);
    expect(row.pending).toBe(7);
    expect(row.lastSeenAt).not.toBeNull();
  });

  it('answers 409 gap with lastSeq when a batch skips ahead, and stores nothing', async () => {
    const d = await enrollDevice(server);
    const e1 = d.rating(server);
    await pushOk(server.app, d, [e1]);
    d.rating(server); // seq 2 never sent
    const e3 = d.rating(server);
    const res = await push(server.app, d, [e3]);
    expect(res.statusCode).toBe(409);
    const body = res.json<GapError>();
    expect(body.error).toBe('gap');
    expect(body.lastSeq).toBe(1);
    expect(typeof body.message).toBe('string');
    expect(await deviceEvents(d)).toBe(1);
  });

  it('moves the head only to a batch that reaches beyond it, and a refused push not at all', async () => {
    const d = await enrollDevice(server);
    const head = async () =>
      (
        await server.db.query<{ lastSeq: number; lastHash: string | null; pending: number | null }>(
          'SELECT last_seq AS "lastSeq", last_hash AS "lastHash", pending FROM devices WHERE id = $1',
          [d.deviceId],
        )
      )[0]!;
    const e1 = d.rating(server);
    const e2 = d.rating(server);
    await pushOk(server.app, d, [e1, e2]);
    const after2 = await head();
    expect(after2).toMatchObject({ lastSeq: 2, lastHash: eventHash(e2) });

    // A resend of the first event alone: answered, the head stays at 2, the count is recorded.
    const resend = await push(server.app, d, [e1], { pending: 5 });
    expect(resend.json<PushResponse>().lastSeq).toBe(2);
    expect(await head()).toEqual({ ...after2, pending: 5 });

    // After a gap, and from a revoked device: nothing of the push is kept, the head included.
    d.rating(server); // seq 3 never sent
    const e4 = d.rating(server);
    expect((await push(server.app, d, [e4], { pending: 9 })).statusCode).toBe(409);
    expect(await head()).toEqual({ ...after2, pending: 5 });
    await server.db.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [d.deviceId]);
    expect((await push(server.app, d, [e4], { pending: 9 })).statusCode).toBe(403);
    expect(await head()).toEqual({ ...after2, pending: 5 });
  });

  it.each([
    ['no events', (d: TestDevice) => ({ deviceId: d.deviceId, events: [] })],
    ['events not an array', (d: TestDevice) => ({ deviceId: d.deviceId, events: 'x' })],
    [
      'an event without a head',
      (d: TestDevice, s: TestServer) => ({
        deviceId: d.deviceId,
        events: [d.rating(s), { hello: 1 }],
      }),
    ],
    ['a bad deviceId', () => ({ deviceId: 'nope', events: [] })],
    [
      'more than 500 events',
      (d: TestDevice, s: TestServer) => ({
        deviceId: d.deviceId,
        events: Array.from({ length: 501 }, () => d.rating(s)),
      }),
    ],
  ])('refuses a malformed batch (%s) with 400 and writes nothing', async (_label, body) => {
    const d = await enrollDevice(server);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: d.authorization(),
      payload: body(d, server),
    });
    expect(res.statusCode).toBe(400);
    const json = res.json<{ error: string; message: string; issues: unknown[] }>();
    expect(json.error).toBe('invalid_batch');
    expect(json.message).toMatch(/batch/);
    expect(json.issues.length).toBeGreaterThan(0);
    expect(await deviceEvents(d)).toBe(0);
    expect(await count(server, 'rejected_events', 'device_id = $1', [d.deviceId])).toBe(0);
    expect((await deviceRow(d)).lastSeq).toBe(0);
  });

  it('refuses non-consecutive sequence numbers with 400 and writes nothing', async () => {
    const d = await enrollDevice(server);
    const e1 = d.rating(server);
    d.rating(server);
    const e3 = d.rating(server);
    const res = await push(server.app, d, [e1, e3]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'not_consecutive',
      issues: [{ path: 'events.1.deviceSeq', code: 'not_consecutive' }],
    });
    expect(await deviceEvents(d)).toBe(0);
  });

  it("refuses another device's id, in the body or in an event, with 400", async () => {
    const d = await enrollDevice(server);
    const other = await enrollDevice(server);
    const mine = d.rating(server);
    const res1 = await server.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: d.authorization(),
      payload: { deviceId: other.deviceId, events: [other.rating(server)] },
    });
    expect(res1.statusCode).toBe(400);
    expect(res1.json().error).toBe('wrong_device');
    const res2 = await push(server.app, d, [{ ...mine, deviceId: other.deviceId }]);
    expect(res2.statusCode).toBe(400);
    expect(res2.json().issues[0]).toMatchObject({
      path: 'events.0.deviceId',
      code: 'wrong_device',
    });
    expect(await deviceEvents(d)).toBe(0);
    expect(await deviceEvents(other)).toBe(0);
  });

  it('answers 413 with a JSON message for an oversized body and writes nothing', async () => {
    const d = await enrollDevice(server);
    const events = [d.rating(server)];
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: { ...d.authorization(), 'content-type': 'application/json' },
      payload: JSON.stringify({ deviceId: d.deviceId, events, padding: 'x'.repeat(600 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toMatchObject({ error: 'payload_too_large' });
    expect(await deviceEvents(d)).toBe(0);
  });

  it('rejects an invalid event with its reason, advances lastSeq and keeps the queue moving', async () => {
    const d = await enrollDevice(server);
    const good1 = d.rating(server);
    const bad = d.rating(server, { level: 'very_dissatisfied', reasons: [], comment: '' });
    const good2 = d.rating(server, { level: 'dissatisfied', reasons: ['waited_too_long'] });
    const res = await pushOk(server.app, d, [good1, bad, good2]);
    expect(res.lastSeq).toBe(3);
    expect(res.results[0]!.status).toBe('stored');
    expect(res.results[1]).toMatchObject({
      id: bad.id,
      status: 'rejected',
      reason: 'poor_rating_needs_reason',
    });
    expect(res.results[2]!.status).toBe('stored');
    expect(await deviceEvents(d)).toBe(2);
    const rejected = await server.db.query<{ reason: string; deviceSeq: number }>(
      'SELECT reason, device_seq AS "deviceSeq" FROM rejected_events WHERE device_id = $1',
      [d.deviceId],
    );
    expect(rejected).toEqual([{ reason: 'poor_rating_needs_reason', deviceSeq: 2 }]);
    // A resend of the rejected event is answered with the same decision, not stored.
    const again = await pushOk(server.app, d, [bad]);
    expect(again.results[0]).toMatchObject({
      status: 'rejected',
      reason: 'poor_rating_needs_reason',
    });
    // The next event chains to the rejected one and is accepted.
    const next = await pushOk(server.app, d, [d.rating(server)]);
    expect(next.results[0]!.status).toBe('stored');
    expect(next.lastSeq).toBe(4);
  });

  it.each([
    [
      'wrong role',
      'not_allowed',
      (d: TestDevice) => d.append('ref.settingsSaved', { phoneRatingIntervalMinutes: 0 }),
    ],
    [
      'wrong window',
      'wrong_window',
      (d: TestDevice, s: TestServer) =>
        d.rating(s, {
          windowId: s.seed.windows[1]!.id,
          departmentId: s.seed.windows[1]!.departmentId,
        }),
    ],
    [
      'wrong department',
      'wrong_department',
      (d: TestDevice, s: TestServer) => d.rating(s, { departmentId: s.seed.departments[3]!.id }),
    ],
    [
      'unknown window',
      'unknown_window',
      (d: TestDevice, s: TestServer) => d.rating(s, { windowId: newId() }),
    ],
    [
      'wrong hall',
      'wrong_hall',
      (d: TestDevice, s: TestServer) => d.rating(s, {}, { hallId: newId() }),
    ],
    [
      'broken chain',
      'invalid_chain',
      (d: TestDevice, s: TestServer) => d.rating(s, {}, { prevHash: 'a'.repeat(64) }),
    ],
    [
      'unknown type',
      'unknown_event_type',
      (d: TestDevice, s: TestServer) =>
        d.append('rating.submitted', d.ratingPayload(s), {
          type: 'rating.deleted' as 'rating.submitted',
        }),
    ],
  ])('rejects an event with %s (%s) without blocking the log', async (_label, reason, make) => {
    const d = await enrollDevice(server);
    const first = await pushOk(server.app, d, [d.rating(server)]);
    expect(first.results[0]!.status).toBe('stored');
    const bad = make(d, server) as { id: string; deviceSeq: number };
    const res = await pushOk(server.app, d, [bad, d.rating(server)]);
    expect(res.results[0]).toMatchObject({ id: bad.id, status: 'rejected', reason });
    expect(res.results[1]!.status).toBe('stored');
    expect(res.lastSeq).toBe(bad.deviceSeq + 1);
    expect(await count(server, 'events', 'id = $1', [bad.id])).toBe(0);
    expect(
      await count(server, 'rejected_events', 'event_id = $1 AND reason = $2', [bad.id, reason]),
    ).toBe(1);
  });

  it('counts a ticket once in the hall, whichever device sends it', async () => {
    const a = await enrollDevice(server, 'A01');
    const b = await enrollDevice(server, 'A02');
    const ticket = `T-${newId()}`;
    expect((await pushOk(server.app, a, [a.rating(server, { ticket })])).results[0]!.status).toBe(
      'stored',
    );
    const res = await pushOk(server.app, b, [b.rating(server, { ticket: `  ${ticket} ` })]);
    expect(res.results[0]).toMatchObject({ status: 'rejected', reason: 'duplicate_ticket' });
  });

  it('clamps an hlc far ahead of the server clock and keeps the original', async () => {
    const d = await enrollDevice(server);
    const future = '2099-01-01T00:00:00.000Z-0000-0123456789abcdef';
    const e = d.rating(server, {}, { hlc: future });
    await pushOk(server.app, d, [e]);
    const rows = await server.db.query<{ hlc: string; hlcOriginal: string }>(
      'SELECT hlc, hlc_original AS "hlcOriginal" FROM events WHERE id = $1',
      [e.id],
    );
    expect(rows[0]!.hlcOriginal).toBe(future);
    expect(rows[0]!.hlc < future).toBe(true);
    expect(rows[0]!.hlc.endsWith('-0000-0123456789abcdef')).toBe(true);
  });

  it('answers 401 without a token or with an unknown one', async () => {
    const d = await enrollDevice(server);
    const events = [d.rating(server)];
    const none = await server.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      payload: { deviceId: d.deviceId, events },
    });
    expect(none.statusCode).toBe(401);
    expect(none.json().error).toBe('unauthorized');
    const stranger = new TestDevice(d.deviceId, d.hallId, 'not-a-real-token', null);
    const res = await push(server.app, stranger, events);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('unauthorized');
    const pull = await server.app.inject({
      url: '/api/v1/sync/pull',
      headers: stranger.authorization(),
    });
    expect(pull.statusCode).toBe(401);
    expect(await deviceEvents(d)).toBe(0);
  });

  it('answers 403 revoked to a revoked device and stores nothing', async () => {
    const d = await enrollDevice(server);
    await pushOk(server.app, d, [d.rating(server)]);
    await server.db.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [d.deviceId]);
    const res = await push(server.app, d, [d.rating(server)]);
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('revoked');
    const pull = await server.app.inject({ url: '/api/v1/sync/pull', headers: d.authorization() });
    expect(pull.statusCode).toBe(403);
    expect(await deviceEvents(d)).toBe(1);
  });

  it('serves the time', async () => {
    const res = await server.app.inject({ url: '/api/v1/time' });
    expect(res.statusCode).toBe(200);
    expect(Math.abs(Date.parse(res.json().serverTime) - Date.now())).toBeLessThan(60_000);
  });
});

/** A database that fails the moment an event is inserted, while `failing` is set. */
function failingOnInsert(db: Db, state: { failing: boolean }): Db {
  const wrap = (inner: Db): Db => ({
    ...inner,
    async query<T>(sql: string, params?: readonly unknown[]) {
      if (state.failing && /INSERT INTO events/.test(sql))
        throw new Error('connection terminated unexpectedly');
      return inner.query<T>(sql, params);
    },
    tx: (fn) => inner.tx((tx) => fn(wrap(tx))),
  });
  return wrap(db);
}

describe.each(backends)('push during a database failure on $name', ({ name }) => {
  const state = { failing: false };
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: name, wrapDb: (db) => failingOnInsert(db, state) });
  });
  afterAll(() => server.close());

  it('answers 503 with Retry-After, rolls back, and accepts the same batch afterwards', async () => {
    const d = await enrollDevice(server);
    const events = [
      d.rating(server),
      d.rating(server, { level: 'very_dissatisfied', reasons: [], comment: '' }),
      d.rating(server),
    ];
    state.failing = true;
    const res = await push(server.app, d, events);
    state.failing = false;
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.json().error).toBe('server_unavailable');
    expect(await count(server, 'events', 'device_id = $1', [d.deviceId])).toBe(0);
    expect(await count(server, 'rejected_events', 'device_id = $1', [d.deviceId])).toBe(0);
    const row = await server.db.query<{ lastSeq: number }>(
      'SELECT last_seq AS "lastSeq" FROM devices WHERE id = $1',
      [d.deviceId],
    );
    expect(row[0]!.lastSeq).toBe(0);

    const retry = (await push(server.app, d, events)).json<PushResponse>();
    expect(retry.results.map((r) => r.status)).toEqual(['stored', 'rejected', 'stored']);
    expect(await count(server, 'events', 'device_id = $1', [d.deviceId])).toBe(2);
  });
});
