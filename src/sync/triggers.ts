/**
 * When to sync (design §4), as thin browser I/O around the engine: on start, when the network
 * comes back, when the app becomes visible, shortly after each local write (once a stream of
 * them pauses), every 30 s while online, and through Background Sync where the browser has it.
 * Only one tab per device syncs: the one holding a Web Lock. Other tabs hand it their writes over
 * a BroadcastChannel and show the status it broadcasts. Every browser API is optional; what is missing is simply not used.
 */
import type { SyncStatus } from './status';
import type { StatusStore } from './status-store';

export const SYNC_INTERVAL_MS = 30_000;
export const WRITE_DEBOUNCE_MS = 1_000;
/** A stream of writes with no pause of WRITE_DEBOUNCE_MS is still synced this often. */
export const WRITE_MAX_WAIT_MS = 10_000;

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: unknown) => Promise<unknown> | unknown,
  ): Promise<unknown>;
}

export interface ChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

/** The browser APIs the triggers use; each may be absent. */
export interface TriggerEnv {
  window?: EventTargetLike;
  document?: EventTargetLike & { visibilityState?: string };
  navigator?: {
    onLine?: boolean;
    locks?: LockManagerLike;
    serviceWorker?: { ready: Promise<{ sync?: SyncManagerLike }> };
  };
  BroadcastChannel?: new (name: string) => ChannelLike;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** The page's own browser APIs, as far as they exist. */
export function browserEnv(): TriggerEnv {
  const g = globalThis as unknown as Record<string, unknown>;
  return {
    window:
      typeof g.addEventListener === 'function'
        ? (globalThis as unknown as EventTargetLike)
        : undefined,
    document: g.document as TriggerEnv['document'],
    navigator: g.navigator as TriggerEnv['navigator'],
    BroadcastChannel: g.BroadcastChannel as TriggerEnv['BroadcastChannel'],
    setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
    clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
  };
}

/** What the triggers drive: the engine's scheduling and status. */
export interface SyncTarget {
  readonly status: StatusStore;
  requestSync(delayMs?: number, options?: { force?: boolean; maxWaitMs?: number }): void;
}

type Message =
  | { type: 'write' }
  | { type: 'sync' }
  | { type: 'hello' }
  | { type: 'status'; status: SyncStatus }
  | { type: 'reference' };

export interface SyncTriggerOptions {
  engine: SyncTarget;
  /** Web Lock held by the syncing tab, e.g. 'hall-kiosk-sync'. */
  lockName: string;
  /** BroadcastChannel between this device's tabs. */
  channelName: string;
  /** Background Sync tag, or null to not register one. */
  backgroundTag?: string | null;
  env?: TriggerEnv;
  intervalMs?: number;
  writeDelayMs?: number;
  /** Another tab (the leader) committed newer reference data. */
  onRemoteReference?: () => void;
  /** This tab became the syncing tab. */
  onLeader?: () => void;
}

export class SyncTriggers {
  readonly #o: Required<
    Omit<SyncTriggerOptions, 'onRemoteReference' | 'onLeader' | 'backgroundTag'>
  > &
    Pick<SyncTriggerOptions, 'onRemoteReference' | 'onLeader'> & { backgroundTag: string | null };
  #leader = false;
  #stopped = false;
  #channel: ChannelLike | null = null;
  #abort: AbortController | null = null;
  #release: (() => void) | null = null;
  #interval: unknown = null;
  #cleanup: (() => void)[] = [];

  constructor(options: SyncTriggerOptions) {
    this.#o = {
      env: browserEnv(),
      intervalMs: SYNC_INTERVAL_MS,
      writeDelayMs: WRITE_DEBOUNCE_MS,
      ...options,
      backgroundTag: options.backgroundTag === undefined ? null : options.backgroundTag,
    };
  }

  /** This tab is the one that syncs. */
  get leader(): boolean {
    return this.#leader;
  }

