import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_SETTINGS } from '../../src/domain/reference';

async function signIn(page: Page): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('admin-tab-departments')).toBeVisible();
}

test.afterAll(async ({ browser, baseURL }) => {
  // Other suites rank departments with the default weights.
  const context = await browser.newContext({ baseURL });
  const res = await context.request.post('/api/v1/admin/login', {
    data: { username: 'admin', password: process.env.E2E_ADMIN_PASSWORD },
  });
  expect(res.ok()).toBe(true);
  const reset = await context.request.post('/api/v1/admin/ref', {
    data: {
      type: 'ref.settingsSaved',
      payload: { rankingWeights: DEFAULT_SETTINGS.rankingWeights },
    },
  });
  expect(reset.ok(), await reset.text()).toBe(true);
  await context.close();
});

test('the console adds a department and a window, whose rating card is then printable', async ({
  page,
}) => {
  const n = Date.now().toString(36).slice(-5).toUpperCase();
  const code = `WJ${n}`;
  const windowCode = `W${n}`;
  await signIn(page);
  await page.getByTestId('admin-tab-departments').click();

  await page.getByRole('button', { name: '添加部门' }).click();
  const form = page.getByTestId('entry-form');
  await form.getByLabel('编码').fill(code);
  await form.getByLabel('名称', { exact: false }).first().fill('卫生健康委员会');
  await form.getByLabel('英文名称').fill('Health Commission');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(page.getByTestId('refdata-done')).toHaveText('已添加。');
  const department = page.locator(`[data-testid="department"][data-code="${code}"]`);
  await expect(department).toContainText('卫生健康委员会');
  await expect(department).toContainText('这个部门还没有窗口。');

  // A window code already in use is refused beside the code field; what was typed stays.
  await department.getByRole('button', { name: '为“卫生健康委员会”添加窗口' }).click();
  const windowForm = department.getByTestId('entry-form');
  await windowForm.getByLabel('编码').fill('A01');
  await windowForm.getByLabel('名称', { exact: false }).first().fill('卫健综合窗口');
  await windowForm.getByRole('button', { name: '保存' }).click();
  await expect(windowForm.getByTestId('field-issue')).toHaveText('这个编码已被使用，请换一个。');
  await expect(windowForm.getByLabel('编码')).toHaveAttribute('aria-invalid', 'true');
  await expect(windowForm.getByLabel('名称', { exact: false }).first()).toHaveValue('卫健综合窗口');

  await windowForm.getByLabel('编码').fill(windowCode);
  await windowForm.getByRole('button', { name: '保存' }).click();
  await expect(
    department.locator(`[data-testid="window-entry"][data-code="${windowCode}"]`),
  ).toContainText('卫健综合窗口');

  await page.getByTestId('admin-tab-windows').click();
  const card = page.locator(`[data-testid="rating-card"][data-window-code="${windowCode}"]`);
  await expect(card).toContainText('卫健综合窗口');
  await expect(card).toContainText('卫生健康委员会');
  await expect(card).toContainText('扫码评价');
  await expect(card.locator('svg')).toBeVisible();

  // Four to a sheet, only the new window's card ticked: one sheet with one card.
  await page.getByLabel('4 张卡').check();
  await page.getByLabel('选择打印“卫健综合窗口”').check();
  await expect(page.getByTestId('cards-summary')).toContainText('已选 1 张卡');
  await expect(page.getByTestId('cards-summary')).toContainText('将打印 1 张卡，共 1 页');
  const sheets = page.getByTestId('card-sheets');
  await expect(sheets).toHaveAttribute('data-per-sheet', '4');
  await expect(sheets.getByTestId('card-sheet')).toHaveCount(1);
  await expect(sheets.getByTestId('printed-card')).toHaveAttribute('data-window-code', windowCode);
});

test('ranking weights changed on the settings page are there after a reload', async ({ page }) => {
  await signIn(page);
  await page.getByTestId('admin-tab-settings').click();
  const form = page.getByTestId('settings-form');
  const weights = {
    satisfaction: '50',
    attendance: '10',
    rectification: '25',
    timeliness: '15',
  };
  for (const [key, value] of Object.entries(weights)) {
    await form.locator(`input[name="weight-${key}"]`).fill(value);
  }
  await expect(form.getByTestId('weight-share-satisfaction')).toHaveText('占 50%');
  await expect(form.getByTestId('weight-share-timeliness')).toHaveText('占 15%');
  await form.getByRole('button', { name: '保存设置' }).click();
  await expect(page.getByTestId('refdata-done')).toHaveText('设置已保存。');

  await page.reload();
  await page.getByTestId('admin-tab-settings').click();
  const reloaded = page.getByTestId('settings-form');
  for (const [key, value] of Object.entries(weights)) {
    await expect(reloaded.locator(`input[name="weight-${key}"]`)).toHaveValue(value);
  }
  await expect(reloaded.getByTestId('weight-share-rectification')).toHaveText('占 25%');
});

test('the reference pages have no serious accessibility problems, a refused field included', async ({
  page,
}) => {
  await signIn(page);
  const serious = async () =>
    (await new AxeBuilder({ page }).include('main').analyze()).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  for (const tab of ['departments', 'serviceItems', 'settings', 'windows']) {
    await page.getByTestId(`admin-tab-${tab}`).click();
    await expect(page.getByRole('button', { name: '刷新' })).toBeEnabled();
    expect(await serious(), tab).toEqual([]);
  }
  await page.getByTestId('admin-tab-serviceItems').click();
  await page.getByRole('button', { name: '为“税务”添加办事事项' }).click();
  await page.getByTestId('entry-form').getByRole('button', { name: '保存' }).click();
  await expect(page.getByTestId('field-issue')).toHaveText('必须填写。');
  expect(await serious()).toEqual([]);
});
