import { expect, test } from '@playwright/test';
import { ConsoleApi, type WindowCard } from './support/console-api';
import { RatePage, levelButton, pendingCount } from './support/pages';

let api: ConsoleApi;
let a01: WindowCard;
let b01: WindowCard;

test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
  a01 = await api.window('A01');
  b01 = await api.window('B01');
});
test.afterAll(async () => api.dispose());

test('a citizen rates a window from its card online and the server counts it once', async ({
  page,
}) => {
  const rate = new RatePage(page);
  await rate.open(a01.ratingPath);
  await expect(page.getByTestId('window-name')).toHaveText(a01.name);
  await expect(page.getByTestId('department-name')).toHaveText(a01.department.name);
  const before = (await api.ratings()).length;

  await rate.rate('very_satisfied');
  await expect(rate.thanks).toBeVisible();

  await expect.poll(async () => (await api.ratings()).length).toBe(before + 1);
  const [latest] = await api.ratings();
  expect(latest).toMatchObject({ level: 'very_satisfied', channel: 'qr', windowCode: 'A01' });
});

test('a 差评 needs a reason; with one it is saved with its reasons and comment', async ({
  page,
}) => {
  const rate = new RatePage(page);
  await rate.open(b01.ratingPath);
  const before = (await api.ratings()).length;

  await levelButton(page, 'dissatisfied').click();
  await page.getByRole('button', { name: '提交评价' }).click();
  await expect(page.getByTestId('form-invalid')).toContainText('请至少勾选一项不满意的原因');
  await expect(rate.thanks).toBeHidden();

  await page.getByLabel('等候时间长').check();
  await page.getByLabel('意见或建议').fill('取号后等了一个小时');
  await page.getByRole('button', { name: '提交评价' }).click();
  await expect(rate.thanks).toBeVisible();

  await expect.poll(async () => (await api.ratings()).length).toBe(before + 1);
  const [latest] = await api.ratings();
  expect(latest).toMatchObject({
    level: 'dissatisfied',
    reasons: ['waited_too_long'],
    comment: '取号后等了一个小时',
    windowCode: 'B01',
  });
});

test('the same ticket cannot be rated twice, and one phone waits before rating a window again', async ({
  page,
}) => {
  const rate = new RatePage(page);
  await rate.open(a01.ratingPath);
  await rate.rate('satisfied', { ticket: 'E2E-T-001' });
  await expect(rate.thanks).toBeVisible();

  await page.getByRole('button', { name: '评价另一项服务' }).click();
  await rate.rate('satisfied', { ticket: 'E2E-T-001' });
  await expect(page.getByTestId('write-error')).toContainText('已经评价过了');

  await rate.rate('satisfied', { ticket: 'E2E-T-002' });
  await expect(page.getByTestId('write-error')).toContainText('您刚刚已评价过本窗口');
  await expect
    .poll(async () => (await api.ratings()).filter((r) => r.ticket === 'E2E-T-001').length)
    .toBe(1);
  expect((await api.ratings()).filter((r) => r.ticket === 'E2E-T-002')).toHaveLength(0);
});

test('a forged card signature or an unknown window shows a clear page and stores nothing', async ({
  page,
}) => {
  const before = (await api.ratings()).length;
  await page.goto(a01.ratingPath.replace(/s=[^&]+/, 's=AAAAAAAAAAAAAAAAAAAAAA'));
  await expect(page.getByTestId('rating-link-error')).toContainText('评价链接无效');
  await expect(levelButton(page, 'satisfied')).toHaveCount(0);

  await page.goto('/r/ZZ99?s=AAAAAAAAAAAAAAAAAAAAAA');
  await expect(page.getByTestId('rating-link-error')).toBeVisible();
  await page.goto('/r/A01');
  await expect(page.getByTestId('rating-link-error')).toBeVisible();

  const stored = await page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    return dbs.map((d) => d.name);
  });
  expect(stored).not.toContain('hall-kiosk-phone');
  expect((await api.ratings()).length).toBe(before);
});

test('after a first visit the card works with no network; the rating syncs when it returns', async ({
  page,
  context,
}) => {
  const rate = new RatePage(page);
  const c01 = await api.window('C01');
  await rate.open(c01.ratingPath);
  await expect(page.getByTestId('window-name')).toHaveText(c01.name);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const before = (await api.ratings()).length;

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('window-name')).toHaveText(c01.name);
  await rate.rate('basically_satisfied');
  await expect(rate.thanks).toBeVisible();
  await expect.poll(() => pendingCount(page)).toBe(1);

  await context.setOffline(false);
  await expect.poll(async () => (await api.ratings()).length, { timeout: 30_000 }).toBe(before + 1);
  expect((await api.ratings())[0]).toMatchObject({
    level: 'basically_satisfied',
    windowCode: 'C01',
  });
});
