import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_HOLIDAYS } from '../../src/domain/calendar';
import { newId } from '../../src/domain/ids';
import type { CalendarResponse, ChecklistResponse } from '../../src/sync/pipeline-protocol';
import { backends } from '../support/databases';
import { count } from './helpers';
import { PipelineHall } from './console-support';

describe.each(backends)('console checklist and calendar on $name', ({ name }) => {
  let hall: PipelineHall;

  beforeAll(async () => {
    // Friday 2026-03-20, 10:00 in the hall.
    hall = await PipelineHall.open(name, Date.parse('2026-03-20T02:00:00Z'));
  });
  afterAll(() => hall.close());

  const itemEvents = () =>
    count(hall.server, 'events', "type = 'ref.checklistItemSaved' AND hall_id = $1", [
      hall.server.seed.hall.id,
    ]);

  it('adds, rewords, retires and reorders checklist items', async () => {
    const a = await hall.checklistItem('一次性告知（甲）', 'service', 2010);
    const b = await hall.checklistItem('一次性告知（乙）', 'service', 2030);
    const c = await hall.checklistItem('一次性告知（丙）', 'service', 2050);
    const first = await hall.checklistItem('窗口服务体验（新）', 'experience', 2000);

    // Reworded, then retired: the item stays in the console's checklist, inactive.
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.checklistItemSaved',
      payload: {
        itemId: b,
        group: 'service',
        text: '一次性告知是否到位',
        textEn: 'One-time notice',
        sort: 2030,
        active: true,
      },
    });
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.checklistItemSaved',
      payload: {
        itemId: b,
        group: 'service',
        text: '一次性告知是否到位',
        textEn: 'One-time notice',
        sort: 2030,
        active: false,
      },
    });
    let list = await hall.checklist();
    const mine = (l: ChecklistResponse) => l.items.filter((i) => [a, b, c, first].includes(i.id));
    expect(mine(list).map((i) => [i.id, i.sort, i.active])).toEqual([
      [first, 2000, true],
      [a, 2010, true],
      [b, 2030, false],
      [c, 2050, true],
    ]);
    expect(mine(list)[2]).toMatchObject({ text: '一次性告知是否到位', textEn: 'One-time notice' });

    // Walk order is by group first, so the experience item stays ahead whatever its place.
    const order = [...list.items.map((i) => i.id).filter((id) => id !== c && id !== first)];
    const at = order.indexOf(a);
    order.splice(at + 1, 0, c);
    order.push(first);
    const sortBefore = new Map(list.items.map((i) => [i.id, i.sort]));
    const moved = order.filter((id, i) => sortBefore.get(id) !== (i + 1) * 10).length;
    const before = await itemEvents();
    const res = await hall.admin.post('/api/v1/admin/checklist/order', { ids: order });
    expect(res.statusCode, res.body).toBe(200);
    list = res.json<ChecklistResponse>();
    const sortOf = (id: string) => list.items.find((i) => i.id === id)!.sort;
    expect(order.map(sortOf)).toEqual(order.map((_, i) => (i + 1) * 10));
    expect(mine(list).map((i) => i.id)).toEqual([first, a, c, b]);
    expect(list).toEqual(await hall.checklist());
    // Only items whose place changed were written.
    const changed = await itemEvents();
    expect(moved).toBeGreaterThan(0);
    expect(changed - before).toBe(moved);

    // The same order again changes nothing and writes nothing.
    await hall.admin.ok('/api/v1/admin/checklist/order', { ids: order });
    expect(await itemEvents()).toBe(changed);

    // Moving one item writes exactly the items between its old and new place.
    const swapped = [...order];
    const ia = swapped.indexOf(a);
    [swapped[ia], swapped[ia + 1]] = [swapped[ia + 1]!, swapped[ia]!];
    await hall.admin.ok('/api/v1/admin/checklist/order', { ids: swapped });
    expect(await itemEvents()).toBe(changed + 2);
    expect(mine(await hall.checklist()).map((i) => i.id)).toEqual([first, c, a, b]);
  });

  it('refuses an order naming unknown or repeated items, writing nothing', async () => {
    const { items } = await hall.checklist();
    const before = await itemEvents();
    const ids = items.map((i) => i.id);
    for (const [body, code] of [
      [{ ids: [...ids].reverse().concat(newId()) }, 'unknown_item'],
      [{ ids: [ids[0], ids[0]] }, 'duplicate_item'],
      [{ ids: 'all' }, 'invalid_body'],
    ] as const) {
      const res = await hall.admin.post('/api/v1/admin/checklist/order', body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ error: code });
    }
    expect(await itemEvents()).toBe(before);
    expect(await hall.checklist()).toEqual({ items });
    const anon = await hall.server.app.inject({ url: '/api/v1/admin/checklist' });
    expect(anon.statusCode).toBe(401);
  });

  it('shows the calendar in force and due days; a hall-saved year moves a 差评’s due date', async () => {
    const calendar = async () => {
      const res = await hall.admin.get('/api/v1/admin/calendar');
      expect(res.statusCode, res.body).toBe(200);
      return res.json<CalendarResponse>();
    };
    let cal = await calendar();
    expect(cal.years.map((y) => [y.year, y.source, y.confirmed])).toEqual([
      [2026, 'shipped', true],
      [2027, 'shipped', false],
    ]);
    expect(cal.years[0]).toMatchObject({ holidays: SHIPPED_HOLIDAYS[0]!.holidays });
    expect(cal.dueDays).toEqual({
      ratingCallBackDays: 1,
      ratingRectifyDays: 15,
      walkRectifyDays: 15,
      dutyRectifyDays: 10,
    });

    // A 差评 on Friday is due a call-back on Monday 03-23.
    const ratingId = await hall.poorRating();
    const callBackDue = async () => (await hall.problem(ratingId)).deadlines.callBack!.due;
    expect(await callBackDue()).toBe('2026-03-23');

    // The hall's own 2026 makes that Monday a holiday (say, a local one).
    const shipped = SHIPPED_HOLIDAYS[0]!;
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.holidaysSaved',
      payload: {
        year: 2026,
        holidays: [...shipped.holidays, '2026-03-23'],
        workdays: [...shipped.workdays],
        confirmed: true,
      },
    });
    expect(await callBackDue()).toBe('2026-03-24');
    // And the official 2027 arrangement with a make-up Saturday.
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.holidaysSaved',
      payload: { year: 2027, holidays: ['2027-01-01'], workdays: ['2027-01-09'], confirmed: true },
    });
    await hall.admin.ok('/api/v1/admin/ref', {
      type: 'ref.settingsSaved',
      payload: { ratingCallBackDays: 2, walkRectifyDays: 20 },
    });
    expect(await callBackDue()).toBe('2026-03-25');

    cal = await calendar();
    expect(cal.years.map((y) => [y.year, y.source, y.confirmed])).toEqual([
      [2026, 'hall', true],
      [2027, 'hall', true],
    ]);
    expect(cal.years[0]!.holidays).toContain('2026-03-23');
    expect(cal.years[1]).toMatchObject({ workdays: ['2027-01-09'] });
    expect(cal.dueDays).toEqual({
      ratingCallBackDays: 2,
      ratingRectifyDays: 15,
      walkRectifyDays: 20,
      dutyRectifyDays: 10,
    });

    // An invalid year is refused on the reference route.
    const bad = await hall.admin.post('/api/v1/admin/ref', {
      type: 'ref.holidaysSaved',
      payload: { year: 2026, holidays: ['2027-01-01'], workdays: [], confirmed: true },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'date_outside_year' });
  });
});
