import { describe, expect, it } from 'vitest';
import { StatusStore } from '../../src/sync/status-store';
import { SyncTriggers, type SyncTarget } from '../../src/sync/triggers';
import { FakeBus, FakeLocks, fakeTab, settle } from './fake-browser';

function fakeEngine() {
  const requests: { delayMs: number; force: boolean; maxWaitMs?: number }[] = [];
  const engine: SyncTarget = {
    status: new StatusStore(),
    requestSync: (delayMs = 0, options = {}) =>
      void requests.push({ delayMs, force: !!options.force, maxWaitMs: options.maxWaitMs }),
  };
  return { engine, requests };
}

function tab(shared: { locks?: FakeLocks; bus: FakeBus }) {
  const browser = fakeTab(shared);
  const { engine, requests } = fakeEngine();
  const triggers = new SyncTriggers({
    engine,
    lockName: 'sync',
    channelName: 'tabs',
    env: browser.env,
  });
  return { ...browser, engine, requests, triggers };
}

describe('sync triggers in one tab', () => {
  it('syncs on start, on the timer while online, on reconnecting and on becoming visible', async () => {
    const t = tab({ bus: new FakeBus() });
    t.triggers.start();
    expect(t.triggers.leader).toBe(true); // no Web Locks: this tab syncs
    expect(t.requests).toEqual([{ delayMs: 0, force: true }]);

    t.tickInterval();
    expect(t.requests.at(-1)).toEqual({ delayMs: 0, force: false });

    t.goOffline();
    expect(t.engine.status.get().online).toBe(false);
    const before = t.requests.length;
    t.tickInterval();
    expect(t.requests.length).toBe(before); // not while offline

    t.goOnline();
    expect(t.engine.status.get().online).toBe(true);
    expect(t.requests.at(-1)).toEqual({ delayMs: 0, force: true });

    const hidden = t.requests.length;
    t.document.show('hidden');
    expect(t.requests.length).toBe(hidden);
    t.document.show('visible');
    expect(t.requests.length).toBe(hidden + 1);
    expect(t.requests.at(-1)!.force).toBe(true);
  });

  it('syncs about a second after a local write, or a stream of them once it pauses', () => {
    const t = tab({ bus: new FakeBus() });
    t.triggers.start();
    t.triggers.notifyWrite();
    expect(t.requests.at(-1)).toEqual({ delayMs: 1000, force: false, maxWaitMs: 10_000 });
  });

  it('registers Background Sync after a write where the browser has it', async () => {
    const tags: string[] = [];
    const browser = fakeTab({ bus: new FakeBus() });
    (browser.navigator as { serviceWorker: unknown }).serviceWorker = {
      ready: Promise.resolve({ sync: { register: async (tag: string) => void tags.push(tag) } }),
    };
    const { engine } = fakeEngine();
    const triggers = new SyncTriggers({
      engine,
      lockName: 'l',
      channelName: 'c',
      env: browser.env,
      backgroundTag: 'hall-kiosk-sync',
    });
    triggers.start();
    triggers.notifyWrite();
    await settle();
    expect(tags).toEqual(['hall-kiosk-sync']);
    triggers.stop();
  });

  it('stops listening when stopped', () => {
    const t = tab({ bus: new FakeBus() });
    t.triggers.start();
    t.triggers.stop();
    const count = t.requests.length;
    t.goOnline();
    t.tickInterval();
    t.document.show('visible');
    expect(t.requests.length).toBe(count);
  });

  it('works with none of the browser APIs present', () => {
    const { engine, requests } = fakeEngine();
    const triggers = new SyncTriggers({ engine, lockName: 'l', channelName: 'c', env: {} });
    triggers.start();
    triggers.notifyWrite();
    triggers.registerBackgroundSync();
    expect(triggers.leader).toBe(true);
    expect(requests.length).toBe(2);
    triggers.stop();
  });
});

describe('one syncing tab per device', () => {
  it('lets only the lock holder sync; others hand it their writes and show its status', async () => {
    const shared = { locks: new FakeLocks(), bus: new FakeBus() };
    const a = tab(shared);
    const b = tab(shared);
    a.triggers.start();
    await settle();
    b.triggers.start();
    await settle();
    expect(a.triggers.leader).toBe(true);
    expect(b.triggers.leader).toBe(false);
    expect(b.requests).toEqual([]);

    // b's own events never make it sync; they reach a.
    b.goOnline();
    b.tickInterval();
    b.document.show('visible');
    expect(b.requests).toEqual([]);
    const before = a.requests.length;
    b.triggers.notifyWrite();
    await settle();
    expect(a.requests.slice(before)).toEqual([{ delayMs: 1000, force: false, maxWaitMs: 10_000 }]);
    b.triggers.requestSync();
    await settle();
    expect(a.requests.at(-1)).toEqual({ delayMs: 0, force: true });

    // The leader's status shows in the other tab, except its own storage state.
    b.engine.status.update({ storageFull: true });
    a.engine.status.update({
      pending: 7,
      lastSuccessAt: '2026-05-01T09:00:00.000Z',
      lastError: 'offline',
    });
    await settle();
    expect(b.engine.status.get()).toMatchObject({
      pending: 7,
      lastSuccessAt: '2026-05-01T09:00:00.000Z',
      lastError: 'offline',
      storageFull: true,
    });

    // When the syncing tab closes, the waiting one takes over and syncs at once.
    a.triggers.stop();
    await settle();
    await settle();
    expect(b.triggers.leader).toBe(true);
    expect(b.requests).toEqual([{ delayMs: 0, force: true }]);
    b.triggers.stop();
  });

  it('tells a tab that opens later the current status', async () => {
    const shared = { locks: new FakeLocks(), bus: new FakeBus() };
    const a = tab(shared);
    a.triggers.start();
    await settle();
    a.engine.status.update({ pending: 3, lastSuccessAt: '2026-05-02T10:00:00.000Z' });
    const b = tab(shared);
    b.triggers.start();
    await settle();
    await settle();
    expect(b.engine.status.get()).toMatchObject({
      pending: 3,
      lastSuccessAt: '2026-05-02T10:00:00.000Z',
    });
    a.triggers.stop();
    b.triggers.stop();
  });
});
