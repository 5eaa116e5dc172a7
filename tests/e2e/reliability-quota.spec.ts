/**
 * An evaluator whose storage runs out mid-morning: the ratings already thanked stay, the screen
 * says the disk is full in words (not "try again"), and capture resumes once space returns, with
 * every rating reaching the server once.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { recordFigures } from '../support/reliability';
import { ConsoleApi, type WindowCard } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, levelButton, pendingCount } from './support/pages';

let api: ConsoleApi;
let card: WindowCard;
const figures = { 'ratings kept through a full disk': 0, lost: 0, duplicated: 0 };

test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
  card = await api.window('F02');
});
test.afterAll(async () => {
  await api.dispose();
  recordFigures('device-stress--quota', figures);
});

const usage = (page: Page) =>
  page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);

/**
 * A new evaluator on a fresh profile. Without the service worker's cache, its storage is the
 * device database alone, so its size is the same from one run to the next.
 */
async function evaluatorIn(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  return { context, page };
}

test('a full disk on an evaluator keeps every thanked rating, says so, and capture resumes when space returns', async ({
  browser,
  baseURL,
}) => {
  const origin = new URL(baseURL!).origin;
  // How much an enrolled evaluator stores before its first rating, on this build.
  const probe = await evaluatorIn(browser);
  await enrollThisBrowser(probe.page, await api.enrollEvaluator(card.id));
  await new EvaluatorPage(probe.page).open();
  const enrolledBytes = await usage(probe.page);
  await probe.context.close();

  // Chromium applies a quota override only to an origin that has stored nothing yet: set it
  // first, with room for enrollment and a few ratings.
  const { context, page } = await evaluatorIn(browser);
  await page.goto('/favicon.svg');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', {
    origin,
    quotaSize: enrolledBytes + 24 * 1024,
  });
  await enrollThisBrowser(page, await api.enrollEvaluator(card.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await context.setOffline(true);

  let thanked = 0;
  const error = page.getByTestId('write-error');
  for (let i = 0; i < 200; i++) {
    await levelButton(page, 'satisfied').click();
    const outcome = await Promise.race([
      page
        .getByTestId('thank-you')
        .waitFor()
        .then(() => 'thanked' as const),
      error.waitFor().then(() => 'refused' as const),
    ]);
    if (outcome === 'refused') break;
    thanked += 1;
    await page.getByRole('button', { name: '返回评价首页' }).click();
  }
  expect(thanked).toBeGreaterThan(0);
  await expect(error.getByRole('alert')).toHaveText(
    '抱歉，本机存储空间已满，这条评价未能保存。请告知工作人员。',
  );
  // Every rating thanked before the disk filled is still waiting to be sent.
  await page.getByRole('button', { name: '返回评价首页' }).click();
  expect(await pendingCount(page)).toBe(thanked);

  // Space returns: the next citizen's tap is saved, and everything reaches the server once.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await evaluator.rate('very_satisfied');
  thanked += 1;
  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  // Quick presses at one window are kept as repeats of the rating they follow, not counted:
  // delivered means counted or kept, each once.
  const stored = [
    ...(await api.ratings()).filter((r) => r.windowCode === card.code),
    ...(await api.ratingExtras()).filter((r) => r.windowCode === card.code),
  ];
  const ids = new Set(stored.map((r) => r.id));
  expect(ids.size).toBe(stored.length);
  expect(stored).toHaveLength(thanked);
  figures['ratings kept through a full disk'] += thanked;
  await context.close();
});
