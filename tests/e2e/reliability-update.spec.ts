/**
 * A new release arrives while an evaluator holds fifty ratings the server has not had yet: the
 * tablet applies it at its idle start screen and reloads under the new service worker, and all
 * fifty are still waiting afterwards, then reach the server exactly once. A release is simulated
 * as in update.spec.ts: the served service worker changes by a byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { recordFigures } from '../support/reliability';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, pendingCount } from './support/pages';
import { deviceSnapshot, hallEvents } from './support/persistent-browser';

const SW_FILE = resolve(import.meta.dirname, '../../dist/sw.js');
const originalSw = readFileSync(SW_FILE, 'utf8');
const WAITING = 50;

const figures = {
  'updates applied': 0,
  'ratings waiting through an update': 0,
  lost: 0,
  duplicated: 0,
};

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => {
  await api.dispose();
  recordFigures('browser-update', figures);
});
test.afterEach(() => writeFileSync(SW_FILE, originalSw));

const waiting = (page: Page) =>
  page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
const mark = (page: Page) =>
  page.evaluate(() => ((window as unknown as { __before: boolean }).__before = true));
const stillMarked = (page: Page) =>
  page
    .evaluate(() => (window as unknown as { __before?: boolean }).__before ?? false)
    .catch(() => true);

test('fifty ratings wait through a service-worker update, then each reaches the server once', async ({
  page,
  context,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const win = await api.window('A06');
  await enrollThisBrowser(page, await api.enrollEvaluator(win.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  const scriptBefore = await page.evaluate(
    async () => (await navigator.serviceWorker.getRegistration())!.active!.scriptURL,
  );

  await context.setOffline(true);
  const levels = ['very_satisfied', 'satisfied', 'basically_satisfied'] as const;
  for (let i = 0; i < WAITING; i++) await evaluator.rate(levels[i % levels.length]!);
  await expect.poll(() => pendingCount(page)).toBe(WAITING);
  const before = await deviceSnapshot(page);
  expect(before.logRatings).toHaveLength(WAITING);
  expect(before.pending).toBe(WAITING);

  // The network is back but the server's sync endpoints are not reachable: the static files,
  // and with them the new release, are.
  let refused = 0;
  await context.route('**/api/v1/sync/**', (route) => {
    refused++;
    return route.abort('connectionrefused');
  });
  await context.setOffline(false);
  writeFileSync(SW_FILE, `${originalSw}\n// next release with fifty ratings waiting\n`);
  await mark(page);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  // Applied by the idle start screen itself: the page reloads under the new worker.
  await expect.poll(() => stillMarked(page), { timeout: 45_000 }).toBe(false);
  await expect.poll(() => waiting(page)).toBe(false);
  await expect(page.getByTestId('window-name')).toContainText(win.name);
  expect(
    await page.evaluate(
      async () => (await navigator.serviceWorker.getRegistration())!.active!.scriptURL,
    ),
  ).toBe(scriptBefore);
  figures['updates applied'] += 1;

  // All fifty are still there, still waiting.
  const after = await deviceSnapshot(page);
  expect(after.logRatings.map((r) => r.id)).toEqual(before.logRatings.map((r) => r.id));
  expect(after.records).toEqual(after.logRatings);
  expect(after.pending).toBe(WAITING);
  await expect.poll(() => pendingCount(page)).toBe(WAITING);
  expect(refused).toBeGreaterThan(0);
  figures['ratings waiting through an update'] = after.logRatings.length;

  // The server is reachable again: they sync, each once.
  // The tablet's network drops and returns (its `online` event), as when the link is mended.
  await context.unroute('**/api/v1/sync/**');
  await context.setOffline(true);
  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 60_000 }).toBe(0);
  const synced = await deviceSnapshot(page);
  expect(synced.logRatings.every((r) => r.status === 'acked')).toBe(true);
  const local = synced.logRatings.map((r) => r.id);
  const other = await api.enrolledEvaluator(win.id);
  const stored = (await hallEvents(baseURL!, other.token))
    .filter((e) => e.deviceId === synced.deviceId && e.type === 'rating.submitted')
    .map((e) => e.id);
  figures.duplicated = stored.length - new Set(stored).size;
  figures.lost = local.filter((id) => !stored.includes(id)).length;
  expect(figures.duplicated).toBe(0);
  expect(figures.lost).toBe(0);
  expect(stored).toHaveLength(WAITING);
});
