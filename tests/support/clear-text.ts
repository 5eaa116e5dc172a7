import type { Db } from '../../src/server/db/db';

/** Every text, jsonb and bytea column of every table (as `table.column`) that contains `needle`. */
export async function clearTextCopies(db: Db, needle: string): Promise<string[]> {
  const cols = await db.query<{ t: string; c: string; dt: string }>(
    `SELECT table_name AS t, column_name AS c, data_type AS dt FROM information_schema.columns
      WHERE table_schema = current_schema()
        AND data_type IN ('text', 'jsonb', 'json', 'character varying', 'bytea')`,
  );
  const found: string[] = [];
  for (const { t, c, dt } of cols) {
    const expr = dt === 'bytea' ? `encode("${c}", 'escape')` : `"${c}"::text`;
    const rows = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${t}" WHERE ${expr} LIKE $1`,
      [`%${needle}%`],
    );
    if (rows[0]!.n > 0) found.push(`${t}.${c}`);
  }
  return found;
}
