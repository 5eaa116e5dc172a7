/**
 * Service-worker registration (workbox-window). A new version that has installed and waits is
 * handed to {@link UpdateState}; applying it tells the waiting worker to skip waiting and reloads
 * once it controls the page.
 */
import { Workbox } from 'workbox-window';
import type { UpdateState } from './update.svelte';

/** How often a long-running kiosk looks for a new version. */
export const UPDATE_CHECK_MS = 30 * 60 * 1000;

export function registerServiceWorker(updates: UpdateState): void {
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  const wb = new Workbox('/sw.js', { scope: '/' });
  let registration: ServiceWorkerRegistration | undefined;
  let hadController = container.controller !== null;
  // Another tab may have activated the new version already; then a reload is all that is left.
  let replaced = false;
  container.addEventListener('controllerchange', () => {
    if (hadController) replaced = true;
    hadController = true;
  });

  wb.addEventListener('waiting', () => {
    updates.offer(async () => {
      if (replaced || !registration?.waiting) {
        window.location.reload();
        return;
      }
      container.addEventListener('controllerchange', () => window.location.reload(), {
        once: true,
      });
      wb.messageSkipWaiting();
    });
  });

  wb.register()
    .then((registered) => {
      registration = registered;
      if (!registered) return;
      // register() looked for a new version on start; keep looking while the kiosk runs.
      setInterval(() => {
        if (navigator.onLine) registered.update().catch(() => undefined);
      }, UPDATE_CHECK_MS);
    })
    .catch(() => {
      // No service worker (private mode, insecure origin): the app still works online.
    });
}
