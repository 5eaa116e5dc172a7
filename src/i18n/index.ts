export {
  DEFAULT_LOCALE,
  LOCALES,
  type LocaleCode,
  type MessageKey,
  type MessageParams,
} from './catalog';
export { formatDateTime, formatMoment, prepareFormats } from './format';
export { locale, t, LocaleState, type LocaleStore } from './locale.svelte';
export type { CatalogPart } from './parts';
