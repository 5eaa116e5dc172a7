/**
 * In a real browser: an evaluator enrolled through /setup keeps a key its browser cannot export,
 * signs every sync request with it, still has it after a reload, and its token read out of the
 * browser's storage delivers nothing from another machine.
 */
import { expect, test } from '@playwright/test';
import { ConsoleApi } from './support/console-api';
import { EvaluatorPage, enrollThisBrowser, pendingCount } from './support/pages';

let api: ConsoleApi;
test.beforeAll(async ({ baseURL }) => {
  api = await ConsoleApi.login(baseURL!);
});
test.afterAll(async () => api.dispose());

interface StoredCredentials {
  deviceId: string;
  token: string;
  isKey: boolean;
  extractable: boolean;
}

/** The credentials as this browser keeps them (idb-keyval in `hall-kiosk-settings`). */
function storedCredentials(page: import('@playwright/test').Page): Promise<StoredCredentials> {
  return page.evaluate(
    () =>
      new Promise<StoredCredentials>((resolve, reject) => {
        const open = indexedDB.open('hall-kiosk-settings');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result
            .transaction('settings', 'readonly')
            .objectStore('settings')
            .get('credentials');
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            const c = get.result as {
              deviceId: string;
              token: string;
              key?: { privateKey?: unknown };
            };
            const key = c.key?.privateKey;
            resolve({
              deviceId: c.deviceId,
              token: c.token,
              isKey: key instanceof CryptoKey,
              extractable: key instanceof CryptoKey ? key.extractable : true,
            });
            open.result.close();
          };
        };
      }),
  );
}

test('an evaluator signs its requests with a key its browser keeps; its token alone delivers nothing', async ({
  page,
  request,
}) => {
  const sent: { path: string; signature: string | undefined }[] = [];
  page.on('request', (r) => {
    const headers = r.headers();
    if (headers.authorization)
      sent.push({ path: new URL(r.url()).pathname, signature: headers['x-device-signature'] });
  });
  const window = await api.window('H02');
  await enrollThisBrowser(page, await api.enrollEvaluator(window.id));
  const evaluator = new EvaluatorPage(page);
  await evaluator.open();
  await evaluator.rate('very_satisfied');
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);

  const credentials = await storedCredentials(page);
  expect(credentials).toMatchObject({ isKey: true, extractable: false });

  // After a reload the same key signs: the next rating is taken.
  await page.reload();
  await expect(page.getByTestId('window-name')).toContainText(window.name);
  await evaluator.rate('satisfied');
  await expect.poll(() => pendingCount(page), { timeout: 30_000 }).toBe(0);
  expect((await storedCredentials(page)).token).toBe(credentials.token);

  const pushes = sent.filter((s) => s.path === '/api/v1/sync/push');
  expect(pushes.length).toBeGreaterThanOrEqual(2);
  for (const s of sent) expect(s.signature, s.path).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  // (The second press, this soon after the first, is kept by the server as a repeated press.)
  const fromWindow = (await api.ratings()).filter((r) => r.windowCode === 'H02');
  expect(fromWindow.filter((r) => r.deviceId === credentials.deviceId).length).toBeGreaterThan(0);

  // The token, read out of the browser and used from elsewhere without the key: refused.
  const copied = await request.post('/api/v1/sync/push', {
    headers: { authorization: `Bearer ${credentials.token}` },
    data: { deviceId: credentials.deviceId, events: [] },
  });
  expect(copied.status()).toBe(401);
  expect(await copied.json()).toMatchObject({ error: 'bad_signature' });
});
