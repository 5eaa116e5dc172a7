/**
 * Hybrid logical clock (Kulkarni et al.): physical time in ms, a counter that breaks ties and
 * keeps causality when clocks stand still or run backwards, and the node that made it.
 *
 * Serialised as `<ISO-8601 UTC ms>-<counter, 4 hex>-<node, 16 hex>` so that the string order is
 * the clock order; events are ordered by (hlc, id) everywhere.
 */
export interface Hlc {
  readonly millis: number;
  readonly counter: number;
  readonly node: string;
}

export const MAX_COUNTER = 0xffff;
/** How far ahead of the server's clock a device's hlc may be before the server clamps it. */
export const MAX_DRIFT_MS = 5 * 60 * 1000;

const PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-([0-9a-f]{4})-([0-9a-f]{16})$/;

export function formatHlc({ millis, counter, node }: Hlc): string {
  return `${new Date(millis).toISOString()}-${counter.toString(16).padStart(4, '0')}-${node}`;
}

export function parseHlc(value: string): Hlc | null {
  const m = PATTERN.exec(value);
  if (!m) return null;
  const millis = Date.parse(m[1]!);
  if (!Number.isFinite(millis)) return null;
  return { millis, counter: parseInt(m[2]!, 16), node: m[3]! };
}

export function isHlc(value: unknown): value is string {
  return typeof value === 'string' && parseHlc(value) !== null;
}

/** A 16-hex-digit node id derived from a device id (a UUID), stable for that device. */
export function hlcNode(deviceId: string): string {
  return deviceId.replace(/-/g, '').slice(-16).padStart(16, '0');
}

export class HlcOverflowError extends Error {
  constructor() {
    super('hlc counter overflow');
  }
}

/**
 * A clock that issues monotonically increasing timestamps for one node. `now` is the physical
 * clock (on a device: its own clock corrected by the offset learned from the server).
 */
export class HybridClock {
  #last: Hlc;

  constructor(
    node: string,
    private readonly now: () => number,
    last?: string | null,
  ) {
    this.#last = (last && parseHlc(last)) || { millis: 0, counter: 0, node };
    this.#last = { ...this.#last, node };
  }

  /** Timestamp for a new local event. */
  tick(): string {
    const phys = this.now();
    const millis = Math.max(this.#last.millis, phys);
    const counter = millis === this.#last.millis ? this.#last.counter + 1 : 0;
    if (counter > MAX_COUNTER) throw new HlcOverflowError();
    this.#last = { millis, counter, node: this.#last.node };
    return formatHlc(this.#last);
  }

  /** Merge a remote timestamp so that later local events sort after it. */
  receive(remote: string): void {
    const r = parseHlc(remote);
    if (!r) return;
    const phys = this.now();
    // Never let a remote clock drag ours far into the future.
    if (r.millis > phys + MAX_DRIFT_MS) return;
    const millis = Math.max(this.#last.millis, r.millis, phys);
    let counter = 0;
    if (millis === this.#last.millis && millis === r.millis)
      counter = Math.max(this.#last.counter, r.counter) + 1;
    else if (millis === this.#last.millis) counter = this.#last.counter + 1;
    else if (millis === r.millis) counter = r.counter + 1;
    if (counter > MAX_COUNTER) throw new HlcOverflowError();
    this.#last = { millis, counter, node: this.#last.node };
  }

  get last(): string {
    return formatHlc(this.#last);
  }
}

/**
 * The server's rule (design §4): an hlc more than MAX_DRIFT_MS ahead of the server's clock is
 * clamped to the server's time, keeping counter and node so it stays unique.
 */
export function clampHlc(hlc: string, serverNow: number): { hlc: string; clamped: boolean } {
  const parsed = parseHlc(hlc);
  if (!parsed || parsed.millis <= serverNow + MAX_DRIFT_MS) return { hlc, clamped: false };
  return { hlc: formatHlc({ ...parsed, millis: serverNow }), clamped: true };
}

/** Order of events everywhere: by hlc, then by id. */
export function compareByHlc(
  a: { hlc: string; id: string },
  b: { hlc: string; id: string },
): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
