import { expect, test, type Page } from '@playwright/test';
import { recordFigures } from '../support/reliability';
import { ConsoleApi } from './support/console-api';

/**
 * Every screen of the built app runs under the server's Content-Security-Policy (no inline or
 * evaluated script) without a single violation — the console signed in, on its charts too.
 */
let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

async function watch(page: Page): Promise<() => Promise<string[]>> {
  const messages: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text()))
      messages.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return async () => [
    ...messages,
    ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)),
  ];
}

test('every screen runs under the Content-Security-Policy with no violation', async ({ page }) => {
  const card = (await api.windows())[0]!;
  const violations = await watch(page);
  const screens = [
    card.ratingPath,
    '/kiosk/evaluator',
    '/kiosk/duty',
    '/inspect',
    '/setup',
    '/schedule',
    '/board',
    '/admin',
  ];
  for (const path of screens) {
    const response = await page.goto(path);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.locator('main, [role="main"], h1').first()).toBeVisible();
  }
  // The console signed in, on its dashboard with its charts.
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  const found = await violations();
  recordFigures('content-security-policy', {
    'screens checked': screens.length + 1,
    'CSP violations': found.length,
  });
  expect(found).toEqual([]);
});
