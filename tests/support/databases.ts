/**
 * The storage backends every server suite runs on: `describe.each(backends)(...)`.
 * PGlite is in memory; PostgreSQL gets a fresh database per `open()`, dropped again on close.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../src/server/db/db';
import { openPglite } from '../../src/server/db/pglite';
import { openPostgres } from '../../src/server/db/postgres';

export type BackendName = 'pglite' | 'postgres';

export interface Backend {
  name: BackendName;
  open(): Promise<Db>;
}

/** Run `fn` on a connection to the test server's administrator URL (create or drop databases). */
export async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database on the test server; closing the Db drops it. */
export async function openPostgresTestDb(adminUrl: string): Promise<Db> {
  const name = `hk_test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  let closed = false;
  return {
    ...db,
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** The administrator URL of the test PostgreSQL, or null when it is (allowed to be) missing. */
export function postgresUrl(): string | null {
  const url = inject('postgresUrl');
  if (!url && process.env.CI)
    throw new Error('PostgreSQL is required under CI (see tests/support/postgres.ts)');
  return url ?? null;
}

const pglite: Backend = { name: 'pglite', open: () => openPglite() };

function postgresBackend(url: string): Backend {
  return { name: 'postgres', open: () => openPostgresTestDb(url) };
}

const url = postgresUrl();

export const backends: Backend[] = url ? [pglite, postgresBackend(url)] : [pglite];
