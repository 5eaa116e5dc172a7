import { expect, test } from '@playwright/test';
import { hallDate } from '../../src/domain/schedule';
import type { BoardResponse } from '../../src/sync/report-protocol';
import { ConsoleApi } from './support/console-api';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

// A department and leader no other browser test schedules or rates (they share one server).
const DEPARTMENT = '市场监管';
const LEADER = '市场监督管理局副局长';

test("the hall board shows a department's month figures and a leader on duty, and refreshes after a new rating", async ({
  page,
  request,
}) => {
  const leader = (await api.leaders()).find((l) => l.title === LEADER)!;
  await api.addShift(leader.id, hallDate(Date.now()), '00:00', '23:59');
  const window = (await api.windows()).find((w) => w.department.name === DEPARTMENT)!;
  const before = (await (await request.get('/api/v1/public/board')).json()) as BoardResponse;
  const figures = before.departments.find((d) => d.name === DEPARTMENT)!;

  // A refresh every 2 s instead of every minute (see src/app/router.ts).
  await page.goto('/board?refresh=2');
  const row = page
    .getByTestId('board-department')
    .filter({ has: page.getByRole('rowheader', { name: DEPARTMENT, exact: true }) });
  await expect(row).toContainText(`${figures.total} 条`);
  await expect(page.getByTestId('board-leader').filter({ hasText: LEADER }).first()).toContainText(
    '已安排',
  );
  await expect(page.getByTestId('board-updated')).toContainText(/更新于 \d\d:\d\d/);

  // A rating at one of the department's windows reaches the board by itself.
  await api.rateAt(window, [{}]);
  const rate = (((figures.good + 1) / (figures.total + 1)) * 100).toFixed(1);
  await expect(row).toContainText(`${figures.total + 1} 条`, { timeout: 10_000 });
  await expect(row).toContainText(`${rate}%`);

  // The server out of reach: the figures stay, with a calm notice of when they were current.
  await page.route('**/api/v1/public/board', (route) => route.abort('connectionrefused'));
  await expect(page.getByTestId('board-stale')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('board-stale')).toContainText(/\d\d:\d\d/);
  await expect(row).toContainText(`${figures.total + 1} 条`);

  // In English too.
  await page.unroute('**/api/v1/public/board');
  await page.getByTestId('locale-switch').click();
  await expect(page.getByRole('heading', { name: 'Leaders on duty today' })).toBeVisible();
  await expect(page.getByTestId('board-stale')).toBeHidden({ timeout: 10_000 });
});
