import { PGlite, type Transaction } from '@electric-sql/pglite';
import { nestedTx, type Db } from './db';

type Runner = Pick<Transaction, 'query' | 'exec'>;

function wrap(runner: Runner, depth: number, root: PGlite): Db {
  const db: Db = {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await runner.query<T>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async exec(sql: string) {
      await runner.exec(sql);
    },
    tx<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const inner = wrap(runner, depth + 1, root);
      return nestedTx(db, depth, () => fn(inner));
    },
    close: () => root.close(),
  };
  return db;
}

/**
 * Embedded PostgreSQL (PGlite): a folder on disk, or in memory when `dataDir` is undefined.
 * PGlite runs one statement at a time, so a transaction holds the whole database until it ends.
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pg = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  let closed = false;
  return {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await pg.query<T>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async exec(sql: string) {
      await pg.exec(sql);
    },
    tx<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      return pg.transaction((t) => fn(wrap(t, 1, pg)));
    },
    async close() {
      if (closed) return;
      closed = true;
      await pg.close();
    },
  };
}
