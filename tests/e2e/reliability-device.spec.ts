/**
 * A device under stress: its local schema upgraded by a newer version of the app in another tab.
 * Nothing the device acknowledged is lost, nothing is counted twice, and the user is told in words
 * what to do.
 */
import { expect, test, type Page } from '@playwright/test';
import { recordFigures } from '../support/reliability';
import { ConsoleApi } from './support/console-api';
import { deviceSnapshot } from './support/persistent-browser';
import {
  EvaluatorPage,
  RatePage,
  enrollThisBrowser,
  levelButton,
  pendingCount,
} from './support/pages';

const figures = { upgrades: 0, fullDisk: 0, lost: 0, duplicated: 0 };

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => {
  await api.dispose();
  recordFigures('device-stress', {
    'schema upgrades with an old tab': figures.upgrades,
    'ratings through a full disk': figures.fullDisk,
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

/** The device log's ratings that the server has not acknowledged. */
async function unacked(page: Page): Promise<number> {
  return (await deviceSnapshot(page)).logRatings.filter((r) => r.status !== 'acked').length;
}

/**
 * Every rating the device holds was accepted by the server, and the server counts none twice nor
 * any the device did not take. (Repeated presses within seconds are kept for audit rather than
 * counted, so the counted ones may be fewer than the presses.)
 */
async function serverMatches(page: Page, windowCode: string, local: string[]): Promise<void> {
  const lost = await unacked(page);
  const server = (await api.ratings()).filter((r) => r.windowCode === windowCode).map((r) => r.id);
  const duplicated = server.length - new Set(server).size;
  figures.lost += lost;
  figures.duplicated += duplicated;
  expect(lost).toBe(0);
  expect(duplicated).toBe(0);
  expect(server.length).toBeGreaterThan(0);
  expect(server.filter((id) => !local.includes(id))).toEqual([]);
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
  await serverMatches(page, 'C02', await localRatingIds(page));
  figures.upgrades += 1;
  await newer.close();
});

test('a full disk on a citizen’s phone: the rating page says so in words, not as a network failure, and the rating goes through once space returns', async ({
  page,
  context,
  baseURL,
}) => {
  const origin = new URL(baseURL!).origin;
  const card = await api.window('E02');
  // Chromium applies a quota override only to an origin that has not stored anything yet, and
  // refuses a transaction larger than the quota: one byte leaves room for nothing.
  await page.goto('/favicon.svg');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });

  const rate = new RatePage(page);
  await rate.open(card.ratingPath);
  const full = page.getByTestId('rating-storage-full');
  await expect(full).toContainText('本机存储空间已满');
  await expect(levelButton(page, 'satisfied')).toHaveCount(0);

  // Space returns: a retry opens the page, and the rating is stored and synced once.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await full.getByRole('button', { name: '重试' }).click();
  await rate.rate('satisfied');
  await expect(rate.thanks).toBeVisible();
  await expect
    .poll(async () => (await api.ratings()).filter((r) => r.windowCode === 'E02').length, {
      timeout: 30_000,
    })
    .toBe(1);
  figures.fullDisk += 1;
});
