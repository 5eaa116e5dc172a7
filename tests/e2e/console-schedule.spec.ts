import { expect, test } from '@playwright/test';
import { addDays, hallDate } from '../../src/domain/schedule';
import { ConsoleApi } from './support/console-api';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

test('the console imports a duty schedule from a spreadsheet: errors by line, then only the valid rows; a non-CSV file is refused', async ({
  page,
}) => {
  const leader = (await api.leaders()).find((l) => l.title.includes('公积金') && l.badgeCode)!;
  const today = hallDate(Date.now());
  const later = addDays(today, 1);
  const before = (await api.shifts(today, later)).filter((s) => s.leaderId === leader.id);

  await page.goto('/admin');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('admin-tab-schedule').click();

  const csv = [
    '日期,领导,开始,结束',
    `${later},${leader.badgeCode},09:00,12:00`,
    `${later.slice(0, 8)}45,${leader.badgeCode},09:00,12:00`,
    `${later},不存在的领导,14:00,17:00`,
  ].join('\n');
  await page.getByTestId('import-file').setInputFiles({
    name: '排班.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf8'),
  });
  const errors = page.getByTestId('import-errors');
  await expect(errors.locator('li')).toHaveCount(2);
  await expect(errors.locator('li[data-line="3"]')).toContainText('日期不正确');
  await expect(errors.locator('li[data-line="4"]')).toContainText('找不到这位领导');
  await expect(page.getByTestId('import-all')).toHaveCount(0);
  // Nothing is imported until the administrator chooses to.
  expect((await api.shifts(today, later)).filter((s) => s.leaderId === leader.id)).toHaveLength(
    before.length,
  );

  await page.getByTestId('import-valid').click();
  await expect
    .poll(async () => (await api.shifts(today, later)).filter((s) => s.leaderId === leader.id))
    .toHaveLength(before.length + 1);
  const imported = (await api.shifts(today, later)).find(
    (s) => s.leaderId === leader.id && s.date === later && !before.some((b) => b.id === s.id),
  )!;
  expect(imported.published).toBe(false);

  // The file chooser opens again once the import and the week's reload have finished.
  await expect(page.getByTestId('import-file')).toBeEnabled();
  await page.getByTestId('import-file').setInputFiles({
    name: 'photo.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]),
  });
  await expect(page.getByTestId('import-fatal')).toContainText('这不是 CSV 文件');
  await expect(page.getByTestId('import-valid')).toHaveCount(0);
  await expect(page.getByTestId('import-all')).toHaveCount(0);
});
