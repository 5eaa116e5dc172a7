import { MAX_PUSH_BYTES, MAX_PUSH_EVENTS } from './protocol';

export interface BatchLimits {
  maxEvents: number;
  maxBytes: number;
  /** Bytes reserved for the request around the events (ids, codes, brackets). */
  overheadBytes: number;
}

export const PUSH_LIMITS: BatchLimits = {
  maxEvents: MAX_PUSH_EVENTS,
  maxBytes: MAX_PUSH_BYTES,
  overheadBytes: 1024,
};

const encoder = new TextEncoder();

/** Size of a value as it travels: UTF-8 bytes of its JSON. */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

/**
 * The next batch to push: the longest prefix of `queue` (oldest first) within the event count
 * and byte limits, all sharing one `group` (a phone's events go out per window card). A single
 * event larger than the byte limit still goes alone, so the server can refuse it and the queue
 * moves on instead of stalling here.
 */
export function nextBatch<T extends { event: unknown }>(
  queue: readonly T[],
  limits: BatchLimits = PUSH_LIMITS,
  group?: (entry: T) => string,
): T[] {
  const batch: T[] = [];
  let bytes = limits.overheadBytes;
  const first = queue[0];
  const key = first && group ? group(first) : undefined;
  for (const entry of queue) {
    if (batch.length >= limits.maxEvents) break;
    if (group && group(entry) !== key) break;
    const size = jsonBytes(entry.event) + (batch.length > 0 ? 1 : 0); // the comma between events
    if (batch.length > 0 && bytes + size > limits.maxBytes) break;
    batch.push(entry);
    bytes += size;
  }
  return batch;
}
