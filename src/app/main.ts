/**
 * Start-up. Everything the first screen needs starts at once and side by side: the saved language
 * is read, the screen's code and messages load (the screen waits for the language, not the mount
 * for it), a kiosk opens its device (the evaluator reads its credentials first, to show its start
 * screen before the device is open), and the shell mounts. The service worker is registered once
 * the screen's code is in and a kiosk's device has opened (or has taken 5 s), so its script
 * competes with neither.
 */
import { mount } from 'svelte';
import { locale, prepareFormats } from '../i18n';
import { openDeviceEarly, openEnrolledDevice, readCredentialsEarly } from '../screens/open-kiosk';
import { deviceSettings, loadLocale, saveLocale } from '../storage/settings';
import App from './App.svelte';
import './global.css';
import { matchRoute } from './router';
import { SCREENS } from './screens';
import { SCREEN_LOADED_MARK } from './start-marks';
import { updates } from './update.svelte';

/** The longest the service worker's registration waits for a kiosk's device to open. */
const SW_AFTER_DEVICE_MAX_MS = 5_000;

function start(): void {
  void locale.init({ load: loadLocale, save: saveLocale }).catch(() => undefined);
  const route = matchRoute(window.location.pathname, window.location.search);
  // The shell asks for the same screen when it mounts and gets this load, already under way.
  const screen = SCREENS[route.name]();
  // When the screen's code and messages are in (the start-up benchmark reads it).
  void screen.then(() => performance.mark(SCREEN_LOADED_MARK)).catch(() => undefined);
  let deviceOpened: Promise<void> = Promise.resolve();
  if (route.name === 'evaluator') {
    // The evaluator shows its start screen from its credentials and what it last showed, so its
    // code goes first; the device layer's code and database follow.
    readCredentialsEarly(() => deviceSettings().loadCredentials());
    deviceOpened = openDeviceEarly(async () => {
      await screen.catch(() => undefined);
      return openEnrolledDevice();
    });
  }
  if (route.name === 'duty') deviceOpened = openDeviceEarly(openEnrolledDevice);
  mount(App, { target: document.getElementById('app')! });
  // The browser's date formatting data, loaded while the start waits on storage rather than when
  // the kiosk's status line first shows a time.
  window.requestIdleCallback?.(() => prepareFormats(locale.current));
  if (import.meta.env.PROD) {
    // A device that never finishes opening (its database blocked) does not hold back the
    // registration, through which a fixed version would arrive.
    const opened = Promise.race([
      deviceOpened,
      new Promise<void>((resolve) => setTimeout(resolve, SW_AFTER_DEVICE_MAX_MS)),
    ]);
    void Promise.all([screen.catch(() => undefined), opened])
      .then(() => import('./pwa'))
      .then(({ registerServiceWorker }) => registerServiceWorker(updates));
  }
}

start();
