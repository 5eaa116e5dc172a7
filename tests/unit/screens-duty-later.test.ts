import { describe, expect, it } from 'vitest';
import { Later, whenCached } from '../../src/screens/duty/later.svelte';

/** A load the test settles by hand, counting how often it was started. */
function manualLoad<T>() {
  let starts = 0;
  const pending: { resolve: (m: { default: T }) => void; reject: (e: unknown) => void }[] = [];
  const load = () => {
    starts++;
    return new Promise<{ default: T }>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { load, starts: () => starts, last: () => pending[pending.length - 1]! };
}

describe('a screen part loaded when first wanted', () => {
  it('is not loaded until wanted, then loaded once for every want', async () => {
    const m = manualLoad<string>();
    const part = new Later(m.load);
    expect(m.starts()).toBe(0);
    expect(part.component).toBeNull();

    const first = part.want();
    const second = part.want();
    expect(m.starts()).toBe(1);
    expect(part.component).toBeNull();

    m.last().resolve({ default: 'PinPad' });
    await expect(first).resolves.toBe('PinPad');
    await expect(second).resolves.toBe('PinPad');
    expect(part.component).toBe('PinPad');

    await expect(part.want()).resolves.toBe('PinPad');
    expect(m.starts()).toBe(1);
  });

  it('a failed load leaves the part out and is tried again the next time it is wanted', async () => {
    const m = manualLoad<string>();
    const part = new Later(m.load);
    const failed = part.want();
    m.last().reject(new Error('offline'));
    await expect(failed).rejects.toThrow('offline');
    expect(part.component).toBeNull();

    const again = part.want();
    expect(m.starts()).toBe(2);
    m.last().resolve({ default: 'SessionView' });
    await expect(again).resolves.toBe('SessionView');
    expect(part.component).toBe('SessionView');
  });
});

describe('loading once the service worker serves the page', () => {
  it('runs when the page is idle after the service worker is ready', async () => {
    let ready!: () => void;
    const serviceWorker = {
      ready: new Promise<ServiceWorkerRegistration>((resolve) => {
        ready = () => resolve({} as ServiceWorkerRegistration);
      }),
    };
    const idle: (() => void)[] = [];
    let ran = 0;
    whenCached(() => ran++, { serviceWorker, requestIdleCallback: (cb) => idle.push(cb) });

    await Promise.resolve();
    expect(idle).toHaveLength(0);
    ready();
    await serviceWorker.ready;
    await Promise.resolve();
    expect(idle).toHaveLength(1);
    expect(ran).toBe(0);
    idle[0]!();
    expect(ran).toBe(1);
  });

  it('never runs without a service worker', async () => {
    let ran = 0;
    whenCached(() => ran++, { requestIdleCallback: (cb) => cb() });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ran).toBe(0);
  });
});
