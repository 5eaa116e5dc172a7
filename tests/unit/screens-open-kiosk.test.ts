import { describe, expect, it, vi } from 'vitest';
import type { Device } from '../../src/app/device-api';
import { openKioskDevice } from '../../src/screens/open-kiosk';

const device = () => ({ stop: vi.fn() }) as unknown as Device;

describe('openKioskDevice', () => {
  it('hands over an opened device', async () => {
    const d = device();
    expect(
      await openKioskDevice(
        async () => d,
        () => false,
      ),
    ).toEqual({ outcome: 'opened', device: d });
  });

  it('tells an unenrolled browser from storage that cannot be opened', async () => {
    expect(
      await openKioskDevice(
        async () => null,
        () => false,
      ),
    ).toEqual({ outcome: 'notEnrolled' });
    const broken = async () => {
      throw new Error('IndexedDB unavailable');
    };
    expect(await openKioskDevice(broken, () => false)).toEqual({ outcome: 'failed' });
  });

  it('stops a device that opened after the screen was left', async () => {
    const d = device();
    expect(
      await openKioskDevice(
        async () => d,
        () => true,
      ),
    ).toEqual({ outcome: 'stopped' });
    expect(d.stop).toHaveBeenCalledOnce();
  });
});
