/**
 * What the benchmarks share: Chromium launched as the browser tests launch it, the console's API
 * as an administrator, an evaluator enrolled in a browser, quantiles, and the printed table with
 * the machine it was measured on.
 */
import { chromium, type Browser, type BrowserContextOptions, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import startPostgres from '../support/postgres';
import type { ServerProcess } from '../support/server-process';

/** Chromium with the flags of playwright.config.ts. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function median(samples: number[]): number {
  return quantile(
    [...samples].sort((a, b) => a - b),
    0.5,
  );
}

export function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    p99: quantile(s, 0.99),
    max: s[s.length - 1]!,
  };
}

export const ms = (n: number) => `${n.toFixed(1)} ms`;
export const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** The console's API, signed in as the administrator the server's banner named. */
export async function admin(server: ServerProcess) {
  const login = await fetch(`${server.url}/api/v1/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: server.adminPassword }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1/admin${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    /** The session cookie's name and value. */
    cookie: { name: cookie.split('=')[0]!, value: cookie.slice(cookie.indexOf('=') + 1) },
    windows: async () =>
      (await call('/windows')).windows as {
        id: string;
        code: string;
        ratingPath: string;
        department: { id: string };
      }[],
    enroll: async (windowId: string) =>
      (await call('/enrollments', { role: 'evaluator', windowId })).code as string,
    /** An enrollment code for a duty kiosk or an inspection tablet. */
    enrollRole: async (role: 'duty_kiosk' | 'inspection_tablet') =>
      (await call('/enrollments', { role })).code as string,
    ratingCount: async () => (await call('/ratings?limit=1')).counted as number,
  };
}

/**
 * A fresh browser context enrolled as an evaluator through /setup, on /kiosk/evaluator with its
 * service worker active (the app precached).
 */
export async function enrolledEvaluator(
  browser: Browser,
  server: ServerProcess,
  code: string,
  contextOptions: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url, ...contextOptions });
  const page = await context.newPage();
  await page.goto(`/setup?code=${code}`);
  await page.getByRole('button', { name: '登记', exact: true }).click();
  await page.getByTestId('setup-done').waitFor();
  await page.goto('/kiosk/evaluator');
  await page.locator('button[data-level="satisfied"]').waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready);
  return page;
}

export { machine } from './results';

/** Prints a table: a header and rows, columns padded to their widest cell. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const all = [header, ...rows];
  const width = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length), 6));
  for (const r of all) console.log(r.map((c, i) => (c ?? '').padEnd(width[i]!)).join('  │  '));
}

/**
 * Runs `fn` with the URL of a fresh database on a throwaway PostgreSQL cluster (Debian's binaries,
 * loopback, as tests/support/postgres.ts starts one for the server tests), dropped afterwards.
 * Null when no PostgreSQL can be started here.
 */
export async function withPostgresDatabase<T>(fn: (url: string) => Promise<T>): Promise<T | null> {
  let adminUrl: string | undefined;
  const stop = await startPostgres({
    provide: (_key: string, value: string) => {
      adminUrl = value;
    },
  } as unknown as TestProject);
  try {
    if (!adminUrl) return null;
    const name = `hk_bench_${randomBytes(6).toString('hex')}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    try {
      return await fn(url.toString());
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    stop?.();
  }
}
