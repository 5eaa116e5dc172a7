/**
 * Service-worker registration, on the plain ServiceWorker API (every screen loads this, the kiosk
 * routes included). A new version that has installed and waits is handed to
 * {@link UpdateState}; applying it tells the waiting worker to skip waiting and reloads once it
 * controls the page.
 */
import type { UpdateState } from './update.svelte';

/** How often a long-running kiosk looks for a new version. */
export const UPDATE_CHECK_MS = 30 * 60 * 1000;

/** What the service worker (sw.ts) answers by activating the waiting version. */
const SKIP_WAITING = { type: 'SKIP_WAITING' };

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

  let offered: ServiceWorker | null = null;
  const offer = (registration: ServiceWorkerRegistration, worker: ServiceWorker) => {
    if (worker === offered) return;
    offered = worker;
    updates.offer(async () => {
      const waiting = registration.waiting;
      if (replaced || !waiting) {
        window.location.reload();
        return;
      }
      container.addEventListener('controllerchange', () => window.location.reload(), {
        once: true,
      });
      waiting.postMessage(SKIP_WAITING);
    });
  };

  // A version that installs while another is active waits for the page to let it take over; the
  // very first one activates at once and is no update.
  const watched = new WeakSet<ServiceWorker>();
  const watch = (registration: ServiceWorkerRegistration) => {
    const worker = registration.installing;
    if (!worker || watched.has(worker)) return;
    watched.add(worker);
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' && registration.waiting === worker && registration.active) {
        offer(registration, worker);
      }
    });
  };

  const register = () =>
    container
      .register('/sw.js', { scope: '/' })
      .then((registration) => {
        if (registration.waiting) offer(registration, registration.waiting);
        watch(registration);
        registration.addEventListener('updatefound', () => watch(registration));
        // The browser looked for a new version on this visit; keep looking while the kiosk runs.
        setInterval(() => {
          if (navigator.onLine) registration.update().catch(() => undefined);
        }, UPDATE_CHECK_MS);
      })
      .catch(() => {
        // No service worker (private mode, insecure origin): the app still works online.
      });

  // Install (and precache) after the page has loaded, so it does not compete with the screen.
  if (document.readyState === 'complete') void register();
  else window.addEventListener('load', () => void register(), { once: true });
}
