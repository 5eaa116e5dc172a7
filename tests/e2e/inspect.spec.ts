import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type Route } from '@playwright/test';
import { ConsoleApi, type Leader } from './support/console-api';
import { InspectPage, cameraPhoto } from './support/inspect';
import { RatePage, enrollThisBrowser, levelButton, pendingCount } from './support/pages';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

/** An enrolled inspection tablet that has synced once (so it holds the leaders' PINs). */
async function openTablet(page: Page): Promise<InspectPage> {
  await enrollThisBrowser(page, await api.enrollInspectionTablet());
  const tablet = new InspectPage(page);
  await tablet.open();
  await expect(page.getByTestId('leader-button').first()).toBeVisible();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect(page.getByTestId('last-sync')).not.toContainText('尚未同步');
  return tablet;
}

async function consoleLogin(page: Page): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

async function leaderOf(department: string): Promise<Leader> {
  return (await api.leaders()).find((l) => l.title.startsWith(department))!;
}

test('offline, a leader walks a service on the tablet, records two findings with a photo, reloads and resumes, ends the walk; online, the findings arrive before the photo, whose cut-off upload is retried until the console shows it', async ({
  page,
  context,
  browser,
}) => {
  test.setTimeout(180_000);
  const leader = await leaderOf('不动产登记');
  await api.setPin(leader.id, '357911');
  const tablet = await openTablet(page);
  const photo = await cameraPhoto(page);
  await context.setOffline(true);

  await tablet.signIn(leader.title, '357911');
  await expect(page.getByTestId('inspector')).toContainText(leader.title);
  await tablet.startWalk('暗访', leader.departmentName, '不动产转移登记');
  await tablet.mark('窗口服务体验', '没问题');
  await tablet.mark('群众能否看懂办事指南', '有问题');
  await tablet.saveFinding('办事指南第3页所列材料与窗口实际要求不一致', '严重', [photo]);
  await expect(page.getByTestId('finding-row').first().getByTestId('photo')).toBeVisible();
  await tablet.mark('跑动次数', '有问题');
  await tablet.saveFinding('缴税需到另一楼层窗口，群众多跑一次', '一般');
  await expect.poll(() => pendingCount(page)).toBeGreaterThanOrEqual(6);

  // A dead battery, or a reload: the walk is kept, the leader signs in again and resumes it.
  await page.reload();
  await tablet.signIn(leader.title, '357911');
  const open = page.getByTestId('walk-row').filter({ hasText: '暗访' });
  await expect(open).toHaveCount(1);
  await open.getByRole('button', { name: '继续' }).click();
  await expect(page.getByTestId('finding-row')).toHaveCount(2);
  await expect(
    tablet.checkItem('跑动次数').getByRole('button', {
      name: '有问题',
      exact: true,
    }),
  ).toHaveAttribute('aria-pressed', 'true');
  await tablet.endWalk('暗访发现两处问题，已现场反馈窗口负责人');
  await expect(page.getByTestId('count-problem')).toContainText('2');
  await expect(page.getByTestId('pending-photos')).toBeVisible();

  // Online again, but the photo's upload is cut off at first: the findings arrive before it.
  const cutUploads = (route: Route) =>
    route.request().method() === 'PUT' ? route.abort('connectionreset') : route.continue();
  await page.route('**/api/v1/blobs/**', cutUploads);
  await context.setOffline(false);
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  await expect(page.getByTestId('pending-photos')).toBeVisible();

  // The server has the walk, both findings, and the photo — downscaled, byte for byte.
  const walk = (await api.walks()).walks.find(
    (w) => w.leader.id === leader.id && w.serviceItem === '不动产转移登记',
  )!;
  expect(walk).toMatchObject({ mode: 'unannounced', findings: 2 });
  expect(walk.counts).toMatchObject({ fine: 1, problem: 2 });
  const report = await api.walkReport(walk.id);
  expect(report.walk.summary).toBe('暗访发现两处问题，已现场反馈窗口负责人');
  const withPhoto = report.findings.find((f) => f.photoViews.length > 0)!;
  expect(withPhoto.description).toContain('办事指南第3页');
  expect(withPhoto.photoViews[0]!.arrived).toBe(false);

  // The console says the photo is still on the tablet.
  const consolePage = await (await browser.newContext()).newPage();
  await consoleLogin(consolePage);
  await consolePage.getByTestId('admin-tab-walks').click();
  await consolePage
    .getByTestId('walk-row')
    .filter({ hasText: '不动产转移登记' })
    .getByRole('button')
    .first()
    .click();
  const printable = consolePage.getByTestId('walk-report');
  await expect(printable).toContainText(leader.title);
  await expect(printable).toContainText('暗访');
  await expect(printable.getByTestId('finding-row')).toHaveCount(2);
  await expect(printable.getByTestId('photo-pending')).toHaveCount(1);

  // The upload is retried and arrives, once.
  await page.unroute('**/api/v1/blobs/**', cutUploads);
  await expect(page.getByTestId('pending-photos')).toHaveCount(0, { timeout: 60_000 });
  const [view] = (await api.walkReport(walk.id)).findings.find(
    (f) => f.photoViews.length > 0,
  )!.photoViews;
  expect(view!.arrived).toBe(true);
  expect(view!.type).toBe('image/jpeg');
  expect(view!.size).toBeLessThan(photo.length);
  const bytes = await api.blob(view!.sha256);
  expect(bytes!.length).toBe(view!.size);

  // The console's printable report now shows the photo.
  await consolePage.getByRole('button', { name: '刷新' }).first().click();
  await expect(printable.getByTestId('photo-pending')).toHaveCount(0);
  const img = printable.getByTestId('photo').first();
  await expect(img).toBeVisible();
  await expect
    .poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);
  // Downscaled on the tablet: at most 1600 px on the long edge.
  expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeLessThanOrEqual(
    1600,
  );

  // And the problem list has both, by their walk.
  const listed = await api.problems(`?walk=${walk.id}`);
  expect(listed.problems.map((p) => p.status)).toEqual(['found', 'found']);
  await consolePage.context().close();
});

