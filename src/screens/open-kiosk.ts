/** Opening the enrolled device behind a kiosk screen, shared by the evaluator and the duty kiosk. */
import type { Device } from '../app/device-api';

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
 * on a kiosk path); the screen's first open takes it through {@link kioskOpener}.
 */
export function openDeviceEarly(openDevice: () => Promise<Device | null>): void {
  if (early) return;
  early = timed(openDevice);
  // A failure is the screen's to show when it takes the device (it then opens again on retry).
  early.catch(() => undefined);
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
  void opening?.then(
    (device) => device?.stop(),
    () => undefined,
  );
}
