/**
 * Start-up. Everything the first screen needs starts at once and side by side: the saved language
 * is read, the screen's code and messages load (the screen waits for the language, not the mount
 * for it), a kiosk opens its device, and the shell mounts. The service worker is registered once
 * the screen's code is in, so its script does not compete with the screen's.
 */
import { mount } from 'svelte';
import { locale, prepareFormats } from '../i18n';
import { openDeviceEarly } from '../screens/open-kiosk';
import { loadLocale, saveLocale } from '../storage/settings';
import App from './App.svelte';
import './global.css';
import { matchRoute } from './router';
import { SCREENS } from './screens';
import { SCREEN_LOADED_MARK } from './start-marks';
import { updates } from './update.svelte';

function start(): void {
  void locale.init({ load: loadLocale, save: saveLocale }).catch(() => undefined);
  const route = matchRoute(window.location.pathname, window.location.search);
  // The shell asks for the same screen when it mounts and gets this load, already under way.
  const screen = SCREENS[route.name]();
  // When the screen's code and messages are in (the start-up benchmark reads it).
  void screen.then(() => performance.mark(SCREEN_LOADED_MARK)).catch(() => undefined);
  if (route.name === 'evaluator' || route.name === 'duty') {
    openDeviceEarly(async () => (await import('./device')).openDevice());
  }
  mount(App, { target: document.getElementById('app')! });
  // The browser's date formatting data, loaded while the start waits on storage rather than when
  // the kiosk's status line first shows a time.
  window.requestIdleCallback?.(() => prepareFormats(locale.current));
  if (import.meta.env.PROD) {
    void screen
      .catch(() => undefined)
      .then(() => import('./pwa'))
      .then(({ registerServiceWorker }) => registerServiceWorker(updates));
  }
}

start();
