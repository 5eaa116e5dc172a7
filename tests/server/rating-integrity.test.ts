/**
 * Rating integrity on the server: bursts flagged with their evidence as ratings arrive (never
 * deleted, still counted, one flag however the ratings are sent), the public endpoint's limits
 * per address and per window (429 with Retry-After, counted in the database so two server
 * processes share them, a `rate_limited` flag), and the console's review of flags and of the
 * repeated presses kept for audit.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import {
  ADDRESS_BURST,
  EVALUATOR_BURST,
  PHONE_BURST,
  PUBLIC_RATING_LIMITS,
} from '../../src/domain/rating-integrity';
import { buildApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import {
  findBursts,
  type RatingFlagItem,
  type RatingFlagsResponse,
} from '../../src/server/services/rating-flags';
import { recordFigures } from '../support/reliability';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { adminCookie } from '../sync/helpers';
import { TestDevice, count, enrollDevice, pushOk } from './helpers';

const figures = { 'bursts flagged': 0, 'requests limited': 0, 'ratings dropped': 0 };
let lost = 0;
let duplicated = 0;

let server: TestServer;
/** A second server process on the same database. */
let other: FastifyInstance;
let t = Date.parse('2026-03-02T09:00:00.000Z');
let cookie: string;

afterAll(() => {
  recordFigures('rating-integrity', { ...figures, lost, duplicated });
});

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const phone = () => new TestDevice(newId(), server.seed.hall.id, null, null, () => t);

async function flags(kind?: string): Promise<RatingFlagItem[]> {
  const res = await server.app.inject({
    url: '/api/v1/admin/rating-flags',
    headers: { cookie },
  });
  expect(res.statusCode, res.body).toBe(200);
  const all = res.json<RatingFlagsResponse>().flags;
  return kind ? all.filter((f) => f.kind === kind) : all;
}

async function sendPhone(
  app: FastifyInstance,
  events: unknown[],
  windowIndex: number,
  address: string,
) {
  const w = server.seed.windows[windowIndex]!;
  return app.inject({
    method: 'POST',
    url: '/api/v1/public/ratings',
    payload: { windowCode: w.code, sig: w.sig, events },
    remoteAddress: address,
  });
}

describe('findBursts', () => {
  it('finds every burst of a stream once, the same in any order', () => {
    const rule = { max: 3, spanMs: 60_000 };
    const at = (ms: number, i: number) => ({ id: `r${String(i).padStart(2, '0')}`, atMs: ms });
    // Four within a minute, a quiet hour, then five within a minute; stragglers between.
    const times = [0, 10_000, 20_000, 30_000, 1_800_000, 3_600_000, 3_610_000, 3_620_000];
    const stream = [...times, 3_630_000, 3_640_000].map(at);
    const bursts = findBursts(stream, rule);
    expect(bursts.map((b) => [b.firstAtMs, b.lastAtMs, b.n])).toEqual([
      [0, 30_000, 4],
      [3_600_000, 3_640_000, 5],
    ]);
    expect(findBursts([...stream].reverse(), rule)).toEqual(bursts);
    expect(findBursts(stream.slice(0, 3), rule)).toEqual([]);
  });
});

