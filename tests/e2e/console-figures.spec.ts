/**
 * The console's figures on a hall with 30 days of demo history: the dashboard draws its charts and
 * its numbers agree with each other, a filter changes them, the ranking's points add up to each
 * score, and the monthly report is ready to print.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const PORT = 8183;
let server: ServerProcess;

test.use({ baseURL: `http://127.0.0.1:${PORT}` });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  server = await startServerProcess(PORT, { DEMO_HISTORY_DAYS: '30' });
});
test.afterAll(async () => server?.stop());

/** The console's figures pages, as an administrator reads them. */
class FiguresPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/admin');
    await this.page.getByLabel('用户名').fill('admin');
    await this.page.getByLabel('密码').fill(server.adminPassword);
    await this.page.getByRole('button', { name: '登录' }).click();
    await expect(this.page.getByRole('heading', { name: '概览', level: 2 })).toBeVisible();
  }

  kpi(key: string): Locator {
    return this.page.getByTestId(`kpi-${key}`).getByTestId('kpi-value');
  }

  async total(): Promise<number> {
    return Number(await this.kpi('total').textContent());
  }

  chart(key: string): Locator {
    return this.page.getByTestId(`chart-${key}`);
  }

  /** The numbers behind a chart, opened with "查看数据": each row's category and values. */
  async chartNumbers(key: string): Promise<string[][]> {
    const chart = this.chart(key);
    await chart.getByText('查看数据').click();
    const rows = chart.getByTestId(`chart-table-${key}`).locator('tbody tr');
    return rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent!.trim())),
    );
  }

  async showing(): Promise<string> {
    return (await this.page.getByTestId('dashboard-showing').textContent()) ?? '';
  }

  /** Wait until the figures shown are those of the filters just chosen. */
  async settled(): Promise<void> {
    await expect(this.page.getByRole('button', { name: '刷新' })).toBeEnabled();
  }
}

test('the dashboard draws the demo history, its numbers agree, and a filter changes them', async ({
  page,
}) => {
  const figures = new FiguresPage(page);
  await figures.open();
  await figures.page.getByRole('radio', { name: '近30天' }).check();
  await figures.settled();

  const hallTotal = await figures.total();
  expect(hallTotal).toBeGreaterThan(0);
  await expect(figures.kpi('goodRate')).toHaveText(/^\d+\.\d%$/);

  // chart.js drew on the canvas (loaded by the console only when a chart is shown).
  const canvas = figures.chart('levels').locator('canvas');
  await expect(canvas).toBeVisible();
  await expect
    .poll(() => canvas.evaluate((c: HTMLCanvasElement) => c.width > 0 && c.style.display))
    .toBe('block');

  // The five levels add up to the ratings counted; the trend has a bucket per day.
  const levels = await figures.chartNumbers('levels');
  expect(levels.map((r) => r[0])).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
  expect(levels.reduce((sum, r) => sum + Number(r[1]), 0)).toBe(hallTotal);
  const trend = await figures.chartNumbers('trend');
  expect(trend).toHaveLength(30);
  expect(trend.reduce((sum, r) => sum + Number(r[1]), 0)).toBe(hallTotal);
  await expect(figures.chart('dutyEffect').getByTestId('chart-notes')).toContainText(
    /坐班时段 好评率 (\d+\.\d%|—)（共 \d+ 条）/,
  );

  // The hall-wide table's departments add up to the hall.
  const rows = page.getByTestId('figures-department');
  const counts = await rows
    .locator('[data-column="total"]')
    .evaluateAll((tds) => tds.map((td) => Number(td.textContent)));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(hallTotal);
  const busiest = counts.indexOf(Math.max(...counts));
  const name = (await rows.nth(busiest).locator('th').textContent())!.trim();
  const departmentTotal = counts[busiest]!;
  expect(departmentTotal).toBeLessThan(hallTotal);

  // One department: its own figures, as the hall-wide table gave them.
  await page.getByRole('combobox', { name: /^部门/ }).selectOption({ label: name });
  await figures.settled();
  await expect(page.getByTestId('dashboard-showing')).toContainText(name);
  await expect(figures.kpi('total')).toHaveText(String(departmentTotal));
  await expect(page.getByTestId('figures-departments')).toHaveCount(0);

  // A shorter period: fewer ratings, and the period said.
  const before = await figures.showing();
  await page.getByRole('radio', { name: '近7天' }).check();
  await figures.settled();
  await expect.poll(() => figures.showing()).not.toBe(before);
  expect(await figures.total()).toBeLessThan(departmentTotal);
  expect(await figures.chartNumbers('trend')).toHaveLength(7);

  // Back to the whole hall.
  await page.getByRole('combobox', { name: /^部门/ }).selectOption({ label: '全部（全大厅）' });
  await figures.settled();
  await expect(page.getByTestId('dashboard-showing')).toContainText('全大厅');
});

