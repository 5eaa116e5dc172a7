/**
 * The one storage interface of the server. Both adapters (embedded PGlite and a PostgreSQL pool)
 * speak the same SQL dialect, so everything above this file is written once.
 */
export interface Db {
  /** Run one statement with `$1 …` parameters and return its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Run several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Run `fn` in a transaction: committed when it resolves, rolled back when it throws. Nested
   * calls use a savepoint.
   */
  tx<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A savepoint-based nested transaction on a connection that is already inside one. */
export async function nestedTx<T>(db: Db, depth: number, fn: () => Promise<T>): Promise<T> {
  const name = `sp_${depth}`;
  await db.query(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await db.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await db.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
}
