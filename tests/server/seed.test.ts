import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/server/db/db';
import { DEFAULT_CHECKLIST } from '../../src/domain/checklist';
import { migrate } from '../../src/server/db/migrations';
import { verifyPassword } from '../../src/server/crypto';
import { seedDemoHall } from '../../src/server/seed';
import { backends } from '../support/databases';

describe.each(backends)('demo hall on $name', (backend) => {
  let db: Db;
  beforeEach(async () => {
    db = await backend.open();
    await migrate(db);
  });
  afterEach(() => db.close());

  it('creates the hall once, with departments, windows, leaders, an admin and an evaluator code', async () => {
    const now = Date.parse('2026-03-02T08:00:00.000Z');
    const seed = await seedDemoHall(db, now);
    expect(seed).not.toBeNull();
    expect(seed!.hall).toMatchObject({ name: '市民服务中心', nameEn: 'Citizen Service Center' });
    expect(seed!.departments.map((d) => d.name)).toEqual([
      '税务',
      '人社',
      '医保',
      '住建',
      '公积金',
      '市场监管',
      '不动产登记',
      '公安户政',
    ]);
    expect(seed!.departments.map((d) => d.code)).toEqual([
      'TAX',
      'HRSS',
      'MED',
      'HOUSING',
      'FUND',
      'MARKET',
      'REALTY',
      'POLICE',
    ]);
    for (const d of seed!.departments) {
      const windows = seed!.windows.filter((w) => w.departmentId === d.id);
      expect(windows.length).toBeGreaterThanOrEqual(2);
      expect(windows.length).toBeLessThanOrEqual(6);
      const leaders = seed!.leaders.filter((l) => l.departmentId === d.id);
      expect(leaders.length).toBeGreaterThanOrEqual(1);
      expect(leaders.length).toBeLessThanOrEqual(2);
    }
    expect(seed!.windows[0]).toMatchObject({ code: 'A01', name: 'A01 窗口' });
    expect(seed!.leaders[0]!.title).toBe('税务局局长');

    expect(seed!.admin.username).toBe('admin');
    expect(seed!.admin.password.length).toBeGreaterThanOrEqual(16);
    const admins = await db.query<{ hash: string }>('SELECT password_hash AS hash FROM admins');
    expect(admins).toHaveLength(1);
    expect(admins[0]!.hash).not.toContain(seed!.admin.password);
    expect(await verifyPassword(seed!.admin.password, admins[0]!.hash)).toBe(true);

    expect(seed!.enrollments).toHaveLength(1);
    expect(seed!.enrollments[0]).toMatchObject({
      role: 'evaluator',
      windowId: seed!.windows[0]!.id,
      windowCode: 'A01',
    });

    // All reference data went through the console's hash-chained log.
    const events = await db.query<{ type: string; deviceSeq: number; hallSeq: number }>(
      'SELECT type, device_seq AS "deviceSeq", hall_seq AS "hallSeq" FROM events ORDER BY hall_seq',
    );
    expect(events.length).toBe(
      2 +
        seed!.departments.length +
        seed!.windows.length +
        seed!.leaders.length +
        DEFAULT_CHECKLIST.length,
    );
    expect(events.every((e) => e.type.startsWith('ref.'))).toBe(true);
    expect(events.map((e) => e.deviceSeq)).toEqual(events.map((_, i) => i + 1));
    const windows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM windows');
    expect(windows[0]!.n).toBe(seed!.windows.length);

    expect(await seedDemoHall(db, now)).toBeNull();
    const halls = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM halls');
    expect(halls[0]!.n).toBe(1);
  });

  it('seeds exactly one hall when two starts race', async () => {
    const results = await Promise.all([seedDemoHall(db, Date.now()), seedDemoHall(db, Date.now())]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const halls = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM halls');
    expect(halls[0]!.n).toBe(1);
  });
});
