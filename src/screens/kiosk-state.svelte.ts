/**
 * What the kiosks that sign leaders in on their own device share (局长坐班终端, 走流程巡查平板):
 * opening the enrolled device, the phase shown while it opens, the hall's reference and the sync
 * status it reports, the idle countdown, and letting go of it all when the screen goes.
 */
import type { Device, Unsubscribe } from '../app/device-api';
import type { DeviceRole } from '../domain/device';
import { DEFAULT_SETTINGS, type Reference } from '../domain/reference';
import { INITIAL_STATUS, type SyncStatus } from '../sync/status';
import { openKioskDevice } from './open-kiosk';
import { Countdown, browserTimers, type Timers } from './timers';

export type KioskPhase = 'loading' | 'notEnrolled' | 'wrongRole' | 'ready' | 'failed';

export interface KioskDeps {
  openDevice: () => Promise<Device | null>;
  timers?: Timers;
  now?: () => number;
}

export abstract class KioskState {
  protected readonly now: () => number;
  protected readonly timers: Timers;
  /** Returns an untouched screen to where it starts; each kiosk says when, in `restartIdle`. */
  protected readonly idle: Countdown;
  protected stopped = false;
  protected reference = $state.raw<Reference | null>(null);

  #openDevice: () => Promise<Device | null>;
  #device: Device | null = null;
  #unsubscribe: Unsubscribe[] = [];
  #phase = $state<KioskPhase>('loading');
  #role = $state<DeviceRole | null>(null);
  #status = $state.raw<SyncStatus>(INITIAL_STATUS);

  constructor(deps: KioskDeps) {
    this.#openDevice = deps.openDevice;
    this.now = deps.now ?? (() => Date.now());
    this.timers = deps.timers ?? browserTimers;
    this.idle = new Countdown(this.timers);
  }

  get phase(): KioskPhase {
    return this.#phase;
  }
  get role(): DeviceRole | null {
    return this.#role;
  }
  get status(): SyncStatus {
    return this.#status;
  }
  get hall() {
    return this.reference?.hall ?? null;
  }
  get idleMs(): number {
    return (this.reference?.settings.kioskIdleSeconds ?? DEFAULT_SETTINGS.kioskIdleSeconds) * 1000;
  }

  async start(): Promise<void> {
    this.#phase = 'loading';
    const opening = await openKioskDevice(this.#openDevice, () => this.stopped);
    if (opening.outcome !== 'opened') {
      if (opening.outcome !== 'stopped') this.#phase = opening.outcome;
      return;
    }
    const device = opening.device;
    this.#device = device;
    this.#role = device.credentials.role;
    const refused = this.attach(device);
    if (refused) {
      this.#phase = refused;
      return;
    }
    this.#unsubscribe.push(
      device.onReference((ref) => {
        this.reference = ref;
        this.referenceChanged();
      }),
      device.onStatus((status) => (this.#status = status)),
      ...this.watch(),
    );
    this.opened();
    await this.refresh();
    if (this.stopped) return;
    this.#phase = 'ready';
    this.restartIdle();
  }

  stop(): void {
    this.stopped = true;
    this.idle.clear();
    this.detach();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#device?.stop();
    this.#device = null;
  }

  /** Any touch, key or input: restarts the idle countdown. */
  touch(): void {
    if (this.#phase === 'ready') this.restartIdle();
  }

  /** Re-read what the screen shows from the device. */
  abstract refresh(): Promise<void>;

  /** Keep this kiosk's part of the device; the phase to show instead when it has none. */
  protected abstract attach(device: Device): 'wrongRole' | 'failed' | null;
  /** Subscribe to changes of this kiosk's part of the device. */
  protected abstract watch(): Unsubscribe[];
  /** Let go of this kiosk's part of the device (the screen is going). */
  protected abstract detach(): void;
  /** (Re)start the idle countdown for what is shown now. */
  protected abstract restartIdle(): void;
  /** Subscribed, before the first refresh. */
  protected opened(): void {}
  /** The hall's reference changed. */
  protected referenceChanged(): void {}
}