describe.each(backends)('rating integrity on $name', ({ name }) => {
  beforeAll(async () => {
    t = Date.parse('2026-03-02T09:00:00.000Z');
    server = await startTestServer({ backend: name, now: () => t });
    // A second server process on the same database.
    other = await buildApp({ db: server.db, config: loadConfig({}), logger: false, now: () => t });
    cookie = await adminCookie(server);
  });
  afterAll(async () => {
    await other?.close();
    await server?.close();
  });

  describe('bursts', () => {
    it('flags an evaluator rating faster than its window serves citizens, once, and keeps the ratings counted', async () => {
      t += 60 * MIN;
      const device = await enrollDevice(server, server.seed.windows[1]!.code, () => t);
      const n = EVALUATOR_BURST.max + 2;
      const start = t - 20 * MIN;
      // Ratings 30 s apart: none a repeated press, more than the rule allows within its span.
      const events = Array.from({ length: n }, (_, i) =>
        device.rating(server, {}, { at: iso(start + i * 30_000) }),
      );
      for (let i = 0; i < n; i += 4) {
        const res = await pushOk(server.app, device, events.slice(i, i + 4));
        expect(res.results.every((r) => r.status === 'stored')).toBe(true);
      }
      let found = (await flags('evaluator_burst')).filter((f) => f.subject === device.deviceId);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        n,
        firstAt: iso(start),
        lastAt: iso(start + (n - 1) * 30_000),
        windowId: server.seed.windows[1]!.id,
        reviewedAt: null,
        rule: { max: EVALUATOR_BURST.max, spanMinutes: EVALUATOR_BURST.spanMs / MIN },
      });
      expect(found[0]!.ratings.map((r) => r.id)).toEqual(events.map((e) => e.id));
      expect(found[0]!.ratings.every((r) => r.counted && r.level === 'very_satisfied')).toBe(true);

      // The burst grows: the same flag, more evidence. Sent again: nothing changes.
      const more = [1, 2].map((k) =>
        device.rating(server, {}, { at: iso(start + (n - 1 + k) * 30_000) }),
      );
      await pushOk(server.app, device, more);
      const again = await pushOk(server.app, device, [...events.slice(-2), ...more]);
      expect(again.results.every((r) => r.status === 'duplicate')).toBe(true);
      found = (await flags('evaluator_burst')).filter((f) => f.subject === device.deviceId);
      expect(found).toHaveLength(1);
      expect(found[0]!.n).toBe(n + 2);
      expect(await count(server, 'ratings', 'device_id = $1', [device.deviceId])).toBe(n + 2);
      figures['bursts flagged']++;
    });

    it('finds the same burst whatever order its ratings arrive in', async () => {
      const a = await enrollDevice(server, server.seed.windows[2]!.code, () => t);
      const start = t - 30 * MIN;
      const times = Array.from({ length: EVALUATOR_BURST.max + 3 }, (_, i) => start + i * 20_000);
      // Newest first, one at a time.
      for (const at of [...times].reverse())
        await pushOk(server.app, a, [a.rating(server, {}, { at: iso(at) })]);
      const [flag] = (await flags('evaluator_burst')).filter((f) => f.subject === a.deviceId);
      expect(flag).toMatchObject({
        n: times.length,
        firstAt: iso(times[0]!),
        lastAt: iso(times.at(-1)!),
      });
      expect((await flags('evaluator_burst')).filter((f) => f.subject === a.deviceId)).toHaveLength(
        1,
      );
      figures['bursts flagged']++;
    });

    it('does not flag an evaluator at a citizen pace', async () => {
      const d = await enrollDevice(server, server.seed.windows[3]!.code, () => t);
      const start = t - 200 * MIN;
      const events = Array.from({ length: 3 * EVALUATOR_BURST.max }, (_, i) =>
        d.rating(server, {}, { at: iso(start + i * 3 * MIN) }),
      );
      await pushOk(server.app, d, events);
      expect((await flags()).filter((f) => f.subject === d.deviceId)).toHaveLength(0);
    });

    it('flags one phone rating many windows, and many ratings from one address; keeps the address only as a hash', async () => {
      t += 60 * MIN;
      const address = '10.9.1.1';
      const p = phone();
      const windows = PHONE_BURST.max + 1;
      for (let i = 0; i < windows; i++) {
        const res = await sendPhone(
          server.app,
          [p.rating(server, { windowId: server.seed.windows[i]!.id }, { at: iso(t - i * MIN) })],
          i,
          address,
        );
        expect(res.statusCode, res.body).toBe(200);
      }
      const [flag] = (await flags('phone_burst')).filter((f) => f.subject === p.deviceId);
      expect(flag).toMatchObject({ n: windows, windowId: null });
      figures['bursts flagged']++;

      // More phones behind the same address, a window each time.
      for (let i = windows; i <= ADDRESS_BURST.max; i++) {
        const q = phone();
        const wi = i % 8;
        const res = await sendPhone(
          i % 2 ? other : server.app,
          [q.rating(server, { windowId: server.seed.windows[wi]!.id }, { at: iso(t) })],
          wi,
          address,
        );
        expect(res.statusCode, res.body).toBe(200);
      }
      const addressFlags = await flags('address_burst');
      expect(addressFlags).toHaveLength(1);
      expect(addressFlags[0]!.n).toBe(ADDRESS_BURST.max + 1);
      expect(addressFlags[0]!.subject).not.toContain('10.9');
      const stored = await server.db.query<{ h: string }>(
        'SELECT DISTINCT address_hash AS h FROM ratings WHERE address_hash IS NOT NULL',
      );
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.every((r) => /^[A-Za-z0-9_-]{22}$/.test(r.h))).toBe(true);
      const raw = await server.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM rating_flags WHERE subject LIKE '%10.9.1.1%' OR evidence::text LIKE '%10.9.1.1%'",
      );
      expect(raw[0]!.n).toBe(0);
      figures['bursts flagged']++;
    });
  });

  describe('public endpoint limits', () => {
    it('refuses a window over its limit with 429 and Retry-After, in either server process, and flags it', async () => {
      t += 60 * MIN;
      const wi = 6;
      const w = server.seed.windows[wi]!;
      const sent: string[] = [];
      for (let i = 0; i < PUBLIC_RATING_LIMITS.perWindow.max; i++) {
        const e = phone().rating(server, { windowId: w.id }, { at: iso(t) });
        sent.push(e.id);
        const res = await sendPhone(i % 2 ? other : server.app, [e], wi, `10.9.2.${i + 1}`);
        expect(res.statusCode, res.body).toBe(200);
      }
      const late = phone().rating(server, { windowId: w.id }, { at: iso(t) });
      for (const app of [server.app, other]) {
        const res = await sendPhone(app, [late], wi, '10.9.2.200');
        expect(res.statusCode).toBe(429);
        expect(res.headers['retry-after']).toBe('60');
        expect(res.json()).toMatchObject({ error: 'rate_limited' });
        figures['requests limited']++;
      }
      expect(await count(server, 'events', 'id = $1', [late.id])).toBe(0);
      // A new phone behind another address is held back too: the limit is the window's.
      const resend = await sendPhone(
        other,
        [phone().rating(server, { windowId: w.id })],
        wi,
        '10.9.2.1',
      );
      expect(resend.statusCode).toBe(429);
      figures['requests limited']++;
      const [flag] = (await flags('rate_limited')).filter((f) => f.windowId === w.id);
      expect(flag).toMatchObject({ n: 3, limit: 'perWindow', subject: `window:${w.id}` });
      expect(flag!.ratings.map((r) => r.id)).toContain(late.id);

      // The span passes: the phone's rating, sent again, is taken.
      t += PUBLIC_RATING_LIMITS.perWindow.spanMs + 1000;
      const ok = await sendPhone(server.app, [late], wi, '10.9.2.200');
      expect(ok.statusCode, ok.body).toBe(200);
      sent.push(late.id);
      const taken = await count(server, 'ratings', 'event_id = ANY($1::text[])', [sent]);
      lost += sent.length - taken;
      figures['ratings dropped'] += sent.length - taken;
      expect(taken).toBe(sent.length);
    });

    it('answers a resend of ratings already taken even over the limit', async () => {
      t += 60 * MIN;
      const wi = 7;
      const w = server.seed.windows[wi]!;
      const events = Array.from({ length: PUBLIC_RATING_LIMITS.perWindow.max }, () =>
        phone().rating(server, { windowId: w.id }, { at: iso(t) }),
      );
      for (const [i, e] of events.entries()) {
        expect((await sendPhone(server.app, [e], wi, `10.9.3.${i + 1}`)).statusCode).toBe(200);
      }
      const again = await sendPhone(other, [events[0]!], wi, '10.9.3.1');
      expect(again.statusCode).toBe(200);
      expect(again.json().results[0].status).toBe('duplicate');
      const n = await count(server, 'ratings', 'event_id = ANY($1::text[])', [
        events.map((e) => e.id),
      ]);
      duplicated += Math.max(0, n - events.length);
      expect(n).toBe(events.length);
    });

    it('lets exactly one of several phones racing for the last place at a window through', async () => {
      t += 60 * MIN;
      const wi = 5;
      const w = server.seed.windows[wi]!;
      for (let i = 0; i < PUBLIC_RATING_LIMITS.perWindow.max - 1; i++) {
        const e = phone().rating(server, { windowId: w.id }, { at: iso(t) });
        expect((await sendPhone(server.app, [e], wi, `10.9.5.${i + 1}`)).statusCode).toBe(200);
      }
      const racing = Array.from({ length: 6 }, () =>
        phone().rating(server, { windowId: w.id }, { at: iso(t) }),
      );
      const answers = await Promise.all(
        racing.map((e, i) => sendPhone(i % 2 ? other : server.app, [e], wi, `10.9.6.${i + 1}`)),
      );
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 429, 429, 429, 429, 429]);
      figures['requests limited'] += 5;
      const taken = await count(server, 'ratings', 'event_id = ANY($1::text[])', [
        racing.map((e) => e.id),
      ]);
      expect(taken).toBe(1);
    });

    it('refuses an address over its limit across windows', async () => {
      t += 60 * MIN;
      const address = '10.9.4.1';
      const max = PUBLIC_RATING_LIMITS.perAddress.max;
      for (let i = 0; i < max; i++) {
        const wi = i % 8;
        const e = phone().rating(server, { windowId: server.seed.windows[wi]!.id }, { at: iso(t) });
        const res = await sendPhone(i % 2 ? other : server.app, [e], wi, address);
        expect(res.statusCode, res.body).toBe(200);
      }
      const e = phone().rating(server, { windowId: server.seed.windows[0]!.id }, { at: iso(t) });
      const res = await sendPhone(other, [e], 0, address);
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('60');
      figures['requests limited']++;
      const limited = (await flags('rate_limited')).filter((f) => f.limit === 'perAddress');
      expect(limited).toHaveLength(1);
      expect(limited[0]!.subject).not.toContain('10.9.4.1');
      // Another address is not held back.
      const fine = await sendPhone(other, [e], 0, '10.9.4.2');
      expect(fine.statusCode, fine.body).toBe(200);
    });
  });

  describe('review', () => {
    it('marks a flag kept or fraud with a note; refuses a bad review and another hall', async () => {
      const [flag] = await flags('evaluator_burst');
      const review = (id: string, body: unknown) =>
        server.app.inject({
          method: 'POST',
          url: `/api/v1/admin/rating-flags/${id}/review`,
          headers: { cookie },
          payload: body as Record<string, unknown>,
        });
      expect((await review(flag!.id, { verdict: 'maybe', note: '' })).statusCode).toBe(400);
      expect((await review(newId(), { verdict: 'kept', note: '' })).json().error).toBe(
        'unknown_flag',
      );
      const ok = await review(flag!.id, { verdict: 'fraud', note: '同一时段连续好评' });
      expect(ok.statusCode, ok.body).toBe(200);
      const after = (await flags()).find((f) => f.id === flag!.id)!;
      expect(after).toMatchObject({
        verdict: 'fraud',
        reviewNote: '同一时段连续好评',
        reviewedBy: server.seed.admin.username,
      });
      expect(after.reviewedAt).not.toBeNull();
      // Still counted: a verdict is for the people who read the figures.
      const stillCounted = await count(server, 'ratings', 'event_id = ANY($1::text[])', [
        after.ratings.map((r) => r.id),
      ]);
      expect(stillCounted).toBe(after.ratings.length);
      const open = await server.app.inject({
        url: '/api/v1/admin/rating-flags?open=1',
        headers: { cookie },
      });
      expect(open.json<RatingFlagsResponse>().flags.some((f) => f.id === flag!.id)).toBe(false);
      expect((await server.app.inject({ url: '/api/v1/admin/rating-flags' })).statusCode).toBe(401);
    });

    it('lists the repeated presses kept for audit, not counted', async () => {
      const d = await enrollDevice(server, server.seed.windows[4]!.code, () => t);
      const first = d.rating(server, {}, { at: iso(t - 10_000) });
      const repeat = d.rating(server, { repeatOf: first.id }, { at: iso(t - 8_000) });
      await pushOk(server.app, d, [first, repeat]);
      const res = await server.app.inject({
        url: '/api/v1/admin/rating-extras',
        headers: { cookie },
      });
      expect(res.statusCode).toBe(200);
      const extras = res.json<{ extras: { id: string; repeatOf: string; reason: string }[] }>()
        .extras;
      expect(extras.find((x) => x.id === repeat.id)).toMatchObject({
        repeatOf: first.id,
        reason: 'repeat_press',
        windowCode: server.seed.windows[4]!.code,
      });
      expect(await count(server, 'ratings', 'event_id = $1', [repeat.id])).toBe(0);
    });
  });
});
