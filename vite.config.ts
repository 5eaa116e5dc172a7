import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The repository; the app's own root (index.html) is src/. */
const REPO = fileURLToPath(new URL('.', import.meta.url));

/**
 * The version a device reports (fleet health): package.json's version and the build — the
 * commit when built from a git checkout, else the build time.
 */
function appVersion(): string {
  const { version } = JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')) as {
    version: string;
  };
  let build: string;
  try {
    build = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    build = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  }
  return `${version}+${build}`;
}

/**
 * Svelte runtime modules the kiosk screens do not use: input and select bindings (setup and
 * console forms) and raw HTML (the console's QR codes). None has top-level effects.
 */
const SVELTE_NOT_ON_KIOSKS =
  /svelte[\\/]src[\\/]internal[\\/]client[\\/]dom[\\/](elements[\\/]bindings[\\/](input|select)|blocks[\\/]html)\.js$/;

export default defineConfig({
  root: `${REPO}src`,
  define: { __APP_VERSION__: JSON.stringify(appVersion()) },
  publicDir: `${REPO}public`,
  plugins: [
    svelte({ configFile: `${REPO}svelte.config.js` }),
    // The app shell is precached by our own service worker (src/app/sw.ts); registration and the
    // update prompt live in src/app/pwa.ts.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'app',
      filename: 'sw.ts',
      injectRegister: false,
      registerType: 'prompt',
      manifest: {
        name: '政务服务大厅终端',
        short_name: '大厅终端',
        description: '好差评、局长坐班、局长走流程：政务服务大厅的离线终端。',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#f4f6f9',
        theme_color: '#1d4f91',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: '/icons/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      injectManifest: {
        // The manifest and its icons are added by the plugin itself.
        globPatterns: ['**/*.{js,css,html,svg}'],
        // chart.js is drawn only on the console's dashboard, which needs the server anyway:
        // kiosks do not download it with the shell.
        globIgnores: ['icons/*.svg', 'assets/chart-*.js'],
        rollupFormat: 'iife',
      },
      devOptions: { enabled: false },
    }),
  ],
  resolve: {
    // Dexie's package entry wraps its ES5 UMD build (to share one instance between copies); the
    // app has one copy, and the ES2018 module build is smaller on every kiosk route.
    alias: [{ find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' }],
  },
  build: {
    outDir: `${REPO}dist`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // dist/.vite/manifest.json: which chunks each screen loads, for checking route weights.
    manifest: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // Those runtime modules in their own chunk, which only the screens using them load.
            {
              name: 'svelte-forms',
              test: SVELTE_NOT_ON_KIOSKS,
              priority: 2,
              includeDependenciesRecursively: false,
            },
            // Everything the start-up needs, in the entry chunk: one request and one compression
            // window for the code every screen loads.
            { name: 'shell', tags: ['$initial'], priority: 1 },
            // What the kiosks and the rating page share apart from the rating controls — the device
            // API's errors, the sync status and its line, the language switch, reference data and
            // the clock — in one chunk, so that the duty kiosk, which rates nothing, loads no
            // rating controls.
            {
              name: 'kiosk-common',
              test: /src[\\/](ui[\\/](LocaleSwitch|SyncLine)|app[\\/]device-api|sync[\\/](signing|status)|domain[\\/](reference|hlc))\./,
              includeDependenciesRecursively: false,
            },
            // The frame of the kiosks that keep their screen on (evaluator, duty kiosk) and its
            // wake lock, in one chunk.
            {
              name: 'kiosk-frame',
              test: /src[\\/]screens[\\/](KioskFooter|evaluator[\\/](KioskHeader|wake-lock))\./,
              includeDependenciesRecursively: false,
            },
            // The top bar of the pages that are not kiosks and their notices, in one chunk.
            {
              name: 'page-ui',
              test: /src[\\/]ui[\\/](TopBar|Notice)\./,
              includeDependenciesRecursively: false,
            },
            // The rating controls the evaluator and the rating page share, in one chunk; the duty
            // kiosk and the inspection tablet rate nothing and do not load it.
            {
              name: 'rating-ui',
              test: /src[\\/](ui[\\/](LevelIcon|RatingChoices|ReasonFields|levels)|screens[\\/]write-errors)\./,
            },
          ],
        },
      },
      treeshake: {
        // Saying those runtime modules have no side effects lets the shell's re-exports of them
        // go unused instead of pulling them in.
        moduleSideEffects: (id: string) => !SVELTE_NOT_ON_KIOSKS.test(id),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  test: {
    root: REPO,
    include: ['tests/{unit,storage,sync,server}/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/support/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
