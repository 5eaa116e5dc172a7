import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  findBurst,
  repeatedRating,
  REPEAT_PRESS_MS,
  type PreviousPress,
} from '../../src/domain/rating-integrity';
import type { Id } from '../../src/domain/ids';

const t0 = Date.parse('2026-11-20T09:00:00.000Z');
const id = (s: string) => s as Id;

/** Decide presses in order the way a device does: each against the press before it. */
function decide(presses: { id: Id; atMs: number }[], previous: PreviousPress | null) {
  const out = new Map<Id, Id | null>();
  let last = previous;
  for (const p of presses) {
    const repeatOf = repeatedRating('satisfied', p.atMs, last);
    out.set(p.id, repeatOf);
    last = { id: p.id, atMs: p.atMs, repeatOf: repeatOf ?? undefined };
  }
  return out;
}

describe('repeat presses', () => {
  it('counts a triple tap once, each repeat naming the counted rating, and a tap after the window', () => {
    const d = decide(
      [
        { id: id('a'), atMs: t0 },
        { id: id('b'), atMs: t0 + 1000 },
        { id: id('c'), atMs: t0 + 2000 },
        { id: id('d'), atMs: t0 + 2000 + REPEAT_PRESS_MS },
      ],
      null,
    );
    expect([...d.values()]).toEqual([null, 'a', 'a', null]);
  });

  it('always counts a 差评 and a press before the previous one', () => {
    const prev = { id: id('a'), atMs: t0 };
    expect(repeatedRating('dissatisfied', t0 + 100, prev)).toBeNull();
    expect(repeatedRating('very_dissatisfied', t0 + 100, prev)).toBeNull();
    expect(repeatedRating('satisfied', t0 - 100, prev)).toBeNull();
  });

  it('decides presses split into two batches exactly as in one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 30 }),
        fc.nat(),
        (offsets, cut) => {
          const presses = [...offsets]
            .sort((a, b) => a - b)
            .map((ms, i) => ({ id: id(`p${i}`), atMs: t0 + ms }));
          const whole = decide(presses, null);
          const k = cut % (presses.length + 1);
          const first = decide(presses.slice(0, k), null);
          const lastOfFirst = presses[k - 1];
          const previous = lastOfFirst
            ? { ...lastOfFirst, repeatOf: first.get(lastOfFirst.id) ?? undefined }
            : null;
          const second = decide(presses.slice(k), previous);
          for (const p of presses) {
            const split = first.has(p.id) ? first.get(p.id) : second.get(p.id);
            expect(split).toBe(whole.get(p.id));
          }
          // A repeat always names a counted press.
          for (const r of whole.values()) if (r !== null) expect(whole.get(r)).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('bursts', () => {
  const rated = (seconds: number[]) =>
    seconds.map((s, i) => ({ id: id(`r${i}`), atMs: t0 + s * 1000 }));

  it('finds more than the allowed ratings in a span, with the evidence', () => {
    const ratings = rated([0, 30, 60, 90, 100, 400]);
    expect(findBurst(ratings, 6, 10 * 60_000)).toBeNull();
    expect(findBurst(ratings, 5, 10 * 60_000)?.n).toBe(6);
    expect(findBurst(ratings, 4, 2 * 60_000)).toEqual({
      ids: ['r0', 'r1', 'r2', 'r3', 'r4'],
      firstAtMs: t0,
      lastAtMs: t0 + 100_000,
      n: 5,
    });
  });

  it('gives the same burst whatever order the ratings arrive in', () => {
    const ratings = rated([5, 1, 3, 2, 4]);
    expect(findBurst(ratings, 3, 1000)).toEqual(findBurst([...ratings].reverse(), 3, 1000));
  });
});
