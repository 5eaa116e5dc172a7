import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holidayCalendar, SHIPPED_HOLIDAYS } from '../../src/domain/calendar';
import { DEFAULT_CHECKLIST } from '../../src/domain/checklist';
import type { EventEnvelope } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { newHallSecret } from '../../src/server/crypto';
import { insertHall } from '../../src/server/repos/halls';
import { getChecklist, getHolidayYears } from '../../src/server/repos/reference';
import { upgradeHalls } from '../../src/server/seed';
import { createConsoleWriter, writeConsoleEvents } from '../../src/server/services/console-writer';
import { HttpError } from '../../src/server/errors';
import { projectReference } from '../../src/server/services/reference-projection';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { consoleClient, consoleCookie, type Console } from './duty-support';
import { count, enrollDevice, pushOk } from './helpers';

describe.each(backends)('the walk checklist and holiday years on $name', ({ name }) => {
  let server: TestServer;
  let admin: Console;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
    admin = consoleClient(server, await consoleCookie(server));
  });
  afterAll(() => server.close());

  const hallId = () => server.seed.hall.id;

  /** A hall as an earlier version left it: a console writer, no checklist. */
  async function oldHall(): Promise<string> {
    const id = newId();
    const now = Date.now();
    await server.db.tx(async (tx) => {
      await insertHall(
        tx,
        { id, name: '旧大厅', nameEn: null, secret: newHallSecret() },
        new Date(now).toISOString(),
      );
      await createConsoleWriter(tx, id, now);
    });
    return id;
  }

  it('gives a new hall the default checklist as console events, sorted 10, 20, …', async () => {
    const items = await getChecklist(server.db, hallId());
    expect(items).toHaveLength(DEFAULT_CHECKLIST.length);
    expect(items.map((i) => i.sort)).toEqual(DEFAULT_CHECKLIST.map((_, n) => (n + 1) * 10));
    expect(items.map(({ group, text, textEn }) => ({ group, text, textEn }))).toEqual(
      DEFAULT_CHECKLIST.map(({ group, text, textEn }) => ({ group, text, textEn })),
    );
    expect(items.every((i) => i.active)).toBe(true);
    expect(
      await count(
        server,
        `events e JOIN devices d ON d.id = e.device_id AND d.role = 'console'`,
        "e.type = 'ref.checklistItemSaved' AND e.hall_id = $1",
        [hallId()],
      ),
    ).toBe(DEFAULT_CHECKLIST.length);
    // Holiday years are not written: the shipped ones are the default.
    expect(await getHolidayYears(server.db, hallId())).toEqual({
      holidays: {},
      holidayVersions: {},
    });
  });

  it('keeps the latest version of a checklist item, and refuses moving one to another hall', async () => {
    const [first] = await getChecklist(server.db, hallId());
    const save = await admin.post('/api/v1/admin/ref', {
      type: 'ref.checklistItemSaved',
      payload: {
        itemId: first!.id,
        group: first!.group,
        text: '窗口服务体验（含预约）',
        sort: 15,
        active: false,
      },
    });
    expect(save.statusCode, save.body).toBe(200);
    const after = (await getChecklist(server.db, hallId())).find((i) => i.id === first!.id)!;
    expect(after).toMatchObject({ text: '窗口服务体验（含预约）', sort: 15, active: false });
    expect(after.textEn).toBeUndefined();
    expect(after.version.id).toBe(save.json<{ event: { id: string } }>().event.id);

    const other = await oldHall();
    const moved = server.db.tx((tx) =>
      writeConsoleEvents(
        tx,
        other,
        [
          {
            type: 'ref.checklistItemSaved',
            payload: {
              itemId: first!.id,
              group: 'experience',
              text: '窗口',
              sort: 10,
              active: true,
            },
          },
        ],
        Date.now(),
      ),
    );
    await expect(moved).rejects.toMatchObject({ status: 400, code: 'unknown_checklist_item' });
    await expect(moved).rejects.toBeInstanceOf(HttpError);
  });

  it('stores a hall year over the shipped one, the later save of a year winning', async () => {
    const shipped2027 = SHIPPED_HOLIDAYS.find((y) => y.year === 2027)!;
    const first = {
      year: 2027,
      holidays: shipped2027.holidays,
      workdays: ['2027-01-30'],
      confirmed: false,
    };
    const second = { ...first, workdays: ['2027-01-30', '2027-02-20'], confirmed: true };
    for (const payload of [first, second]) {
      const res = await admin.post('/api/v1/admin/ref', { type: 'ref.holidaysSaved', payload });
      expect(res.statusCode, res.body).toBe(200);
    }
    const bad = await admin.post('/api/v1/admin/ref', {
      type: 'ref.holidaysSaved',
      payload: { ...first, holidays: ['2028-01-01'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('date_outside_year');

    const { holidays, holidayVersions } = await getHolidayYears(server.db, hallId());
    expect(Object.keys(holidays)).toEqual(['2027']);
    expect(holidays[2027]).toEqual(second);
    expect(holidayVersions[2027]).toBeDefined();
    const cal = holidayCalendar(holidays);
    expect(cal[2027]).toEqual(second);
    expect(cal[2026]).toEqual(SHIPPED_HOLIDAYS.find((y) => y.year === 2026));
  });

  it('keeps the newer version when an older save of an item or a year is projected after it', async () => {
    const [item] = await getChecklist(server.db, hallId());
    const year = (await getHolidayYears(server.db, hallId())).holidayVersions[2027]!;
    const older = (type: string, payload: unknown, hlc: string) =>
      ({
        v: 1,
        id: newId(),
        type,
        hallId: hallId(),
        deviceId: newId(),
        deviceSeq: 1,
        prevHash: null,
        actorId: null,
        at: new Date().toISOString(),
        hlc,
        payload,
      }) as EventEnvelope;
    const stale = '2020-01-01T00:00:00.000Z-0000-0000000000000000';
    await server.db.tx(async (tx) => {
      await projectReference(
        tx,
        older(
          'ref.checklistItemSaved',
          { itemId: item!.id, group: 'service', text: '旧文字', sort: 1, active: true },
          stale,
        ),
      );
      await projectReference(
        tx,
        older(
          'ref.holidaysSaved',
          { year: 2027, holidays: [], workdays: [], confirmed: false },
          stale,
        ),
      );
    });
    const after = (await getChecklist(server.db, hallId())).find((i) => i.id === item!.id)!;
    expect(after).toEqual(item);
    const years = await getHolidayYears(server.db, hallId());
    expect(years.holidayVersions[2027]).toEqual(year);
    expect(years.holidays[2027]!.confirmed).toBe(true);
  });

  it('at start-up gives an older hall the default checklist, once', async () => {
    const hall = await oldHall();
    const first = await upgradeHalls(server.db, Date.now());
    expect(first.checklists).toContain(hall);
    expect(first.checklists).not.toContain(hallId());
    const items = await getChecklist(server.db, hall);
    expect(items.map((i) => i.text)).toEqual(DEFAULT_CHECKLIST.map((i) => i.text));
    const again = await upgradeHalls(server.db, Date.now());
    expect(again).toEqual({ checklists: [], problems: 0 });
    expect(await count(server, 'checklist_items', 'hall_id = $1', [hall])).toBe(
      DEFAULT_CHECKLIST.length,
    );
  });

  it('at start-up makes problems of 差评 stored before the pipeline, and folds rows never folded', async () => {
    const evaluator = await enrollDevice(server);
    const poor = evaluator.rating(server, { level: 'dissatisfied', comment: '等太久' });
    const poorer = evaluator.rating(server, { level: 'very_dissatisfied', reasons: ['attitude'] });
    const stored = await pushOk(server.app, evaluator, [poor, poorer]);
    expect(stored.results.map((r) => r.status)).toEqual(['stored', 'stored']);
    // As an earlier version left them: no row for one, an unfolded row for the other.
    await server.db.query('DELETE FROM problems WHERE id = $1', [poor.id]);
    await server.db.query(
      "UPDATE problems SET state = NULL, status = 'found', updated_at = NULL WHERE id = $1",
      [poorer.id],
    );

    const done = await upgradeHalls(server.db, Date.now());
    expect(done.problems).toBe(2);
    const rows = await server.db.query<{ id: string; status: string; source: string }>(
      `SELECT id, status, source FROM problems WHERE id = ANY($1::text[]) AND state IS NOT NULL
       ORDER BY id`,
      [[poor.id, poorer.id]],
    );
    expect(rows).toEqual(
      [poor.id, poorer.id].sort().map((id) => ({ id, status: 'found', source: 'rating' })),
    );
    expect((await upgradeHalls(server.db, Date.now())).problems).toBe(0);
  });
});
