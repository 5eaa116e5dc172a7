import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/server/db/db';
import { MIGRATIONS, migrate } from '../../src/server/db/migrations';
import { backends } from '../support/databases';

describe.each(backends)('migrations on $name', (backend) => {
  let db: Db;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(async () => {
    await db.close();
  });

  it('applies every migration once and is idempotent', async () => {
    expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['halls', 'devices', 'events', 'rejected_events', 'ratings', 'blobs']),
    );
  });

  it('applies a later migration on top of an existing schema', async () => {
    await migrate(db);
    const next = { version: 1000, sql: 'CREATE TABLE later_table (id integer PRIMARY KEY);' };
    expect(await migrate(db, [...MIGRATIONS, next])).toEqual([1000]);
    expect(await db.query('SELECT * FROM later_table')).toEqual([]);
  });

  it('rolls back a failing migration whole', async () => {
    await migrate(db);
    const bad = {
      version: 1001,
      sql: 'CREATE TABLE half_done (id integer); SELECT no_such_column FROM halls;',
    };
    await expect(migrate(db, [...MIGRATIONS, bad])).rejects.toThrow();
    const rows = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'",
    );
    expect(rows[0]!.n).toBe(0);
    expect(await db.query('SELECT version FROM schema_migrations WHERE version = 1001')).toEqual(
      [],
    );
  });

  it('moves bindings kept as marked enrollment rows into their own table', async () => {
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 6),
    );
    const at = '2026-11-02T01:00:00.000Z';
    await db.exec(`
      INSERT INTO halls (id, name, secret, created_at) VALUES ('h', 'hall', 's', '${at}');
      INSERT INTO devices (id, hall_id, role, window_id, enrolled_at)
        VALUES ('d', 'h', 'evaluator', 'w2', '${at}');
      INSERT INTO enrollments (code_hash, hall_id, role, window_id, created_at, expires_at, used_at, device_id)
        VALUES ('real-code', 'h', 'evaluator', 'w1', '${at}', '${at}', '${at}', 'd'),
               ('bound:d', 'h', 'evaluator', 'w1', '${at}', '${at}', '${at}', 'd'),
               ('bound:x', 'h', 'evaluator', 'w2', '2026-11-03T01:00:00Z', '${at}', '2026-11-03T01:00:00Z', 'd');
    `);
    expect(await migrate(db)).toEqual(
      MIGRATIONS.filter((m) => m.version >= 6).map((m) => m.version),
    );
    const bindings = await db.query<{ windowId: string }>(
      'SELECT window_id AS "windowId" FROM device_bindings ORDER BY bound_at',
    );
    expect(bindings.map((b) => b.windowId)).toEqual(['w1', 'w2']);
    const codes = await db.query<{ code: string }>('SELECT code_hash AS code FROM enrollments');
    expect(codes.map((c) => c.code)).toEqual(['real-code']);
  });

  it('can be run from two connections at once', async () => {
    const results = await Promise.all([migrate(db), migrate(db)]);
    expect(results.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
  });
});
