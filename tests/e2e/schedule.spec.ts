import { expect, test } from '@playwright/test';
import { hallDate } from '../../src/domain/schedule';
import { ConsoleApi } from './support/console-api';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

const LEADER = '税务局副局长';
const SCHEDULE_API = '**/api/v1/public/schedule*';

test("the public schedule shows today's published shift and the week, and after a reload with the server away still shows them with their time", async ({
  page,
}) => {
  const leader = (await api.leaders()).find((l) => l.title === LEADER)!;
  await api.addShift(leader.id, hallDate(Date.now()), '00:00', '23:59');

  await page.goto('/schedule');
  await expect(page.getByTestId('schedule-date')).toBeVisible();
  const shift = page.getByTestId('today-shift').filter({ hasText: LEADER });
  await expect(shift.first()).toContainText('00:00–23:59');
  await expect(page.getByTestId('week-table')).toContainText(LEADER);
  await expect(page.getByText(/更新于 .+，每分钟自动刷新/)).toBeVisible();
  await expect(page.getByTestId('schedule-stale')).toHaveCount(0);

  // The server out of reach: the page opens with what it kept, and says from when.
  await page.route(SCHEDULE_API, (route) => route.abort('connectionrefused'));
  await page.reload();
  await expect(page.getByTestId('schedule-stale')).toBeVisible();
  await expect(page.getByTestId('schedule-stale')).toContainText('暂时无法连接服务器');
  await expect(shift.first()).toContainText('00:00–23:59');
  await expect(page.getByTestId('week-table')).toContainText(LEADER);
});

test('the public schedule says plainly that it cannot load when nothing is kept and the server is away', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route(SCHEDULE_API, (route) => route.abort('connectionrefused'));
  await page.goto('/schedule');
  await expect(page.getByTestId('schedule-failed')).toBeVisible();
  await expect(page.getByTestId('today-shift')).toHaveCount(0);
  await context.close();
});