  start(): void {
    const { env, engine } = this.#o;
    if (env.BroadcastChannel) {
      try {
        this.#channel = new env.BroadcastChannel(this.#o.channelName);
        this.#channel.onmessage = (event) => this.#onMessage(event.data as Message);
      } catch {
        this.#channel = null;
      }
    }
    this.#listen(env.window, 'online', () => {
      engine.status.update({ online: true });
      if (this.#leader) engine.requestSync(0, { force: true });
    });
    this.#listen(env.window, 'offline', () => engine.status.update({ online: false }));
    this.#listen(env.document, 'visibilitychange', () => {
      if (this.#leader && env.document?.visibilityState === 'visible')
        engine.requestSync(0, { force: true });
    });
    if (env.navigator?.onLine === false) engine.status.update({ online: false });

    const locks = env.navigator?.locks;
    if (locks) {
      this.#abort = new AbortController();
      // Held for this tab's lifetime; the next tab waiting for it takes over when this one closes.
      locks
        .request(this.#o.lockName, { signal: this.#abort.signal }, () => {
          if (this.#stopped) return undefined;
          this.#becomeLeader();
          return new Promise<void>((resolve) => (this.#release = resolve));
        })
        .catch(() => undefined);
      this.#post({ type: 'hello' });
    } else {
      this.#becomeLeader();
    }
  }

  /** A record was written in this tab: sync it shortly (here, or in the syncing tab). */
  notifyWrite(): void {
    if (this.#leader)
      this.#o.engine.requestSync(this.#o.writeDelayMs, { maxWaitMs: WRITE_MAX_WAIT_MS });
    else this.#post({ type: 'write' });
    this.registerBackgroundSync();
  }

  /** Sync now (here, or in the syncing tab). */
  requestSync(): void {
    if (this.#leader) this.#o.engine.requestSync(0, { force: true });
    else this.#post({ type: 'sync' });
  }

  /** Tell other tabs that newer reference data was committed. */
  publishReference(): void {
    this.#post({ type: 'reference' });
  }

  /** Ask the service worker to sync when connectivity returns, even if every tab is closed. */
  registerBackgroundSync(): void {
    const tag = this.#o.backgroundTag;
    const sw = this.#o.env.navigator?.serviceWorker;
    if (!tag || !sw) return;
    sw.ready.then((registration) => registration.sync?.register(tag)).catch(() => undefined);
  }

  stop(): void {
    this.#stopped = true;
    this.#leader = false;
    this.#abort?.abort();
    this.#release?.();
    if (this.#interval !== null) this.#o.env.clearInterval?.(this.#interval);
    this.#interval = null;
    for (const undo of this.#cleanup) undo();
    this.#cleanup = [];
    this.#channel?.close();
    this.#channel = null;
  }

  #becomeLeader(): void {
    const { engine, env } = this.#o;
    this.#leader = true;
    this.#o.onLeader?.();
    this.#cleanup.push(engine.status.subscribe((status) => this.#post({ type: 'status', status })));
    this.#interval =
      env.setInterval?.(() => {
        if (env.navigator?.onLine !== false) engine.requestSync(0);
      }, this.#o.intervalMs) ?? null;
    engine.requestSync(0, { force: true });
  }

  #onMessage(message: Message): void {
    const { engine } = this.#o;
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'write':
        if (this.#leader)
          engine.requestSync(this.#o.writeDelayMs, { maxWaitMs: WRITE_MAX_WAIT_MS });
        break;
      case 'sync':
        if (this.#leader) engine.requestSync(0, { force: true });
        break;
      case 'hello':
        if (this.#leader) this.#post({ type: 'status', status: engine.status.get() });
        break;
      case 'status':
        // The syncing tab's view, except what only this tab knows: its own last write's fate.
        if (!this.#leader) {
          const { storageFull: _own, ...shared } = message.status;
          engine.status.update(shared);
        }
        break;
      case 'reference':
        if (!this.#leader) this.#o.onRemoteReference?.();
        break;
    }
  }

  #post(message: Message): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel only means no other tab hears this.
    }
  }

  #listen(target: EventTargetLike | undefined, type: string, listener: () => void): void {
    if (!target) return;
    target.addEventListener(type, listener);
    this.#cleanup.push(() => target.removeEventListener(type, listener));
  }
}
