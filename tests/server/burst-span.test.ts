import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { EVALUATOR_BURST } from '../../src/domain/rating-integrity';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { enrollDevice, pushOk } from './helpers';

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A push reads the evaluator's stored ratings for the burst check before it takes the hall lock,
 * and adds the ratings it stores to them: the flag must count exactly the ratings stored, earlier
 * and now, within the rule's span, and none that were refused.
 */
describe.each(backends)('evaluator bursts across pushes, on $name', ({ name }) => {
  let server: TestServer;
  let t: number;
  beforeAll(async () => {
    t = Date.parse('2026-03-02T09:00:00.000Z');
    server = await startTestServer({ backend: name, now: () => t });
  });
  afterAll(() => server.close());

  const flagsOf = (deviceId: string) =>
    server.db.query<{ n: number; evidence: { ratings: { id: string }[] } | string }>(
      `SELECT n, evidence FROM rating_flags WHERE kind = 'evaluator_burst' AND subject = $1`,
      [deviceId],
    );

  it('counts the stored ratings and the new ones, never the refused', async () => {
    const window = server.seed.windows[4]!;
    const d = await enrollDevice(server, window.code, () => t);
    const start = t - 60 * MIN;
    const at = (i: number) => ({ at: iso(start + i * 30_000) });
    // Long before: as many as the rule allows, out of the span of what follows.
    const old = Array.from({ length: EVALUATOR_BURST.max }, (_, i) =>
      d.rating(server, {}, { at: iso(start - 60 * MIN + i * 30_000) }),
    );
    await pushOk(server.app, d, old);
    const first = Array.from({ length: 6 }, (_, i) => d.rating(server, {}, at(i)));
    await pushOk(server.app, d, first);
    expect(await flagsOf(d.deviceId)).toHaveLength(0);

    // Eight more at the same pace, three of them refused (not the window's department).
    const next = Array.from({ length: 8 }, (_, i) =>
      d.rating(server, i % 3 === 1 ? { departmentId: newId() } : {}, at(6 + i)),
    );
    const answer = await pushOk(server.app, d, next);
    const stored = next.filter((_, i) => answer.results[i]!.status === 'stored');
    expect(stored).toHaveLength(5);
    expect(answer.results.filter((r) => r.status === 'rejected')).toHaveLength(3);

    const flags = await flagsOf(d.deviceId);
    expect(flags).toHaveLength(1);
    expect(flags[0]!.n).toBe(first.length + stored.length);
    const evidence =
      typeof flags[0]!.evidence === 'string'
        ? (JSON.parse(flags[0]!.evidence) as { ratings: { id: string }[] })
        : flags[0]!.evidence;
    expect(evidence.ratings.map((r) => r.id).sort()).toEqual(
      [...first, ...stored].map((e) => e.id).sort(),
    );
  });
});
