import { describe, expect, it } from 'vitest';
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  RETRY_AFTER_MAX_MS,
  backoffDelay,
  parseRetryAfter,
  retryDelay,
} from '../../src/sync/backoff';

/** A seeded generator, so the property checks below are reproducible. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('backoff with full jitter', () => {
  it('stays within [0, min(cap, base·2^attempt)) for every attempt', () => {
    const random = seeded(42);
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(attempt, random);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
      }
    }
  });

  it('is the random fraction of the ceiling (full jitter, not equal jitter)', () => {
    expect(backoffDelay(0, () => 0)).toBe(0);
    expect(backoffDelay(0, () => 0.5)).toBe(500);
    expect(backoffDelay(3, () => 0.5)).toBe(4000);
    expect(backoffDelay(3, () => 0.999999)).toBe(7999);
  });

  it('grows by doubling and stops at the 5-minute cap', () => {
    const top = (attempt: number) => backoffDelay(attempt, () => 0.9999999);
    expect([0, 1, 2, 3].map(top)).toEqual([999, 1999, 3999, 7999]);
    expect(top(8)).toBe(255_999);
    expect(top(9)).toBe(BACKOFF_CAP_MS - 1);
    expect(top(500)).toBe(BACKOFF_CAP_MS - 1);
  });

  it('spreads retries: over many devices the mean is about half the ceiling', () => {
    const random = seeded(7);
    const delays = Array.from({ length: 5000 }, () => backoffDelay(4, random));
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(0.45 * 16_000);
    expect(mean).toBeLessThan(0.55 * 16_000);
  });
});

describe('Retry-After', () => {
  it('parses seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 3, 1, 8, 0, 0);
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(parseRetryAfter(new Date(now - 90_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('is honoured: a retry never comes before it', () => {
    expect(retryDelay(0, () => 0.1, 20_000)).toBe(20_000);
    expect(retryDelay(10, () => 0.9, 20_000)).toBe(Math.floor(0.9 * BACKOFF_CAP_MS));
    expect(retryDelay(0, () => 0.5, null)).toBe(500);
  });

  it('is not taken at its word beyond an hour', () => {
    expect(retryDelay(0, () => 0, 10 * RETRY_AFTER_MAX_MS)).toBe(RETRY_AFTER_MAX_MS);
  });
});
