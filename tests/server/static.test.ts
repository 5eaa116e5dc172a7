import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, redactUrl } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { openPglite } from '../../src/server/db/pglite';
import { migrate } from '../../src/server/db/migrations';
import { startTestServer, type TestServer } from '../support/server';

const INDEX = '<!doctype html><title>hall-kiosk</title><div id="app"></div>';

describe('serving the built app', () => {
  let dir: string;
  let server: TestServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hk-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
    writeFileSync(join(dir, 'assets', 'index-3f2a1b.js'), 'console.log(1);');
    writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"hall-kiosk"}');
    server = await startTestServer({ staticDir: dir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    '/',
    '/r/A01?s=abc',
    '/kiosk/evaluator',
    '/inspect',
    '/admin',
    '/admin/devices',
    '/setup?code=X',
    '/schedule',
    '/board',
  ])('answers index.html for the app path %s, not cached', async (path) => {
    const res = await fetch(`${server.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe(INDEX);
  });

  it('serves files with the right caching', async () => {
    const sw = await fetch(`${server.url}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${server.url}/assets/index-3f2a1b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000/);
    const manifest = await fetch(`${server.url}/manifest.webmanifest`);
    expect(manifest.status).toBe(200);
  });

  it('answers 404 JSON for unknown API paths and unknown files', async () => {
    for (const path of [
      '/api/v1/nothing',
      '/api/v2/sync/push',
      '/assets/missing.js',
      '/favicon-nope.png',
    ]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not_found' });
    }
  });

  it('sends security headers with a Content-Security-Policy on pages and API answers', async () => {
    for (const path of ['/', '/api/v1/time']) {
      const res = await fetch(`${server.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
      ]) {
        expect(csp).toContain(directive);
      }
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
  });
});

describe('without a built app', () => {
  it('still answers the API and 404s the app paths', async () => {
    const server = await startTestServer();
    try {
      expect((await fetch(`${server.url}/api/v1/time`)).status).toBe(200);
      const res = await fetch(`${server.url}/kiosk/evaluator`);
      expect(res.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('request log', () => {
  it('writes one JSON line per request with signatures and codes removed', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const db = await openPglite();
    await migrate(db);
    const app = await buildApp({ db, config: loadConfig({}), logger: { level: 'info', stream } });
    try {
      await app.inject({ url: '/api/v1/public/windows/A01?s=SECRETSIG1234567890abc' });
      await app.inject({ url: '/api/v1/time' });
    } finally {
      await app.close();
      await db.close();
    }
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      url: '/api/v1/public/windows/A01?s=[redacted]',
      status: 404,
    });
    expect(typeof requests[0].ms).toBe('number');
    expect(lines.join('\n')).not.toContain('SECRETSIG');
    expect(requests[1]).toMatchObject({ url: '/api/v1/time', status: 200 });
  });

  it('redacts tokens and codes in query strings', () => {
    expect(redactUrl('/setup?code=ABCD-EFGH&x=1')).toBe('/setup?code=[redacted]&x=1');
    expect(redactUrl('/a?x=1&token=abc&s=zz')).toBe('/a?x=1&token=[redacted]&s=[redacted]');
    expect(redactUrl('/api/v1/sync/pull?after=3')).toBe('/api/v1/sync/pull?after=3');
  });
});
