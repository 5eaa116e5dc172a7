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
