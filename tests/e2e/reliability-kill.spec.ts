/**
 * The evaluator tablet's browser is killed outright (SIGKILL to its whole process group) at
 * moments drawn from a seed while citizens rate, and started again on the same profile, more than
 * ten times. After every restart each rating whose thank-you was shown is still on the device, the
 * outbox and the rating records agree (every own rating in the log has its record with the same
 * sync state, and no record lacks its log entry), the log's sequence has no gap, and the pending
 * count the screen shows is the device's count of events the server has not acknowledged, and
 * every rating the device holds as acknowledged is on the server. At the end the device syncs and
 * the server holds each of its ratings exactly once.
 */
import { expect, test, type Page } from '@playwright/test';
import { recordFigures } from '../support/reliability';
import { ConsoleApi } from './support/console-api';
import { levelButton, pendingCount, type Level } from './support/pages';
import {
  deviceSnapshot,
  hallEvents,
  launchPersistent,
  newProfile,
  type DeviceSnapshot,
  type PersistentBrowser,
} from './support/persistent-browser';

const KILLS = 12;
const SEED = Number(process.env.KILL_SEED ?? 20261121);

/** mulberry32: the kill moments and the levels pressed, the same for the same seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const figures = {
  'kills survived': 0,
  'ratings thanked': 0,
  'ratings checked on the server': 0,
  lost: 0,
  duplicated: 0,
};

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => {
  await api.dispose();
  recordFigures('browser-kills', figures);
});

/** The device's log and records agree, in one transaction's view. */
function expectConsistent(snap: DeviceSnapshot): void {
  expect(snap.records).toEqual(snap.logRatings);
  expect(snap.seqs).toEqual(snap.seqs.map((_, i) => i + 1));
}

async function openEvaluator(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/kiosk/evaluator`);
  await expect(page.getByTestId('window-name')).toBeVisible({ timeout: 20_000 });
}

test('the browser killed at random moments while citizens rate: every thanked rating survives, and reaches the server once', async ({
  baseURL,
}) => {
  test.setTimeout(240_000);
  const base = baseURL!;
  const random = seeded(SEED);
  const win = await api.window('A04');
  const code = await api.enrollEvaluator(win.id);
  // Another evaluator of the hall, to read what the server stored from this one.
  const other = await api.enrolledEvaluator(win.id);
  const storedFrom = async (deviceId: string | null) =>
    (await hallEvents(base, other.token))
      .filter((e) => e.deviceId === deviceId && e.type === 'rating.submitted')
      .map((e) => e.id);
  const profile = newProfile();
  let browser: PersistentBrowser | null = null;
  try {
    browser = await launchPersistent(profile.dir);
    await browser.page.goto(`${base}/setup?code=${encodeURIComponent(code)}`);
    await browser.page.getByRole('button', { name: '登记', exact: true }).click();
    await expect(browser.page.getByTestId('setup-done')).toBeVisible();

    let thanked = 0;
    let seen = new Set<string>();
    const good: Level[] = ['very_satisfied', 'satisfied', 'basically_satisfied'];
    for (let life = 0; life <= KILLS; life++) {
      if (life > 0) browser = await launchPersistent(profile.dir);
      const page = browser!.page;
      await openEvaluator(page, base);

      const snap = await deviceSnapshot(page);
      expectConsistent(snap);
      // Nothing thanked is gone, nothing held before is gone.
      expect(snap.logRatings.length).toBeGreaterThanOrEqual(thanked);
      const now = new Set(snap.logRatings.map((r) => r.id));
      const missing = [...seen].filter((id) => !now.has(id));
      figures.lost += Math.max(0, thanked - snap.logRatings.length) + missing.length;
      expect(missing).toEqual([]);
      seen = now;
      // What the device holds as acknowledged, the server has.
      const stored = new Set(await storedFrom(snap.deviceId));
      const ackedNotStored = snap.logRatings.filter(
        (r) => r.status === 'acked' && !stored.has(r.id),
      );
      figures.lost += ackedNotStored.length;
      expect(ackedNotStored).toEqual([]);
      // The screen's pending count is the device's own count of unacknowledged events (read
      // again until both are taken between two sync rounds).
      await expect
        .poll(async () => (await pendingCount(page)) === (await deviceSnapshot(page)).pending, {
          timeout: 15_000,
        })
        .toBe(true);
      if (life === KILLS) break;

      // Rate until the browser dies at a moment drawn from the seed.
      let killed = false;
      const killer = new Promise((r) => setTimeout(r, 300 + random() * 2_700)).then(async () => {
        killed = true;
        await browser!.kill();
      });
      while (!killed) {
        try {
          if (random() < 0.2) {
            await levelButton(page, 'dissatisfied').click({ timeout: 5_000 });
            await page.getByLabel('等候时间长').check({ timeout: 5_000 });
            await page.getByRole('button', { name: '提交评价' }).click({ timeout: 5_000 });
          } else {
            await levelButton(page, good[Math.floor(random() * good.length)]!).click({
              timeout: 5_000,
            });
          }
          await expect(page.getByTestId('thank-you')).toBeVisible({ timeout: 5_000 });
          thanked++;
          await page.getByRole('button', { name: '返回评价首页' }).click({ timeout: 5_000 });
          await expect(levelButton(page, 'satisfied')).toBeVisible({ timeout: 5_000 });
        } catch (e) {
          if (!killed) throw e;
        }
      }
      await killer;
      figures['kills survived']++;
    }
    figures['ratings thanked'] = thanked;
    expect(thanked).toBeGreaterThan(KILLS);

    // Back online for good: the device drains, and the server has each rating exactly once.
    const page = browser!.page;
    await expect.poll(() => pendingCount(page), { timeout: 60_000 }).toBe(0);
    const snap = await deviceSnapshot(page);
    expectConsistent(snap);
    expect(snap.logRatings.every((r) => r.status === 'acked')).toBe(true);
    const local = snap.logRatings.map((r) => r.id);
    const stored = await storedFrom(snap.deviceId);
    const counted = (await api.ratings()).filter((r) => r.windowCode === 'A04').map((r) => r.id);
    figures['ratings checked on the server'] = stored.length;
    figures.duplicated +=
      stored.length - new Set(stored).size + (counted.length - new Set(counted).size);
    figures.lost += local.filter((id) => !stored.includes(id)).length;
    expect(figures.duplicated).toBe(0);
    expect(figures.lost).toBe(0);
    expect([...stored].sort()).toEqual([...local].sort());
    expect(counted.filter((id) => !local.includes(id))).toEqual([]);
  } finally {
    await browser?.close();
    profile.remove();
  }
});
