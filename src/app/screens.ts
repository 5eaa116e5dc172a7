/**
 * Each screen is its own lazily loaded chunk, so a kiosk downloads only the screen it shows (the
 * console's QR and print code never reaches the evaluator or the rating page).
 */
import type { Component } from 'svelte';
import type { Route, RouteName } from './router';

/** What every screen receives from the shell. */
export interface ScreenProps {
  route: Route;
  /** Go to another in-app path without reloading. */
  navigate: (href: string, options?: { replace?: boolean }) => void;
}

type ScreenModule = { default: Component<ScreenProps> };

export const SCREENS: Record<RouteName, () => Promise<ScreenModule>> = {
  home: () => import('../screens/home/Home.svelte'),
  rate: () => import('../screens/rate/RatePage.svelte'),
  evaluator: () => import('../screens/evaluator/Evaluator.svelte'),
  setup: () => import('../screens/setup/Setup.svelte'),
  admin: () => import('../screens/admin/Admin.svelte'),
  unavailable: () => import('../screens/not-found/NotFound.svelte'),
  notFound: () => import('../screens/not-found/NotFound.svelte'),
};
