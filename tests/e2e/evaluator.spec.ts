import { expect, test } from '@playwright/test';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, pendingCount } from './support/pages';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

/** The ids of the ratings this browser's device log holds, read from IndexedDB. */
/** The ratings in this browser's log, with the counted rating each repeated press names. */
async function localRatings(
  page: import('@playwright/test').Page,
): Promise<{ id: string; repeatOf?: string }[]> {
  return page.evaluate(
    () =>
      new Promise<{ id: string; repeatOf?: string }[]>((resolve, reject) => {
        const open = indexedDB.open('hall-kiosk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('log', 'readonly');
          const all = tx.objectStore('log').getAll();
          all.onsuccess = () => {
            resolve(
              (
                all.result as {
                  event: { id: string; type: string; payload: { repeatOf?: string } };
                }[]
              )
                .filter((row) => row.event.type === 'rating.submitted')
                .map((row) => ({ id: row.event.id, repeatOf: row.event.payload.repeatOf })),
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
  const local = await localRatings(page);
  expect(local).toHaveLength(20);
  // Presses this quick repeat the window's previous one: all kept, only the first counted. A
  // 差评 always counts.
  const counted = local.filter((r) => r.repeatOf === undefined).map((r) => r.id);
  expect(counted.length).toBeGreaterThanOrEqual(3);

  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  await expect(page.getByTestId('last-sync')).not.toContainText('尚未同步');

  const fromThisWindow = (await api.ratings()).filter((r) => r.windowCode === 'D01');
  expect(fromThisWindow.map((r) => r.id).sort()).toEqual([...counted].sort());
  expect(fromThisWindow.filter((r) => r.channel === 'hall_tablet')).toHaveLength(counted.length);
  expect(fromThisWindow.filter((r) => r.level === 'very_dissatisfied')[0]!.reasons).toEqual([
    'attitude',
  ]);
});
