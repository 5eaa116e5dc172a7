/**
 * A citizen's phone held back by the public endpoint's limits: the server answers 429 with
 * Retry-After, the phone keeps its ratings (across a reload too), waits at least as long as it
 * was asked, and delivers every one of them exactly once when the limit has passed.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { PUBLIC_RATING_LIMITS } from '../../src/domain/rating-integrity';
import { RATE_LIMIT_RETRY_SECONDS } from '../../src/server/services/rating-flags';
import { recordFigures } from '../support/reliability';
import { startTestServer, type TestServer } from '../support/server';
import { TestDevice } from '../server/helpers';
import { ManualTimers } from './fake-api';
import { count, ratingFor } from './helpers';
import { phoneFixtures } from './phone-fixtures';

let server: TestServer;
let t = Date.now();
const figures = { 'phones limited': 0, 'requests limited': 0, 'ratings delivered': 0 };
let lost = 0;
let duplicated = 0;

beforeAll(async () => {
  server = await startTestServer({ now: () => t });
});
afterAll(async () => {
  await server.close();
  recordFigures('rating-integrity-phone', {
    ...figures,
    'ratings dropped': lost,
    lost,
    duplicated,
  });
});
const { card, phoneProfile, phoneAt } = phoneFixtures(() => server);

/** Fill a window up to its limit with other phones' ratings, each from its own address. */
async function fillWindow(code: string): Promise<void> {
  const w = card(code);
  for (let i = 0; i < PUBLIC_RATING_LIMITS.perWindow.max; i++) {
    const other = new TestDevice(newId(), server.seed.hall.id, null, null, () => t);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/public/ratings',
      payload: {
        windowCode: w.code,
        sig: w.sig,
        events: [other.rating(server, { windowId: w.id }, { at: new Date(t).toISOString() })],
      },
      remoteAddress: `10.8.0.${i + 1}`,
    });
    expect(res.statusCode, res.body).toBe(200);
  }
}

describe('a phone over the public limits', () => {
  it('keeps its ratings through 429s and a reload, then delivers each exactly once', async () => {
    await fillWindow('B02');
    const timers = new ManualTimers();
    const profile = phoneProfile({
      setTimeout: timers.setTimeout,
      clearTimeout: timers.clearTimeout,
      now: () => t,
    });
    const { phone, outcomes, card: c } = await phoneAt('B02', profile);
    const event = await phone.recordRating(
      ratingFor(c, { level: 'dissatisfied', reasons: ['waited_too_long'] }),
    );

    const first = await phone.syncNow();
    expect(first).toMatchObject({ ok: false, error: 'rate_limited' });
    figures['requests limited']++;
    figures['phones limited']++;
    expect(outcomes).toEqual([]);
    expect(phone.status.get().pending).toBe(1);
    // It waits at least as long as the server asked before trying again by itself.
    expect(phone.engine.retryDelayMs).toBeGreaterThanOrEqual(RATE_LIMIT_RETRY_SECONDS * 1000);
    expect(await count(server, 'SELECT count(*) AS n FROM events WHERE id = $1', [event.id])).toBe(
      0,
    );

    // Tried again too soon (the citizen taps 重试): still held back, still kept.
    expect(await phone.syncNow()).toMatchObject({ ok: false, error: 'rate_limited' });
    figures['requests limited']++;
    phone.stop();

    // The phone's page is opened again later, after the span: the rating goes through once.
    t += PUBLIC_RATING_LIMITS.perWindow.spanMs + 1000;
    const again = await phoneAt('B02', profile);
    expect(again.phone.status.get().pending).toBe(1);
    expect((await again.phone.syncNow()).ok).toBe(true);
    expect(again.outcomes).toEqual([{ id: event.id, outcome: 'stored' }]);
    expect(again.phone.status.get()).toMatchObject({ pending: 0, rejected: 0 });
    const n = await count(server, 'SELECT count(*) AS n FROM ratings WHERE event_id = $1', [
      event.id,
    ]);
    lost += n === 0 ? 1 : 0;
    duplicated += Math.max(0, n - 1);
    expect(n).toBe(1);
    figures['ratings delivered']++;
    const [flag] = await server.db.query<{ n: number }>(
      "SELECT n FROM rating_flags WHERE kind = 'rate_limited' AND window_id = $1",
      [c.id],
    );
    expect(flag?.n).toBe(2);
  });

  it('lets several limited phones all deliver when their backoff timers fire', async () => {
    t += 60 * 60_000;
    await fillWindow('B03');
    const phones = [];
    for (let i = 0; i < 3; i++) {
      const timers = new ManualTimers();
      const profile = phoneProfile({
        setTimeout: timers.setTimeout,
        clearTimeout: timers.clearTimeout,
        now: () => t,
      });
      const p = await phoneAt('B03', profile);
      const event = await p.phone.recordRating(ratingFor(p.card));
      expect(await p.phone.syncNow()).toMatchObject({ ok: false, error: 'rate_limited' });
      figures['requests limited']++;
      figures['phones limited']++;
      phones.push({ ...p, timers, event });
    }
    t += PUBLIC_RATING_LIMITS.perWindow.spanMs + 1000;
    for (const p of phones) {
      const settled = new Promise<void>((resolve) => p.phone.onOutcome(() => resolve()));
      p.timers.fireAll();
      await settled;
      expect(p.outcomes).toEqual([{ id: p.event.id, outcome: 'stored' }]);
    }
    const ids = phones.map((p) => p.event.id);
    const n = await count(
      server,
      'SELECT count(*) AS n FROM ratings WHERE event_id = ANY($1::text[])',
      [ids],
    );
    lost += Math.max(0, ids.length - n);
    duplicated += Math.max(0, n - ids.length);
    expect(n).toBe(ids.length);
    figures['ratings delivered'] += n;
  });
});
