/// <reference lib="webworker" />
/**
 * The service worker: precaches the app shell so every screen loads with no network, serves the
 * shell for every app path (the API is left to the network), takes updates only when the page
 * asks, and runs a sync round when the browser fires Background Sync.
 */
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { runBackgroundSync } from '../sync/background';

declare const self: ServiceWorkerGlobalScope;

/** Tag the page registers for Background Sync. */
const SYNC_TAG = 'hall-kiosk-sync';

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//],
  }),
);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// The first version takes the open page at once so it works offline without a reload; later
// versions wait for the page to ask (SKIP_WAITING above).
self.addEventListener('activate', (event: ExtendableEvent) => {
  event.waitUntil(self.clients.claim());
});

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

self.addEventListener('sync', (event: Event) => {
  const sync = event as SyncEvent;
  if (sync.tag === SYNC_TAG) sync.waitUntil(runBackgroundSync());
});
