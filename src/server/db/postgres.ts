import pg from 'pg';
import { nestedTx, type Db } from './db';

const INT8_OID = 20;

/** bigint columns (sequence numbers) come back as numbers, as they do from PGlite. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

function clientDb(client: pg.PoolClient, depth: number): Db {
  const db: Db = {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await client.query(sql, params ? [...params] : undefined);
      return result.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    tx<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const inner = clientDb(client, depth + 1);
      return nestedTx(db, depth, () => fn(inner));
    },
    close: async () => {
      throw new Error('close the pool, not a transaction');
    },
  };
  return db;
}

export interface PostgresOptions {
  /** Largest number of connections the pool opens. */
  max?: number;
}

/** PostgreSQL through a `pg` connection pool. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Fail at start-up, not on the first request, when the database cannot be reached.
  const probe = await pool.connect();
  probe.release();
  let closed = false;
  return {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await pool.query(sql, params ? [...params] : undefined);
      return result.rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async tx<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(clientDb(client, 1));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // A connection that could not even roll back is discarded, not reused.
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
