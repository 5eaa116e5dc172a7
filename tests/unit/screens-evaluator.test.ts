import { describe, expect, it } from 'vitest';
import {
  WriteError,
  type Device,
  type DeviceCredentials,
  type RatingInput,
} from '../../src/app/device-api';
import type { EventEnvelope } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { emptyReference, type Reference } from '../../src/domain/reference';
import {
  EvaluatorState,
  SAVING_SHOWN_AFTER_MS,
  THANKS_MS,
  UPDATE_IDLE_MS,
} from '../../src/screens/evaluator/evaluator-state.svelte';
import { manualTime } from './manual-time';
import { INITIAL_STATUS, type SyncStatus } from '../../src/sync/status';

const windowId = newId();
const departmentId = newId();

function reference(idleSeconds = 30): Reference {
  const ref = emptyReference();
  const version = { hlc: '0', id: newId() };
  ref.hall = { name: '市民服务中心' };
  ref.departments[departmentId] = {
    id: departmentId,
    code: 'TAX',
    name: '税务',
    sort: 1,
    active: true,
    version,
  };
  ref.windows[windowId] = {
    id: windowId,
    departmentId,
    code: 'A01',
    name: 'A01 窗口',
    sort: 1,
    active: true,
    version,
  };
  ref.settings.kioskIdleSeconds = idleSeconds;
  return ref;
}

interface Deferred {
  resolve(): void;
  reject(error: unknown): void;
}

function fakeDevice(options: { role?: DeviceCredentials['role']; ref?: Reference } = {}) {
  const recorded: RatingInput[] = [];
  const waiting: Deferred[] = [];
  let statusListener: ((s: SyncStatus) => void) | null = null;
  let stopped = false;
  const credentials: DeviceCredentials = {
    deviceId: newId(),
    token: 't',
    hallId: newId(),
    role: options.role ?? 'evaluator',
    windowId,
    enrolledAt: new Date().toISOString(),
  };
  const device: Device = {
    credentials,
    recordRating(input) {
      recorded.push(input);
      return new Promise<EventEnvelope<'rating.submitted'>>((resolve, reject) => {
        waiting.push({
          resolve: () => resolve({} as EventEnvelope<'rating.submitted'>),
          reject,
        });
      });
    },
    onReference(cb) {
      cb(options.ref ?? reference());
      return () => undefined;
    },
    onStatus(cb) {
      statusListener = cb;
      cb(INITIAL_STATUS);
      return () => (statusListener = null);
    },
    requestSync: () => undefined,
    stop: () => (stopped = true),
  };
  return {
    device,
    recorded,
    /** Let the oldest outstanding write commit (or fail). */
    async commit(error?: unknown) {
      const next = waiting.shift()!;
      if (error) next.reject(error);
      else next.resolve();
      await Promise.resolve();
      await Promise.resolve();
    },
    status: (s: Partial<SyncStatus>) => statusListener?.({ ...INITIAL_STATUS, ...s }),
    stopped: () => stopped,
  };
}

