import { describe, expect, it } from 'vitest';
import type { Device, Unsubscribe } from '../../src/app/device-api';
import type { DeviceRole } from '../../src/domain/device';
import { emptyReference, type Reference } from '../../src/domain/reference';
import { INITIAL_STATUS, type SyncStatus } from '../../src/sync/status';
import { KioskState } from '../../src/screens/kiosk-state.svelte';

/** A device with only what the kiosk frame uses: its role, reference and status feeds, stop. */
function fakeDevice(role: DeviceRole) {
  const reference: ((ref: Reference) => void)[] = [];
  const status: ((s: SyncStatus) => void)[] = [];
  const log: string[] = [];
  const device = {
    credentials: { role },
    onReference(cb: (ref: Reference) => void): Unsubscribe {
      reference.push(cb);
      return () => log.push('reference off');
    },
    onStatus(cb: (s: SyncStatus) => void): Unsubscribe {
      status.push(cb);
      return () => log.push('status off');
    },
    stop: () => log.push('device stopped'),
  };
  return {
    device: device as unknown as Device,
    log,
    sendReference: (ref: Reference) => reference.forEach((cb) => cb(ref)),
    sendStatus: (s: SyncStatus) => status.forEach((cb) => cb(s)),
  };
}

/** A kiosk that records what the frame asks of it. */
class TestKiosk extends KioskState {
  calls: string[] = [];
  refused: 'wrongRole' | 'failed' | null = null;

  override async refresh(): Promise<void> {
    this.calls.push('refresh');
  }
  protected override attach(device: Device): 'wrongRole' | 'failed' | null {
    this.calls.push(`attach ${device.credentials.role}`);
    return this.refused;
  }
  protected override watch(): Unsubscribe[] {
    this.calls.push('watch');
    return [() => this.calls.push('watch off')];
  }
  protected override opened(): void {
    this.calls.push('opened');
  }
  protected override referenceChanged(): void {
    this.calls.push('reference');
  }
  protected override detach(): void {
    this.calls.push('detach');
  }
  protected override restartIdle(): void {
    this.calls.push(`idle ${this.phase}`);
  }
}

describe('the frame of a kiosk on its own device', () => {
  it('tells a browser that is not enrolled, or whose storage fails', async () => {
    const none = new TestKiosk({ openDevice: () => Promise.resolve(null) });
    await none.start();
    expect(none.phase).toBe('notEnrolled');
    const broken = new TestKiosk({ openDevice: () => Promise.reject(new Error('no IndexedDB')) });
    await broken.start();
    expect(broken.phase).toBe('failed');
    expect([...none.calls, ...broken.calls]).toEqual([]);
  });

  it('shows the phase the kiosk gives when the device is not its own', async () => {
    const fake = fakeDevice('evaluator');
    const kiosk = new TestKiosk({ openDevice: () => Promise.resolve(fake.device) });
    kiosk.refused = 'wrongRole';
    await kiosk.start();
    expect(kiosk.phase).toBe('wrongRole');
    expect(kiosk.role).toBe('evaluator');
    expect(kiosk.calls).toEqual(['attach evaluator']);
  });

  it('opens, subscribes, refreshes, then is ready; reference and status follow the device', async () => {
    const fake = fakeDevice('duty_kiosk');
    const kiosk = new TestKiosk({ openDevice: () => Promise.resolve(fake.device) });
    expect(kiosk.idleMs).toBe(30_000);
    await kiosk.start();
    expect(kiosk.phase).toBe('ready');
    expect(kiosk.calls).toEqual(['attach duty_kiosk', 'watch', 'opened', 'refresh', 'idle ready']);

    const ref = emptyReference();
    ref.hall = { name: '政务服务大厅' };
    ref.settings = { ...ref.settings, kioskIdleSeconds: 45 };
    fake.sendReference(ref);
    expect(kiosk.calls.at(-1)).toBe('reference');
    expect(kiosk.hall).toEqual({ name: '政务服务大厅' });
    expect(kiosk.idleMs).toBe(45_000);
    fake.sendStatus({ ...INITIAL_STATUS, pending: 3 });
    expect(kiosk.status.pending).toBe(3);

    kiosk.calls.length = 0;
    kiosk.touch();
    kiosk.stop();
    expect(kiosk.calls).toEqual(['idle ready', 'detach', 'watch off']);
    expect(fake.log).toEqual(['reference off', 'status off', 'device stopped']);
  });

  it('stops a device that opens after the screen was left', async () => {
    const fake = fakeDevice('duty_kiosk');
    let open: (device: Device) => void = () => {};
    const kiosk = new TestKiosk({
      openDevice: () => new Promise<Device>((resolve) => (open = resolve)),
    });
    const starting = kiosk.start();
    kiosk.stop();
    open(fake.device);
    await starting;
    expect(kiosk.phase).toBe('loading');
    expect(fake.log).toEqual(['device stopped']);
    expect(kiosk.calls).toEqual(['detach']);
  });
});
