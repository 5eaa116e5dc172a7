/** Opening the enrolled device behind a kiosk screen, shared by the evaluator and the duty kiosk. */
import type { Device, DeviceCredentials } from '../app/device-api';

export type KioskOpening =
  | { outcome: 'opened'; device: Device }
  /** The device could not be opened (storage unavailable). */
  | { outcome: 'failed' }
  | { outcome: 'notEnrolled' }
  /** The screen was left while the device opened; it has been stopped again. */
  | { outcome: 'stopped' };

export async function openKioskDevice(
  openDevice: () => Promise<Device | null>,
  stopped: () => boolean,
): Promise<KioskOpening> {
  let device: Device | null;
  try {
    device = await openDevice();
  } catch {
    return { outcome: 'failed' };
  }
  if (stopped()) {
    device?.stop();
    return { outcome: 'stopped' };
  }
  return device ? { outcome: 'opened', device } : { outcome: 'notEnrolled' };
}

/**
 * Open this browser's enrolled device, loading the device layer's code (its database, sync and
 * signing) only now: a kiosk screen's own code does not wait for it.
 */
export async function openEnrolledDevice(): Promise<Device | null> {
  return (await import('../app/device')).openDevice();
}

/**
 * User Timing measure of opening the device behind a kiosk screen, from the call to the device
 * being ready (for the start-up benchmark's account of where a cold start's time goes).
 */
export const DEVICE_OPEN_MEASURE = 'hk:device-open';

function timed(openDevice: () => Promise<Device | null>): Promise<Device | null> {
  const started = performance.now();
  const opening = openDevice();
  const measure = () => {
    performance.clearMeasures(DEVICE_OPEN_MEASURE);
    performance.measure(DEVICE_OPEN_MEASURE, { start: started });
  };
  opening.then(measure, measure);
  return opening;
}

/** A device being opened before its kiosk screen's code has loaded, not yet taken by the screen. */
let early: Promise<Device | null> | null = null;

/**
 * Start opening the enrolled device at once, while the kiosk screen's code still loads (start-up
 * on a kiosk path); the screen's first open takes it through {@link kioskOpener}. Settles (never
 * fails) when that opening has.
 */
export function openDeviceEarly(openDevice: () => Promise<Device | null>): Promise<void> {
  early ??= timed(openDevice);
  // A failure is the screen's to show when it takes the device (it then opens again on retry).
  return early.then(
    () => undefined,
    () => undefined,
  );
}

/** This browser's credentials being read at start-up, not yet taken by the screen. */
let earlyCredentials: Promise<DeviceCredentials | undefined> | null = null;

/**
 * Start reading this browser's credentials at once (start-up on the evaluator's path), so the
 * screen knows what it is before the device has opened; the screen's first read takes it through
 * {@link kioskCredentials}.
 */
export function readCredentialsEarly(load: () => Promise<DeviceCredentials | undefined>): void {
  earlyCredentials ??= load();
  earlyCredentials.catch(() => undefined);
}

/** The screen's credentials read: its first call takes the early read, if any, later calls read anew. */
export function kioskCredentials(
  load: () => Promise<DeviceCredentials | undefined>,
): () => Promise<DeviceCredentials | undefined> {
  return () => {
    const reading = earlyCredentials;
    earlyCredentials = null;
    return reading ?? load();
  };
}

/**
 * The screen's `openDevice`: its first call takes the device opened early, if any, and every
 * other call (a retry, another visit to the screen) opens it anew.
 */
export function kioskOpener(
  openDevice: () => Promise<Device | null>,
): () => Promise<Device | null> {
  return () => {
    const opening = early;
    early = null;
    return opening ?? timed(openDevice);
  };
}

/**
 * The app went to a screen that is not a kiosk before the kiosk screen took its device: stop the
 * device opened early, so it does not sync behind a screen that does not use it.
 */
export function dropEarlyDevice(): void {
  const opening = early;
  early = null;
  earlyCredentials = null;
  void opening?.then(
    (device) => device?.stop(),
    () => undefined,
  );
}