function fakeUpdates() {
  const listeners = new Set<() => void>();
  let applied = 0;
  return {
    onWaiting(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async apply() {
      applied += 1;
    },
    offer: () => listeners.forEach((l) => l()),
    applied: () => applied,
  };
}

async function ready(options: Parameters<typeof fakeDevice>[0] = {}) {
  const fake = fakeDevice(options);
  const timers = manualTime().timers;
  const updates = fakeUpdates();
  const state = new EvaluatorState({ openDevice: async () => fake.device, updates, timers });
  await state.start();
  return { state, fake, timers, updates };
}

describe('EvaluatorState', () => {
  it('shows the not-enrolled state when the device has no credentials', async () => {
    const state = new EvaluatorState({
      openDevice: async () => null,
      updates: fakeUpdates(),
      timers: manualTime().timers,
    });
    await state.start();
    expect(state.phase).toBe('notEnrolled');
  });

  it('refuses to act as an evaluator on a device enrolled for another role', async () => {
    const { state } = await ready({ role: 'duty_kiosk' });
    expect(state.phase).toBe('wrongRole');
    expect(state.role).toBe('duty_kiosk');
  });

  it('knows its window and department from the reference data', async () => {
    const { state } = await ready();
    expect(state.phase).toBe('ready');
    expect(state.window?.name).toBe('A01 窗口');
    expect(state.department?.name).toBe('税务');
    expect(state.hall?.name).toBe('市民服务中心');
  });

  it('saves a good rating with one tap and thanks only after the write committed', async () => {
    const { state, fake, timers } = await ready();
    state.choose('satisfied');
    // Nothing on screen changes while the transaction runs, unless it is slow.
    expect(state.step).toBe('start');
    expect(fake.recorded).toEqual([
      { level: 'satisfied', reasons: [], comment: '', ticket: null, windowId, departmentId },
    ]);
    timers.advance(SAVING_SHOWN_AFTER_MS - 1);
    expect(state.step).toBe('start');
    timers.advance(1);
    expect(state.step).toBe('saving');
    timers.advance(60_000);
    expect(state.step).toBe('saving');
    await fake.commit();
    expect(state.step).toBe('thanks');
    timers.advance(THANKS_MS - 1);
    expect(state.step).toBe('thanks');
    timers.advance(1);
    expect(state.step).toBe('start');
  });

  it('ignores taps while a rating is being saved', async () => {
    const { state, fake } = await ready();
    state.choose('very_satisfied');
    state.choose('satisfied');
    expect(fake.recorded).toHaveLength(1);
  });

  it('starts no countdown and applies no update while a rating is being written', async () => {
    const { state, fake, timers, updates } = await ready();
    state.choose('satisfied');
    updates.offer();
    state.touch();
    state.reset();
    timers.advance(UPDATE_IDLE_MS * 3);
    expect(updates.applied()).toBe(0);
    expect(state.step).toBe('saving');
    await fake.commit();
    expect(state.step).toBe('thanks');
    expect(fake.recorded).toHaveLength(1);
  });

  it('asks for a reason on a poor rating and saves nothing without one', async () => {
    const { state, fake } = await ready();
    state.choose('very_dissatisfied');
    expect(state.step).toBe('reasons');
    state.submitReasons();
    expect(state.needReason).toBe(true);
    expect(fake.recorded).toHaveLength(0);
    state.reasons = ['waited_too_long', 'attitude'];
    expect(state.needReason).toBe(false);
    state.comment = '  等了一个小时  ';
    state.submitReasons();
    expect(fake.recorded[0]).toMatchObject({
      level: 'very_dissatisfied',
      reasons: ['waited_too_long', 'attitude'],
      comment: '等了一个小时',
    });
    await fake.commit();
    expect(state.step).toBe('thanks');
    expect(state.reasons).toEqual([]);
  });

  it('accepts a comment alone as the reason', async () => {
    const { state, fake } = await ready();
    state.choose('dissatisfied');
    state.comment = '指引不清';
    state.submitReasons();
    expect(fake.recorded[0]).toMatchObject({
      level: 'dissatisfied',
      reasons: [],
      comment: '指引不清',
    });
  });

  it('returns to the start after the hall idle time, and each touch restarts it', async () => {
    const { state, timers } = await ready({ ref: reference(20) });
    state.choose('dissatisfied');
    timers.advance(15_000);
    state.touch();
    timers.advance(15_000);
    expect(state.step).toBe('reasons');
    timers.advance(5_000);
    expect(state.step).toBe('start');
    expect(state.level).toBeNull();
  });

  it('shows a failed write in words and never strands the screen', async () => {
    const { state, fake, timers } = await ready();
    state.choose('satisfied');
    await fake.commit(new WriteError('storage_full'));
    expect(state.step).toBe('error');
    expect(state.error).toBe('storage_full');
    timers.advance(30_000);
    expect(state.step).toBe('start');
    expect(state.error).toBeNull();
  });

  it('treats an unexpected failure as storage unavailable', async () => {
    const { state, fake } = await ready();
    state.choose('satisfied');
    await fake.commit(new Error('boom'));
    expect(state.error).toBe('storage_unavailable');
  });

  it('applies a waiting update only after the start screen sat untouched', async () => {
    const { state, timers, updates } = await ready();
    state.choose('dissatisfied');
    updates.offer();
    timers.advance(UPDATE_IDLE_MS * 2);
    expect(updates.applied()).toBe(0);
    state.reset();
    timers.advance(UPDATE_IDLE_MS - 1);
    state.touch();
    timers.advance(UPDATE_IDLE_MS - 1);
    expect(updates.applied()).toBe(0);
    timers.advance(1);
    expect(updates.applied()).toBe(1);
  });

  it('stops taking ratings once the device is revoked', async () => {
    const { state, fake } = await ready();
    fake.status({ lastError: 'revoked' });
    expect(state.revoked).toBe(true);
    state.choose('satisfied');
    expect(fake.recorded).toHaveLength(0);
  });

  it('stops the device and its timers when the screen leaves', async () => {
    const { state, fake, timers } = await ready();
    state.choose('dissatisfied');
    state.stop();
    expect(fake.stopped()).toBe(true);
    expect(timers.count()).toBe(0);
  });
});

describe('EvaluatorState armed (请评价)', () => {
  const armedRef = (seconds: number) => {
    const ref = reference();
    ref.settings.armedRatingSeconds = seconds;
    return ref;
  };

  it('is open as always when the hall does not arm its evaluators', async () => {
    const { state, fake } = await ready();
    expect(state.armedSeconds).toBe(0);
    expect(state.closed).toBe(false);
    state.arm();
    expect(state.armedLeft).toBeNull();
    state.choose('satisfied');
    expect(fake.recorded).toHaveLength(1);
  });

  it('takes no rating until the staff press 请评价, then one within the seconds, counted down', async () => {
    const { state, fake, timers } = await ready({ ref: armedRef(20) });
    expect(state.closed).toBe(true);
    state.choose('very_satisfied');
    state.choose('very_dissatisfied');
    expect(fake.recorded).toHaveLength(0);
    expect(state.step).toBe('start');

    state.arm();
    expect(state.closed).toBe(false);
    expect(state.armedLeft).toBe(20);
    timers.advance(3_000);
    expect(state.armedLeft).toBe(17);
    state.choose('very_satisfied');
    expect(fake.recorded).toHaveLength(1);
    // Disarmed at once: a second tap (or a child drumming) takes nothing more.
    expect(state.armedLeft).toBeNull();
    await fake.commit();
    timers.advance(THANKS_MS);
    expect(state.step).toBe('start');
    expect(state.closed).toBe(true);
    state.choose('satisfied');
    expect(fake.recorded).toHaveLength(1);
  });

  it('closes again when the time runs out', async () => {
    const { state, fake, timers } = await ready({ ref: armedRef(10) });
    state.arm();
    timers.advance(9_999);
    expect(state.armedLeft).toBe(1);
    timers.advance(1);
    expect(state.armedLeft).toBeNull();
    expect(state.closed).toBe(true);
    state.choose('satisfied');
    expect(fake.recorded).toHaveLength(0);
  });

  it('lets an invited citizen finish a 差评 after the seconds have passed', async () => {
    const { state, fake, timers } = await ready({ ref: armedRef(10) });
    state.arm();
    state.choose('dissatisfied');
    expect(state.step).toBe('reasons');
    timers.advance(15_000);
    state.reasons = ['attitude'];
    state.submitReasons();
    expect(fake.recorded).toHaveLength(1);
    await fake.commit();
    expect(state.step).toBe('thanks');
  });

  it('applies a waiting update only while not armed', async () => {
    const { state, timers, updates } = await ready({ ref: armedRef(30) });
    state.arm();
    updates.offer();
    timers.advance(UPDATE_IDLE_MS);
    expect(updates.applied()).toBe(0);
    timers.advance(30_000);
    expect(state.armedLeft).toBeNull();
    timers.advance(UPDATE_IDLE_MS);
    expect(updates.applied()).toBe(1);
  });
});

describe('EvaluatorState, shown before its device has opened', () => {
  /** A device opening the test settles by hand, and a start screen known from the last run. */
  function early(options: { ref?: Reference; earlyRef?: Reference } = {}) {
    const fake = fakeDevice(options);
    const timers = manualTime().timers;
    const updates = fakeUpdates();
    let open!: (device: Device | null) => void;
    let fail!: (error: unknown) => void;
    const opening = new Promise<Device | null>((resolve, reject) => {
      open = resolve;
      fail = reject;
    });
    const kept: Reference[] = [];
    const state = new EvaluatorState({
      openDevice: () => opening,
      startEarly: async () => ({
        credentials: fake.device.credentials,
        reference: options.earlyRef ?? reference(),
      }),
      keepStart: (credentials, ref) => {
        expect(credentials).toBe(fake.device.credentials);
        kept.push(ref);
      },
      updates,
      timers,
    });
    const started = state.start();
    return {
      state,
      fake,
      timers,
      updates,
      kept,
      /** The device opens (or is not there); resolves once the screen has taken it. */
      open: async (device: Device | null = fake.device) => {
        open(device);
        await started;
        await flush();
      },
      fail: async () => {
        fail(new Error('IndexedDB unavailable'));
        await started;
        await flush();
      },
    };
  }

  const flush = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('shows the buttons from what it last showed, and the device status once open', async () => {
    const s = early();
    await flush();
    expect(s.state.phase).toBe('ready');
    expect(s.state.opened).toBe(false);
    expect(s.state.window?.name).toBe('A01 窗口');
    expect(s.state.closed).toBe(false);
    await s.open();
    expect(s.state.phase).toBe('ready');
    expect(s.state.opened).toBe(true);
    // What the device holds is kept for the next start.
    expect(s.kept).toHaveLength(1);
    expect(s.kept[0]!.windows[windowId]?.name).toBe('A01 窗口');
  });

  it('takes a tap made before the device opened once it has, and thanks only after the commit', async () => {
    const s = early();
    await flush();
    s.state.choose('satisfied');
    expect(s.fake.recorded).toHaveLength(0);
    s.timers.advance(SAVING_SHOWN_AFTER_MS);
    expect(s.state.step).toBe('saving');
    // Taps while it waits are not taken twice.
    s.state.choose('very_satisfied');
    await s.open();
    expect(s.fake.recorded).toEqual([
      { level: 'satisfied', reasons: [], comment: '', ticket: null, windowId, departmentId },
    ]);
    expect(s.state.step).toBe('saving');
    await s.fake.commit();
    expect(s.state.step).toBe('thanks');
  });

  it('takes a 差评 with its reasons given before the device opened', async () => {
    const s = early();
    await flush();
    s.state.choose('very_dissatisfied');
    expect(s.state.step).toBe('reasons');
    s.state.reasons = ['attitude'];
    s.state.submitReasons();
    await s.open();
    expect(s.fake.recorded).toHaveLength(1);
    expect(s.fake.recorded[0]).toMatchObject({ level: 'very_dissatisfied', reasons: ['attitude'] });
    await s.fake.commit();
    expect(s.state.step).toBe('thanks');
  });

  it('shows the storage error, and takes nothing, when the device then fails to open', async () => {
    const s = early();
    await flush();
    s.state.choose('satisfied');
    await s.fail();
    expect(s.state.phase).toBe('failed');
    expect(s.state.step).toBe('start');
    expect(s.fake.recorded).toHaveLength(0);
    expect(s.state.opened).toBe(false);
  });

  it('waits for the device on a retry, without the early start', async () => {
    const s = early();
    await flush();
    await s.fail();
    let open!: (device: Device | null) => void;
    // The retry opens anew through the same deps: this test's opener is spent, so give a new one.
    const retried = new EvaluatorState({
      openDevice: () => new Promise((resolve) => (open = resolve)),
      startEarly: async () => ({ credentials: s.fake.device.credentials, reference: reference() }),
      updates: fakeUpdates(),
      timers: manualTime().timers,
    });
    const first = retried.start();
    await flush();
    expect(retried.phase).toBe('ready');
    open(null);
    await first;
    const again = retried.start();
    await flush();
    expect(retried.phase).toBe('loading');
    open(s.fake.device);
    await again;
    expect(retried.phase).toBe('ready');
    expect(retried.opened).toBe(true);
  });

  it('shows why when the device turns out not to be enrolled, and takes nothing', async () => {
    const s = early();
    await flush();
    s.state.choose('satisfied');
    await s.open(null);
    expect(s.state.phase).toBe('notEnrolled');
    expect(s.fake.recorded).toHaveLength(0);
  });

  it('does not take a tap the device would have kept closed (armed since the last start)', async () => {
    const ref = reference();
    ref.settings.armedRatingSeconds = 30;
    const s = early({ ref });
    await flush();
    expect(s.state.closed).toBe(false);
    s.state.choose('satisfied');
    await s.open();
    expect(s.fake.recorded).toHaveLength(0);
    expect(s.state.step).toBe('start');
    expect(s.state.closed).toBe(true);
  });

  it('takes an invited tap in armed mode made before the device opened', async () => {
    const ref = reference();
    ref.settings.armedRatingSeconds = 30;
    const s = early({ ref, earlyRef: ref });
    await flush();
    expect(s.state.closed).toBe(true);
    s.state.arm();
    s.state.choose('satisfied');
    await s.open();
    expect(s.fake.recorded).toHaveLength(1);
  });

  it('shows nothing early without a known start screen, and applies updates once', async () => {
    const fake = fakeDevice();
    const updates = fakeUpdates();
    let open!: (device: Device | null) => void;
    const state = new EvaluatorState({
      openDevice: () => new Promise((resolve) => (open = resolve)),
      startEarly: async () => null,
      updates,
      timers: manualTime().timers,
    });
    const started = state.start();
    await flush();
    expect(state.phase).toBe('loading');
    open(fake.device);
    await started;
    expect(state.phase).toBe('ready');
  });

  /** A screen that shows early while its device opens when `open` is called; counts its watchers. */
  function earlyScreen() {
    const fake = fakeDevice();
    const watch = { subscriptions: 0 };
    let open!: (device: Device | null) => void;
    const state = new EvaluatorState({
      openDevice: () => new Promise((resolve) => (open = resolve)),
      startEarly: async () => ({ credentials: fake.device.credentials, reference: reference() }),
      updates: {
        onWaiting: () => {
          watch.subscriptions += 1;
          return () => (watch.subscriptions -= 1);
        },
        apply: async () => undefined,
      },
      timers: manualTime().timers,
    });
    return { fake, watch, state, open: (device: Device | null) => open(device) };
  }

  it('watches for updates once, whether it showed early or not', async () => {
    const { fake, watch, state, open } = earlyScreen();
    const started = state.start();
    await flush();
    expect(watch.subscriptions).toBe(1);
    open(fake.device);
    await started;
    expect(watch.subscriptions).toBe(1);
    state.stop();
    expect(watch.subscriptions).toBe(0);
  });

  it('lets go of the early start when the device does not open', async () => {
    const { watch, state, open } = earlyScreen();
    const started = state.start();
    await flush();
    expect(watch.subscriptions).toBe(1);
    open(null);
    await started;
    expect(state.phase).toBe('notEnrolled');
    expect(watch.subscriptions).toBe(0);
  });
});
