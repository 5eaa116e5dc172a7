import { describe, expect, it, vi } from 'vitest';
import { DEVICE_ROLES } from '../../src/domain/device';
import {
  POOR_RATING_REASONS,
  RATING_CHANNEL_NAMES,
  RATING_LABELS,
  RATING_LEVELS,
} from '../../src/domain/rating';
import {
  catalogEntries,
  formatAround,
  formatMessage,
  interpolate,
  lookup,
  placeholders,
  type Catalog,
  type LocaleCode,
} from '../../src/i18n/catalog';
import enCore from '../../src/i18n/en';
import { formatMoment, prepareFormats } from '../../src/i18n/format';
import { LocaleState, type LocaleStore } from '../../src/i18n/locale.svelte';
import { PART_LOADERS, type CatalogPart } from '../../src/i18n/parts';
import zhCore from '../../src/i18n/zh-CN';

const PARTS = Object.keys(PART_LOADERS) as CatalogPart[];

/** Each screen's part of a language's messages, as the app loads it. */
async function loadParts(code: LocaleCode): Promise<Record<CatalogPart, object>> {
  const loaded = await Promise.all(
    PARTS.map(async (part) => [part, (await PART_LOADERS[part][code]()).default] as const),
  );
  return Object.fromEntries(loaded) as Record<CatalogPart, object>;
}

const zhParts = await loadParts('zh-CN');
const enParts = await loadParts('en');
/** The whole catalog of each language: the shell's and every screen's messages. */
const zhCN = Object.assign({}, zhCore, ...Object.values(zhParts)) as Catalog;
const en = Object.assign({}, enCore, ...Object.values(enParts)) as Catalog;

const zhEntries = new Map(catalogEntries(zhCN));
const enEntries = new Map(catalogEntries(en));

