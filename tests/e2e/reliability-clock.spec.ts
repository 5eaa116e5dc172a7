/**
 * Devices whose clocks are wrong: one evaluator an hour ahead, another a day behind (the page's
 * `Date` shifted before any app code runs; timers run at the real pace). Ratings taken one after
 * the other on the two keep that order on the server — by the hall's order of events and by their
 * hybrid-clock stamps, the device's own and the server's — and a 差评's deadlines, as an
 * inspection tablet with a wrong clock shows them, are the ones the server computes.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { holidayCalendar } from '../../src/domain/calendar';
import { problemDeadlines, type Deadline } from '../../src/domain/problem';
import { DEFAULT_SETTINGS } from '../../src/domain/reference';
import { recordFigures } from '../support/reliability';
import { ConsoleApi, type WindowCard } from './support/console-api';
import { InspectPage } from './support/inspect';
import { EvaluatorPage, enrollThisBrowser, pendingCount, type Level } from './support/pages';
import { deviceSnapshot, hallEvents } from './support/persistent-browser';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const figures = {
  'device clock skews': 3,
  'ratings ordered across skewed devices': 0,
  'deadlines compared with the server': 0,
  'of them a reading of the device clock would get wrong': 0,
  'out of order': 0,
};

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => {
  await api.dispose();
  recordFigures('browser-clock', figures);
});

/** A browser context whose wall clock reads `offsetMs` off the real one. */
async function skewedContext(browser: Browser, offsetMs: number): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript((offset: number) => {
    const RealDate = Date;
    class SkewedDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(RealDate.now() + offset);
        else super(...(args as [string]));
      }
      static override now(): number {
        return RealDate.now() + offset;
      }
    }
    globalThis.Date = SkewedDate as DateConstructor;
  }, offsetMs);
  return context;
}

/** The page's clock is off by about `offsetMs`. */
async function expectSkew(page: Page, offsetMs: number): Promise<void> {
  const off = (await page.evaluate(() => Date.now())) - Date.now();
  expect(Math.abs(off - offsetMs)).toBeLessThan(60_000);
}

