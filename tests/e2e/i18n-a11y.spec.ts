import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ConsoleApi, type WindowCard } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, levelButton } from './support/pages';

let api: ConsoleApi;
let f01: WindowCard;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
  f01 = await api.window('F01');
});
test.afterAll(async () => api.dispose());

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('the rating page switches between Chinese and English, and remembers the choice', async ({
  page,
}) => {
  await page.goto(f01.ratingPath);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(levelButton(page, 'very_satisfied')).toBeVisible();

  await page.getByTestId('locale-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  for (const level of [
    'very_satisfied',
    'satisfied',
    'basically_satisfied',
    'dissatisfied',
    'very_dissatisfied',
  ] as const)
    await expect(levelButton(page, level, 'en')).toBeVisible();
  await levelButton(page, 'very_dissatisfied', 'en').click();
  await expect(page.getByLabel('Waited too long')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Submit rating' })).toBeVisible();
  // Every label, hint and button of the form is translated.
  expect(await page.locator('main form').innerText()).not.toMatch(/[\u4e00-\u9fff]/);

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(levelButton(page, 'satisfied', 'en')).toBeVisible();
  await page.getByTestId('locale-switch').click();
  await expect(levelButton(page, 'satisfied')).toBeVisible();
});

test('the evaluator switches language too', async ({ page }) => {
  await enrollThisBrowser(page, await api.enrollEvaluator(f01.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await page.getByTestId('locale-switch').click();
  await expect(levelButton(page, 'very_satisfied', 'en')).toBeVisible();
  await levelButton(page, 'dissatisfied', 'en').click();
  await expect(page.getByLabel('Waited too long')).toBeVisible();
  await page.getByTestId('locale-switch').click();
  await expect(page.getByLabel('等候时间长')).toBeVisible();
});

test('the rating page and the evaluator have no serious or critical accessibility violation', async ({
  page,
}) => {
  await page.goto(f01.ratingPath);
  await expect(levelButton(page, 'satisfied')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await levelButton(page, 'very_dissatisfied').click();
  expect(await seriousViolations(page)).toEqual([]);

  await enrollThisBrowser(page, await api.enrollEvaluator(f01.id));
  await new EvaluatorPage(page).open();
  expect(await seriousViolations(page)).toEqual([]);
  await levelButton(page, 'dissatisfied').click();
  expect(await seriousViolations(page)).toEqual([]);
});
