import { createHash } from 'node:crypto';
import { render } from 'svelte/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { holidayCalendar } from '../../src/domain/calendar';
import { EVENT_FORMAT, type EventEnvelope } from '../../src/domain/events';
import { HybridClock, hlcNode } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import { foldProblem, nextSteps, problemDeadlines } from '../../src/domain/problem';
import { DEFAULT_SETTINGS, type ChecklistItem } from '../../src/domain/reference';
import { formatDateTime, locale } from '../../src/i18n';
import { createAdminApi, type FetchLike } from '../../src/screens/admin/admin-api';
import { AdminState } from '../../src/screens/admin/admin-state.svelte';
import { failureLines } from '../../src/screens/admin/failure-text';
import CallBackForm from '../../src/screens/admin/CallBackForm.svelte';
import MissingPhotos from '../../src/screens/admin/MissingPhotos.svelte';
import PrecheckForm from '../../src/screens/admin/PrecheckForm.svelte';
import ReviewForm from '../../src/screens/admin/ReviewForm.svelte';
import {
  checkDueDays,
  checkHolidayYear,
  movedOrder,
  parseDateList,
  photoFileProblem,
  type PhotoFile,
} from '../../src/screens/admin/pipeline-forms';
import { deadlineText, describeProblem, stepTitle } from '../../src/screens/admin/pipeline-words';
import { listQuery, moveForm } from '../../src/screens/admin/problems-state.svelte';
import { reportGroups } from '../../src/screens/admin/walks-state.svelte';
import type {
  MissingPhotosResponse,
  ProblemDetailResponse,
  WalkReportResponse,
} from '../../src/sync/pipeline-protocol';

/** 2026-11-18 (a Wednesday) 10:00 in the hall. */
const NOW = Date.parse('2026-11-18T02:00:00Z');

type Route = (body: unknown, url: string, init?: RequestInit) => [number, unknown];

/** A scripted console server: answers by method and path (query included), records the bodies. */
function scripted(routes: Record<string, Route>) {
  const seen: { key: string; body: unknown; init?: RequestInit }[] = [];
  const fetchFn: FetchLike = async (input, init) => {
    const key = `${init?.method ?? 'GET'} ${input}`;
    const raw = init?.body;
    const body = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
    seen.push({ key, body, init });
    const route = routes[key];
    if (!route)
      return new Response(JSON.stringify({ error: 'not_found', message: key }), { status: 404 });
    const [status, answer] = route(body, input, init);
    return new Response(answer === undefined ? null : JSON.stringify(answer), { status });
  };
  return {
    fetchFn,
    seen,
    keys: () => seen.map((s) => s.key),
    bodyOf: (key: string) => seen.findLast((s) => s.key === key)?.body,
  };
}

const tax = { id: newId(), name: '税务局' };
const device = newId();
const clock = new HybridClock(hlcNode(device), () => NOW);
let seq = 0;

function event<T extends EventEnvelope['type']>(
  type: T,
  payload: EventEnvelope<T>['payload'],
  actorId: string | null = null,
): EventEnvelope<T> {
  seq += 1;
  return {
    v: EVENT_FORMAT,
    id: newId(),
    type,
    hallId: newId(),
    deviceId: device,
    deviceSeq: seq,
    prevHash: null,
    actorId,
    at: new Date(NOW).toISOString(),
    hlc: clock.tick(),
    payload,
  };
}

const problemId = newId();
const recorded = event('problem.recorded', {
  problemId,
  source: 'walk',
  sourceId: newId(),
  departmentId: tax.id,
  windowId: null,
  description: '办事指南与窗口要求不一致',
  severity: 'medium',
  photos: [{ sha256: 'a'.repeat(64), type: 'image/jpeg', size: 1000 }],
});

function detailOf(events: EventEnvelope[]): ProblemDetailResponse {
  const problem = foldProblem(events)!;
  return {
    problem,
    department: { id: tax.id, name: tax.name },
    window: null,
    deadlines: problemDeadlines(problem, NOW, holidayCalendar(), DEFAULT_SETTINGS),
    overdue: false,
    next: nextSteps(problem),
    photos: {},
    actors: {},
    walk: null,
    checklistItem: null,
    serverTime: new Date(NOW).toISOString(),
  };
}

