/**
 * Each screen is its own lazily loaded chunk, with its own messages, so a kiosk downloads only
 * the screen it shows (the console's QR and print code, and its words, never reach the evaluator
 * or the rating page).
 */
import type { Component } from 'svelte';
import { locale, type CatalogPart } from '../i18n';
import type { Route, RouteName } from './router';

/** What every screen receives from the shell. */
export interface ScreenProps {
  route: Route;
  /** Go to another in-app path without reloading. */
  navigate: (href: string, options?: { replace?: boolean }) => void;
}

type ScreenModule = { default: Component<ScreenProps> };

/**
 * A screen's code and its messages, loaded side by side, once: start-up begins the first screen's
 * load before the shell mounts, and the shell's request gets the same load. A load that failed is
 * tried again on the next request.
 */
function screen(part: CatalogPart, load: () => Promise<ScreenModule>): () => Promise<ScreenModule> {
  let loading: Promise<ScreenModule> | null = null;
  return () => {
    loading ??= Promise.all([load(), locale.use(part)]).then(
      ([module]) => module,
      (error: unknown) => {
        loading = null;
        throw error;
      },
    );
    return loading;
  };
}

export const SCREENS: Record<RouteName, () => Promise<ScreenModule>> = {
  home: screen('home', () => import('../screens/home/Home.svelte')),
  rate: screen('rate', () => import('../screens/rate/RatePage.svelte')),
  evaluator: screen('evaluator', () => import('../screens/evaluator/Evaluator.svelte')),
  duty: screen('duty', () => import('../screens/duty/Duty.svelte')),
  inspect: screen('inspect', () => import('../screens/inspect/Inspect.svelte')),
  setup: screen('setup', () => import('../screens/setup/Setup.svelte')),
  admin: screen('admin', () => import('../screens/admin/Admin.svelte')),
  schedule: screen('schedule', () => import('../screens/schedule/Schedule.svelte')),
  board: screen('board', () => import('../screens/board/Board.svelte')),
  unavailable: screen('notFound', () => import('../screens/not-found/NotFound.svelte')),
  notFound: screen('notFound', () => import('../screens/not-found/NotFound.svelte')),
};