describe('message catalogs', () => {
  it('have exactly the same keys', () => {
    const zhKeys = [...zhEntries.keys()].sort();
    const enKeys = [...enEntries.keys()].sort();
    expect(enKeys).toEqual(zhKeys);
    expect(zhKeys.length).toBeGreaterThan(150);
  });

  it('have no empty or non-string value', () => {
    for (const [name, entries] of [
      ['zh-CN', zhEntries],
      ['en', enEntries],
    ] as const) {
      for (const [key, value] of entries) {
        expect(typeof value, `${name} ${key}`).toBe('string');
        expect((value as string).trim(), `${name} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, value] of zhEntries) {
      expect(placeholders(enEntries.get(key) as string), key).toEqual(
        placeholders(value as string),
      );
    }
  });

  it('label every rating level as the domain does, and every reason, role and channel', () => {
    for (const level of RATING_LEVELS) {
      expect(zhCN.levels[level]).toBe(RATING_LABELS['zh-CN'][level]);
      expect(en.levels[level]).toBe(RATING_LABELS.en[level]);
      expect(lookup(zhCN, `levelHints.${level}`)).toBeTruthy();
    }
    for (const reason of POOR_RATING_REASONS) expect(lookup(en, `reasons.${reason}`)).toBeTruthy();
    for (const role of DEVICE_ROLES) expect(lookup(en, `roles.${role}`)).toBeTruthy();
    for (const channel of RATING_CHANNEL_NAMES) {
      expect(lookup(en, `channels.${channel}`)).toBeTruthy();
    }
  });

  it('split into the shell and screen parts with no section in two places', () => {
    const owners = new Map<string, string>();
    for (const [name, sections] of [
      ['shell', zhCore],
      ...PARTS.map((part) => [part, zhParts[part]] as const),
    ] as const) {
      for (const section of Object.keys(sections)) {
        expect(owners.get(section), `${section} in ${name}`).toBeUndefined();
        owners.set(section, name);
      }
    }
    expect(Object.keys(enCore).sort()).toEqual(Object.keys(zhCore).sort());
    for (const part of PARTS) {
      expect(Object.keys(enParts[part]).sort(), part).toEqual(Object.keys(zhParts[part]).sort());
    }
    // The console's words stay out of what every kiosk route loads.
    expect(owners.get('admin')).toBe('admin');
    expect(owners.get('channels')).toBe('admin');
  });

  it('name the other language on the switch, in that language', () => {
    expect(zhCN.locale.switchTo).toBe('English');
    expect(en.locale.switchTo).toBe('中文');
  });
});

describe('formatting', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('上次同步：{time}', { time: '10:05' })).toBe('上次同步：10:05');
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });

  it('chooses plural forms by the locale rules', () => {
    const pending = en.sync.pending;
    expect(formatMessage('en', pending, { count: 1 })).toBe('1 record waiting to sync');
    expect(formatMessage('en', pending, { count: 3 })).toBe('3 records waiting to sync');
    expect(formatMessage('zh-CN', zhCN.sync.pending, { count: 1 })).toBe('1 条记录待同步');
    expect(formatMessage('zh-CN', zhCN.sync.pending, { count: 20 })).toBe('20 条记录待同步');
  });

  it('splits a message around one placeholder', () => {
    expect(formatAround('zh-CN', zhCN.sync.pending, 'count', { count: 3 })).toEqual([
      '',
      ' 条记录待同步',
    ]);
    expect(formatAround('en', en.sync.pending, 'count', { count: 1 })).toEqual([
      '',
      ' record waiting to sync',
    ]);
    expect(formatAround('en', 'Last sync: {time}', 'time', {})).toEqual(['Last sync: ', '']);
  });

  it('shows only the time for a moment today, and the date otherwise', () => {
    const now = new Date('2026-03-04T10:00:00');
    const today = formatMoment(new Date('2026-03-04T08:05:00').toISOString(), 'en', now);
    const earlier = formatMoment(new Date('2026-03-01T08:05:00').toISOString(), 'en', now);
    expect(today).toMatch(/08:05/);
    expect(today).not.toMatch(/Mar/);
    expect(earlier).toMatch(/Mar/);
    expect(formatMoment('not a date', 'en', now)).toBe('not a date');
  });

  it('makes the status line formatter once, ahead of need, and reuses it', () => {
    const Original = Intl.DateTimeFormat;
    let made = 0;
    Intl.DateTimeFormat = new Proxy(Original, {
      construct(target, args: ConstructorParameters<typeof Original>) {
        made += 1;
        return new target(...args);
      },
    });
    try {
      prepareFormats('zh-CN');
      const after = made;
      const now = new Date('2026-03-04T10:00:00');
      const first = formatMoment(new Date('2026-03-04T08:05:00').toISOString(), 'zh-CN', now);
      const second = formatMoment(new Date('2026-03-04T09:41:00').toISOString(), 'zh-CN', now);
      expect(made).toBe(after);
      expect(first).toMatch(/08:05/);
      expect(second).toMatch(/09:41/);
      // Another language, or a day that is not today, has its own formatter.
      expect(formatMoment(new Date('2026-03-04T08:05:00').toISOString(), 'en', now)).toMatch(
        /08:05/,
      );
      expect(formatMoment(new Date('2026-03-01T08:05:00').toISOString(), 'zh-CN', now)).toMatch(
        /3月1日/,
      );
    } finally {
      Intl.DateTimeFormat = Original;
    }
  });
});

function memoryStore(initial?: 'zh-CN' | 'en'): LocaleStore & { saved: string[] } {
  const saved: string[] = [];
  return {
    saved,
    load: async () => initial,
    save: async (locale) => {
      saved.push(locale);
    },
  };
}

describe('LocaleState', () => {
  it('defaults to Chinese and translates keys', () => {
    const locale = new LocaleState();
    expect(locale.current).toBe('zh-CN');
    expect(locale.other).toBe('en');
    expect(locale.t('sync.allSynced')).toBe('评价已全部同步');
    expect(locale.t('sync.pending', { count: 2 })).toBe('2 条记录待同步');
  });

  it('switches to English, loading its catalog, and saves the choice', async () => {
    const store = memoryStore();
    const locale = new LocaleState();
    await locale.init(store);
    await locale.use('rate');
    expect(locale.t('rate.thanksTitle')).toBe('感谢您的评价！');
    await locale.toggle();
    expect(locale.current).toBe('en');
    expect(locale.other).toBe('zh-CN');
    expect(locale.t('rate.thanksTitle')).toBe('Thank you for your rating!');
    expect(locale.t('locale.switchTo')).toBe('中文');
    expect(store.saved).toEqual(['en']);
    await locale.toggle();
    expect(locale.t('locale.switchTo')).toBe('English');
    expect(store.saved).toEqual(['en', 'zh-CN']);
  });

  it('restores a saved language at start', async () => {
    const locale = new LocaleState();
    await locale.init(memoryStore('en'));
    expect(locale.current).toBe('en');
    expect(locale.t('levels.very_dissatisfied')).toBe('Very dissatisfied');
  });

  it('keeps working when device storage is unavailable', async () => {
    const locale = new LocaleState();
    const broken: LocaleStore = {
      load: vi.fn().mockRejectedValue(new Error('blocked')),
      save: vi.fn().mockRejectedValue(new Error('blocked')),
    };
    await locale.init(broken);
    expect(locale.current).toBe('zh-CN');
    await locale.set('en');
    expect(locale.current).toBe('en');
  });

  it("loads a screen's messages when it is used, in the language shown", async () => {
    const locale = new LocaleState();
    expect(locale.t('admin.title')).toBe('admin.title');
    await locale.use('admin');
    expect(locale.t('admin.title')).toBe('管理后台');
    expect(locale.t('channels.qr')).toBe('扫码');
    expect(locale.t('evaluator.back')).toBe('evaluator.back');
    await locale.set('en');
    expect(locale.t('admin.title')).toBe(en.admin.title);
    await locale.use('evaluator');
    expect(locale.t('evaluator.back')).toBe('Back');
  });

  it('loads the parts in use in a new language before switching to it', async () => {
    const requested: string[] = [];
    const parts = Object.fromEntries(
      PARTS.map((part) => [
        part,
        {
          'zh-CN': () => (requested.push(`zh-CN:${part}`), PART_LOADERS[part]['zh-CN']()),
          en: () => (requested.push(`en:${part}`), PART_LOADERS[part].en()),
        },
      ]),
    ) as typeof PART_LOADERS;
    const locale = new LocaleState(undefined, parts);
    await locale.use('rate');
    await locale.use('rate');
    expect(requested).toEqual(['zh-CN:rate']);
    const switching = locale.set('en');
    const using = locale.use('setup');
    expect(locale.current).toBe('zh-CN');
    await Promise.all([switching, using]);
    expect(locale.current).toBe('en');
    expect(locale.t('rate.pageTitle')).toBe(en.rate.pageTitle);
    expect(locale.t('setup.title')).toBe(en.setup.title);
    expect(requested.sort()).toEqual(['en:rate', 'en:setup', 'zh-CN:rate', 'zh-CN:setup']);
  });

  it("starts a screen's messages before the saved language is read, and shows them in it", async () => {
    const requested: string[] = [];
    const parts = Object.fromEntries(
      PARTS.map((part) => [
        part,
        {
          'zh-CN': () => (requested.push(`zh-CN:${part}`), PART_LOADERS[part]['zh-CN']()),
          en: () => (requested.push(`en:${part}`), PART_LOADERS[part].en()),
        },
      ]),
    ) as typeof PART_LOADERS;
    let read!: (saved: LocaleCode | undefined) => void;
    const store: LocaleStore = {
      load: () => new Promise((resolve) => (read = resolve)),
      save: async () => undefined,
    };
    const locale = new LocaleState(undefined, parts);
    const restoring = locale.init(store);
    let shown = false;
    const using = locale.use('evaluator').then(() => (shown = true));
    // The part loads while the device's settings are still being read.
    await vi.waitFor(() => expect(requested).toEqual(['zh-CN:evaluator']));
    expect(shown).toBe(false);
    read('en');
    await Promise.all([restoring, using]);
    // The screen is shown only once the saved language applies, with its words in it.
    expect(locale.current).toBe('en');
    expect(locale.t('evaluator.back')).toBe('Back');
    expect(requested).toEqual(['zh-CN:evaluator', 'en:evaluator']);
  });

  it('shows a screen in the default language when the saved one cannot be read', async () => {
    const locale = new LocaleState();
    const restoring = locale.init({
      load: () => Promise.reject(new Error('blocked')),
      save: async () => undefined,
    });
    await locale.use('evaluator');
    await restoring;
    expect(locale.current).toBe('zh-CN');
    expect(locale.t('evaluator.back')).toBe(zhCN.evaluator.back);
  });

  it('retries a part whose load failed', async () => {
    let fail = true;
    const parts = {
      ...PART_LOADERS,
      home: {
        ...PART_LOADERS.home,
        'zh-CN': () => (fail ? Promise.reject(new Error('offline')) : PART_LOADERS.home['zh-CN']()),
      },
    };
    const locale = new LocaleState(undefined, parts);
    await expect(locale.use('home')).rejects.toThrow('offline');
    fail = false;
    await locale.use('home');
    expect(locale.t('home.title')).toBe(zhCN.home.title);
  });

  it('picks the English name of a place only when English is shown and one exists', async () => {
    const locale = new LocaleState();
    expect(locale.pick('税务', 'Taxation')).toBe('税务');
    await locale.set('en');
    expect(locale.pick('税务', 'Taxation')).toBe('Taxation');
    expect(locale.pick('税务')).toBe('税务');
  });
});
