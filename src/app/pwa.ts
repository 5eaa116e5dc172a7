/**
 * Service-worker registration. A new version that has installed and waits (found at start, or
 * installed while the page is open) is handed to {@link UpdateState}; applying it tells the
 * waiting worker to skip waiting and reloads once it controls the page.
 */
import type { UpdateState } from './update.svelte';

/** How often a long-running kiosk looks for a new version. */
export const UPDATE_CHECK_MS = 30 * 60 * 1000;

/**
 * How long a worker that has installed must stay installed before it counts as waiting: the
 * first version activates at once (nothing controls the page yet), so it never waits.
 */
const WAITING_AFTER_MS = 200;

export function registerServiceWorker(updates: UpdateState): void {
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  let hadController = container.controller !== null;
  // Another tab may have activated the new version already; then a reload is all that is left.
  let replaced = false;
  container.addEventListener('controllerchange', () => {
    if (hadController) replaced = true;
    hadController = true;
  });

  const offer = (registration: ServiceWorkerRegistration) =>
    updates.offer(async () => {
      const waiting = registration.waiting;
      if (replaced || !waiting) {
        window.location.reload();
        return;
      }
      container.addEventListener('controllerchange', () => window.location.reload(), {
        once: true,
      });
      waiting.postMessage({ type: 'SKIP_WAITING' });
    });

  const watch = (registration: ServiceWorkerRegistration) => {
    const track = (worker: ServiceWorker | null) =>
      worker?.addEventListener('statechange', () => {
        if (worker.state !== 'installed') return;
        setTimeout(() => {
          if (worker.state === 'installed' && registration.waiting === worker) offer(registration);
        }, WAITING_AFTER_MS);
      });
    if (registration.waiting) offer(registration);
    // A version may already be installing (the browser looks for one on every navigation).
    track(registration.installing);
    registration.addEventListener('updatefound', () => track(registration.installing));
    // Registering looked for a new version on start; keep looking while the kiosk runs.
    setInterval(() => {
      if (navigator.onLine) registration.update().catch(() => undefined);
    }, UPDATE_CHECK_MS);
  };

  // Registered once the page has loaded, so the worker's precaching does not compete with it.
  const loaded =
    document.readyState === 'complete'
      ? Promise.resolve()
      : new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
  loaded
    .then(() => container.register('/sw.js', { scope: '/' }))
    .then(watch)
    .catch(() => {
      // No service worker (private mode, insecure origin): the app still works online.
    });
}
