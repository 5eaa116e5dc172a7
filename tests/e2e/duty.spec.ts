import { expect, test, type Page } from '@playwright/test';
import { hallDate, hallMinutes } from '../../src/domain/schedule';
import { ConsoleApi, type Leader } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, pendingCount } from './support/pages';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** A published shift for `leader` running now (hall-local), and a PIN. */
async function onDutyToday(leader: Leader, pin: string): Promise<void> {
  const now = Date.now();
  const minutes = hallMinutes(now);
  await api.setPin(leader.id, pin);
  await api.addShift(
    leader.id,
    hallDate(now),
    hhmm(Math.max(0, minutes - 5)),
    hhmm(Math.min(23 * 60 + 59, minutes + 120)),
  );
}

async function openKiosk(page: Page): Promise<void> {
  await enrollThisBrowser(page, await api.enrollDutyKiosk());
  await page.goto('/kiosk/duty');
  await expect(page.getByTestId('duty-schedule')).toBeVisible();
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The roster's PINs arrive with the first sync round.
  await expect(page.getByTestId('last-sync')).not.toContainText('尚未同步');
}

async function enterPin(page: Page, pin: string): Promise<void> {
  const pad = page.getByRole('group', { name: /PIN/ });
  for (const digit of pin) await pad.getByRole('button', { name: digit, exact: true }).click();
  await page.getByTestId('pin-submit').click();
}

async function chooseLeader(page: Page, leader: Leader): Promise<void> {
  await page.getByTestId('leader-button').filter({ hasText: leader.title }).click();
}

async function addLedger(
  page: Page,
  kind: string,
  opts: { count?: string; text?: string; followUp?: boolean },
) {
  await page.getByLabel(kind).check();
  if (opts.count) await page.getByLabel('数量（人数或件数）').fill(opts.count);
  if (opts.text) await page.locator('#ledger-text').fill(opts.text);
  if (opts.followUp) await page.getByLabel('需要跟进整改').check();
  const lines = await page
    .getByTestId('ledger-lines')
    .locator('li')
    .count()
    .catch(() => 0);
  await page.getByRole('button', { name: '添加记录' }).click();
  await expect(page.getByTestId('ledger-lines').locator('li')).toHaveCount(lines + 1);
}

test('offline, a leader signs in after a wrong PIN, keeps the ledger and signs out; online, the console counts the shift attended and the evaluator shows who is on duty', async ({
  page,
  context,
  browser,
}) => {
  test.setTimeout(120_000);
  const leader = (await api.leaders()).find((l) => l.title.startsWith('医疗保障局'))!;
  await onDutyToday(leader, '246810');
  const kiosk = page;
  await openKiosk(kiosk);
  await expect(kiosk.getByTestId('duty-schedule')).toContainText(leader.title);
  await context.setOffline(true);

  await chooseLeader(kiosk, leader);
  await enterPin(kiosk, '111111');
  await expect(kiosk.getByTestId('pin-error')).toBeVisible();
  await enterPin(kiosk, '246810');
  await expect(kiosk.getByTestId('duty-session')).toContainText(leader.title);

  await addLedger(kiosk, '接待群众', { count: '12' });
  await addLedger(kiosk, '办理业务', { count: '7' });
  await addLedger(kiosk, '收到投诉', { text: '叫号屏不显示窗口号', followUp: true });
  await expect(kiosk.getByTestId('session-totals')).toContainText('12');
  await expect.poll(() => pendingCount(kiosk)).toBeGreaterThanOrEqual(4);

  // Back online: the sign-in reaches the server, and an evaluator of that department shows it.
  await context.setOffline(false);
  await expect.poll(() => pendingCount(kiosk), { timeout: 30_000 }).toBe(0);

  const window = (await api.windows()).find((w) => w.department.id === leader.departmentId)!;
  const tablet = await browser.newContext();
  const evaluatorPage = await tablet.newPage();
  await enrollThisBrowser(evaluatorPage, await api.enrollEvaluator(window.id));
  const evaluator = new EvaluatorPage(evaluatorPage);
  await evaluator.open();
  await expect(evaluatorPage.getByTestId('on-duty')).toContainText(`今日坐班：${leader.title}`);
  await evaluator.rate('satisfied');
  await expect.poll(() => pendingCount(evaluatorPage), { timeout: 30_000 }).toBe(0);
  const rating = (await api.ratings()).find((r) => r.windowCode === window.code)!;
  expect(rating.dutySessionId).toBeTruthy();
  await tablet.close();

  await kiosk.getByTestId('sign-out').click();
  await kiosk.getByTestId('sign-out-confirm').click();
  await expect(kiosk.getByTestId('duty-schedule')).toBeVisible();
  await expect.poll(() => pendingCount(kiosk), { timeout: 30_000 }).toBe(0);

  const month = hallDate(Date.now()).slice(0, 7);
  const row = (await api.attendance(month)).leaders.find((l) => l.leaderId === leader.id)!;
  expect(row).toMatchObject({
    scheduled: 1,
    attended: 1,
    missed: 0,
    served: 12,
    cases: 7,
    complaints: 1,
  });
});

