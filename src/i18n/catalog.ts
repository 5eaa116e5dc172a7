/**
 * Typed message keys and the pure lookup/format functions behind `t`. Catalog values are strings,
 * or `{ one, other }` pairs chosen by the `count` parameter with the locale's plural rules.
 */
import type { PartsCatalog } from './parts';
import type { CoreCatalog } from './zh-CN';

export const LOCALES = ['zh-CN', 'en'] as const;
export type LocaleCode = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: LocaleCode = 'zh-CN';

export interface Plural {
  one: string;
  other: string;
}

/** Every section of every catalog: the shell's and all screens' parts. */
export type Catalog = CoreCatalog & PartsCatalog;

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string | Plural ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Every message key, e.g. `'rate.thanksTitle'` or `'levels.satisfied'`. */
export type MessageKey = Leaves<Catalog>;
export type MessageParams = Record<string, string | number>;

function isPlural(value: unknown): value is Plural {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Plural).one === 'string' &&
    typeof (value as Plural).other === 'string'
  );
}

/** The raw entry at a dotted key, or undefined when the catalog has no such leaf. */
export function lookup(catalog: object, key: string): string | Plural | undefined {
  let node: unknown = catalog;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' || isPlural(node) ? node : undefined;
}

/** Fill `{name}` placeholders; placeholders without a value stay visible so a gap is noticed. */
export function interpolate(message: string, params?: MessageParams): string {
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

const pluralRules = new Map<LocaleCode, Intl.PluralRules>();

/** The message text for a count: plural pairs by the locale's rules, strings as they are. */
function selectForm(locale: LocaleCode, entry: string | Plural, count: unknown): string {
  if (!isPlural(entry)) return entry;
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules.select(Number(count ?? 0)) === 'one' ? entry.one : entry.other;
}

/** Format a message: choose the plural form by `params.count`, then fill the placeholders. */
export function formatMessage(
  locale: LocaleCode,
  entry: string | Plural,
  params?: MessageParams,
): string {
  return interpolate(selectForm(locale, entry, params?.count), params);
}

/**
 * Format a message around one placeholder left open, so a screen can wrap that value in its own
 * element (e.g. a count with a test id). Returns the text before and after it.
 */
export function formatAround(
  locale: LocaleCode,
  entry: string | Plural,
  slot: string,
  params: MessageParams,
): [string, string] {
  const { [slot]: _slotValue, ...rest } = params;
  const message = interpolate(selectForm(locale, entry, params.count), rest);
  const at = message.indexOf(`{${slot}}`);
  if (at < 0) return [message, ''];
  return [message.slice(0, at), message.slice(at + slot.length + 2)];
}

/** Every leaf key of a catalog with its value (plural pairs as `key.one` / `key.other`). */
export function catalogEntries(catalog: object, prefix = ''): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(catalog)) {
    const path = prefix + key;
    if (typeof value === 'object' && value !== null) {
      entries.push(...catalogEntries(value, `${path}.`));
    } else {
      entries.push([path, value]);
    }
  }
  return entries;
}

/** Names of the `{placeholders}` in a message, sorted. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}