const found = detailOf([recorded]);
const listAnswer = { problems: [], counts: [], serverTime: new Date(NOW).toISOString() };

function pngFile(name: string, bytes: Uint8Array, type = 'image/png'): PhotoFile {
  return {
    name,
    type,
    size: bytes.byteLength,
    arrayBuffer: async () =>
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

beforeAll(async () => {
  await locale.use('admin');
});

describe('pipeline forms', () => {
  it('takes JPEG, PNG and WebP photos up to 2 MB only', () => {
    expect(photoFileProblem({ type: 'image/jpeg', size: 10 })).toBeNull();
    expect(photoFileProblem({ type: 'image/webp', size: 2 * 1024 * 1024 })).toBeNull();
    expect(photoFileProblem({ type: 'application/pdf', size: 10 })).toBe('photo_not_image');
    expect(photoFileProblem({ type: 'image/gif', size: 10 })).toBe('photo_not_image');
    expect(photoFileProblem({ type: 'image/png', size: 2 * 1024 * 1024 + 1 })).toBe(
      'photo_too_large',
    );
  });

  it('reads a date list one per line, sorted and each once, naming the first bad word', () => {
    expect(parseDateList('2027-02-06\n2027-02-05\n\n2027-02-05 ')).toEqual({
      dates: ['2027-02-05', '2027-02-06'],
      bad: null,
    });
    expect(parseDateList('2027-02-05\n2027-02-30').bad).toBe('2027-02-30');
  });

  it('checks a holiday year as the shared validation does', () => {
    expect(checkHolidayYear(2027, '2027-02-05\n2027-02-06', '2027-02-14', true)).toEqual({
      ok: true,
      value: {
        year: 2027,
        holidays: ['2027-02-05', '2027-02-06'],
        workdays: ['2027-02-14'],
        confirmed: true,
      },
    });
    expect(checkHolidayYear(2027, '2027-13-01', '', false)).toEqual({
      ok: false,
      problem: { code: 'bad_date', value: '2027-13-01' },
    });
    expect(checkHolidayYear(2027, '2026-12-31', '', false)).toEqual({
      ok: false,
      problem: { code: 'date_outside_year', value: '2026-12-31' },
    });
    expect(checkHolidayYear(2027, '2027-02-05', '2027-02-05', false)).toEqual({
      ok: false,
      problem: { code: 'holiday_and_workday', value: '2027-02-05' },
    });
  });

  it('takes due days as whole working days from 1 to 120', () => {
    expect(
      checkDueDays({
        ratingCallBackDays: '2',
        ratingRectifyDays: 15,
        walkRectifyDays: '10',
        dutyRectifyDays: 5,
      }),
    ).toEqual({
      ok: true,
      value: {
        ratingCallBackDays: 2,
        ratingRectifyDays: 15,
        walkRectifyDays: 10,
        dutyRectifyDays: 5,
      },
    });
    const bad = checkDueDays({
      ratingCallBackDays: '1.5',
      ratingRectifyDays: 15,
      walkRectifyDays: 15,
      dutyRectifyDays: 10,
    });
    expect(bad).toEqual({ ok: false, problem: { code: 'bad_due_days', value: '1.5' } });
    const emptied = checkDueDays({
      ratingCallBackDays: 1,
      ratingRectifyDays: null,
      walkRectifyDays: 15,
      dutyRectifyDays: 10,
    });
    expect(emptied).toEqual({ ok: false, problem: { code: 'bad_due_days', value: '' } });
  });

  it('moves a checklist item within its group only', () => {
    const item = (id: string, group: ChecklistItem['group'], sort: number): ChecklistItem => ({
      id,
      group,
      text: id,
      sort,
      active: true,
      version: { hlc: '', id },
    });
    const ordered = [
      item('a', 'experience', 0),
      item('b', 'experience', 1),
      item('c', 'reform', 0),
    ];
    expect(movedOrder(ordered, 'b', -1)).toEqual(['b', 'a', 'c']);
    expect(movedOrder(ordered, 'b', 1)).toBeNull();
    expect(movedOrder(ordered, 'a', -1)).toBeNull();
  });
});

describe('pipeline words', () => {
  it('says a deadline as a countdown, due today, overdue or done', () => {
    const d = { due: '2026-11-20', done: false, remaining: 2, overdue: false, late: false };
    expect(deadlineText(d)).toBe('剩 2 个工作日');
    expect(deadlineText({ ...d, remaining: 0 })).toBe('今日到期');
    expect(deadlineText({ ...d, remaining: -1, overdue: true })).toBe('已逾期');
    expect(deadlineText({ ...d, done: true, late: true })).toBe('超期完成');
  });

  it("says a 差评's reason codes in words and keeps other descriptions as written", () => {
    expect(describeProblem('rating', 'waited_too_long, attitude — 等了一小时')).toBe(
      '等候时间长、服务态度差 — 等了一小时',
    );
    expect(describeProblem('walk', 'waited_too_long')).toBe('waited_too_long');
  });

  it('names the steps of a history, sending back apart from starting', () => {
    const assign = event('problem.assigned', {
      problemId,
      from: 'found',
      departmentId: tax.id,
      assignee: '综合窗口负责人',
      note: '',
    });
    const fixed = event('problem.statusChanged', {
      problemId,
      from: 'assigned',
      to: 'rectified',
      note: '已更新指南',
      photos: [],
    });
    const back = event('problem.statusChanged', {
      problemId,
      from: 'rectified',
      to: 'rectifying',
      note: '未改完',
      photos: [],
    });
    const stale = event('problem.statusChanged', {
      problemId,
      from: 'assigned',
      to: 'rectifying',
      note: '',
      photos: [],
    });
    const p = foldProblem([recorded, assign, fixed, back, stale])!;
    expect(p.steps.map(stepTitle)).toEqual([
      '发现问题',
      '交办',
      '整改完成',
      '退回重新整改',
      '开始整改',
    ]);
    expect(p.steps[4]!.superseded).toBe('status_moved');
  });
});

describe('console problems', () => {
  it('asks for the list with the filters chosen', async () => {
    const server = scripted({
      'GET /api/v1/admin/problems': () => [200, listAnswer],
      [`GET /api/v1/admin/problems?department=${tax.id}&source=rating&overdue=1&month=2026-11`]:
        () => [200, listAnswer],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.problems.list.refresh();
    admin.problems.filter({
      department: tax.id,
      source: 'rating',
      overdue: true,
      month: '2026-11',
    });
    await expect.poll(() => server.keys().length).toBe(2);
    expect(server.keys()[1]).toBe(
      `GET /api/v1/admin/problems?department=${tax.id}&source=rating&overdue=1&month=2026-11`,
    );
    expect(
      listQuery({ department: '', source: '', status: '', overdue: false, month: '' }),
    ).toEqual({});
  });

  it('assigns from the status shown, then shows the answer and refreshes the list', async () => {
    const assigned = detailOf([
      recorded,
      event('problem.assigned', {
        problemId,
        from: 'found',
        departmentId: tax.id,
        assignee: '综合窗口负责人',
        note: '请一周内改正',
      }),
    ]);
    const server = scripted({
      [`GET /api/v1/admin/problems/${problemId}`]: () => [200, found],
      [`POST /api/v1/admin/problems/${problemId}/steps`]: () => [200, assigned],
      'GET /api/v1/admin/problems': () => [200, listAnswer],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.problems.open(problemId);
    expect(admin.problems.detail?.problem.status).toBe('found');
    admin.problems.showForm('assign');
    expect(await admin.problems.assign(tax.id, ' 综合窗口负责人 ', '请一周内改正')).toBe(true);
    expect(server.bodyOf(`POST /api/v1/admin/problems/${problemId}/steps`)).toEqual({
      type: 'problem.assigned',
      payload: {
        from: 'found',
        departmentId: tax.id,
        assignee: '综合窗口负责人',
        note: '请一周内改正',
      },
    });
    expect(admin.problems.detail?.problem.status).toBe('assigned');
    expect(admin.problems.form).toBeNull();
    expect(admin.problems.done).toBe('assign');
    expect(server.keys()).toContain('GET /api/v1/admin/problems');
  });

  it('refuses before sending: closing without a reason, disputing a 差评 without grounds', async () => {
    const server = scripted({
      [`GET /api/v1/admin/problems/${problemId}`]: () => [200, found],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.problems.open(problemId);
    expect(await admin.problems.move('closed', '  ')).toBe(false);
    expect(admin.problems.problem).toEqual({ code: 'reason_required' });
    expect(await admin.problems.precheck('malicious', '')).toBe(false);
    expect(admin.problems.problem).toEqual({ code: 'grounds_required' });
    expect(await admin.problems.comment('', [])).toBe(false);
    expect(server.keys()).toEqual([`GET /api/v1/admin/problems/${problemId}`]);
  });

  it('uploads evidence under its SHA-256 before the step that names it', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const server = scripted({
      [`GET /api/v1/admin/problems/${problemId}`]: () => [200, found],
      [`PUT /api/v1/admin/blobs/${sha}`]: () => [201, { sha256: sha, size: bytes.length }],
      [`POST /api/v1/admin/problems/${problemId}/steps`]: () => [200, found],
      'GET /api/v1/admin/problems': () => [200, listAnswer],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.problems.open(problemId);
    expect(await admin.problems.comment('整改后照片', [pngFile('after.png', bytes)])).toBe(true);
    const keys = server.keys();
    expect(keys.indexOf(`PUT /api/v1/admin/blobs/${sha}`)).toBeLessThan(
      keys.indexOf(`POST /api/v1/admin/problems/${problemId}/steps`),
    );
    const put = server.seen.find((s) => s.key.startsWith('PUT'))!;
    expect(new Uint8Array(put.body as ArrayBuffer)).toEqual(bytes);
    expect((put.init?.headers as Record<string, string>)['content-type']).toBe('image/png');
    expect(server.bodyOf(`POST /api/v1/admin/problems/${problemId}/steps`)).toEqual({
      type: 'problem.commented',
      payload: {
        note: '整改后照片',
        photos: [{ sha256: sha, type: 'image/png', size: bytes.length }],
      },
    });
  });

  it('refuses a non-image or a photo over 2 MB with its name, sending nothing', async () => {
    const server = scripted({
      [`GET /api/v1/admin/problems/${problemId}`]: () => [200, found],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.problems.open(problemId);
    const pdf = pngFile('scan.pdf', new Uint8Array([1, 2, 3]), 'application/pdf');
    expect(await admin.problems.comment('见附件', [pdf])).toBe(false);
    expect(admin.problems.problem).toEqual({ code: 'photo_not_image', value: 'scan.pdf' });
    const big = { ...pngFile('big.jpg', new Uint8Array(1), 'image/jpeg'), size: 3 * 1024 * 1024 };
    expect(await admin.problems.move('rectified', '', [big])).toBe(false);
    expect(admin.problems.problem).toEqual({ code: 'photo_too_large', value: 'big.jpg' });
    expect(server.keys()).toHaveLength(1);
  });

  it("shows the server's issues in words", async () => {
    const server = scripted({
      [`GET /api/v1/admin/problems/${problemId}`]: () => [200, found],
      [`POST /api/v1/admin/problems/${problemId}/steps`]: () => [
        400,
        {
          error: 'close_needs_reason',
          message: 'The step is not valid.',
          issues: [{ path: 'payload', code: 'close_needs_reason', message: 'payload: …' }],
        },
      ],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.problems.open(problemId);
    expect(await admin.problems.move('closed', '重复登记')).toBe(false);
    expect(admin.problems.error?.code).toBe('close_needs_reason');
    expect(failureLines(admin.problems.error!)).toEqual(['关闭问题需要写明原因。']);
  });

  it('reloads the problem opened from its heading, e.g. when a tablet added a step', async () => {
    let answer = found;
    const server = scripted({
      [`GET /api/v1/admin/problems/${problemId}`]: () => [200, answer],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.problems.open(problemId);
    answer = detailOf([
      recorded,
      event('problem.commented', { problemId, note: '平板补充的照片', photos: [] }),
    ]);
    await admin.problems.detailSource.refresh();
    expect(admin.problems.detail?.problem.steps.map((s) => s.note)).toEqual([
      '办事指南与窗口要求不一致',
      '平板补充的照片',
    ]);
    admin.problems.close();
    await admin.problems.detailSource.refresh();
    expect(server.keys()).toHaveLength(2);
  });

  it('names the form of a move: rectified back to rectifying is sending back', () => {
    expect(moveForm('rectified', 'rectifying')).toBe('sendBack');
    expect(moveForm('assigned', 'rectifying')).toBe('rectifying');
    expect(moveForm('assigned', 'closed')).toBe('close');
  });
});

describe('console checklist and calendar', () => {
  const item = (over: Partial<ChecklistItem>): ChecklistItem => ({
    id: newId(),
    group: 'service',
    text: '咨询电话',
    sort: 0,
    active: true,
    version: { hlc: '', id: '' },
    ...over,
  });
  const hotline = item({ text: '咨询电话', sort: 0 });
  const lookup = item({ text: '网上查询', sort: 1 });
  const guide = item({ group: 'reform', text: '群众能否看懂办事指南', sort: 0 });

  it('adds an item at the end of its group, reorders and retires through the reference', async () => {
    const server = scripted({
      'GET /api/v1/admin/checklist': () => [200, { items: [hotline, lookup, guide] }],
      'POST /api/v1/admin/ref': () => [200, { event: {} }],
      'POST /api/v1/admin/checklist/order': () => [200, { items: [] }],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.checklist.items.refresh();
    expect(admin.checklist.ordered.map((i) => i.text)).toEqual([
      '群众能否看懂办事指南',
      '咨询电话',
      '网上查询',
    ]);

    admin.checklist.edit('new');
    expect(await admin.checklist.save({ group: 'service', text: ' 自助服务 ', textEn: '' })).toBe(
      true,
    );
    const added = server.bodyOf('POST /api/v1/admin/ref') as {
      type: string;
      payload: Record<string, unknown>;
    };
    expect(added.type).toBe('ref.checklistItemSaved');
    expect(added.payload).toMatchObject({
      group: 'service',
      text: '自助服务',
      sort: 2,
      active: true,
    });
    expect(added.payload).not.toHaveProperty('textEn');

    expect(await admin.checklist.move(lookup.id, -1)).toBe(true);
    expect(server.bodyOf('POST /api/v1/admin/checklist/order')).toEqual({
      ids: [guide.id, lookup.id, hotline.id],
    });
    // Across a group boundary nothing is sent.
    expect(await admin.checklist.move(hotline.id, -1)).toBe(false);

    expect(await admin.checklist.setActive(hotline, false)).toBe(true);
    expect(server.bodyOf('POST /api/v1/admin/ref')).toEqual({
      type: 'ref.checklistItemSaved',
      payload: {
        itemId: hotline.id,
        group: 'service',
        text: '咨询电话',
        sort: 0,
        active: false,
      },
    });
    expect(admin.checklist.run.done).toBe('retired');
  });

  it('saves a year and the due days as reference events, after checking the dates', async () => {
    const calendar = {
      years: [
        { year: 2027, holidays: ['2027-01-01'], workdays: [], confirmed: false, source: 'shipped' },
      ],
      dueDays: {
        ratingCallBackDays: 1,
        ratingRectifyDays: 15,
        walkRectifyDays: 15,
        dutyRectifyDays: 10,
      },
    };
    const server = scripted({
      'GET /api/v1/admin/calendar': () => [200, calendar],
      'POST /api/v1/admin/ref': () => [200, { event: {} }],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.calendar.calendar.refresh();
    expect(
      await admin.calendar.saveYear(2027, {
        holidays: '2027-01-01\n2027-02-31',
        workdays: '',
        confirmed: false,
      }),
    ).toBe(false);
    expect(admin.calendar.run.problemIn('year-2027')).toEqual({
      code: 'bad_date',
      value: '2027-02-31',
    });
    expect(server.keys()).toEqual(['GET /api/v1/admin/calendar']);

    expect(
      await admin.calendar.saveYear(2027, {
        holidays: '2027-02-06\n2027-02-05',
        workdays: '2027-02-14',
        confirmed: true,
      }),
    ).toBe(true);
    expect(server.bodyOf('POST /api/v1/admin/ref')).toEqual({
      type: 'ref.holidaysSaved',
      payload: {
        year: 2027,
        holidays: ['2027-02-05', '2027-02-06'],
        workdays: ['2027-02-14'],
        confirmed: true,
      },
    });

    expect(
      await admin.calendar.saveDueDays({
        ratingCallBackDays: '2',
        ratingRectifyDays: '10',
        walkRectifyDays: '15',
        dutyRectifyDays: '10',
      }),
    ).toBe(true);
    expect(server.bodyOf('POST /api/v1/admin/ref')).toEqual({
      type: 'ref.settingsSaved',
      payload: {
        ratingCallBackDays: 2,
        ratingRectifyDays: 10,
        walkRectifyDays: 15,
        dutyRectifyDays: 10,
      },
    });

    expect(admin.calendar.addYear('2028')).toBe(true);
    expect(admin.calendar.years.map((y) => y.year)).toEqual([2027, 2028]);
    expect(admin.calendar.addYear('28')).toBe(false);
  });
});

describe('console walks', () => {
  it("opens a finding's problem in 问题整改 from the walk report", async () => {
    const server = scripted({
      'GET /api/v1/admin/walks?month=2026-11': () => [200, { walks: [] }],
      'GET /api/v1/admin/windows': () => [
        200,
        { hall: { id: newId(), name: '大厅' }, windows: [] },
      ],
      'GET /api/v1/admin/problems': () => [200, listAnswer],
      [`GET /api/v1/admin/problems/${problemId}`]: () => [200, found],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    admin.show('walks');
    admin.openProblem(problemId);
    expect(admin.tab).toBe('problems');
    expect(admin.problems.openId).toBe(problemId);
    await expect.poll(() => admin.problems.detail?.problem.id).toBe(problemId);
  });

  it("lists the hall's month and groups a report's checklist in walk order", async () => {
    const server = scripted({
      'GET /api/v1/admin/walks?month=2026-11': () => [200, { walks: [] }],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    admin.show('walks');
    await expect.poll(() => server.keys()).toContain('GET /api/v1/admin/walks?month=2026-11');

    const row = (text: string, group: ChecklistItem['group'], sort: number, active = true) => ({
      item: { id: newId(), group, text, sort, active, version: { hlc: '', id: '' } },
      result: 'fine' as const,
      note: '',
    });
    const groups = reportGroups({
      checklist: [
        row('咨询电话', 'service', 1),
        row('窗口服务体验', 'experience', 0),
        row('大厅秩序', 'service', 0, false),
      ],
    } as unknown as WalkReportResponse);
    expect(groups.map((g) => [g.group, g.rows.map((r) => r.item.text)])).toEqual([
      ['experience', ['窗口服务体验']],
      ['service', ['大厅秩序', '咨询电话']],
    ]);
  });
});

describe('console photos not uploaded yet', () => {
  const tablet = { id: newId(), name: '走流程平板 1', lastSeenAt: '2026-11-17T01:30:00.000Z' };
  const waiting: MissingPhotosResponse = {
    missing: [
      { sha256: 'a'.repeat(64), problemId, eventId: recorded.id, device: tablet },
      {
        sha256: 'b'.repeat(64),
        problemId: null,
        eventId: newId(),
        device: { id: newId(), name: null, lastSeenAt: null },
      },
    ],
  };
  const windows = { hall: { id: newId(), name: '大厅' }, windows: [] };

  it('asks which photos are missing when 问题整改 is shown, and again with the list on refresh', async () => {
    let answer: MissingPhotosResponse = waiting;
    const server = scripted({
      'GET /api/v1/admin/windows': () => [200, windows],
      'GET /api/v1/admin/problems': () => [200, listAnswer],
      'GET /api/v1/admin/photos/missing': () => [200, answer],
      [`GET /api/v1/admin/problems/${problemId}`]: () => [200, found],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    admin.show('problems');
    await expect.poll(() => admin.problems.missing.data).toEqual(waiting);

    answer = { missing: [] };
    await admin.problems.overview.refresh();
    expect(admin.problems.missing.data).toEqual({ missing: [] });
    expect(server.keys().filter((k) => k === 'GET /api/v1/admin/problems')).toHaveLength(2);
    expect(server.keys().filter((k) => k === 'GET /api/v1/admin/photos/missing')).toHaveLength(2);
  });

  it("shows the list's failure when the missing photos cannot be loaded", async () => {
    const server = scripted({
      'GET /api/v1/admin/problems': () => [200, listAnswer],
      'GET /api/v1/admin/photos/missing': () => [
        503,
        { error: 'unavailable', message: 'Try again.' },
      ],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn), () => NOW);
    await admin.problems.overview.refresh();
    expect(admin.problems.list.data).toEqual(listAnswer);
    expect(admin.problems.overview.error).not.toBeNull();
    expect(admin.problems.overview.loading).toBe(false);
  });

  it('names the device and when it was last seen, with a button to the problem of each photo', () => {
    const { body } = render(MissingPhotos, {
      props: { missing: waiting.missing, onopen: () => undefined },
    });
    expect(body).toContain('尚未上传的照片');
    expect(body.match(/data-testid="missing-photo"/g)).toHaveLength(2);
    expect(body).toContain('走流程平板 1');
    expect(body).toContain(formatDateTime(tablet.lastSeenAt, 'zh-CN'));
    expect(body).toContain('未命名设备');
    expect(body).toContain('从未');
    // Only the photo that belongs to a problem can open it.
    expect(body.match(/>打开问题</g)).toHaveLength(1);
    expect(body).toContain('不属于任何问题');
    expect(body).not.toContain('所有照片均已上传');
  });

  it('says in one line that every photo has arrived', () => {
    const { body } = render(MissingPhotos, { props: { missing: [], onopen: () => undefined } });
    expect(body).toContain('所有照片均已上传');
    expect(body).not.toContain('data-testid="missing-photo"');
  });
});

describe('console step forms', () => {
  const idle = { busy: false, onsubmit: () => undefined, oncancel: () => undefined };
  const radios = (body: string, name: string) =>
    [...body.matchAll(new RegExp(`type="radio" name="${name}" value="(\\w+)"`, 'g'))].map(
      (m) => m[1],
    );

  it('offers each choice of a step as a labelled radio button under its question', () => {
    const precheck = render(PrecheckForm, { props: idle }).body;
    expect(radios(precheck, 'verdict')).toEqual(['valid', 'mistaken', 'malicious']);
    const review = render(ReviewForm, { props: idle }).body;
    expect(radios(review, 'outcome')).toEqual(['upheld', 'dismissed']);
    expect(review).toContain('申诉成立（差评不计）');
    const callBack = render(CallBackForm, { props: idle }).body;
    expect(radios(callBack, 'satisfaction')).toEqual(['satisfied', 'unsatisfied']);
    expect(callBack).toContain('已联系上市民');
    expect(callBack).toContain('不满意');
  });

  it('says the step is being sent on its disabled submit button, beside cancel', () => {
    const sending = render(ReviewForm, { props: { ...idle, busy: true } }).body;
    expect(sending).toMatch(/<button type="submit" class="btn" disabled[^>]*>正在提交…<\/button>/);
    expect(sending).toContain('>取消</button>');
    const ready = render(ReviewForm, { props: idle }).body;
    expect(ready).toMatch(/<button type="submit" class="btn"[^>]*>提交<\/button>/);
    expect(ready).not.toContain('正在提交…');
  });
});
