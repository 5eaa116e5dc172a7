import { describe, expect, it, vi } from 'vitest';
import type { Device } from '../../src/app/device-api';
import type { DeviceCredentials } from '../../src/app/device-api';
import {
  DEVICE_OPEN_MEASURE,
  dropEarlyDevice,
  kioskCredentials,
  kioskOpener,
  openDeviceEarly,
  openKioskDevice,
  readCredentialsEarly,
} from '../../src/screens/open-kiosk';

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

describe('a device opened at start-up', () => {
  it("is handed to the kiosk screen's first open, and later opens open anew", async () => {
    const early = device();
    const later = device();
    const open = vi.fn(async () => later);
    openDeviceEarly(async () => early);
    const screenOpen = kioskOpener(open);
    expect(await screenOpen()).toBe(early);
    expect(open).not.toHaveBeenCalled();
    // A retry after a failure, or the screen shown again, opens the device again.
    expect(await screenOpen()).toBe(later);
    expect(open).toHaveBeenCalledOnce();
  });

  it('is opened once however often start-up asks', async () => {
    const opens = vi.fn(async () => device());
    openDeviceEarly(opens);
    openDeviceEarly(opens);
    expect(opens).toHaveBeenCalledOnce();
    await kioskOpener(async () => null)();
  });

  it('that failed to open fails the screen once; its retry opens again', async () => {
    openDeviceEarly(async () => {
      throw new Error('IndexedDB unavailable');
    });
    const d = device();
    const open = kioskOpener(async () => d);
    expect(await openKioskDevice(open, () => false)).toEqual({ outcome: 'failed' });
    expect(await openKioskDevice(open, () => false)).toEqual({ outcome: 'opened', device: d });
  });

  it('is stopped when the app leaves for another screen before the kiosk took it', async () => {
    const early = device();
    let opened!: (d: Device) => void;
    openDeviceEarly(() => new Promise<Device>((resolve) => (opened = resolve)));
    dropEarlyDevice();
    opened(early);
    await vi.waitFor(() => expect(early.stop).toHaveBeenCalledOnce());
    // Nothing is left for a kiosk screen shown later: it opens its own.
    const own = device();
    expect(await kioskOpener(async () => own)()).toBe(own);
    expect(own.stop).not.toHaveBeenCalled();
  });

  it('is not stopped by leaving once the screen has it', async () => {
    const early = device();
    openDeviceEarly(async () => early);
    expect(await kioskOpener(async () => null)()).toBe(early);
    dropEarlyDevice();
    await Promise.resolve();
    expect(early.stop).not.toHaveBeenCalled();
  });
});

describe('opening at start-up settles', () => {
  it('when the device has opened, and also when it failed', async () => {
    let opened!: (d: Device) => void;
    let settled = false;
    void openDeviceEarly(() => new Promise<Device>((resolve) => (opened = resolve))).then(
      () => (settled = true),
    );
    await Promise.resolve();
    expect(settled).toBe(false);
    const d = device();
    opened(d);
    expect(await kioskOpener(async () => null)()).toBe(d);
    await vi.waitFor(() => expect(settled).toBe(true));
    await expect(
      openDeviceEarly(async () => {
        throw new Error('IndexedDB unavailable');
      }),
    ).resolves.toBeUndefined();
    await kioskOpener(async () => null)().catch(() => undefined);
  });
});

describe('credentials read at start-up', () => {
  const creds = { deviceId: 'd' } as DeviceCredentials;

  it("are handed to the screen's first read, and later reads read anew", async () => {
    const early = vi.fn(async () => creds);
    const later = vi.fn(async () => undefined);
    readCredentialsEarly(early);
    readCredentialsEarly(early);
    expect(early).toHaveBeenCalledOnce();
    const read = kioskCredentials(later);
    expect(await read()).toBe(creds);
    expect(later).not.toHaveBeenCalled();
    expect(await read()).toBeUndefined();
    expect(later).toHaveBeenCalledOnce();
  });

  it('are dropped when the app leaves for another screen first', async () => {
    readCredentialsEarly(async () => creds);
    dropEarlyDevice();
    const later = vi.fn(async () => undefined);
    expect(await kioskCredentials(later)()).toBeUndefined();
    expect(later).toHaveBeenCalledOnce();
  });
});

describe('the device-open measure', () => {
  it('spans opening the device, early or by the screen, and also a failed open', async () => {
    const spans = () => performance.getEntriesByName(DEVICE_OPEN_MEASURE);
    performance.clearMeasures(DEVICE_OPEN_MEASURE);
    let opened!: (d: Device) => void;
    openDeviceEarly(() => new Promise<Device>((resolve) => (opened = resolve)));
    const taking = kioskOpener(async () => null)();
    expect(spans()).toHaveLength(0);
    opened(device());
    await taking;
    await vi.waitFor(() => expect(spans()).toHaveLength(1));
    performance.clearMeasures(DEVICE_OPEN_MEASURE);
    await expect(
      kioskOpener(async () => {
        throw new Error('IndexedDB unavailable');
      })(),
    ).rejects.toThrow('IndexedDB unavailable');
    await vi.waitFor(() => expect(spans()).toHaveLength(1));
    performance.clearMeasures(DEVICE_OPEN_MEASURE);
  });
});
