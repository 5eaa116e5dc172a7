/** Start-up: restore the language, mount the shell, then register the service worker. */
import { mount } from 'svelte';
import { locale } from '../i18n';
import { loadLocale, saveLocale } from '../storage/settings';
import App from './App.svelte';
import './global.css';
import { updates } from './update.svelte';

async function start(): Promise<void> {
  await locale.init({ load: loadLocale, save: saveLocale });
  mount(App, { target: document.getElementById('app')! });
  if (import.meta.env.PROD) {
    const { registerServiceWorker } = await import('./pwa');
    registerServiceWorker(updates);
  }
}

void start();