test('the ranking shows each component, and the points add up to every score', async ({ page }) => {
  const figures = new FiguresPage(page);
  await figures.open();
  await page.getByTestId('admin-tab-ranking').click();
  await expect(page.getByTestId('ranking-weights')).toContainText('满意度');
  await expect(page.getByRole('button', { name: '下个月 →' })).toBeDisabled();

  const rows = page.getByTestId('ranking-row');
  await expect(rows.first()).toBeVisible();
  const table = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({
      rank: tr.querySelector('[data-testid="ranking-rank"]')!.textContent!.trim(),
      score: tr.querySelector('[data-testid="ranking-score"]')!.textContent!.trim(),
      points: [...tr.querySelectorAll('[data-testid="ranking-points"]')].map((p) =>
        Number(p.textContent),
      ),
      sum: tr.querySelector('[data-testid="ranking-sum"]')?.textContent?.trim() ?? null,
      change: tr.querySelector('[data-testid="ranking-change"]')!.textContent!.trim(),
    })),
  );
  const scored = table.filter((r) => r.rank !== '—');
  expect(scored.length).toBeGreaterThan(1);
  for (const row of scored) {
    const sum = row.points.reduce((a, b) => a + b, 0);
    expect(Math.round(sum * 10) / 10).toBe(Number(row.score));
    expect(row.sum).toBe(`${row.points.map((p) => p.toFixed(1)).join(' + ')} = ${row.score}`);
    expect(row.change).toMatch(/上升 \d+ 位|下降 \d+ 位|持平|新上榜/);
  }
  // Best first.
  const scores = scored.map((r) => Number(r.score));
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);

  // The month before, then back.
  const month = page.getByTestId('ranking-month');
  const current = await month.inputValue();
  await page.getByRole('button', { name: '← 上个月' }).click();
  await expect(month).not.toHaveValue(current);
  await page.getByRole('button', { name: '下个月 →' }).click();
  await expect(month).toHaveValue(current);

  await page.getByRole('button', { name: '在大厅设置中修改权重' }).click();
  await expect(page.getByTestId('admin-tab-settings')).toHaveAttribute('aria-pressed', 'true');
});

test('the monthly report of the hall and of a department, ready to print', async ({ page }) => {
  const figures = new FiguresPage(page);
  await figures.open();
  await page.getByTestId('admin-tab-report').click();
  const report = page.getByTestId('monthly-report');
  await expect(report.getByTestId('report-title')).toContainText('月度报告');
  await expect(report.getByTestId('report-kpis')).toContainText('好评率');
  const hallRows = await report.getByTestId('report-ranking').getByTestId('ranking-row').count();
  expect(hallRows).toBeGreaterThan(1);
  await expect(page.getByTestId('print-monthly')).toBeVisible();

  const choice = page.getByRole('combobox', { name: /^部门/ });
  const department = (await choice.locator('option').nth(1).textContent())!.trim();
  await choice.selectOption({ label: department });
  await expect(report.getByTestId('report-title')).toContainText(department);
  await expect(report.getByTestId('report-ranking').getByTestId('ranking-row')).toHaveCount(1);
  await expect(report.getByTestId('report-rank')).toContainText(/第 \d+ 名|未参与排名/);

  // Printed: no tabs and no buttons, the report itself.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByTestId('admin-tab-report')).toBeHidden();
  await expect(page.getByTestId('print-monthly')).toBeHidden();
  await expect(report).toBeVisible();
});
