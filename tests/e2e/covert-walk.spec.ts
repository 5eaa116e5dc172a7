/**
 * 暗访 across two tablets: one records an unannounced inspection; the other shows its finding's
 * inspector as 暗访人员（未公开） until the console publishes the inspection, then by title.
 */
import { expect, test, type Page } from '@playwright/test';
import { ConsoleApi } from './support/console-api';
import { InspectPage } from './support/inspect';
import { enrollThisBrowser, pendingCount } from './support/pages';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

async function openTablet(page: Page): Promise<InspectPage> {
  await enrollThisBrowser(page, await api.enrollInspectionTablet());
  const tablet = new InspectPage(page);
  await tablet.open();
  await expect(page.getByTestId('leader-button').first()).toBeVisible();
  await expect(page.getByTestId('last-sync')).not.toContainText('尚未同步');
  return tablet;
}

test('the other tablet shows 暗访人员（未公开） until the console publishes the inspection', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const [inspector, colleague] = await api.leaders();
  await api.setPin(inspector!.id, '135790');
  await api.setPin(colleague!.id, '246813');
  const serviceItem = `暗访核查 ${Date.now()}`;
  const description = `窗口未公示收费标准 ${Date.now()}`;

  // Tablet A: the inspector records an unannounced inspection with one finding.
  const contextA = await browser.newContext();
  const pageA = await contextA.newPage();
  const tabletA = await openTablet(pageA);
  await tabletA.signIn(inspector!.title, '135790');
  await tabletA.startWalk('暗访', inspector!.departmentName, serviceItem);
  await tabletA.mark('窗口服务体验', '有问题');
  await tabletA.saveFinding(description, '一般');
  await tabletA.endWalk('');
  await expect.poll(() => pendingCount(pageA), { timeout: 30_000 }).toBe(0);

  // Tablet B has the finding, and not who found it.
  const contextB = await browser.newContext();
  const pageB = await contextB.newPage();
  const tabletB = await openTablet(pageB);
  const history = async () => {
    await tabletB.signIn(colleague!.title, '246813');
    await pageB.getByRole('button', { name: '全部部门' }).click();
    const row = pageB.getByTestId('problem-row').filter({ hasText: description });
    await row.getByRole('button').first().click();
    return pageB.getByTestId('history');
  };
  const before = await history();
  await expect(before).toContainText('暗访人员（未公开）');
  await expect(before).not.toContainText(inspector!.title);

  // The console names the inspector and publishes.
  const walk = (await api.walks()).walks.find((w) => w.serviceItem === serviceItem)!;
  const consolePage = await (await browser.newContext()).newPage();
  await consolePage.goto('/admin');
  await consolePage.getByLabel('用户名').fill('admin');
  await consolePage.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await consolePage.getByRole('button', { name: '登录' }).click();
  await consolePage.getByTestId('admin-tab-walks').click();
  await consolePage
    .getByTestId('walk-row')
    .filter({ hasText: serviceItem })
    .getByRole('button')
    .first()
    .click();
  const report = consolePage.getByTestId('walk-report');
  await expect(report).toContainText(inspector!.title);
  await report.getByTestId('publish-walk').click();
  await expect(report.getByTestId('walk-published')).toBeVisible();
  expect((await api.walkReport(walk.id)).walk.publishedAt).toBeTruthy();

  // Tablet B learns it on its next sync.
  await expect(async () => {
    await pageB.reload();
    await expect(await history()).toContainText(inspector!.title, { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(pageB.getByTestId('history')).not.toContainText('暗访人员（未公开）');
});
