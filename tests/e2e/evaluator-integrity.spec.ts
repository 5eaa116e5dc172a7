import { expect, test, type APIRequestContext } from '@playwright/test';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, levelButton, pendingCount } from './support/pages';

/** The window of this spec only. */
const WINDOW = 'C04';
const ARMED_SECONDS = 6;

let api: ConsoleApi;
let admin: APIRequestContext;

async function setArmed(seconds: number): Promise<void> {
  const res = await admin.post('/api/v1/admin/ref', {
    data: { type: 'ref.settingsSaved', payload: { armedRatingSeconds: seconds } },
  });
  expect(res.ok(), await res.text()).toBe(true);
}

test.beforeAll(async ({ baseURL, playwright }) => {
  api = await ConsoleApi.login(baseURL!);
  admin = await playwright.request.newContext({ baseURL });
  const res = await admin.post('/api/v1/admin/login', {
    data: { username: 'admin', password: process.env.E2E_ADMIN_PASSWORD },
  });
  expect(res.ok()).toBe(true);
  await setArmed(ARMED_SECONDS);
});

test.afterAll(async () => {
  // Every other evaluator of the hall takes ratings without 请评价.
  await setArmed(0);
  await admin.dispose();
  await api.dispose();
});

test('an armed evaluator takes one rating after 请评价, offline, and closes again after it or when time runs out', async ({
  page,
  context,
}) => {
  const window = await api.window(WINDOW);
  await enrollThisBrowser(page, await api.enrollEvaluator(window.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await expect(page.getByTestId('window-name')).toContainText(window.name);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);

  const closed = page.getByTestId('armed-closed');
  const invite = page.getByRole('button', { name: '请评价', exact: true });
  await expect(closed).toHaveText('请在业务办理完成后，由工作人员邀请评价');
  await expect(levelButton(page, 'very_satisfied')).toBeDisabled();
  await expect(levelButton(page, 'very_dissatisfied')).toBeDisabled();

  // The staff invite; the citizen rates within the seconds shown.
  await invite.click();
  await expect(page.getByTestId('armed-countdown')).toContainText(/请在 \d+ 秒内评价/);
  await expect(invite).toBeDisabled();
  await levelButton(page, 'satisfied').click();
  await expect(page.getByTestId('thank-you')).toBeVisible();
  await page.getByRole('button', { name: '返回评价首页' }).click();
  await expect(closed).toBeVisible();
  await expect(levelButton(page, 'satisfied')).toBeDisabled();
  await expect.poll(() => pendingCount(page)).toBe(1);

  // Invited, but nobody rates: the evaluator closes again by itself.
  await invite.click();
  await expect(page.getByTestId('armed-countdown')).toBeVisible();
  await expect(closed).toBeVisible({ timeout: (ARMED_SECONDS + 5) * 1000 });
  await expect(levelButton(page, 'satisfied')).toBeDisabled();

  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  const fromThisWindow = (await api.ratings()).filter((r) => r.windowCode === WINDOW);
  expect(fromThisWindow).toHaveLength(1);
  expect(fromThisWindow[0]!.level).toBe('satisfied');
});

test('the console lists unusual ratings and the repeated presses kept for audit', async ({
  page,
}) => {
  // An evaluator that rates faster than a window serves: more than ten in ten minutes.
  const card = await api.window(WINDOW);
  await api.rateAt(
    card,
    Array.from({ length: 11 }, () => ({ level: 'very_satisfied' as const })),
  );
  await page.goto('/admin');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('admin-tab-ratingFlags').click();
  await expect(page.getByRole('heading', { name: '异常评价' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '重复按键记录' })).toBeVisible();
  // Whatever other suites left: a flag row or the empty line, and never an error.
  await expect(
    page.getByTestId('rating-flag').first().or(page.getByTestId('rating-flags-empty')),
  ).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The burst is there with its ratings; the administrator keeps it with a note.
  const flag = page.getByTestId('rating-flag').filter({ hasText: WINDOW });
  await expect(flag).toHaveAttribute('data-kind', 'evaluator_burst');
  const review = flag.locator('xpath=following-sibling::tr[1]');
  await review.getByTestId('rating-flag-note').fill('窗口演示，已核实');
  await review.getByTestId('rating-flag-keep').click();
  await expect(flag.getByTestId('rating-flag-reviewed')).toBeVisible();
  const res = await admin.get('/api/v1/admin/rating-flags');
  const reviewed = ((await res.json()) as { flags: { windowCode: string | null }[] }).flags.find(
    (f) => f.windowCode === WINDOW,
  );
  expect(reviewed).toMatchObject({ verdict: 'kept', reviewNote: '窗口演示，已核实' });
});
