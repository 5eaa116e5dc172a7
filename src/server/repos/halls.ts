import type { Db } from '../db/db';

export interface HallRow {
  id: string;
  name: string;
  nameEn: string | null;
  secret: string;
}

const COLUMNS = 'id, name, name_en AS "nameEn", secret';

export async function getHall(db: Db, id: string): Promise<HallRow | null> {
  const rows = await db.query<HallRow>(`SELECT ${COLUMNS} FROM halls WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The hall this server serves first (a server normally serves exactly one). */
export async function firstHall(db: Db): Promise<HallRow | null> {
  const rows = await db.query<HallRow>(
    `SELECT ${COLUMNS} FROM halls ORDER BY created_at, id LIMIT 1`,
  );
  return rows[0] ?? null;
}

export async function insertHall(db: Db, hall: HallRow, createdAt: string): Promise<void> {
  await db.query(
    'INSERT INTO halls (id, name, name_en, secret, created_at) VALUES ($1, $2, $3, $4, $5)',
    [hall.id, hall.name, hall.nameEn, hall.secret, createdAt],
  );
}

/**
 * Take the hall's write lock for the rest of the transaction. Every transaction that stores events
 * of a hall holds it, so hall_seq numbers commit in the order they were handed out and a reader
 * paging by hall_seq never skips one.
 */
export async function lockHall(tx: Db, id: string): Promise<void> {
  await tx.query('SELECT id FROM halls WHERE id = $1 FOR UPDATE', [id]);
}

/**
 * Hand out `count` consecutive hall_seq numbers (the caller holds the hall lock) and return the
 * first of them.
 */
export async function takeHallSeqs(tx: Db, id: string, count: number): Promise<number> {
  const rows = await tx.query<{ last: number }>(
    'UPDATE halls SET next_seq = next_seq + $2 WHERE id = $1 RETURNING next_seq AS last',
    [id, count],
  );
  if (!rows[0]) throw new Error(`hall ${id} does not exist`);
  return rows[0].last - count + 1;
}

export async function renameHall(
  tx: Db,
  id: string,
  name: string,
  nameEn: string | null,
): Promise<void> {
  await tx.query('UPDATE halls SET name = $2, name_en = $3 WHERE id = $1', [id, name, nameEn]);
}
