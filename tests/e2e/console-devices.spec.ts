import { expect, test } from '@playwright/test';
import { TestDevice } from '../server/helpers';
import { ConsoleApi, tabletRating } from './support/console-api';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

test("the devices page shows a tablet's reported health, and renames it and binds it to another window", async ({
  page,
  request,
}) => {
  const windows = (await api.windows()).filter((w) => w.department.name === '公积金');
  const [first, second] = windows;
  const enrolled = await api.enrolledEvaluator(first!.id);
  const tablet = new TestDevice(enrolled.deviceId, enrolled.hallId, enrolled.token, first!.id);
  const push = await request.post('/api/v1/sync/push', {
    headers: { authorization: `Bearer ${enrolled.token}` },
    data: {
      deviceId: enrolled.deviceId,
      pending: 2,
      health: {
        storageUsage: 52_428_800,
        storageQuota: 2_147_483_648,
        persisted: true,
        appVersion: '0.1.0+e2e',
      },
      events: [tabletRating(tablet, first!, { level: 'satisfied' })],
    },
  });
  expect(push.ok()).toBe(true);

  await page.goto('/admin');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('admin-tab-devices').click();

  await expect(page.getByRole('heading', { name: '需要留意的设备' })).toBeVisible();
  const row = page.locator(`[data-testid="device-row"][data-device-id="${enrolled.deviceId}"]`);
  await expect(row).toContainText('已用 50.0 MB / 共 2.0 GB');
  await expect(row).toContainText('持久保存');
  await expect(row).toContainText('0.1.0+e2e');
  await expect(row).toContainText(first!.code);
  await expect(row.locator('td.num')).toHaveText('2');

  await row.getByRole('button', { name: '修改' }).click();
  const form = page.getByTestId('device-edit');
  await form.getByLabel('设备名称').fill('公积金一号平板');
  await form.getByLabel('绑定窗口').selectOption(second!.id);
  await form.getByRole('button', { name: '提交' }).click();
  await expect(page.getByTestId('device-saved')).toContainText('公积金一号平板');
  await expect(row).toContainText('公积金一号平板');
  await expect(row).toContainText(second!.code);
});
