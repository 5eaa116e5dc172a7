import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import type { WalkListResponse, WalkReportResponse } from '../../src/sync/pipeline-protocol';
import { backends } from '../support/databases';
import { PipelineHall, photoOf } from './console-support';

const DIRECTOR = '税务局局长';

describe.each(backends)('console walks on $name', ({ name }) => {
  let hall: PipelineHall;

  beforeAll(async () => {
    hall = await PipelineHall.open(name, Date.parse('2026-04-07T01:00:00Z'));
    await hall.withPins(DIRECTOR);
  });
  afterAll(() => hall.close());

  async function walks(query = ''): Promise<WalkListResponse> {
    const res = await hall.admin.get(`/api/v1/admin/walks${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<WalkListResponse>();
  }

  async function report(id: string): Promise<WalkReportResponse> {
    const res = await hall.admin.get(`/api/v1/admin/walks/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<WalkReportResponse>();
  }

  it('lists a month’s walks and prints a walk’s report with checklist results and findings', async () => {
    const experience = await hall.checklistItem('窗口服务体验（测试）', 'experience', 5);
    const guide = await hall.checklistItem('办事指南（测试）', 'service', 1001);
    const unmarked = await hall.checklistItem('表单设计（测试）', 'service', 1002);
    const retiredMarked = await hall.checklistItem('已停用但检查过的项', 'service', 1003);
    const retiredUnmarked = await hall.checklistItem('已停用且未检查的项', 'service', 1004);

    // Tuesday 2026-04-07, 10:00 in the hall: an unannounced visit at a tax window.
    hall.at('2026-04-07T02:00:00Z');
    const leader = hall.leader(DIRECTOR);
    const window = hall.windowOf(leader.departmentId);
    const walkId = await hall.startWalk(DIRECTOR, {
      mode: 'unannounced',
      windowId: window.id,
      serviceItem: '个体工商户开业登记',
    });
    const check = (itemId: string, result: 'fine' | 'problem' | 'na', note = '') =>
      hall.append(hall.tablet, 'walk.checked', { walkId, itemId, result, note });
    hall.at('2026-04-07T02:05:00Z');
    await hall.push(hall.tablet, [
      check(experience, 'problem', '等候超过半小时'),
      check(guide, 'problem', '指南要求的材料与窗口不一致'),
      check(retiredMarked, 'na'),
    ]);
    // A later mark of an item replaces the earlier one.
    hall.at('2026-04-07T02:06:00Z');
    await hall.push(hall.tablet, [check(experience, 'fine', '叫号后即时办理')]);

    const onTablet = Buffer.from('photo of the service guide');
    hall.at('2026-04-07T02:10:00Z');
    const finding = await hall.finding(
      { walkId, leaderId: leader.id, departmentId: leader.departmentId },
      {
        description: '办事指南列出的材料比窗口实际要求多两项',
        severity: 'high',
        checklistItemId: guide,
        photos: [photoOf(onTablet)],
        windowId: window.id,
      },
    );
    hall.at('2026-04-07T02:30:00Z');
    await hall.push(hall.tablet, [
      hall.append(hall.tablet, 'walk.ended', { walkId, summary: '指南需与窗口要求统一' }),
    ]);

    // The hall retires two items afterwards; the one this walk marked stays on its report.
    hall.at('2026-04-08T02:00:00Z');
    for (const [itemId, text] of [
      [retiredMarked, '已停用但检查过的项'],
      [retiredUnmarked, '已停用且未检查的项'],
    ] as const) {
      await hall.admin.ok('/api/v1/admin/ref', {
        type: 'ref.checklistItemSaved',
        payload: { itemId, group: 'service', text, sort: 1003, active: false },
      });
    }

    const april = await walks('?month=2026-04');
    expect(april.walks).toEqual([
      {
        id: walkId,
        mode: 'unannounced',
        leader: { id: leader.id, title: DIRECTOR, titleEn: 'Director of the Tax Bureau' },
        department: { id: leader.departmentId, name: '税务', nameEn: 'Taxation' },
        window: { id: window.id, code: window.code, name: window.name },
        serviceItem: '个体工商户开业登记',
        startedAt: '2026-04-07T02:00:00.000Z',
        endedAt: '2026-04-07T02:30:00.000Z',
        counts: { fine: 1, problem: 1, na: 1 },
        findings: 1,
      },
    ]);
    expect((await walks('?month=2026-03')).walks).toEqual([]);

    let printed = await report(walkId);
    expect(printed.hall).toEqual({ name: '市民服务中心', nameEn: 'Citizen Service Center' });
    expect(printed.walk).toMatchObject({ id: walkId, summary: '指南需与窗口要求统一' });
    expect(printed.leader.title).toBe(DIRECTOR);
    expect(printed.window).toMatchObject({ id: window.id });
    const mine = new Set([experience, guide, unmarked, retiredMarked, retiredUnmarked]);
    const rows = printed.checklist.filter((row) => mine.has(row.item.id));
    // Walk order: by group (experience before service), then sort; retired only where marked.
    expect(rows.map((row) => [row.item.id, row.result, row.note])).toEqual([
      [experience, 'fine', '叫号后即时办理'],
      [guide, 'problem', '指南要求的材料与窗口不一致'],
      [unmarked, null, ''],
      [retiredMarked, 'na', ''],
    ]);
    expect(rows.at(-1)!.item.active).toBe(false);
    // Every active item of the hall is on the report, marked or not.
    const checklist = await hall.checklist();
    expect(printed.checklist.map((row) => row.item.id)).toEqual(
      checklist.items
        .filter((item) => item.active || item.id === retiredMarked)
        .map((item) => item.id),
    );

    expect(printed.findings).toHaveLength(1);
    expect(printed.findings[0]).toMatchObject({
      id: finding,
      severity: 'high',
      checklistItemId: guide,
      status: 'found',
      photos: 1,
      photosMissing: 1,
      photoViews: [{ ...photoOf(onTablet), arrived: false }],
    });

    // The photo arrives (here through the console's upload): the report shows it.
    const put = await hall.putBlob(onTablet);
    expect(put.statusCode, put.body).toBe(201);
    printed = await report(walkId);
    expect(printed.findings[0]).toMatchObject({
      photosMissing: 0,
      photoViews: [{ sha256: photoOf(onTablet).sha256, arrived: true }],
    });
  });

  it('lists walks newest first across months, and refuses a bad month or an unknown walk', async () => {
    hall.at('2026-05-12T02:00:00Z');
    const may = await hall.startWalk(DIRECTOR);
    const all = await walks();
    expect(all.walks[0]).toMatchObject({
      id: may,
      mode: 'simulate',
      window: null,
      endedAt: null,
      counts: { fine: 0, problem: 0, na: 0 },
      findings: 0,
    });
    expect(all.walks).toHaveLength(2);
    expect((await walks('?month=2026-05')).walks.map((w) => w.id)).toEqual([may]);

    const bad = await hall.admin.get('/api/v1/admin/walks?month=2026-5');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_query' });
    const unknown = await hall.admin.get(`/api/v1/admin/walks/${newId()}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'unknown_walk' });
    const anon = await hall.server.app.inject({ url: '/api/v1/admin/walks' });
    expect(anon.statusCode).toBe(401);
  });
});