test('a 差评 becomes a problem; the console assigns, rectifies and verifies it; the tablet sees it verified and the citizen follows it and rates again (追评)', async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const card = await api.window('A01');
  const comment = `第${Date.now() % 100000}号：等了两个小时无人叫号`;

  // The citizen's phone.
  const phone = new RatePage(page);
  await phone.open(card.ratingPath);
  await phone.rate('very_dissatisfied', { reasons: ['等候时间长'], comment });
  await expect(phone.thanks).toBeVisible();
  await expect(page.getByTestId('thanks-progress')).toBeVisible();
  const find = async () =>
    (await api.problems('?source=rating')).problems.find((p) => p.description.includes(comment));
  await expect.poll(find, { timeout: 30_000 }).toBeTruthy();
  const problem = (await find())!;
  expect(problem).toMatchObject({ status: 'found', source: 'rating', severity: 'high' });

  // The console works it through.
  const consoleContext = await browser.newContext();
  const consolePage = await consoleContext.newPage();
  await consoleLogin(consolePage);
  await consolePage.getByTestId('admin-tab-problems').click();
  await consolePage
    .getByTestId('problem-row')
    .filter({ hasText: comment })
    .getByRole('button')
    .first()
    .click();
  const detail = consolePage.getByTestId('problem-detail');
  await expect(detail.getByTestId('detail-status')).toHaveText('待处理');
  const step = async (action: string, status: string, fill?: () => Promise<void>) => {
    await detail.getByTestId(`action-${action}`).click();
    await fill?.();
    await detail.getByRole('button', { name: '提交' }).click();
    await expect(detail.getByTestId('detail-status')).toHaveText(status);
  };
  await step('assign', '已交办', async () => {
    await detail.getByLabel('责任岗位（如 综合窗口负责人）').fill('综合窗口负责人');
  });
  await step('rectifying', '整改中');
  await step('rectified', '已整改', async () => {
    await detail.getByLabel('说明（选填）').fill('增设叫号提醒，高峰时段增开窗口');
  });
  await step('verified', '已验收');
  await expect(detail.getByTestId('history-step')).toHaveCount(5);
  expect(await seriousViolations(consolePage)).toEqual([]);

  // A tablet that syncs now sees the new state, offline too.
  const leader = await leaderOf('税务');
  await api.setPin(leader.id, '864200');
  const tabletContext = await browser.newContext();
  const tabletPage = await tabletContext.newPage();
  const tablet = await openTablet(tabletPage);
  await tabletContext.setOffline(true);
  await tablet.signIn(leader.title, '864200');
  await tabletPage.getByRole('button', { name: '全部部门' }).click();
  const row = tabletPage.getByTestId('problem-row').filter({ hasText: comment });
  await expect(row).toContainText('已验收');
  await tabletContext.close();

  // The citizen follows it on the same phone and gives a follow-up rating.
  await phone.open(card.ratingPath);
  const item = page.getByTestId('progress-item').filter({ hasText: card.name });
  await expect(item.getByTestId('follow-up-form')).toBeVisible({ timeout: 30_000 });
  await expect(item.getByTestId('progress-steps')).toContainText('整改');
  await levelButton(item.getByTestId('follow-up-form'), 'satisfied').click();
  await item.getByRole('button', { name: '提交追评' }).click();
  await expect(page.getByText('感谢您的追评')).toBeVisible();
  await expect
    .poll(async () => (await api.problem(problem.id)).problem.followUp?.level, { timeout: 30_000 })
    .toBe('satisfied');
  await consoleContext.close();
});

test('the inspection tablet speaks English and has no serious or critical accessibility violation', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const leader = await leaderOf('住房公积金');
  await api.setPin(leader.id, '246802');
  const tablet = await openTablet(page);
  expect(await seriousViolations(page)).toEqual([]);
  await tablet.signIn(leader.title, '246802');
  expect(await seriousViolations(page)).toEqual([]);
  await tablet.startWalk('陪同办', leader.departmentName, '');
  await tablet.mark('办事指南', '有问题');
  await expect(page.getByTestId('finding-form')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByTestId('locale-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('button', { name: 'Save the problem' })).toBeVisible();
  // Every label, hint and button of the walk is translated (checklist items are the hall's data).
  expect(await page.getByTestId('finding-form').innerText()).not.toMatch(/[\u4e00-\u9fff]/);
});
