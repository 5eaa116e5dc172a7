/**
 * Stand-ins for the browser APIs the sync triggers use (Web Locks, BroadcastChannel, online and
 * visibility events, timers), shared by several "tabs" in one test.
 */
import type { ChannelLike, LockManagerLike, TriggerEnv } from '../../src/sync/triggers';

export class FakeLocks implements LockManagerLike {
  readonly #held = new Set<string>();
  readonly #waiting = new Map<string, (() => void)[]>();

  isHeld(name: string): boolean {
    return this.#held.has(name);
  }

  async request(
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: unknown) => unknown,
  ): Promise<unknown> {
    if (this.#held.has(name)) {
      if (options.ifAvailable) return callback(null);
      await new Promise<void>((resolve, reject) => {
        const queue = this.#waiting.get(name) ?? [];
        queue.push(resolve);
        this.#waiting.set(name, queue);
        options.signal?.addEventListener('abort', () => {
          const i = queue.indexOf(resolve);
          if (i >= 0) queue.splice(i, 1);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    }
    this.#held.add(name);
    try {
      return await callback({ name });
    } finally {
      this.#held.delete(name);
      this.#waiting.get(name)?.shift()?.();
    }
  }
}

export class FakeBus {
  readonly #channels = new Set<FakeChannel>();
  readonly Channel = (() => {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const bus = this;
    return class implements ChannelLike {
      onmessage: ((event: { data: unknown }) => void) | null = null;
      readonly #channel: FakeChannel;
      constructor(name: string) {
        this.#channel = { name, deliver: (data) => this.onmessage?.({ data }) };
        bus.#channels.add(this.#channel);
      }
      postMessage(message: unknown): void {
        const data = structuredClone(message);
        for (const other of bus.#channels)
          if (other !== this.#channel && other.name === this.#channel.name)
            queueMicrotask(() => other.deliver(data));
      }
      close(): void {
        bus.#channels.delete(this.#channel);
      }
    };
  })();
}

interface FakeChannel {
  name: string;
  deliver(data: unknown): void;
}

export class FakeDocument extends EventTarget {
  visibilityState = 'visible';
  show(state: 'visible' | 'hidden'): void {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

/** One tab's environment; tabs made from the same locks and bus share them. */
export function fakeTab(shared: { locks?: FakeLocks | undefined; bus: FakeBus }) {
  const window = new EventTarget();
  const document = new FakeDocument();
  const intervals: (() => void)[] = [];
  const navigator: NonNullable<TriggerEnv['navigator']> & { onLine: boolean } = {
    onLine: true,
    ...(shared.locks ? { locks: shared.locks } : {}),
  };
  const env: TriggerEnv = {
    window,
    document,
    navigator,
    BroadcastChannel: shared.bus.Channel,
    setInterval: (fn) => {
      intervals.push(fn);
      return intervals.length;
    },
    clearInterval: (h) => {
      intervals[(h as number) - 1] = () => undefined;
    },
  };
  return {
    env,
    window,
    document,
    navigator,
    tickInterval: () => intervals.forEach((fn) => fn()),
    goOffline() {
      navigator.onLine = false;
      window.dispatchEvent(new Event('offline'));
    },
    goOnline() {
      navigator.onLine = true;
      window.dispatchEvent(new Event('online'));
    },
  };
}

/** Let queued microtasks and promise callbacks run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
