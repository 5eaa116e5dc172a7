import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, levelButton, pendingCount } from './support/pages';

const SW_FILE = resolve(import.meta.dirname, '../../dist/sw.js');
const originalSw = readFileSync(SW_FILE, 'utf8');

let api: ConsoleApi;
test.afterEach(() => writeFileSync(SW_FILE, originalSw));
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

/** The ids of the ratings this browser's device log holds, read from IndexedDB. */
async function localRatingIds(page: import('@playwright/test').Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('hall-kiosk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('log', 'readonly');
          const all = tx.objectStore('log').getAll();
          all.onsuccess = () => {
            resolve(
              (all.result as { event: { id: string; type: string } }[])
                .filter((row) => row.event.type === 'rating.submitted')
                .map((row) => row.event.id),
            );
            open.result.close();
          };
        };
      }),
  );
}

test('an evaluator takes 20 ratings offline, keeps them across a reload, and the server gets exactly those 20', async ({
  page,
  context,
}) => {
  const d01 = await api.window('D01');
  await enrollThisBrowser(page, await api.enrollEvaluator(d01.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await expect(page.getByTestId('window-name')).toContainText(d01.name);
  await page.evaluate(() => navigator.serviceWorker.ready);

  await context.setOffline(true);
  const levels = ['very_satisfied', 'satisfied', 'basically_satisfied'] as const;
  for (let i = 0; i < 18; i++) await evaluator.rate(levels[i % 3]!);
  await evaluator.rate('dissatisfied', '等候时间长');
  await evaluator.rate('very_dissatisfied', '服务态度差');
  await expect.poll(() => pendingCount(page)).toBe(20);

  await page.reload();
  await expect(page.getByTestId('window-name')).toContainText(d01.name);
  await expect.poll(() => pendingCount(page)).toBe(20);
  const local = await localRatingIds(page);
  expect(local).toHaveLength(20);

  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  await expect(page.getByTestId('last-sync')).not.toContainText('尚未同步');

  const fromThisWindow = (await api.ratings()).filter((r) => r.windowCode === 'D01');
  expect(fromThisWindow.map((r) => r.id).sort()).toEqual([...local].sort());
  expect(fromThisWindow.filter((r) => r.channel === 'hall_tablet')).toHaveLength(20);
  expect(fromThisWindow.filter((r) => r.level === 'very_dissatisfied')[0]!.reasons).toEqual([
    'attitude',
  ]);
});

test('an evaluator applies a new version only when it sits idle at its start screen', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const e01 = await api.window('E01');
  await enrollThisBrowser(page, await api.enrollEvaluator(e01.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  const firstWorker = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    (window as unknown as { __before: boolean }).__before = true;
    return reg?.active?.scriptURL ?? null;
  });
  expect(firstWorker).toMatch(/\/sw\.js$/);

  // A citizen is halfway through a 差评 when the new version arrives.
  await levelButton(page, 'dissatisfied').click();
  await expect(page.getByLabel('等候时间长')).toBeVisible();
  // A new release: the served service worker changes by a byte.
  writeFileSync(SW_FILE, `${originalSw}\n// next release\n`);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect
    .poll(() =>
      page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting),
    )
    .toBe(true);
  // Not applied under the citizen's finger: the page was not reloaded and the update still waits.
  expect(await page.evaluate(() => (window as unknown as { __before?: boolean }).__before)).toBe(
    true,
  );

  await page.getByRole('button', { name: '返回' }).click();
  // Left alone at the start screen, it applies the update and reloads itself.
  await expect
    .poll(
      // The page may be reloading while asked; that counts as not yet.
      () =>
        page
          .evaluate(() => (window as unknown as { __before?: boolean }).__before ?? false)
          .catch(() => true),
      {
        timeout: 45_000,
      },
    )
    .toBe(false);
  await expect
    .poll(() =>
      page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting),
    )
    .toBe(false);
  await expect(page.getByTestId('window-name')).toContainText(e01.name);
});
