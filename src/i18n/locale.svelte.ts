/**
 * The reader's language: zh-CN by default, English loaded on demand. `t` reads the current locale
 * through a rune, so every template that calls it follows a switch.
 */
import {
  DEFAULT_LOCALE,
  formatAround,
  formatMessage,
  lookup,
  type LocaleCode,
  type MessageKey,
  type MessageParams,
} from './catalog';
import zhCN, { type Catalog } from './zh-CN';

/** Where the choice is kept between visits (device settings). */
export interface LocaleStore {
  load(): Promise<LocaleCode | undefined>;
  save(locale: LocaleCode): Promise<void>;
}

export type CatalogLoaders = Record<LocaleCode, () => Promise<Catalog>>;

const defaultLoaders: CatalogLoaders = {
  'zh-CN': async () => zhCN,
  en: async () => (await import('./en')).default,
};

export class LocaleState {
  #current = $state<LocaleCode>(DEFAULT_LOCALE);
  // A cache filled before `#current` changes; the rune on `#current` is what templates follow.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #catalogs = new Map<LocaleCode, Catalog>([[DEFAULT_LOCALE, zhCN]]);
  #store: LocaleStore | null = null;
  #loaders: CatalogLoaders;

  constructor(loaders: CatalogLoaders = defaultLoaders) {
    this.#loaders = loaders;
  }

  get current(): LocaleCode {
    return this.#current;
  }

  /** The language the switch offers. */
  get other(): LocaleCode {
    return this.#current === 'zh-CN' ? 'en' : 'zh-CN';
  }

  /** Restore the saved choice (call before mounting); a failing store leaves the default. */
  async init(store: LocaleStore): Promise<void> {
    this.#store = store;
    let saved: LocaleCode | undefined;
    try {
      saved = await store.load();
    } catch {
      saved = undefined;
    }
    if (saved && saved !== this.#current) await this.#activate(saved);
  }

  async set(locale: LocaleCode): Promise<void> {
    await this.#activate(locale);
    try {
      await this.#store?.save(locale);
    } catch {
      // The choice still applies for this visit; storage may be disabled.
    }
  }

  toggle(): Promise<void> {
    return this.set(this.other);
  }

  t(key: MessageKey, params?: MessageParams): string {
    const catalog = this.#catalogs.get(this.#current) ?? zhCN;
    const entry = lookup(catalog, key) ?? lookup(zhCN, key);
    return entry === undefined ? key : formatMessage(this.#current, entry, params);
  }

  /** The text before and after the `{slot}` placeholder of a message; see {@link formatAround}. */
  around(key: MessageKey, slot: string, params: MessageParams): [string, string] {
    const catalog = this.#catalogs.get(this.#current) ?? zhCN;
    const entry = lookup(catalog, key) ?? lookup(zhCN, key);
    return entry === undefined ? [key, ''] : formatAround(this.#current, entry, slot, params);
  }

  /** A name kept in both languages (window, department, hall): English when shown and present. */
  pick(name: string, nameEn?: string | null): string {
    return this.#current === 'en' && nameEn ? nameEn : name;
  }

  async #activate(locale: LocaleCode): Promise<void> {
    if (!this.#catalogs.has(locale)) this.#catalogs.set(locale, await this.#loaders[locale]());
    this.#current = locale;
  }
}

export const locale = new LocaleState();

/** Translate a message key in the current language. */
export function t(key: MessageKey, params?: MessageParams): string {
  return locale.t(key, params);
}
