import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { enrollDevice, pushOk } from './helpers';

const WINDOW_COUNTS = `SELECT hall_id, department_id, window_id, day::text, hour::int, level, n::int
  FROM rating_rollup ORDER BY 1, 2, 3, 4, 5, 6`;
const WINDOW_RECOUNT = `SELECT hall_id, department_id, window_id,
    (at AT TIME ZONE 'Asia/Shanghai')::date::text AS day,
    extract(hour FROM at AT TIME ZONE 'Asia/Shanghai')::int AS hour, level, count(*)::int AS n
  FROM ratings GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`;
const DEPARTMENT_COUNTS = `SELECT hall_id, department_id, day::text, hour::int, level, n::int
  FROM rating_rollup_department ORDER BY 1, 2, 3, 4, 5`;
const DEPARTMENT_RECOUNT = `SELECT hall_id, department_id,
    (at AT TIME ZONE 'Asia/Shanghai')::date::text AS day,
    extract(hour FROM at AT TIME ZONE 'Asia/Shanghai')::int AS hour, level, count(*)::int AS n
  FROM ratings GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;

describe.each(backends)('rating rollups on $name', ({ name }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
  });
  afterAll(() => server.close());

  it('count every stored rating by window, and by department, hall-local day, hour and level', async () => {
    // Two windows of one department and one of another.
    const windows = server.seed.windows;
    const first = windows[0]!;
    const sameDepartment = windows.find(
      (w) => w.id !== first.id && w.departmentId === first.departmentId,
    )!;
    const other = windows.find((w) => w.departmentId !== first.departmentId)!;
    const levels = ['very_satisfied', 'satisfied', 'basically_satisfied'] as const;
    // Around midnight in the hall (UTC+8), over two hours and two days.
    const times = [
      '2026-03-02T14:10:00.000Z',
      '2026-03-02T15:59:59.000Z',
      '2026-03-02T16:00:00.000Z',
    ];
    for (const w of [first, sameDepartment, other]) {
      const d = await enrollDevice(server, w.code);
      const batch = () =>
        times.flatMap((at) => levels.map((level) => d.rating(server, { level }, { at })));
      // Twice: the second push adds to the counts the first one made.
      for (let round = 0; round < 2; round++) {
        const answer = await pushOk(server.app, d, batch());
        expect(answer.results.filter((r) => r.status !== 'stored')).toEqual([]);
      }
    }
    const byWindow = await server.db.query(WINDOW_COUNTS);
    expect(byWindow).toEqual(await server.db.query(WINDOW_RECOUNT));
    const byDepartment = await server.db.query(DEPARTMENT_COUNTS);
    expect(byDepartment).toEqual(await server.db.query(DEPARTMENT_RECOUNT));
    // Two windows fold into one department's rows; both days and both hours are there.
    expect(byWindow.length).toBe(3 * 3 * 3);
    expect(byDepartment.length).toBe(2 * 3 * 3);
    expect(byDepartment.some((r) => (r as { n: number }).n === 4)).toBe(true);
    expect(new Set(byWindow.map((r) => (r as { day: string }).day))).toEqual(
      new Set(['2026-03-02', '2026-03-03']),
    );
  });
});
