import { describe, expect, it } from 'vitest';
import { PUSH_LIMITS, jsonBytes, nextBatch, type BatchLimits } from '../../src/sync/batch';
import { MAX_PUSH_BYTES, MAX_PUSH_EVENTS } from '../../src/sync/protocol';

const entry = (seq: number, size = 10, group = 'A') => ({
  deviceSeq: seq,
  group,
  event: { id: `e${seq}`, pad: 'x'.repeat(size) },
});

describe('nextBatch', () => {
  it('takes everything when under both limits', () => {
    const queue = [1, 2, 3].map((s) => entry(s));
    expect(nextBatch(queue).map((e) => e.deviceSeq)).toEqual([1, 2, 3]);
  });

  it('never takes more than the event limit (500 by the protocol)', () => {
    expect(PUSH_LIMITS.maxEvents).toBe(MAX_PUSH_EVENTS);
    const queue = Array.from({ length: 1234 }, (_, i) => entry(i + 1, 1));
    const batch = nextBatch(queue);
    expect(batch).toHaveLength(500);
    expect(batch[0]!.deviceSeq).toBe(1);
    expect(batch[499]!.deviceSeq).toBe(500);
  });

  it('keeps the serialised request within the byte limit (512 KB by the protocol)', () => {
    expect(PUSH_LIMITS.maxBytes).toBe(MAX_PUSH_BYTES);
    const queue = Array.from({ length: 300 }, (_, i) => entry(i + 1, 4000));
    const batch = nextBatch(queue);
    const body = JSON.stringify({
      deviceId: 'x'.repeat(36),
      events: batch.map((e) => e.event),
      pending: 300,
    });
    expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(MAX_PUSH_BYTES);
    // …and is not needlessly small: one more event would not have fitted.
    const withOneMore = [...batch, queue[batch.length]!].map((e) => e.event);
    expect(jsonBytes(withOneMore) + PUSH_LIMITS.overheadBytes).toBeGreaterThan(MAX_PUSH_BYTES);
    expect(batch.length).toBeGreaterThan(100);
  });

  it('counts bytes as UTF-8, not characters', () => {
    const limits: BatchLimits = { maxEvents: 100, maxBytes: 1000, overheadBytes: 0 };
    const queue = Array.from({ length: 10 }, (_, i) => ({ event: { c: '评'.repeat(100), i } }));
    // Each event is ~310 bytes in UTF-8 (a CJK character is 3 bytes) though ~110 characters.
    expect(nextBatch(queue, limits)).toHaveLength(3);
  });

  it('sends an oversized event alone rather than stalling the queue', () => {
    const limits: BatchLimits = { maxEvents: 10, maxBytes: 100, overheadBytes: 10 };
    const queue = [entry(1, 500), entry(2, 5)];
    expect(nextBatch(queue, limits).map((e) => e.deviceSeq)).toEqual([1]);
  });

  it('keeps each batch within one group', () => {
    const queue = [entry(1, 1, 'A'), entry(2, 1, 'A'), entry(3, 1, 'B'), entry(4, 1, 'A')];
    expect(nextBatch(queue, PUSH_LIMITS, (e) => e.group).map((e) => e.deviceSeq)).toEqual([1, 2]);
    expect(nextBatch(queue.slice(2), PUSH_LIMITS, (e) => e.group).map((e) => e.deviceSeq)).toEqual([
      3,
    ]);
  });

  it('returns nothing for an empty queue', () => {
    expect(nextBatch([])).toEqual([]);
  });
});
