import { describe, expect, it } from 'vitest';
import { isUuidV7, newId, uuidV7At, uuidV7Time } from '../../src/domain/ids';
import {
  HlcOverflowError,
  HybridClock,
  MAX_DRIFT_MS,
  clampHlc,
  compareByHlc,
  formatHlc,
  hlcNode,
  parseHlc,
} from '../../src/domain/hlc';

describe('ids', () => {
  it('makes UUIDv7s that carry their creation time and sort by it', () => {
    const before = Date.now();
    const ids = Array.from({ length: 200 }, newId);
    expect(ids.every(isUuidV7)).toBe(true);
    expect(new Set(ids).size).toBe(200);
    expect([...ids].sort()).toEqual(ids);
    expect(uuidV7Time(ids[0]!)).toBeGreaterThanOrEqual(before - 1);
  });

  it('rejects other strings', () => {
    for (const s of ['', 'x', '00000000-0000-4000-8000-000000000000', newId().toUpperCase(), 42])
      expect(isUuidV7(s)).toBe(false);
  });
});

describe('hybrid logical clock', () => {
  const node = hlcNode('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');

  it('formats and parses round trip, and sorts as strings in clock order', () => {
    const a = formatHlc({ millis: Date.UTC(2026, 0, 1), counter: 2, node });
    expect(parseHlc(a)).toEqual({ millis: Date.UTC(2026, 0, 1), counter: 2, node });
    const b = formatHlc({ millis: Date.UTC(2026, 0, 1), counter: 10, node });
    const c = formatHlc({ millis: Date.UTC(2026, 0, 1) + 1, counter: 0, node });
    expect([c, b, a].sort()).toEqual([a, b, c]);
    expect(parseHlc('nonsense')).toBeNull();
  });

  it('stays monotonic when the wall clock stands still or goes backwards', () => {
    let now = 1_000_000;
    const clock = new HybridClock(node, () => now);
    const stamps = [clock.tick(), clock.tick()];
    now -= 5_000; // clock set back
    stamps.push(clock.tick(), clock.tick());
    now += 60_000;
    stamps.push(clock.tick());
    expect([...stamps].sort()).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(parseHlc(stamps[4]!)!.millis).toBe(now);
  });

  it('orders local events after a received remote one', () => {
    const now = 1_000_000;
    const clock = new HybridClock(node, () => now);
    const remote = formatHlc({ millis: now + 1_000, counter: 7, node: 'f'.repeat(16) });
    clock.receive(remote);
    expect(clock.tick() > remote).toBe(true);
  });

  it('ignores a remote clock far in the future', () => {
    const now = 1_000_000;
    const clock = new HybridClock(node, () => now);
    clock.receive(formatHlc({ millis: now + MAX_DRIFT_MS + 1, counter: 0, node: 'f'.repeat(16) }));
    expect(parseHlc(clock.tick())!.millis).toBe(now);
  });

  it('resumes after the last stamp it issued', () => {
    const now = 1_000_000;
    const first = new HybridClock(node, () => now);
    const last = first.tick();
    const resumed = new HybridClock(node, () => now - 10_000, last);
    expect(resumed.tick() > last).toBe(true);
  });

  it('refuses to overflow its counter', () => {
    const clock = new HybridClock(node, () => 5, formatHlc({ millis: 5, counter: 0xffff, node }));
    expect(() => clock.tick()).toThrow(HlcOverflowError);
  });

  it('clamps a stamp more than five minutes ahead of the server', () => {
    const server = Date.UTC(2026, 10, 21, 9, 0, 0);
    const near = formatHlc({ millis: server + MAX_DRIFT_MS, counter: 1, node });
    expect(clampHlc(near, server)).toEqual({ hlc: near, clamped: false });
    const far = formatHlc({ millis: server + 3_600_000, counter: 1, node });
    const clamped = clampHlc(far, server);
    expect(clamped.clamped).toBe(true);
    expect(parseHlc(clamped.hlc)).toEqual({ millis: server, counter: 1, node });
  });

  it('orders events by hlc, then id', () => {
    const h = formatHlc({ millis: 1, counter: 0, node });
    expect(compareByHlc({ hlc: h, id: 'a' }, { hlc: h, id: 'b' })).toBe(-1);
    expect(compareByHlc({ hlc: h, id: 'b' }, { hlc: h, id: 'a' })).toBe(1);
  });
});

describe('UUIDv7 within one millisecond and across a clock set back', () => {
  it('keeps ids in creation order and carries the time', () => {
    const t = Date.now() + 3_600_000;
    const same = Array.from({ length: 3000 }, () => uuidV7At(t));
    expect(same.every(isUuidV7)).toBe(true);
    expect([...same].sort()).toEqual(same);
    expect(new Set(same).size).toBe(same.length);
    // An earlier clock reading never produces an id that sorts before the last one.
    const back = uuidV7At(t - 60_000);
    expect(back > same[same.length - 1]!).toBe(true);
    expect(uuidV7Time(same[0]!)).toBe(t);
  });
});
