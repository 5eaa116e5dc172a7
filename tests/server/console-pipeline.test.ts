import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import type { ProblemDetailResponse, ProblemListItem } from '../../src/sync/pipeline-protocol';
import { backends } from '../support/databases';
import { PipelineHall, photoOf } from './console-support';
import { enrollRole } from './duty-support';

const DIRECTOR = '税务局局长';
const HRSS_DIRECTOR = '人力资源和社会保障局局长';

const ids = (list: { id: string }[]) => list.map((p) => p.id);

describe.each(backends)('console problem pipeline on $name', ({ name }) => {
  let hall: PipelineHall;
  let adminId: string;

  /** A walk of the leader with its id and department, for findings. */
  async function walk(title: string) {
    const leader = hall.leader(title);
    const walkId = await hall.startWalk(title);
    return { walkId, leaderId: leader.id, departmentId: leader.departmentId };
  }

  beforeAll(async () => {
    hall = await PipelineHall.open(name, Date.parse('2026-02-02T02:00:00Z'));
    await hall.withPins(DIRECTOR, HRSS_DIRECTOR);
    adminId = hall.adminId;
  });
  afterAll(() => hall.close());

  it('lists problems by department, source, status, overdue, month and walk, with counts', async () => {
    // February, across the Spring Festival holiday (2026-02-15 … 02-23, make-up days 02-14, 02-28).
    hall.at('2026-02-03T02:00:00Z');
    const tax = await walk(DIRECTOR);
    const a = await hall.finding(tax, { severity: 'high' });
    hall.at('2026-02-03T02:01:00Z');
    const b = await hall.finding(tax, { severity: 'low', description: '自助机无人引导' });
    hall.at('2026-02-03T02:02:00Z');
    const rating = await hall.poorRating();
    hall.at('2026-02-03T02:03:00Z');
    const hrss = await walk(HRSS_DIRECTOR);
    const c = await hall.finding(hrss, { description: '窗口标识不清' });
    // March: outside the month asked.
    hall.at('2026-03-02T02:00:00Z');
    const later = await hall.finding(tax);

    hall.at('2026-02-04T02:00:00Z');
    await hall.step(a, {
      type: 'problem.assigned',
      payload: {
        from: 'found',
        departmentId: tax.departmentId,
        assignee: '综合窗口负责人',
        note: '',
      },
    });
    await hall.step(a, {
      type: 'problem.statusChanged',
      payload: { from: 'assigned', to: 'rectifying', note: '', photos: [] },
    });
    await hall.step(a, {
      type: 'problem.statusChanged',
      payload: { from: 'rectifying', to: 'rectified', note: '指南已更新', photos: [] },
    });
    await hall.step(c, {
      type: 'problem.statusChanged',
      payload: { from: 'found', to: 'closed', note: '标识已在当日更换，不构成问题', photos: [] },
    });

    // The server's clock: 2026-03-10, past every February deadline.
    hall.at('2026-03-10T02:00:00Z');
    const feb = await hall.problems('?month=2026-02');
    expect(ids(feb.problems)).toEqual([c, rating, b, a]);
    expect(feb.serverTime).toBe('2026-03-10T02:00:00.000Z');

    const byId = (id: string) => feb.problems.find((p) => p.id === id)!;
    // 15 working days from Tuesday 02-03 over the Spring Festival and both make-up Saturdays.
    expect(byId(b).deadlines.rectify).toMatchObject({
      due: '2026-03-02',
      overdue: true,
      done: false,
    });
    expect(byId(b)).toMatchObject({
      source: 'walk',
      severity: 'low',
      status: 'found',
      overdue: true,
      department: { id: tax.departmentId, name: '税务', nameEn: 'Taxation' },
      assignee: null,
      ratingLevel: null,
    });
    expect(byId(a)).toMatchObject({
      status: 'rectified',
      overdue: false,
      assignee: { department: { id: tax.departmentId }, assignee: '综合窗口负责人' },
    });
    // A 差评 is due a call-back the next working day.
    expect(byId(rating)).toMatchObject({
      source: 'rating',
      ratingLevel: 'dissatisfied',
      overdue: true,
    });
    expect(byId(rating).deadlines.callBack).toMatchObject({ due: '2026-02-04', overdue: true });
    expect(byId(rating).window).toMatchObject({ id: hall.evaluator.windowId });
    expect(byId(c)).toMatchObject({ status: 'closed', overdue: false });

    const taxCounts = { found: 3, rectified: 1, overdue: 2, closed: 0 };
    const hrssCounts = { found: 1, rectified: 0, overdue: 0, closed: 1 };
    const countOf = (list: typeof feb.counts, id: string) =>
      list.find((x) => x.department.id === id);
    expect(countOf(feb.counts, tax.departmentId)).toMatchObject(taxCounts);
    expect(countOf(feb.counts, hrss.departmentId)).toMatchObject(hrssCounts);
    // Every department is counted, in the hall's order, quiet ones with zeros.
    expect(feb.counts.map((x) => x.department.id)).toEqual(
      hall.server.seed.departments.map((d) => d.id),
    );
    expect(countOf(feb.counts, hall.department('MED').id)).toMatchObject({
      found: 0,
      rectified: 0,
      overdue: 0,
      closed: 0,
    });

    // Filters narrow the list, never the counts.
    const taxOnly = await hall.problems(`?month=2026-02&department=${tax.departmentId}`);
    expect(ids(taxOnly.problems)).toEqual([rating, b, a]);
    expect(countOf(taxOnly.counts, hrss.departmentId)).toMatchObject(hrssCounts);
    expect(ids((await hall.problems('?month=2026-02&source=rating')).problems)).toEqual([rating]);
    expect(ids((await hall.problems('?month=2026-02&source=walk')).problems)).toEqual([c, b, a]);
    expect(ids((await hall.problems('?month=2026-02&status=rectified')).problems)).toEqual([a]);
    expect(ids((await hall.problems('?month=2026-02&overdue=1')).problems)).toEqual([rating, b]);
    expect(ids((await hall.problems(`?walk=${tax.walkId}`)).problems)).toEqual([later, b, a]);
    expect(ids((await hall.problems(`?walk=${hrss.walkId}&status=closed`)).problems)).toEqual([c]);
    // Without a month: all time, the March finding first.
    const all = await hall.problems();
    expect(ids(all.problems)).toEqual([later, c, rating, b, a]);
    expect(countOf(all.counts, tax.departmentId)).toMatchObject({ ...taxCounts, found: 4 });
    // An empty filter means any.
    expect(ids((await hall.problems('?month=2026-02&department=&status=')).problems)).toHaveLength(
      4,
    );

    for (const bad of [
      '?month=2026-13',
      '?month=feb',
      '?status=lost',
      '?source=phone',
      '?overdue=yes',
    ]) {
      const res = await hall.admin.get(`/api/v1/admin/problems${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_query' });
    }
  });

  it('takes a finding through assign → rectifying → rectified → verified, with who did what and evidence', async () => {
    hall.at('2026-03-16T02:00:00Z');
    const tax = await walk(DIRECTOR);
    const onTablet = Buffer.from('finding photo, still on the tablet');
    const problemId = await hall.finding(tax, { photos: [photoOf(onTablet)] });

    let detail = await hall.problem(problemId);
    expect(detail).toMatchObject({
      problem: { id: problemId, status: 'found', walkId: tax.walkId, recordedBy: tax.leaderId },
      department: { id: tax.departmentId, name: '税务' },
      walk: { id: tax.walkId, mode: 'simulate' },
      next: { assign: true, moves: ['closed'], precheck: false },
      overdue: false,
      checklistItem: null,
    });
    expect(detail.photos[photoOf(onTablet).sha256]).toEqual({
      ...photoOf(onTablet),
      arrived: false,
      url: `/api/v1/blobs/${photoOf(onTablet).sha256}`,
    });
    expect(detail.actors[tax.leaderId]).toBe(DIRECTOR);

    hall.at('2026-03-16T03:00:00Z');
    detail = await hall.step(problemId, {
      type: 'problem.assigned',
      payload: {
        from: 'found',
        departmentId: tax.departmentId,
        assignee: '综合窗口负责人',
        note: '请三日内整改',
      },
    });
    expect(detail.problem.status).toBe('assigned');
    expect(detail.next.moves).toEqual(['rectifying', 'rectified', 'closed']);

    hall.at('2026-03-17T02:00:00Z');
    await hall.step(problemId, {
      type: 'problem.statusChanged',
      payload: { from: 'assigned', to: 'rectifying', note: '', photos: [] },
    });

    // Evidence is uploaded by the console first, then named by the step.
    const evidence = Buffer.from('evidence photo taken on the console');
    const put = await hall.putBlob(evidence);
    expect(put.statusCode, put.body).toBe(201);
    expect((await hall.putBlob(evidence)).statusCode).toBe(200);
    hall.at('2026-03-18T02:00:00Z');
    await hall.step(problemId, {
      type: 'problem.statusChanged',
      payload: {
        from: 'rectifying',
        to: 'rectified',
        note: '指南已更新',
        photos: [photoOf(evidence)],
      },
    });
    hall.at('2026-03-19T02:00:00Z');
    detail = await hall.step(problemId, {
      type: 'problem.statusChanged',
      payload: { from: 'rectified', to: 'verified', note: '复查通过', photos: [] },
    });

    expect(detail.problem.status).toBe('verified');
    expect(detail.problem.steps.map((s) => [s.type, s.statusAfter, s.superseded])).toEqual([
      ['problem.recorded', 'found', null],
      ['problem.assigned', 'assigned', null],
      ['problem.statusChanged', 'rectifying', null],
      ['problem.statusChanged', 'rectified', null],
      ['problem.statusChanged', 'verified', null],
    ]);
    // The console's steps are the administrator's.
    expect(detail.problem.steps.slice(1).map((s) => s.actorId)).toEqual([
      adminId,
      adminId,
      adminId,
      adminId,
    ]);
    expect(detail.actors).toEqual({ [tax.leaderId]: DIRECTOR, [adminId]: 'admin' });
    expect(detail.problem.steps[1]!.note).toBe('请三日内整改');
    expect(detail.deadlines.rectify).toMatchObject({ done: true, late: false });
    expect(detail.next.moves).toEqual([]);
    expect(detail.photos[photoOf(evidence).sha256]).toMatchObject({ arrived: true });
    expect(detail.photos[photoOf(onTablet).sha256]).toMatchObject({ arrived: false });

    let listed = (await hall.problems(`?walk=${tax.walkId}`)).problems[0]!;
    expect(listed).toMatchObject<Partial<ProblemListItem>>({ photos: 2, photosMissing: 1 });

    const missing = await hall.admin.get('/api/v1/admin/photos/missing');
    expect(missing.statusCode).toBe(200);
    expect(missing.json().missing).toContainEqual({
      sha256: photoOf(onTablet).sha256,
      problemId,
      eventId: detail.problem.steps[0]!.eventId,
      device: expect.objectContaining({ id: hall.tablet.deviceId }),
    });

    // The tablet's photo arrives: the console no longer shows it as still on the tablet.
    const tabletPut = await hall.server.app.inject({
      method: 'PUT',
      url: `/api/v1/blobs/${photoOf(onTablet).sha256}`,
      headers: { ...hall.tablet.authorization(), 'content-type': 'image/jpeg' },
      payload: onTablet,
    });
    expect(tabletPut.statusCode, tabletPut.body).toBe(201);
    detail = await hall.problem(problemId);
    expect(detail.photos[photoOf(onTablet).sha256]).toMatchObject({ arrived: true });
    listed = (await hall.problems(`?walk=${tax.walkId}`)).problems[0]!;
    expect(listed.photosMissing).toBe(0);
    const after = (await hall.admin.get('/api/v1/admin/photos/missing')).json();
    expect(after.missing.map((m: { sha256: string }) => m.sha256)).not.toContain(
      photoOf(onTablet).sha256,
    );
  });

  it('keeps a step written from a stale status, marked superseded', async () => {
    hall.at('2026-03-16T04:00:00Z');
    const tax = await walk(DIRECTOR);
    const problemId = await hall.finding(tax);
    await hall.step(problemId, {
      type: 'problem.assigned',
      payload: { from: 'found', departmentId: tax.departmentId, assignee: '导服组', note: '' },
    });
    // The tablet starts rectifying; the console, still showing "assigned", marks it rectified.
    hall.at('2026-03-16T05:00:00Z');
    await hall.push(hall.tablet, [
      hall.append(
        hall.tablet,
        'problem.statusChanged',
        { problemId, from: 'assigned', to: 'rectifying', note: '现场整改中', photos: [] },
        { actorId: tax.leaderId },
      ),
    ]);
    hall.at('2026-03-16T05:01:00Z');
    const detail = await hall.step(problemId, {
      type: 'problem.statusChanged',
      payload: { from: 'assigned', to: 'rectified', note: '已整改', photos: [] },
    });
    expect(detail.problem.status).toBe('rectifying');
    const last = detail.problem.steps.at(-1)!;
    expect(last).toMatchObject({
      type: 'problem.statusChanged',
      actorId: adminId,
      superseded: 'status_moved',
      statusBefore: 'rectifying',
      statusAfter: 'rectifying',
      note: '已整改',
    });
    expect(detail.actors[tax.leaderId]).toBe(DIRECTOR);
    const listed = (await hall.problems(`?walk=${tax.walkId}`)).problems[0]!;
    expect(listed).toMatchObject({ status: 'rectifying', superseded: 1 });
  });

  it('sets a 差评 aside only through pre-check, appeal and review; closing it is superseded', async () => {
    hall.at('2026-03-16T06:00:00Z');
    const ratingId = await hall.poorRating('very_dissatisfied');
    let detail = await hall.problem(ratingId);
    expect(detail.problem).toMatchObject({ source: 'rating', severity: 'high', status: 'found' });
    expect(detail.next).toMatchObject({ precheck: true, moves: [] });
    expect(detail.deadlines.callBack).toMatchObject({ due: '2026-03-17' });

    detail = await hall.step(ratingId, {
      type: 'problem.statusChanged',
      payload: { from: 'found', to: 'closed', note: '评价人误操作', photos: [] },
    });
    expect(detail.problem.status).toBe('found');
    expect(detail.problem.steps.at(-1)).toMatchObject({ superseded: 'needs_appeal' });

    detail = await hall.step(ratingId, {
      type: 'problem.prechecked',
      payload: { from: 'found', verdict: 'mistaken', note: '监控显示评价人误触' },
    });
    expect(detail.problem).toMatchObject({ status: 'appealing', precheck: 'mistaken' });
    expect(detail.next.review).toBe(true);

    detail = await hall.step(ratingId, {
      type: 'problem.reviewed',
      payload: { from: 'appealing', upheld: true, note: '申诉成立' },
    });
    expect(detail.problem).toMatchObject({
      status: 'closed',
      appeal: { upheld: true },
      closedReason: '申诉成立',
    });
    // Set aside on appeal: no call-back is due any more.
    expect(detail.deadlines.callBack).toMatchObject({ done: true });
    expect(detail.overdue).toBe(false);
    expect(detail.problem.steps.map((s) => s.superseded)).toEqual([
      null,
      'needs_appeal',
      null,
      null,
    ]);
  });

  it('rectifies a 差评 whose appeal was dismissed, with the call-back', async () => {
    hall.at('2026-03-16T07:00:00Z');
    const ratingId = await hall.poorRating();
    const departmentId = hall.department('TAX').id;
    await hall.step(ratingId, {
      type: 'problem.prechecked',
      payload: { from: 'found', verdict: 'malicious', note: '疑似恶意差评' },
    });
    let detail = await hall.step(ratingId, {
      type: 'problem.reviewed',
      payload: { from: 'appealing', upheld: false, note: '证据不足，申诉不成立' },
    });
    expect(detail.problem).toMatchObject({
      status: 'found',
      precheck: 'valid',
      appeal: { upheld: false },
    });

    await hall.step(ratingId, {
      type: 'problem.assigned',
      payload: { from: 'found', departmentId, assignee: '窗口负责人', note: '' },
    });
    hall.at('2026-03-17T02:00:00Z');
    detail = await hall.step(ratingId, {
      type: 'problem.calledBack',
      payload: { reached: true, satisfied: false, note: '已致歉' },
    });
    expect(detail.problem.callBacks).toEqual([
      expect.objectContaining({ reached: true, satisfied: false }),
    ]);
    expect(detail.deadlines.callBack).toMatchObject({ done: true, late: false });
    await hall.step(ratingId, {
      type: 'problem.statusChanged',
      payload: { from: 'assigned', to: 'rectified', note: '增设叫号提醒', photos: [] },
    });
    detail = await hall.step(ratingId, {
      type: 'problem.statusChanged',
      payload: { from: 'rectified', to: 'verified', note: '复核通过', photos: [] },
    });
    expect(detail.problem.status).toBe('verified');
    expect(detail.problem.steps.every((s) => s.superseded === null)).toBe(true);
  });

  it('counts a 差评’s call-back in working days over a weekend, as of the server clock', async () => {
    // Friday 2026-03-20, 10:00 in the hall.
    hall.at('2026-03-20T02:00:00Z');
    const ratingId = await hall.poorRating();
    const overdueIds = async () => ids((await hall.problems('?month=2026-03&overdue=1')).problems);

    hall.at('2026-03-21T02:00:00Z'); // Saturday
    let detail = await hall.problem(ratingId);
    expect(detail.deadlines.callBack).toMatchObject({
      due: '2026-03-23',
      remaining: 1,
      overdue: false,
    });
    expect(await overdueIds()).not.toContain(ratingId);

    hall.at('2026-03-23T10:00:00Z'); // Monday 18:00: still due today
    expect((await hall.problem(ratingId)).overdue).toBe(false);

    hall.at('2026-03-24T02:00:00Z'); // Tuesday
    detail = await hall.problem(ratingId);
    expect(detail.deadlines.callBack).toMatchObject({ remaining: -1, overdue: true });
    expect(detail.overdue).toBe(true);
    expect(await overdueIds()).toContain(ratingId);

    detail = await hall.step(ratingId, {
      type: 'problem.calledBack',
      payload: { reached: true, satisfied: true, note: '' },
    });
    expect(detail.deadlines.callBack).toMatchObject({ done: true, late: true, overdue: false });
    expect(detail.overdue).toBe(false);
    expect(await overdueIds()).not.toContain(ratingId);
  });

  it('applies a console step after the step it answers even when a tablet’s clock runs ahead', async () => {
    hall.at('2026-03-25T02:00:00Z');
    const tax = await walk(DIRECTOR);
    const problemId = await hall.finding(tax);
    // A second tablet whose clock is three minutes fast (within what the server accepts as is).
    const fast = await enrollRole(hall.server, 'inspection_tablet', () => hall.clock + 180_000);
    await hall.push(fast, [
      hall.append(
        fast,
        'problem.assigned',
        { problemId, from: 'found', departmentId: tax.departmentId, assignee: '导服组', note: '' },
        { actorId: tax.leaderId },
      ),
    ]);
    // The console answers a second later by the server's clock, and its step still follows.
    hall.at('2026-03-25T02:00:01Z');
    const detail = await hall.step(problemId, {
      type: 'problem.statusChanged',
      payload: { from: 'assigned', to: 'rectifying', note: '', photos: [] },
    });
    expect(detail.problem.status).toBe('rectifying');
    expect(detail.problem.steps.map((s) => s.superseded)).toEqual([null, null, null]);
  });

  it('lists a duty item marked for follow-up with the duty due days', async () => {
    // Monday 2026-03-30, 10:00 in the hall.
    hall.at('2026-03-30T02:00:00Z');
    const kiosk = await enrollRole(hall.server, 'duty_kiosk', () => hall.clock);
    const departmentId = hall.department('MED').id;
    const problemId = newId();
    await hall.push(kiosk, [
      hall.append(kiosk, 'problem.recorded', {
        problemId,
        source: 'duty',
        sourceId: newId(),
        departmentId,
        windowId: null,
        description: '群众反映异地就医备案流程繁琐',
        severity: 'medium',
      }),
    ]);
    const listed = (await hall.problems(`?source=duty&department=${departmentId}`)).problems;
    expect(ids(listed)).toEqual([problemId]);
    // 10 working days from Monday 03-30 over 清明 (04-04 … 04-06).
    expect(listed[0]!.deadlines).toEqual({
      rectify: { due: '2026-04-14', done: false, remaining: 10, overdue: false, late: false },
      callBack: null,
    });
  });

  it('refuses invalid steps and unknown problems, and needs a session', async () => {
    const problemId = await hall.poorRating();
    const post = (id: string, body: object) =>
      hall.admin.post(`/api/v1/admin/problems/${id}/steps`, body);

    let res = await post(problemId, {
      type: 'problem.statusChanged',
      payload: { from: 'found', to: 'closed', note: ' ', photos: [] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'close_needs_reason', issues: [expect.any(Object)] });

    res = await post(problemId, { type: 'problem.statusChanged', payload: { from: 'found' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.length).toBeGreaterThan(0);

    res = await post(problemId, { type: 'ref.settingsSaved', payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'unknown_step_type' });

    res = await post(problemId, { type: 'problem.commented' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_body' });

    res = await post(newId(), { type: 'problem.commented', payload: { note: '查看', photos: [] } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'unknown_problem' });
    expect((await hall.admin.get(`/api/v1/admin/problems/${newId()}`)).statusCode).toBe(404);

    // Nothing refused reached the problem.
    const detail: ProblemDetailResponse = await hall.problem(problemId);
    expect(detail.problem.steps).toHaveLength(1);

    for (const [method, url] of [
      ['GET', '/api/v1/admin/problems'],
      ['GET', `/api/v1/admin/problems/${problemId}`],
      ['POST', `/api/v1/admin/problems/${problemId}/steps`],
      ['GET', '/api/v1/admin/photos/missing'],
    ] as const) {
      const anon = await hall.server.app.inject({
        method,
        url,
        payload: method === 'POST' ? {} : undefined,
      });
      expect(anon.statusCode, url).toBe(401);
    }
    const anonPut = await hall.putBlob(Buffer.from('x'), false);
    expect(anonPut.statusCode).toBe(401);
    const wrong = await hall.server.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/blobs/${'0'.repeat(64)}`,
      headers: { cookie: await hall.cookie(), 'content-type': 'image/jpeg' },
      payload: Buffer.from('not these bytes'),
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'hash_mismatch' });
  });

  it('puts a problem in the hall-local month it was recorded in, across a year end', async () => {
    hall.at('2026-12-31T12:00:00Z'); // 20:00 on 12-31 in the hall
    const december = await hall.poorRating();
    hall.at('2026-12-31T16:30:00Z'); // 00:30 on 2027-01-01 in the hall
    const january = await hall.poorRating();
    expect(ids((await hall.problems('?month=2026-12')).problems)).toEqual([december]);
    expect(ids((await hall.problems('?month=2027-01')).problems)).toEqual([january]);
    // Called back within one working day of New Year's Day: due Monday 2027-01-04.
    expect((await hall.problem(january)).deadlines.callBack!.due).toBe('2027-01-04');
  });
});
