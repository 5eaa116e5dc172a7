/**
 * Hostile input in the browser: markup and script typed by a citizen or an administrator is kept
 * and shown as text wherever it appears, never run; forms given injection strings answer in words
 * and change nothing.
 */
import { expect, test, type Page } from '@playwright/test';
import { ConsoleApi, type WindowCard } from './support/console-api';
import { RatePage } from './support/pages';

/** Each payload sets `window.__pwned` if the page ever runs it. */
const MARKUP = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>粗体</b>`;
const INJECTION = `' OR '1'='1'; DROP TABLE ratings; --`;

let api: ConsoleApi;
let card: WindowCard;

test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
  card = await api.window('B04');
});
test.afterAll(async () => api.dispose());

/** Fails the test on any dialog, and reads whether a payload ran. */
function guard(page: Page) {
  page.on('dialog', (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
  return async () => {
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"], b:text("粗体")').count()).toBe(0);
  };
}

async function consoleLogin(page: Page): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('admin-tab-problems')).toBeVisible();
}

test('markup in a citizen’s comment is shown as text on the phone and in every console view', async ({
  page,
  browser,
}) => {
  const comment = `${MARKUP} ${Date.now()}`;
  const ranPhone = guard(page);
  const rate = new RatePage(page);
  await rate.open(card.ratingPath);
  await rate.rate('dissatisfied', { reasons: ['指引不清楚'], comment });
  await expect(rate.thanks).toBeVisible();
  await expect
    .poll(async () => (await api.ratings()).some((r) => r.comment === comment))
    .toBe(true);
  // The citizen's own 差评, listed with its handling, after the server stored it.
  await expect(page.getByTestId('progress-item').first()).toBeVisible({ timeout: 30_000 });
  await ranPhone();

  const consoleContext = await browser.newContext();
  const admin = await consoleContext.newPage();
  const ranConsole = guard(admin);
  await consoleLogin(admin);

  await admin.getByTestId('admin-tab-ratings').click();
  await expect(admin.getByTestId('rating-row').filter({ hasText: comment })).toHaveCount(1);
  await admin.getByTestId('admin-tab-problems').click();
  const row = admin.getByTestId('problem-row').filter({ hasText: comment });
  await expect(row).toHaveCount(1);
  await row.getByRole('button').first().click();
  await expect(admin.getByTestId('problem-detail')).toContainText(MARKUP);
  await ranConsole();
  await consoleContext.close();
});

test('enrollment, login, PIN and schedule import forms refuse hostile input in words', async ({
  page,
  browser,
}) => {
  const ran = guard(page);
  // Enrollment: an injection string as the code is just a wrong code.
  await page.goto(`/setup?code=${encodeURIComponent(INJECTION + MARKUP)}`);
  await page.getByRole('button', { name: '登记', exact: true }).click();
  await expect(page.getByTestId('setup-error')).toHaveText('登记码不正确，请核对后重新输入。');
  await ran();

  // Login: injection strings are a wrong user name and password (one failure, well under the lock).
  const loginContext = await browser.newContext();
  const login = await loginContext.newPage();
  const ranLogin = guard(login);
  await login.goto('/admin');
  await login.getByLabel('用户名').fill(INJECTION);
  await login.getByLabel('密码').fill(MARKUP);
  await login.getByRole('button', { name: '登录' }).click();
  await expect(login.getByRole('alert')).toContainText('用户名或密码不正确');
  await ranLogin();
  await loginContext.close();

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const ranAdmin = guard(admin);
  await consoleLogin(admin);

  // A PIN that is not 4–8 digits is refused; the leader keeps whatever PIN they had.
  const leader = (await api.leaders()).find((l) => l.title.startsWith('市场监督'))!;
  await admin.getByTestId('admin-tab-leaders').click();
  const leaderRow = admin.locator(`[data-testid="leader-row"][data-leader-id="${leader.id}"]`);
  const before = await leaderRow.textContent();
  await leaderRow.getByRole('button', { name: /设置 PIN|重置 PIN/ }).click();
  const pinForm = admin.getByTestId('pin-form');
  await pinForm.getByLabel('新 PIN', { exact: true }).fill(`12<b>`);
  await pinForm.getByLabel('再次输入新 PIN').fill(`12<b>`);
  await pinForm.getByRole('button', { name: '保存 PIN' }).click();
  await expect(pinForm).toContainText('PIN 必须是 4 到 8 位数字。');
  await expect(leaderRow).toHaveText(before!);

  // A schedule file with markup, formulas and injection in its cells: each bad line named, in words.
  await admin.getByTestId('admin-tab-schedule').click();
  const csv = [
    '日期,领导,开始,结束',
    `"${MARKUP}",${leader.badgeCode ?? leader.title},09:00,12:00`,
    `2026-12-01,"=HYPERLINK(""http://127.0.0.1/"",""x"")",09:00,12:00`,
    `2026-12-01,"${INJECTION}",14:00,17:00`,
  ].join('\n');
  await admin.getByTestId('import-file').setInputFiles({
    name: '排班.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf8'),
  });
  const errors = admin.getByTestId('import-errors');
  await expect(errors.locator('li')).toHaveCount(3);
  await expect(errors.locator('li[data-line="2"]')).toContainText('日期不正确');
  await expect(errors.locator('li[data-line="3"]')).toContainText('找不到这位领导');
  await expect(errors.locator('li[data-line="4"]')).toContainText('找不到这位领导');
  await expect(admin.getByTestId('import-valid')).toHaveCount(0);
  await ranAdmin();
  await adminContext.close();
});
