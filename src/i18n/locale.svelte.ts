/**
 * The reader's language: zh-CN by default, English loaded on demand, and each screen's own
 * messages loaded with the screen in the language shown. `t` reads the current locale and the
 * loaded messages through runes, so every template that calls it follows a switch.
 */
import { untrack } from 'svelte';
import {
  DEFAULT_LOCALE,
  formatAround,
  formatMessage,
  lookup,
  type LocaleCode,
  type MessageKey,
  type MessageParams,
  type Plural,
} from './catalog';
import { PART_LOADERS, type CatalogPart, type PartLoaders } from './parts';
import zhCN from './zh-CN';

/** Where the choice is kept between visits (device settings). */
export interface LocaleStore {
  load(): Promise<LocaleCode | undefined>;
  save(locale: LocaleCode): Promise<void>;
}

/** The shell's catalog in each language. */
export type CatalogLoaders = Record<LocaleCode, () => Promise<object>>;

const defaultLoaders: CatalogLoaders = {
  'zh-CN': async () => zhCN,
  en: async () => (await import('./en')).default,
};

type Messages = Partial<Record<LocaleCode, object>>;

export class LocaleState {
  #current = $state<LocaleCode>(DEFAULT_LOCALE);
  /** Each language's messages loaded so far, merged; replaced (never mutated) on every load. */
  #messages = $state.raw<Messages>({ [DEFAULT_LOCALE]: zhCN });
  /** Loads started, by `locale` or `locale:part`; a failed one is forgotten so it can be retried. */
  // Bookkeeping only: nothing renders from it.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #loads = new Map<string, Promise<void>>([[DEFAULT_LOCALE, Promise.resolve()]]);
  /** The screens' parts in use: loaded in every language the reader switches to. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #parts = new Set<CatalogPart>();
  #store: LocaleStore | null = null;
  /** The saved choice being restored (see `init`); screens' messages wait for it. */
  #restoring: Promise<void> = Promise.resolve();
  #loaders: CatalogLoaders;
  #partLoaders: PartLoaders;

  constructor(loaders: CatalogLoaders = defaultLoaders, parts: PartLoaders = PART_LOADERS) {
    this.#loaders = loaders;
    this.#partLoaders = parts;
  }

  get current(): LocaleCode {
    return this.#current;
  }

  /** The language the switch offers. */
  get other(): LocaleCode {
    return this.#current === 'zh-CN' ? 'en' : 'zh-CN';
  }

  /**
   * Restore the saved choice; a failing store leaves the default. The shell may mount meanwhile:
   * screens' messages (`use`) wait for it, so a screen shows in the saved language from its first
   * frame while its code loads alongside the read.
   */
  init(store: LocaleStore): Promise<void> {
    this.#store = store;
    this.#restoring = this.#restore(store);
    return this.#restoring;
  }

  async #restore(store: LocaleStore): Promise<void> {
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

  /**
   * Load a screen's own messages in the language shown; call (and wait) before showing the
   * screen. From then on they are loaded with every switch of language, before it applies.
   */
  async use(part: CatalogPart): Promise<void> {
    this.#parts.add(part);
    // Untracked: a screen loaded from a derived must not load again when the language changes.
    // Started at once in the language shown, which the saved one almost always is, so that the
    // part loads alongside the screen's code rather than after the saved choice has been read.
    const shown = untrack(() => this.#ensure(this.#current));
    // A saved choice being restored meanwhile loads the part too (it is in use) before applying.
    await Promise.all([this.#restoring.catch(() => undefined), shown]);
    await untrack(() => this.#ensure(this.#current));
  }

  t(key: MessageKey, params?: MessageParams): string {
    const entry = this.#entry(key);
    return entry === undefined ? key : formatMessage(this.#current, entry, params);
  }

  /** The text before and after the `{slot}` placeholder of a message; see {@link formatAround}. */
  around(key: MessageKey, slot: string, params: MessageParams): [string, string] {
    const entry = this.#entry(key);
    return entry === undefined ? [key, ''] : formatAround(this.#current, entry, slot, params);
  }

  /** A name kept in both languages (window, department, hall): English when shown and present. */
  pick(name: string, nameEn?: string | null): string {
    return this.#current === 'en' && nameEn ? nameEn : name;
  }

  /** The entry in the language shown, else in Chinese (the source), else undefined. */
  #entry(key: MessageKey): string | Plural | undefined {
    const messages = this.#messages;
    return lookup(messages[this.#current] ?? {}, key) ?? lookup(messages[DEFAULT_LOCALE]!, key);
  }

  async #activate(locale: LocaleCode): Promise<void> {
    await this.#ensure(locale);
    this.#current = locale;
  }

  /** Load a language's catalog and every part in use, including parts added meanwhile. */
  async #ensure(locale: LocaleCode): Promise<void> {
    for (;;) {
      const parts = [...this.#parts];
      await Promise.all([
        this.#load(locale, locale, this.#loaders[locale]),
        ...parts.map((part) =>
          this.#load(`${locale}:${part}`, locale, async () => {
            return (await this.#partLoaders[part][locale]()).default;
          }),
        ),
      ]);
      if (this.#parts.size === parts.length) return;
    }
  }

  #load(key: string, locale: LocaleCode, loader: () => Promise<object>): Promise<void> {
    let pending = this.#loads.get(key);
    if (!pending) {
      pending = loader().then(
        (loaded) => {
          const messages = this.#messages;
          this.#messages = { ...messages, [locale]: { ...messages[locale], ...loaded } };
        },
        (error: unknown) => {
          this.#loads.delete(key);
          throw error;
        },
      );
      this.#loads.set(key, pending);
    }
    return pending;
  }
}

export const locale = new LocaleState();

/** Translate a message key in the current language. */
export function t(key: MessageKey, params?: MessageParams): string {
  return locale.t(key, params);
}
