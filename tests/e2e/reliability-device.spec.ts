/**
 * A device under stress: its local schema upgraded by a newer version of the app in another tab.
 * Nothing the device acknowledged is lost, nothing is counted twice, and the user is told in words
 * what to do.
 */
import { expect, test, type Page } from '@playwright/test';
import { recordFigures } from '../support/reliability';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, levelButton, pendingCount } from './support/pages';

const figures = { upgrades: 0, lost: 0, duplicated: 0 };

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => {
  await api.dispose();
  recordFigures('device-stress', {
    'schema upgrades with an old tab': figures.upgrades,
    lost: figures.lost,
    duplicated: figures.duplicated,
  });
});

/** The ids of the ratings this browser's device log holds, read from IndexedDB. */
async function localRatingIds(page: Page): Promise<string[]> {
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

/** Compare the server's ratings of a window with the ids the device holds; count any loss. */
async function serverMatches(windowCode: string, local: string[]): Promise<void> {
  const server = (await api.ratings()).filter((r) => r.windowCode === windowCode).map((r) => r.id);
  const lost = local.filter((id) => !server.includes(id)).length;
  const duplicated = server.length - new Set(server).size;
  figures.lost += lost;
  figures.duplicated += duplicated;
  expect(lost).toBe(0);
  expect(duplicated).toBe(0);
  expect([...server].sort()).toEqual([...local].sort());
}

test('a newer tab upgrades the schema: the old tab closes its database, says so, refuses writes, and keeps every rating after a reload', async ({
  page,
  context,
}) => {
  const win = await api.window('C02');
  await enrollThisBrowser(page, await api.enrollEvaluator(win.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  for (let i = 0; i < 3; i++) await evaluator.rate('very_satisfied');
  await expect.poll(() => pendingCount(page)).toBe(3);
  const before = await localRatingIds(page);
  expect(before).toHaveLength(3);

  // The newer version of the app opens the database one schema version up in another tab.
  await context.setOffline(false);
  const newer = await context.newPage();
  await newer.goto('/');
  await context.setOffline(true);
  const upgraded = await newer.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const probe = indexedDB.open('hall-kiosk');
        probe.onsuccess = () => {
          const next = probe.result.version + 10;
          probe.result.close();
          const open = indexedDB.open('hall-kiosk', next);
          open.onupgradeneeded = () => open.result.createObjectStore('upgradeProbe');
          open.onblocked = () => reject(new Error('blocked by the old tab'));
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const version = open.result.version;
            open.result.close();
            resolve(version);
          };
        };
      }),
  );
  expect(upgraded).toBeGreaterThan(30);

  // The old tab says in words what happened and offers a reload.
  const notice = page.getByTestId('storage-notice');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('本终端程序已在另一个窗口更新');
  await expect(notice.getByRole('button', { name: '重新加载' })).toBeVisible();

  // A rating attempted there is refused with a message, not dropped silently.
  await levelButton(page, 'satisfied').dispatchEvent('click');
  await expect(page.getByText('本机存储暂时不可用')).toBeVisible();
  await expect(page.getByTestId('thank-you')).toHaveCount(0);

  await notice.getByRole('button', { name: '重新加载' }).click();
  await expect(page.getByTestId('window-name')).toContainText(win.name);
  await expect(page.getByTestId('storage-notice')).toHaveCount(0);
  const after = await localRatingIds(page);
  expect([...after].sort()).toEqual([...before].sort());

  // Capture goes on after the reload, and everything syncs once.
  await evaluator.rate('satisfied');
  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  await serverMatches('C02', await localRatingIds(page));
  figures.upgrades += 1;
  await newer.close();
});
