/**
 * Screens' own messages, outside the shell's catalog: each part is loaded with its screen, in
 * the language being shown, so a kiosk route never downloads the console's words (or another
 * screen's). A part adds whole top-level sections; keys stay as they are (`admin.title`).
 */
import type { LocaleCode } from './catalog';
import type admin from './screens/admin.zh-CN';
import type board from './screens/board.zh-CN';
import type duty from './screens/duty.zh-CN';
import type dutyLeader from './screens/duty-leader.zh-CN';
import type evaluator from './screens/evaluator.zh-CN';
import type home from './screens/home.zh-CN';
import type inspect from './screens/inspect.zh-CN';
import type notFound from './screens/not-found.zh-CN';
import type rate from './screens/rate.zh-CN';
import type schedule from './screens/schedule.zh-CN';
import type setup from './screens/setup.zh-CN';

/** The sections all parts add, typed by their Chinese source. */
export type PartsCatalog = typeof admin &
  typeof board &
  typeof duty &
  typeof dutyLeader &
  typeof evaluator &
  typeof home &
  typeof inspect &
  typeof notFound &
  typeof rate &
  typeof schedule &
  typeof setup;

export type PartLoader = () => Promise<{ default: object }>;

export const PART_LOADERS = {
  admin: { 'zh-CN': () => import('./screens/admin.zh-CN'), en: () => import('./screens/admin.en') },
  board: { 'zh-CN': () => import('./screens/board.zh-CN'), en: () => import('./screens/board.en') },
  duty: { 'zh-CN': () => import('./screens/duty.zh-CN'), en: () => import('./screens/duty.en') },
  dutyLeader: {
    'zh-CN': () => import('./screens/duty-leader.zh-CN'),
    en: () => import('./screens/duty-leader.en'),
  },
  evaluator: {
    'zh-CN': () => import('./screens/evaluator.zh-CN'),
    en: () => import('./screens/evaluator.en'),
  },
  home: { 'zh-CN': () => import('./screens/home.zh-CN'), en: () => import('./screens/home.en') },
  inspect: {
    'zh-CN': () => import('./screens/inspect.zh-CN'),
    en: () => import('./screens/inspect.en'),
  },
  notFound: {
    'zh-CN': () => import('./screens/not-found.zh-CN'),
    en: () => import('./screens/not-found.en'),
  },
  rate: { 'zh-CN': () => import('./screens/rate.zh-CN'), en: () => import('./screens/rate.en') },
  schedule: {
    'zh-CN': () => import('./screens/schedule.zh-CN'),
    en: () => import('./screens/schedule.en'),
  },
  setup: { 'zh-CN': () => import('./screens/setup.zh-CN'), en: () => import('./screens/setup.en') },
} satisfies Record<string, Record<LocaleCode, PartLoader>>;

/** A screen's share of the messages, e.g. `'evaluator'`. */
export type CatalogPart = keyof typeof PART_LOADERS;

export type PartLoaders = Record<CatalogPart, Record<LocaleCode, PartLoader>>;
