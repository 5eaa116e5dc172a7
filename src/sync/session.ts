/**
 * Wiring shared by an enrolled device and a phone: one engine over one local store, driven by
 * the browser triggers (or by hand in tests).
 */
import type { Reference } from '../domain/reference';
import type { LocalStore } from '../storage/store';
import type { BatchLimits } from './batch';
import { SyncEngine, type RoundResult } from './engine';
import type { EventOutcome, PulledDevice } from './protocol';
import type { DeviceHealth } from './report-protocol';
import type { StatusStore } from './status-store';
import type { FetchLike, SyncApi } from './transport';
import { SyncTriggers, type TriggerEnv } from './triggers';

/** Background Sync tag (the service worker listens for it). */
export const BACKGROUND_SYNC_TAG = 'hall-kiosk-sync';
/** Web Lock names: one syncing tab per database. */
export const DEVICE_SYNC_LOCK = 'hall-kiosk-sync';
export const PHONE_SYNC_LOCK = 'hall-kiosk-phone-sync';

/** Options of openDevice / openPhone; all optional in the browser, some needed in Node tests. */
export interface SessionOptions {
  /** Server origin; '' (the default) means the page's own. */
  baseUrl?: string;
  fetch?: FetchLike;
  /** Request timeout for sync requests. */
  timeoutMs?: number;
  now?: () => number;
  random?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** Browser triggers to use; false to drive syncing by hand (requestSync / syncNow). */
  triggers?: TriggerEnv | false;
  limits?: BatchLimits;
  pullLimit?: number;
}

export interface Session {
  engine: SyncEngine;
  triggers: SyncTriggers | null;
  /** A record was committed in this tab: recount, and sync it shortly (never throws). */
  wrote(): Promise<void>;
  requestSync(): void;
  syncNow(): Promise<RoundResult>;
  stop(): void;
}

export function startSession(args: {
  store: LocalStore;
  api: SyncApi;
  status: StatusStore;
  lockName: string;
  channelName: string;
  options: SessionOptions;
  onOutcomes?: (results: EventOutcome[]) => void;
  onReference?: (ref: Reference) => void;
  onRemoteReference?: () => void;
  /** Photos were uploaded (or refused) in a round. */
  onPhotos?: () => void;
  /** Storage and app version reported with pushes (see SyncEngineOptions.health). */
  health?: () => Promise<DeviceHealth | null>;
  /** The server's view of this device, after a pull. */
  onDevice?: (device: PulledDevice) => void;
}): Session {
  const { options } = args;
  let triggers: SyncTriggers | null = null;
  let unsubscribe = () => {};
  const engine = new SyncEngine({
    api: args.api,
    store: args.store,
    status: args.status,
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.setTimeout ? { setTimeout: options.setTimeout } : {}),
    ...(options.clearTimeout ? { clearTimeout: options.clearTimeout } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.pullLimit ? { pullLimit: options.pullLimit } : {}),
    ...(args.onOutcomes ? { onOutcomes: args.onOutcomes } : {}),
    ...(args.onPhotos ? { onPhotos: args.onPhotos } : {}),
    ...(args.health ? { health: args.health } : {}),
    ...(args.onDevice ? { onDevice: args.onDevice } : {}),
    onReference: (ref) => {
      args.onReference?.(ref);
      triggers?.publishReference();
    },
  });
  if (options.triggers !== false) {
    triggers = new SyncTriggers({
      engine,
      lockName: args.lockName,
      channelName: args.channelName,
      backgroundTag: BACKGROUND_SYNC_TAG,
      ...(options.triggers ? { env: options.triggers } : {}),
      ...(args.onRemoteReference ? { onRemoteReference: args.onRemoteReference } : {}),
    });
    // A round that fails for want of a network is retried by the service worker too.
    let lastError: string | null = null;
    unsubscribe = args.status.subscribe((s) => {
      if (
        s.lastError !== lastError &&
        (s.lastError === 'offline' || s.lastError === 'server_unavailable')
      )
        triggers?.registerBackgroundSync();
      lastError = s.lastError;
    });
    triggers.start();
  }
  return {
    engine,
    triggers,
    async wrote() {
      triggers?.notifyWrite();
      await engine.refreshCounts().catch(() => undefined);
    },
    requestSync() {
      if (triggers) triggers.requestSync();
      else engine.requestSync(0, { force: true });
    },
    syncNow: () => engine.syncOnce(),
    stop() {
      unsubscribe();
      triggers?.stop();
      engine.stop();
    },
  };
}