test('a locked-out leader cannot sign in before the lockout ends, even after a reload', async ({
  page,
}) => {
  const leader = (await api.leaders()).find((l) => l.title.startsWith('住房'))!;
  await onDutyToday(leader, '135790');
  await openKiosk(page);

  await chooseLeader(page, leader);
  for (let i = 0; i < 5; i++) await enterPin(page, '000000');
  await expect(page.getByTestId('pin-locked')).toBeVisible();

  await page.reload();
  await expect(page.getByTestId('duty-schedule')).toBeVisible();
  await chooseLeader(page, leader);
  await expect(page.getByTestId('pin-locked')).toBeVisible();
  await expect(page.getByTestId('pin-submit')).toBeDisabled();
  await expect(page.getByTestId('duty-session')).toHaveCount(0);
});

test('a PIN pad whose code cannot load leaves the schedule with a message, and the next tap loads it', async ({
  browser,
  baseURL,
}) => {
  // No service worker, so that the page's own requests for the chunks can be made to fail.
  const context = await browser.newContext({ baseURL: baseURL!, serviceWorkers: 'block' });
  const page = await context.newPage();
  const leader = (await api.leaders()).find((l) => l.title === '人力资源和社会保障局副局长')!;
  await onDutyToday(leader, '246813');
  await enrollThisBrowser(page, await api.enrollDutyKiosk());
  let failing = true;
  let failed = 0;
  await page.route(/\/assets\/PinPad-[^/]+\.js$/, (route) => {
    if (!failing) return route.continue();
    failed++;
    return route.abort('internetdisconnected');
  });
  await page.goto('/kiosk/duty');
  await expect(page.getByTestId('duty-schedule')).toBeVisible();
  await expect(page.getByTestId('last-sync')).not.toContainText('尚未同步');

  await chooseLeader(page, leader);
  await expect(page.getByTestId('duty-cannot-open')).toHaveText(
    '暂时无法打开，请再点一次。如仍无法打开，请告知工作人员。',
  );
  await expect(page.getByTestId('duty-schedule')).toBeVisible();
  await expect(page.getByTestId('leader-button').first()).toBeVisible();
  await expect(page.getByRole('group', { name: /PIN/ })).toHaveCount(0);
  expect(failed).toBeGreaterThan(0);

  // In English too.
  await page.getByTestId('locale-switch').click();
  await expect(page.getByTestId('duty-cannot-open')).toContainText('could not be opened');
  await page.getByTestId('locale-switch').click();

  failing = false;
  await chooseLeader(page, leader);
  await expect(page.getByTestId('duty-cannot-open')).toHaveCount(0);
  await enterPin(page, '246813');
  await expect(page.getByTestId('duty-session')).toBeVisible();
  await context.close();
});
