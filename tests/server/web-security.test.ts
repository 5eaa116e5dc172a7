/**
 * The console's door and the headers of every answer: cross-site requests refused on every
 * state-changing console route (enumerated from the app, so a new route is covered the day it is
 * added), the session cookie's flags, and the security headers of pages, assets and API answers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { newId } from '../../src/domain/ids';
import { recordFigures } from '../support/reliability';
import { startTestServer, type TestServer } from '../support/server';
import { adminCookie } from '../sync/helpers';

let server: TestServer;
let dir: string;
let cookie: string;
const figures = { 'state-changing console routes checked': 0, 'cross-site requests refused': 0 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hk-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>hall-kiosk</title>');
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(dir, 'assets', 'index-3f2a1b.js'), 'console.log(1);');
  server = await startTestServer({ staticDir: dir });
  cookie = await adminCookie(server);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  recordFigures('web-security', { ...figures, crashes: 0 });
});

/** A concrete path for a route pattern: every parameter a fresh id. */
const pathOf = (pattern: string) => pattern.replace(/:[A-Za-z]+/g, () => newId());

async function eventCount(): Promise<number> {
  const [row] = await server.db.query<{ n: string | number }>(
    'SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM admin_sessions) AS n',
  );
  return Number(row!.n);
}

describe('cross-site requests to the console', () => {
  const stateChanging = () =>
    server.app.routeTable.filter(
      (r) => r.url.startsWith('/api/v1/admin/') && !['GET', 'HEAD', 'OPTIONS'].includes(r.method),
    );

  it('covers the console routes that change state', () => {
    // Sixteen when this was written; if the list shrinks to nothing the enumeration broke.
    const urls = stateChanging().map((r) => `${r.method} ${r.url}`);
    expect(urls.length).toBeGreaterThanOrEqual(16);
    expect(urls).toContain('POST /api/v1/admin/ref');
    expect(urls).toContain('POST /api/v1/admin/problems/:id/steps');
  });

  it('refuses every state-changing console route from another site, changing nothing', async () => {
    const before = await eventCount();
    for (const route of stateChanging()) {
      for (const headers of [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: 'https://sub.hall.example' },
      ]) {
        const res = await server.app.inject({
          method: route.method as 'POST',
          url: pathOf(route.url),
          headers: { cookie, 'content-type': 'application/json', ...headers },
          payload: '{}',
        });
        expect(res.statusCode, `${route.method} ${route.url} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.json()).toMatchObject({ error: 'cross_site_request' });
        figures['cross-site requests refused']++;
      }
      figures['state-changing console routes checked']++;
    }
    expect(await eventCount()).toBe(before);
  });

  it('refuses what a plain HTML form can send, even with no Origin, changing nothing', async () => {
    const before = await eventCount();
    for (const route of stateChanging()) {
      for (const [type, payload] of [
        ['application/x-www-form-urlencoded', 'a=1'],
        [
          'multipart/form-data; boundary=x',
          '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
        ],
        ['text/plain', '{"a":1}'],
      ] as const) {
        const res = await server.app.inject({
          method: route.method as 'POST',
          url: pathOf(route.url),
          headers: { cookie, 'content-type': type },
          payload,
        });
        expect(res.statusCode, `${route.method} ${route.url} ${type}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${route.method} ${route.url} ${type}`).toBeLessThan(500);
      }
    }
    expect(await eventCount()).toBe(before);
  });

  it("takes the console's own requests, with or without an Origin", async () => {
    const own = new URL(server.url);
    const withOrigin = await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      headers: { origin: own.origin, 'sec-fetch-site': 'same-origin', host: own.host },
      payload: { username: server.seed.admin.username, password: server.seed.admin.password },
    });
    expect(withOrigin.statusCode).toBe(200);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/logout',
      headers: { cookie: `hk_session=${withOrigin.cookies[0]!.value}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it('leaves devices and phones alone: they carry no cookie to forge', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      headers: { origin: 'https://evil.example' },
      payload: { code: 'ZZZZ-ZZZZ' },
    });
    expect(res.statusCode).not.toBe(403);
  });
});

describe('the session cookie', () => {
  const login = async (headers: Record<string, string>, trustProxy: boolean) => {
    const app = trustProxy
      ? await buildApp({
          db: server.db,
          config: loadConfig({ TRUST_PROXY: 'true' }),
          logger: false,
        })
      : server.app;
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/login',
        headers,
        payload: { username: server.seed.admin.username, password: server.seed.admin.password },
      });
      expect(res.statusCode).toBe(200);
      return String(res.headers['set-cookie']);
    } finally {
      if (trustProxy) await app.close();
    }
  };

  it('is HttpOnly and SameSite=Strict, and Secure only over HTTPS', async () => {
    const plain = await login({}, false);
    expect(plain).toMatch(/HttpOnly/);
    expect(plain).toMatch(/SameSite=Strict/);
    expect(plain).not.toMatch(/Secure/);
    const proxied = await login({ 'x-forwarded-proto': 'https' }, true);
    expect(proxied).toMatch(/HttpOnly/);
    expect(proxied).toMatch(/SameSite=Strict/);
    expect(proxied).toMatch(/Secure/);
    // Without TRUST_PROXY a client cannot claim HTTPS for itself.
    expect(await login({ 'x-forwarded-proto': 'https' }, false)).not.toMatch(/Secure/);
  });

  it('is refused after logout, the session ended on the server', async () => {
    const own = await adminCookie(server);
    expect(
      (await server.app.inject({ url: '/api/v1/admin/me', headers: { cookie: own } })).statusCode,
    ).toBe(200);
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/logout',
      headers: { cookie: own },
    });
    expect(
      (await server.app.inject({ url: '/api/v1/admin/me', headers: { cookie: own } })).statusCode,
    ).toBe(401);
  });
});

describe('security headers', () => {
  const window = () => server.seed.windows[0]!;
  const paths = () => [
    '/',
    `/r/${window().code}?s=${window().sig}`,
    '/kiosk/evaluator',
    '/admin',
    '/sw.js',
    '/assets/index-3f2a1b.js',
    '/api/v1/time',
    '/api/v1/admin/me',
    '/api/v1/nothing-here',
  ];

  it('forbid inline and evaluated scripts, framing and referrers on every kind of answer', async () => {
    for (const path of paths()) {
      const res = await fetch(`${server.url}${path}`);
      const csp = Object.fromEntries(
        (res.headers.get('content-security-policy') ?? '')
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...values]) => [name!, values]),
      );
      expect(csp['script-src'], path).toEqual(["'self'"]);
      expect(csp['default-src'], path).toEqual(["'self'"]);
      expect(csp['frame-ancestors'], path).toEqual(["'none'"]);
      expect(csp['object-src'], path).toEqual(["'none'"]);
      // The card URL carries its signature: no page may hand it on as a referrer.
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });
});
