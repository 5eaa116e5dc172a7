import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { hallDate } from '../../src/domain/schedule';
import { ConsoleApi } from './support/console-api';

type Cell = string | number;

/** The console's export panel of a section. */
class ExportPanelPage {
  constructor(private readonly page: Page) {}

  private get panel() {
    return this.page.getByTestId('export-panel');
  }

  /** Pick an option of the drop-down whose label begins with `label`. */
  async choose(label: string, option: string): Promise<void> {
    await this.panel
      .getByRole('combobox', { name: new RegExp(`^${label}`) })
      .selectOption({ label: option });
  }

  link(kind: string, format: 'csv' | 'xlsx') {
    return this.panel.getByTestId(`export-${kind}-${format}`);
  }

  /** Click a download link; the file's suggested name and bytes. */
  async download(kind: string, format: 'csv' | 'xlsx'): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.link(kind, format).click(),
    ]);
    return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
  }
}

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

const csvText = (cell: Cell) =>
  typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : String(cell);

test('the ratings section exports the ratings of a window and a level as CSV and XLSX, and only those', async ({
  page,
}) => {
  const windows = await api.windows();
  const window = windows[windows.length - 1]!;
  const elsewhere = windows.find((w) => w.department.id !== window.department.id)!;
  const tag = `导出${Date.now()}`;
  await api.rateAt(window, [
    { level: 'dissatisfied', reasons: ['attitude'], comment: `${tag} 态度差` },
    { level: 'satisfied', comment: `${tag} 满意` },
    { level: 'dissatisfied', reasons: ['waited_too_long'], comment: `+${tag}`, ticket: tag },
  ]);
  await api.rateAt(elsewhere, [
    { level: 'dissatisfied', reasons: ['other'], comment: `${tag} 别处` },
  ]);

  await page.goto('/admin');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('admin-tab-ratings').click();

  const panel = new ExportPanelPage(page);
  await panel.choose('部门', window.department.name);
  await panel.choose('窗口', `${window.code} ${window.name}`);
  await panel.choose('评价等级', '不满意');
  await expect(panel.link('ratings', 'csv')).toHaveAttribute(
    'href',
    new RegExp(`window=${window.id}&level=dissatisfied$`),
  );

  // What the server holds for that window and level this month (other suites rate too).
  const today = hallDate(Date.now());
  const expected = (await api.ratings()).filter(
    (r) =>
      r.windowCode === window.code &&
      r.level === 'dissatisfied' &&
      hallDate(Date.parse((r as { at?: string }).at!)) >= `${today.slice(0, 7)}-01`,
  );

  const csv = await panel.download('ratings', 'csv');
  expect(csv.name).toMatch(/\.csv$/);
  expect(csv.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  const rows = Papa.parse<string[]>(csv.bytes.toString('utf8').slice(1), {
    newline: '\r\n',
    skipEmptyLines: true,
  }).data;
  expect(rows[0]).toEqual([
    '评价时间',
    '部门',
    '窗口编号',
    '窗口名称',
    '评价等级',
    '评价渠道',
    '差评原因',
    '评价内容',
    '办件号',
    '评价设备',
    '领导坐班中',
  ]);
  const body = rows.slice(1);
  expect(body).toHaveLength(expected.length);
  for (const row of body) {
    expect(row.slice(1, 5)).toEqual([window.department.name, window.code, window.name, '不满意']);
  }
  const comments = body.map((r) => r[7]);
  expect(comments).toContain(`${tag} 态度差`);
  expect(comments).toContain(`'+${tag}`);
  expect(comments).not.toContain(`${tag} 满意`);
  expect(comments).not.toContain(`${tag} 别处`);
  expect(body.find((r) => r[7] === `'+${tag}`)!.slice(6, 9)).toEqual([
    '等候时间长',
    `'+${tag}`,
    tag,
  ]);

  const xlsx = await panel.download('ratings', 'xlsx');
  expect(xlsx.name).toMatch(/\.xlsx$/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('评价记录')!;
  const sheetRows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= rows[0]!.length; c++) {
      const value = row.getCell(c).value as Cell | null;
      cells.push(value === null ? '' : csvText(value));
    }
    sheetRows.push(cells);
  });
  expect(sheetRows).toEqual(rows);
});
