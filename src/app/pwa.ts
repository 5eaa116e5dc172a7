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

  wb.addEventListener('waiting', () => {
    updates.offer(async () => {
      container.addEventListener('controllerchange', () => window.location.reload(), {
        once: true,
      });
      wb.messageSkipWaiting();
    });
  });

  wb.register()
    .then((registration) => {
      if (!registration) return;
      // register() looked for a new version on start; keep looking while the kiosk runs.
      setInterval(() => {
        if (navigator.onLine) registration.update().catch(() => undefined);
      }, UPDATE_CHECK_MS);
    })
    .catch(() => {
      // No service worker (private mode, insecure origin): the app still works online.
    });
}
