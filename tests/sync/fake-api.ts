/**
 * A fake of the /api/v1 sync contract that answers only as the test says: it keeps a device's
 * lastSeq, stores events, answers duplicates and gaps, and can fail or lose answers on demand.
 */
import { appendToLog, EMPTY_HEAD, type LogHead } from '../../src/domain/device';
import type { EventEnvelope } from '../../src/domain/events';
import { formatHlc } from '../../src/domain/hlc';
import { newId, type Id } from '../../src/domain/ids';
import { HttpError, NetworkError } from '../../src/sync/errors';
import type { EventOutcome, PullResponse, PulledEvent } from '../../src/sync/protocol';
import type { OutboxEntry, PushResult, SyncApi } from '../../src/sync/transport';

type Fault = { kind: 'error'; error: Error } | { kind: 'lose' };

export class FakeApi implements SyncApi {
  lastSeq = 0;
  readonly stored = new Map<string, EventEnvelope>();
  readonly hall: PulledEvent[] = [];
  /** deviceSeq → reason: events this server refuses. */
  readonly refuse = new Map<number, string>();
  readonly pushes: number[][] = [];
  readonly pulls: number[] = [];
  serverTime = () => new Date().toISOString();
  #faults: Fault[] = [];
  /** Called inside push, before answering (to interleave things with a running round). */
  duringPush: (() => Promise<void>) | null = null;

  /** The next requests fail with these errors, in order. */
  fail(...errors: Error[]): void {
    this.#faults.push(...errors.map((error) => ({ kind: 'error' as const, error })));
  }
  /** The next push is processed but its answer never arrives. */
  loseNextAnswer(): void {
    this.#faults.push({ kind: 'lose' });
  }

  async push(batch: readonly OutboxEntry[]): Promise<PushResult> {
    this.pushes.push(batch.map((e) => e.deviceSeq));
    if (this.duringPush) await this.duringPush();
    const fault = this.#faults.shift();
    if (fault?.kind === 'error') throw fault.error;
    const results: EventOutcome[] = [];
    const firstNew = batch.find((e) => e.deviceSeq > this.lastSeq);
    if (firstNew && firstNew.deviceSeq > this.lastSeq + 1)
      throw new HttpError(409, { error: 'gap', message: 'gap', lastSeq: this.lastSeq });
    for (const { deviceSeq, event } of batch) {
      if (deviceSeq <= this.lastSeq) {
        results.push({ id: event.id, deviceSeq, status: 'duplicate' });
        continue;
      }
      const reason = this.refuse.get(deviceSeq);
      if (reason)
        results.push({ id: event.id, deviceSeq, status: 'rejected', reason, message: reason });
      else {
        this.stored.set(event.id, event as unknown as EventEnvelope);
        results.push({ id: event.id, deviceSeq, status: 'stored' });
      }
      this.lastSeq = deviceSeq;
    }
    if (fault?.kind === 'lose') throw new NetworkError('answer lost');
    return { serverTime: this.serverTime(), lastSeq: this.lastSeq, results };
  }

  async pull(after: number, limit: number): Promise<PullResponse> {
    this.pulls.push(after);
    const fault = this.#faults.shift();
    if (fault?.kind === 'error') throw fault.error;
    const events = this.hall.filter((e) => e.hallSeq > after).slice(0, limit);
    const cursor = events.length ? events[events.length - 1]!.hallSeq : after;
    return {
      serverTime: this.serverTime(),
      events,
      cursor,
      more: this.hall.some((e) => e.hallSeq > cursor),
    };
  }
}

/** Timers that fire only when the test says so. */
export class ManualTimers {
  #next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  readonly delays: number[] = [];
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.#next++;
    this.pending.set(id, { fn, ms });
    this.delays.push(ms);
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };
  /** Fire every pending timer once. */
  fireAll(): void {
    const due = [...this.pending.entries()];
    this.pending.clear();
    for (const [, t] of due) t.fn();
  }
}

/**
 * `n` reference events of a hall as the server would hand them out (a console's chained log, each
 * saving a window of `departmentId`), numbered 1 … n in the hall's order.
 */
export function hallWindowEvents(hallId: Id, departmentId: Id, n: number): PulledEvent[] {
  let head: LogHead = EMPTY_HEAD;
  const consoleId = newId();
  return Array.from({ length: n }, (_, i) => {
    const next = appendToLog(head, {
      type: 'ref.windowSaved',
      payload: {
        windowId: newId(),
        departmentId,
        code: `W${i}`,
        name: `W${i} 窗口`,
        sort: i,
        active: true,
      },
      hallId,
      deviceId: consoleId,
      at: new Date().toISOString(),
      hlc: formatHlc({ millis: Date.UTC(2026, 0, 1) + i, counter: 0, node: 'f'.repeat(16) }),
    });
    head = next.head;
    return { ...next.event, hallSeq: i + 1 } as PulledEvent;
  });
}
