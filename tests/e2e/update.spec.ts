/**
 * A new release while screens are open: the evaluator applies it only when idle at its start
 * screen; every other screen offers it with a prompt. A release is simulated by changing the
 * served service worker by a byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, levelButton } from './support/pages';

const SW_FILE = resolve(import.meta.dirname, '../../dist/sw.js');
const originalSw = readFileSync(SW_FILE, 'utf8');

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());
test.afterEach(() => writeFileSync(SW_FILE, originalSw));

const waiting = (page: Page) =>
  page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);

/** Marks the page; the mark is gone once the page has reloaded (an error means it is reloading). */
const mark = (page: Page) =>
  page.evaluate(() => ((window as unknown as { __before: boolean }).__before = true));
const stillMarked = (page: Page) =>
  page
    .evaluate(() => (window as unknown as { __before?: boolean }).__before ?? false)
    .catch(() => true);

test('an evaluator applies a new version only when it sits idle at its start screen', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const e01 = await api.window('E01');
  await enrollThisBrowser(page, await api.enrollEvaluator(e01.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await mark(page);

  // A citizen is halfway through a 差评 when the new version arrives.
  await levelButton(page, 'dissatisfied').click();
  await expect(page.getByLabel('等候时间长')).toBeVisible();
  writeFileSync(SW_FILE, `${originalSw}\n// next release\n`);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect.poll(() => waiting(page)).toBe(true);
  // Not applied under the citizen's finger: the page was not reloaded and the update still waits.
  expect(await stillMarked(page)).toBe(true);

  await page.getByRole('button', { name: '返回' }).click();
  // Left alone at the start screen, it applies the update and reloads itself.
  await expect.poll(() => stillMarked(page), { timeout: 45_000 }).toBe(false);
  await expect.poll(() => waiting(page)).toBe(false);
  await expect(page.getByTestId('window-name')).toContainText(e01.name);
});

test('the rating page offers a new version with a prompt, and its reload applies it', async ({
  page,
}) => {
  const f01 = await api.window('F01');
  await page.goto(f01.ratingPath);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect(page.getByTestId('update-banner')).toHaveCount(0);
  await page.reload();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect(page.getByTestId('update-banner')).toHaveCount(0);
  writeFileSync(SW_FILE, `${originalSw}\n// next release\n`);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect.poll(() => waiting(page)).toBe(true);
  await expect(page.getByTestId('update-banner')).toBeVisible();
  await mark(page);
  await page.getByTestId('update-banner').getByRole('button').click();
  await expect.poll(() => stillMarked(page)).toBe(false);
  await expect.poll(() => waiting(page)).toBe(false);
  await expect(page.getByTestId('update-banner')).toHaveCount(0);
});

test('a waiting version found at start is offered; another tab applying it leaves a reload', async ({
  page,
  context,
}) => {
  await page.goto('/');
  await page.evaluate(() => navigator.serviceWorker.ready);
  writeFileSync(SW_FILE, `${originalSw}\n// next release 2\n`);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect.poll(() => waiting(page)).toBe(true);
  await expect(page.getByTestId('update-banner')).toBeVisible();
  // A second tab opened now sees the version already waiting.
  const other = await context.newPage();
  await other.goto('/setup');
  await expect(other.getByTestId('update-banner')).toBeVisible();
  await mark(other);
  await mark(page);
  // The first tab applies it; the second, clicking its banner, just reloads.
  await page.getByTestId('update-banner').getByRole('button').click();
  await expect.poll(() => waiting(page).catch(() => true)).toBe(false);
  await other.getByTestId('update-banner').getByRole('button').click();
  await expect.poll(() => stillMarked(other)).toBe(false);
  await expect(other.getByTestId('update-banner')).toHaveCount(0);
});
