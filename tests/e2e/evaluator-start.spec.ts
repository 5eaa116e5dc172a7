import { expect, test, type Page } from '@playwright/test';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, levelButton, pendingCount } from './support/pages';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

/** The ids of the ratings in this browser's device log, read from IndexedDB. */
async function localRatingIds(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('hall-kiosk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('log', 'readonly').objectStore('log').getAll();
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

test('a cold start with no network takes a tap made the moment the buttons show, once', async ({
  page,
  context,
}) => {
  const c03 = await api.window('C03');
  await enrollThisBrowser(page, await api.enrollEvaluator(c03.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await expect(page.getByTestId('window-name')).toContainText(c03.name);
  await expect(page.getByTestId('pending-count')).toBeVisible();
  await page.evaluate(() => navigator.serviceWorker.ready);

  await context.setOffline(true);
  // On the next start, 满意 is tapped in the page the moment the five buttons are there and
  // enabled.
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      const buttons = [...document.querySelectorAll<HTMLButtonElement>('button[data-level]')];
      if (buttons.length !== 5 || buttons.some((b) => b.disabled)) return;
      observer.disconnect();
      // Whether the device had opened yet (its footer shows what waits to sync).
      (window as unknown as { __hkOpenAtTap: boolean }).__hkOpenAtTap =
        document.querySelector('[data-testid="pending-count"]') !== null;
      buttons.find((b) => b.dataset.level === 'satisfied')!.click();
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.reload();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  // The buttons showed, and were tapped, before the device had opened.
  expect(
    await page.evaluate(() => (window as unknown as { __hkOpenAtTap?: boolean }).__hkOpenAtTap),
  ).toBe(false);
  await expect.poll(() => pendingCount(page)).toBe(1);
  const local = await localRatingIds(page);
  expect(local).toHaveLength(1);

  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  const fromThisWindow = (await api.ratings()).filter((r) => r.windowCode === 'C03');
  expect(fromThisWindow.map((r) => r.id)).toEqual(local);
  expect(fromThisWindow[0]!.level).toBe('satisfied');
});

test('a browser whose enrollment was forgotten never shows the buttons on its next start', async ({
  page,
}) => {
  const d02 = await api.window('D02');
  await enrollThisBrowser(page, await api.enrollEvaluator(d02.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await expect(levelButton(page, 'satisfied')).toBeVisible();
  // The start screen was kept for the next start; the credentials go.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('hall-kiosk-settings');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('settings', 'readwrite');
          tx.objectStore('settings').delete('credentials');
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (document.querySelector('button[data-level]'))
        (window as unknown as { __hkSawButtons: boolean }).__hkSawButtons = true;
    });
    observer.observe(document, { subtree: true, childList: true });
  });
  await page.reload();
  await expect(page.getByTestId('not-enrolled')).toBeVisible();
  expect(await page.evaluate(() => '__hkSawButtons' in window)).toBe(false);
});
