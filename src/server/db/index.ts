import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db';
import { lockFile } from './lock';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

export type { Db } from './db';
export { migrate, MIGRATIONS } from './migrations';
export { openPglite } from './pglite';
export { openPostgres } from './postgres';
export { DataDirBusyError } from './lock';

/** PostgreSQL when a URL is configured, otherwise PGlite in `<dataDir>/db`. */
export async function openDb(config: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  mkdirSync(config.dataDir, { recursive: true });
  const release = lockFile(join(config.dataDir, 'db.lock'));
  try {
    const db = await openPglite(join(config.dataDir, 'db'));
    return {
      ...db,
      async close() {
        try {
          await db.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
