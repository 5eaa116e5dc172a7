/**
 * A citizen's call-back number, end to end: given on the phone after a 差评 (offline too), never in
 * the rating, shown masked in the console and in clear only through the logged reveal.
 */
import { expect, test, type Page } from '@playwright/test';
import { ConsoleApi, type WindowCard } from './support/console-api';
import { RatePage } from './support/pages';

let api: ConsoleApi;
let card: WindowCard;

test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
  card = await api.window('B03');
});
test.afterAll(async () => api.dispose());

async function consoleLogin(page: Page): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
}

test('a number left offline after a 差评 reaches the console masked, and is revealed only on request', async ({
  page,
  context,
  browser,
}) => {
  const comment = `窗口无人 ${Date.now()}`;
  const rate = new RatePage(page);
  await rate.open(card.ratingPath);
  await expect(page.getByTestId('window-name')).toHaveText(card.name);
  await page.evaluate(() => navigator.serviceWorker.ready);

  await context.setOffline(true);
  await rate.rate('very_dissatisfied', { reasons: ['服务态度差'], comment });
  await expect(rate.thanks).toBeVisible();
  const form = page.getByTestId('callback-form');
  await expect(form).toContainText('问题办结后即删除');
  await form.getByLabel('手机号码').fill('0755-8888');
  await form.getByRole('button', { name: '提交号码' }).click();
  await expect(form.getByRole('alert')).toHaveText('请输入 11 位手机号码，以 1 开头。');
  await form.getByLabel('手机号码').fill('138 0013 8000');
  await form.getByRole('button', { name: '提交号码' }).click();
  await expect(page.getByTestId('callback-kept')).toBeVisible();

  // Back online: the rating syncs, then the number follows it on its own.
  await context.setOffline(false);
  const find = async () => (await api.ratings()).find((r) => r.comment === comment);
  await expect.poll(find, { timeout: 30_000 }).toBeTruthy();
  const rating = (await find())!;
  expect(JSON.stringify(rating)).not.toContain('13800138000');
  await expect
    .poll(async () => (await api.problem(rating.id)).callbackNumber, { timeout: 30_000 })
    .toEqual({ state: 'kept', masked: '138****8000', reveals: [] });
  // The phone forgot it once the server had it.
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const open = indexedDB.open('hall-kiosk-settings');
            open.onsuccess = () => {
              const get = open.result
                .transaction('settings')
                .objectStore('settings')
                .get('callbackNumbers');
              get.onsuccess = () => resolve(JSON.stringify(get.result ?? null));
            };
          }),
      ),
    )
    .toBe('null');

  const consoleContext = await browser.newContext();
  const admin = await consoleContext.newPage();
  await consoleLogin(admin);
  await admin.getByTestId('admin-tab-problems').click();
  await admin
    .getByTestId('problem-row')
    .filter({ hasText: comment })
    .getByRole('button')
    .first()
    .click();
  const detail = admin.getByTestId('problem-detail');
  const number = detail.getByTestId('callback-number-value');
  await expect(number).toHaveText('138****8000');
  await expect(detail).not.toContainText('13800138000');
  await detail.getByRole('button', { name: '显示号码' }).click();
  await expect(number).toHaveText('13800138000');
  await expect(detail).toContainText('本次查看已记录');
  await detail.getByRole('button', { name: '隐藏号码' }).click();
  await expect(number).toHaveText('138****8000');
  expect((await api.problem(rating.id)).callbackNumber).toMatchObject({
    reveals: [{ by: 'admin' }],
  });
  await consoleContext.close();
});