async function evaluatorAt(context: BrowserContext, window: WindowCard): Promise<EvaluatorPage> {
  const page = await context.newPage();
  await enrollThisBrowser(page, await api.enrollEvaluator(window.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  // The first sync teaches the device the server's time.
  await expect(page.getByTestId('last-sync')).not.toContainText('尚未同步', { timeout: 30_000 });
  return evaluator;
}

/** What the tablet says of a deadline, in the words of inspect-words.ts. */
function deadlineText(d: Deadline): string {
  if (d.done) return d.late ? '已完成（超过期限）' : '已按期完成';
  if (d.overdue) return d.remaining < 0 ? `已逾期 ${-d.remaining} 个工作日` : '已过期限';
  if (d.remaining <= 0) return '今天到期';
  return `还剩 ${d.remaining} 个工作日`;
}

test('ratings taken in turn on an evaluator an hour ahead and one a day behind keep their order on the server; tablets a day and three days behind show the server’s deadlines', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(150_000);
  const ahead = await api.window('G01');
  const behind = await api.window('G02');
  const aheadContext = await skewedContext(browser, HOUR);
  const behindContext = await skewedContext(browser, -DAY);
  const a = await evaluatorAt(aheadContext, ahead);
  const b = await evaluatorAt(behindContext, behind);
  await expectSkew(a.page, HOUR);
  await expectSkew(b.page, -DAY);

  // In turn, each synced before the next is taken: the real order.
  const order: string[] = [];
  const levels: Level[] = ['very_satisfied', 'satisfied', 'basically_satisfied'];
  for (let i = 0; i < 6; i++) {
    const device = i % 2 === 0 ? a : b;
    const before = new Set((await deviceSnapshot(device.page)).logRatings.map((r) => r.id));
    await device.rate(levels[i % levels.length]!);
    const taken = (await deviceSnapshot(device.page)).logRatings.filter((r) => !before.has(r.id));
    expect(taken).toHaveLength(1);
    order.push(taken[0]!.id);
    await expect.poll(() => pendingCount(device.page), { timeout: 30_000 }).toBe(0);
  }
  // A 差评 on the tablet a day behind; the server makes it a problem.
  await b.rate('dissatisfied', '系统故障');
  await expect.poll(() => pendingCount(b.page), { timeout: 30_000 }).toBe(0);

  const other = await api.enrolledEvaluator(ahead.id);
  const events = (await hallEvents(baseURL!, other.token)).filter((e) => order.includes(e.id));
  const byHallSeq = [...events].sort((x, y) => x.hallSeq - y.hallSeq).map((e) => e.id);
  const byServerHlc = [...events].sort((x, y) => (x.hlc < y.hlc ? -1 : 1)).map((e) => e.id);
  const own = {
    ...(await deviceSnapshot(a.page)).hlcs,
    ...(await deviceSnapshot(b.page)).hlcs,
  };
  const byDeviceHlc = [...order].sort((x, y) => (own[x]! < own[y]! ? -1 : 1));
  figures['ratings ordered across skewed devices'] = events.length;
  figures['out of order'] = [byHallSeq, byServerHlc, byDeviceHlc].filter(
    (o) => o.join() !== order.join(),
  ).length;
  expect(byHallSeq).toEqual(order);
  expect(byServerHlc).toEqual(order);
  expect(byDeviceHlc).toEqual(order);

  // The server's deadlines of the 差评's problem.
  const find = async () =>
    (await api.problems('?source=rating')).problems.find(
      (p) => p.window?.code === 'G02' && p.status === 'found',
    );
  await expect.poll(find, { timeout: 30_000 }).toBeTruthy();
  const { deadlines, problem } = await api.problem((await find())!.id);
  const callBack = deadlines.callBack!;

  // Inspection tablets a day behind, and three days behind (so that the check tells even on a
  // weekend, which a day's error may not change), show the server's due days and days left.
  const leader = (await api.leaders()).find((l) => l.departmentId === behind.department.id)!;
  await api.setPin(leader.id, '513700');
  for (const offset of [-DAY, -3 * DAY]) {
    const tabletContext = await skewedContext(browser, offset);
    const tabletPage = await tabletContext.newPage();
    await enrollThisBrowser(tabletPage, await api.enrollInspectionTablet());
    const tablet = new InspectPage(tabletPage);
    await tablet.open();
    await expectSkew(tabletPage, offset);
    await expect(tabletPage.getByTestId('last-sync')).not.toContainText('尚未同步', {
      timeout: 30_000,
    });
    await tablet.signIn(leader.title, '513700');
    await tabletPage.getByRole('button', { name: '全部部门' }).click();
    const row = tabletPage.getByTestId('problem-row').filter({ hasText: '系统故障' });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(deadlineText(deadlines.rectify));
    await row.getByRole('button', { name: '查看详情' }).click();
    await expect(tabletPage.getByTestId('rectify-deadline')).toHaveText(
      `${deadlines.rectify.due} · ${deadlineText(deadlines.rectify)}`,
    );
    await expect(tabletPage.getByTestId('call-back-deadline')).toHaveText(
      `${callBack.due} · ${deadlineText(callBack)}`,
    );
    figures['deadlines compared with the server'] += 2;
    // What the tablet's own clock, uncorrected, would have shown.
    const uncorrected = problemDeadlines(
      problem,
      Date.now() + offset,
      holidayCalendar({}),
      DEFAULT_SETTINGS,
    );
    figures['of them a reading of the device clock would get wrong'] += [
      [uncorrected.rectify, deadlines.rectify],
      [uncorrected.callBack!, callBack],
    ].filter(([wrong, right]) => deadlineText(wrong!) !== deadlineText(right!)).length;
    await tabletContext.close();
  }
  // Three days off changes the days left whatever the weekday.
  expect(figures['of them a reading of the device clock would get wrong']).toBeGreaterThan(0);

  await Promise.all([aheadContext.close(), behindContext.close()]);
});
