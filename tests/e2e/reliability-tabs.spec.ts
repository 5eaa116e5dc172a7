/**
 * Two tabs of one evaluator device: one holds the sync Web Lock and is the only one talking to the
 * server; the other hands it its writes. Both show the same records waiting, a rating taken in
 * either tab counts in both, and when the syncing tab closes the other takes over. Every rating
 * reaches the server once.
 */
import { expect, test, type Page, type Request } from '@playwright/test';
import { recordFigures } from '../support/reliability';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, pendingCount } from './support/pages';
import { deviceSnapshot, hallEvents } from './support/persistent-browser';

const figures = {
  'tabs of one device': 2,
  'ratings taken across tabs': 0,
  'sync requests from the tab without the lock': 0,
  lost: 0,
  duplicated: 0,
};

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => {
  await api.dispose();
  recordFigures('browser-tabs', figures);
});

/** Sync requests (push and pull) a page sent itself. */
function syncRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/sync/')) seen.push(r);
  });
  return seen;
}

/** How many holders the device's sync lock has across the origin's tabs. */
const lockHolders = (page: Page) =>
  page.evaluate(async () => {
    const state = await navigator.locks.query();
    return (state.held ?? []).filter((l) => l.name === 'hall-kiosk-sync').length;
  });

test('two tabs of one device: only the lock holder syncs, both see the same records, the other takes over when it closes', async ({
  page,
  context,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const win = await api.window('A05');
  await enrollThisBrowser(page, await api.enrollEvaluator(win.id));
  const first = new EvaluatorPage(page);
  await first.open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  const second = new EvaluatorPage(await context.newPage());
  const fromFirst = syncRequests(page);
  const fromSecond = syncRequests(second.page);
  await second.open();
  // One lock held for the device, by one of the two tabs.
  expect(await lockHolders(page)).toBe(1);

  // Offline, ratings in both tabs: both tabs count all of them as waiting.
  await context.setOffline(true);
  await second.rate('very_satisfied');
  await first.rate('satisfied');
  await second.rate('dissatisfied', '等候时间长');
  await expect.poll(() => pendingCount(page)).toBe(3);
  await expect.poll(() => pendingCount(second.page)).toBe(3);
  const waiting = await deviceSnapshot(page);
  expect(waiting.logRatings).toHaveLength(3);
  expect(waiting.pending).toBe(3);

  // Online: the syncing tab sends them; both tabs show none waiting.
  fromFirst.length = 0;
  fromSecond.length = 0;
  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  await expect.poll(() => pendingCount(second.page), { timeout: 30_000 }).toBe(0);
  await second.rate('very_satisfied');
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  await expect.poll(() => pendingCount(second.page), { timeout: 30_000 }).toBe(0);
  const pushes = (rs: Request[]) => rs.filter((r) => r.url().includes('/sync/push')).length;
  // The first tab opened the screen first and holds the lock: it alone pushed.
  expect(pushes(fromFirst)).toBeGreaterThan(0);
  expect(fromSecond).toHaveLength(0);
  figures['sync requests from the tab without the lock'] += fromSecond.length;

  // The syncing tab closes: the other takes the lock and syncs its own next rating.
  await page.close();
  await expect.poll(() => lockHolders(second.page)).toBe(1);
  await second.rate('satisfied');
  await expect.poll(() => pendingCount(second.page), { timeout: 30_000 }).toBe(0);
  expect(pushes(fromSecond)).toBeGreaterThan(0);

  const local = (await deviceSnapshot(second.page)).logRatings;
  figures['ratings taken across tabs'] = local.length;
  expect(local).toHaveLength(5);
  expect(local.every((r) => r.status === 'acked')).toBe(true);
  const other = await api.enrolledEvaluator(win.id);
  const snap = await deviceSnapshot(second.page);
  const stored = (await hallEvents(baseURL!, other.token))
    .filter((e) => e.deviceId === snap.deviceId && e.type === 'rating.submitted')
    .map((e) => e.id);
  figures.duplicated = stored.length - new Set(stored).size;
  figures.lost = local.filter((r) => !stored.includes(r.id)).length;
  expect(figures.duplicated).toBe(0);
  expect(figures.lost).toBe(0);
  expect(stored).toHaveLength(local.length);
});
