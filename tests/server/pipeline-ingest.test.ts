import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import type { Problem } from '../../src/domain/problem';
import type { Walk } from '../../src/domain/walk';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import {
  consoleClient,
  consoleCookie,
  enrollRole,
  kioskPins,
  setPin,
  type Console,
  type KioskPin,
} from './duty-support';
import { count, enrollDevice, pushOk, type TestDevice } from './helpers';
import {
  assignEvent,
  checkEvent,
  checklistIds,
  endEvent,
  findingEvent,
  moveEvent,
  problemIdOf,
  statuses,
  stepEvent,
  walkIdOf,
  walkStartEvent,
} from './pipeline-support';

describe.each(backends)('walks and the problem pipeline on $name', ({ name }) => {
  let server: TestServer;
  let admin: Console;
  let tablet: TestDevice;
  let other: TestDevice;
  let pins: KioskPin[];
  let items: string[];
  const leader = () => server.seed.leaders[0]!;
  const pinOf = (leaderId: string) => pins.find((p) => p.leaderId === leaderId)!;
  /** A department that is not the first leader's, and one of its windows. */
  const otherDepartment = () =>
    server.seed.departments.find((d) => d.id !== leader().departmentId)!;
  const windowOf = (departmentId: string) =>
    server.seed.windows.find((w) => w.departmentId === departmentId)!;

  beforeAll(async () => {
    server = await startTestServer({ backend: name });
    admin = consoleClient(server, await consoleCookie(server));
    for (const l of server.seed.leaders.slice(0, 3)) await setPin(admin, l.id, '2468');
    tablet = await enrollRole(server, 'inspection_tablet');
    other = await enrollRole(server, 'inspection_tablet');
    pins = await kioskPins(server, tablet);
    items = await checklistIds(server);
  });
  afterAll(() => server.close());

  const start = (fields: { leaderId?: string; departmentId?: string; windowId?: string | null }) =>
    walkStartEvent(tablet, {
      leaderId: fields.leaderId ?? leader().id,
      departmentId: fields.departmentId ?? leader().departmentId,
      windowId: fields.windowId ?? null,
      pin: '2468',
      record: pinOf(fields.leaderId ?? leader().id),
    });

  const problemRow = async (id: string) =>
    (
      await server.db.query<{
        status: string;
        walkId: string | null;
        checklistItemId: string | null;
        assignee: string | null;
        source: string;
        state: Problem;
      }>(
        `SELECT status, walk_id AS "walkId", checklist_item_id AS "checklistItemId",
           assignee_department_id AS assignee, source, state FROM problems WHERE id = $1`,
        [id],
      )
    )[0];

  it('stores a walk of another department with its marks, a finding with a photo and its end', async () => {
    const dept = otherDepartment();
    const window = windowOf(dept.id);
    const started = await start({ departmentId: dept.id, windowId: window.id });
    const walkId = walkIdOf(started);
    const photo = {
      sha256: createHash('sha256').update('finding photo').digest('hex'),
      type: 'image/jpeg' as const,
      size: 12_000,
    };
    const marks = [
      checkEvent(tablet, walkId, items[0]!, 'fine'),
      checkEvent(tablet, walkId, items[3]!, 'problem', '指南看不懂'),
      checkEvent(tablet, walkId, items[0]!, 'na'),
    ];
    const finding = findingEvent(tablet, {
      departmentId: dept.id,
      windowId: window.id,
      walkId,
      checklistItemId: items[3]!,
      photos: [photo],
    });
    const events = [started, ...marks, finding, endEvent(tablet, walkId, '三项需整改')];
    const res = await pushOk(server.app, tablet, events);
    expect(statuses(res.results)).toEqual(Array(6).fill('stored'));

    const walks = await server.db.query<{ mode: string; endedAt: unknown; state: Walk }>(
      'SELECT mode, ended_at AS "endedAt", state FROM walks WHERE id = $1',
      [walkId],
    );
    expect(walks).toHaveLength(1);
    expect(walks[0]!.mode).toBe('simulate');
    expect(walks[0]!.endedAt).not.toBeNull();
    const walk = walks[0]!.state;
    expect(walk.departmentId).toBe(dept.id);
    expect(walk.leaderId).toBe(leader().id);
    expect(walk.summary).toBe('三项需整改');
    expect(walk.checks[items[0]!]!.result).toBe('na');
    expect(walk.checks[items[3]!]!.result).toBe('problem');

    const row = await problemRow(problemIdOf(finding));
    expect(row).toMatchObject({
      status: 'found',
      walkId,
      checklistItemId: items[3],
      source: 'walk',
    });
    expect(row!.state.photos).toEqual([photo]);
    expect(
      await count(server, 'photo_refs', 'sha256 = $1 AND problem_id = $2 AND event_id = $3', [
        photo.sha256,
        problemIdOf(finding),
        finding.id,
      ]),
    ).toBe(1);
  });

  it('refuses walks by an unknown or retired leader, a wrong PIN, a foreign window and a reused id', async () => {
    const l = server.seed.leaders[2]!;
    const retire = await admin.post('/api/v1/admin/ref', {
      type: 'ref.leaderSaved',
      payload: {
        leaderId: l.id,
        departmentId: l.departmentId,
        title: l.title,
        titleEn: l.titleEn,
        badgeCode: l.badgeCode,
        active: false,
      },
    });
    expect(retire.statusCode, retire.body).toBe(200);

    const good = await start({});
    const reused = await walkStartEvent(tablet, {
      walkId: walkIdOf(good),
      leaderId: leader().id,
      departmentId: leader().departmentId,
      pin: '2468',
      record: pinOf(leader().id),
    });
    const wrongPin = await walkStartEvent(tablet, {
      leaderId: leader().id,
      departmentId: leader().departmentId,
      pin: '1357',
      record: pinOf(leader().id),
    });
    const noSuchVersion = await walkStartEvent(tablet, {
      leaderId: leader().id,
      departmentId: leader().departmentId,
      pin: '2468',
      record: { ...pinOf(leader().id), version: 9 },
    });
    const unknownLeader = await walkStartEvent(tablet, {
      leaderId: newId(),
      departmentId: leader().departmentId,
      pin: '2468',
      record: pinOf(leader().id),
    });
    const retired = await start({ leaderId: l.id });
    const unknownDepartment = await start({ departmentId: newId() });
    const foreignWindow = await start({
      departmentId: leader().departmentId,
      windowId: windowOf(otherDepartment().id).id,
    });
    const res = await pushOk(server.app, tablet, [
      good,
      reused,
      wrongPin,
      noSuchVersion,
      unknownLeader,
      retired,
      unknownDepartment,
      foreignWindow,
    ]);
    expect(statuses(res.results)).toEqual([
      'stored',
      'duplicate_walk',
      'pin_proof_invalid',
      'unknown_pin_version',
      'unknown_leader',
      'inactive_leader',
      'unknown_department',
      'unknown_window',
    ]);
    // A walk id already stored is refused in a later batch too.
    const again = await walkStartEvent(tablet, {
      walkId: walkIdOf(good),
      leaderId: leader().id,
      departmentId: leader().departmentId,
      pin: '2468',
      record: pinOf(leader().id),
    });
    expect(statuses((await pushOk(server.app, tablet, [again])).results)).toEqual([
      'duplicate_walk',
    ]);
    expect(await count(server, 'walks', 'id = $1', [walkIdOf(good)])).toBe(1);
    expect(
      await count(server, 'rejected_events', "reason = 'pin_proof_invalid' AND event_id = $1", [
        wrongPin.id,
      ]),
    ).toBe(1);
  });

  it('refuses marks and endings of unknown walks and marks of unknown items; retired items stay markable', async () => {
    const started = await start({});
    const walkId = walkIdOf(started);
    expect(statuses((await pushOk(server.app, tablet, [started])).results)).toEqual(['stored']);
    const item = (
      await server.db.query<{ group: string; text: string; sort: number }>(
        'SELECT group_key AS "group", text, sort FROM checklist_items WHERE id = $1',
        [items[5]],
      )
    )[0]!;
    const retire = await admin.post('/api/v1/admin/ref', {
      type: 'ref.checklistItemSaved',
      payload: { itemId: items[5], ...item, active: false },
    });
    expect(retire.statusCode, retire.body).toBe(200);

    const res = await pushOk(server.app, tablet, [
      checkEvent(tablet, newId(), items[0]!, 'fine'),
      checkEvent(tablet, walkId, newId(), 'fine'),
      checkEvent(tablet, walkId, items[5]!, 'problem'),
      endEvent(tablet, newId()),
      findingEvent(tablet, { departmentId: leader().departmentId, walkId: newId() }),
      findingEvent(tablet, {
        departmentId: leader().departmentId,
        walkId,
        checklistItemId: newId(),
      }),
      endEvent(tablet, walkId),
    ]);
    expect(statuses(res.results)).toEqual([
      'unknown_walk',
      'unknown_checklist_item',
      'stored',
      'unknown_walk',
      'unknown_walk',
      'unknown_checklist_item',
      'stored',
    ]);
  });

  it('moves a finding along the pipeline in one batch; unknown problems and departments are refused', async () => {
    const dept = leader().departmentId;
    const finding = findingEvent(tablet, { departmentId: dept, source: 'walk' });
    const id = problemIdOf(finding);
    const res = await pushOk(server.app, tablet, [
      finding,
      assignEvent(tablet, id, dept),
      moveEvent(tablet, id, 'assigned', 'rectifying'),
      stepEvent(tablet, 'problem.commented', { problemId: id, note: '已联系窗口', photos: [] }),
      moveEvent(tablet, id, 'rectifying', 'rectified', '指南已更新'),
      moveEvent(tablet, newId(), 'found', 'closed', '不是问题'),
      assignEvent(tablet, id, newId(), 'rectified'),
      stepEvent(tablet, 'problem.calledBack', {
        problemId: newId(),
        reached: false,
        satisfied: null,
        note: '',
      }),
    ]);
    expect(statuses(res.results)).toEqual([
      'stored',
      'stored',
      'stored',
      'stored',
      'stored',
      'unknown_problem',
      'unknown_department',
      'unknown_problem',
    ]);
    const row = await problemRow(id);
    expect(row!.status).toBe('rectified');
    expect(row!.assignee).toBe(dept);
    expect(row!.state.steps.map((s) => s.statusAfter)).toEqual([
      'found',
      'assigned',
      'rectifying',
      'rectifying',
      'rectified',
    ]);
  });

  it('stores a step that no longer applies and folds it as superseded, the same for both tablets', async () => {
    const dept = leader().departmentId;
    const finding = findingEvent(tablet, { departmentId: dept });
    const id = problemIdOf(finding);
    await pushOk(server.app, tablet, [
      finding,
      assignEvent(tablet, id, dept),
      moveEvent(tablet, id, 'assigned', 'rectified'),
    ]);
    // Both tablets saw it rectified; one verifies, the other (later) sends it back.
    const verify = moveEvent(tablet, id, 'rectified', 'verified', '现场复核通过');
    // The second is written after the first (on the clock both share through the server).
    other.clock.receive(verify.hlc);
    const reopen = moveEvent(other, id, 'rectified', 'rectifying', '仍未改');
    expect(statuses((await pushOk(server.app, tablet, [verify])).results)).toEqual(['stored']);
    expect(statuses((await pushOk(server.app, other, [reopen])).results)).toEqual(['stored']);
    const row = await problemRow(id);
    expect(row!.status).toBe('verified');
    const last = row!.state.steps.at(-1)!;
    expect(last.eventId).toBe(reopen.id);
    expect(last.superseded).toBe('finished');
    expect(last.statusAfter).toBe('verified');
    expect(await count(server, 'events', 'id = $1', [reopen.id])).toBe(1);
  });

  it('makes a poor rating from an evaluator a problem found, which tablets can then work on', async () => {
    const evaluator = await enrollDevice(server);
    const poor = evaluator.rating(server, {
      level: 'very_dissatisfied',
      reasons: ['attitude'],
      comment: '态度差',
    });
    const good = evaluator.rating(server, { level: 'satisfied' });
    expect(statuses((await pushOk(server.app, evaluator, [poor, good])).results)).toEqual([
      'stored',
      'stored',
    ]);
    const row = await problemRow(poor.id);
    expect(row).toMatchObject({ status: 'found', source: 'rating' });
    expect(row!.state.rating?.level).toBe('very_dissatisfied');
    expect(await count(server, 'problems', 'id = $1', [good.id])).toBe(0);

    const dept = server.seed.windows[0]!.departmentId;
    const res = await pushOk(server.app, tablet, [
      stepEvent(tablet, 'problem.prechecked', {
        problemId: poor.id,
        from: 'found',
        verdict: 'valid',
        note: '',
      }),
      assignEvent(tablet, poor.id, dept),
      assignEvent(tablet, good.id, dept),
    ]);
    expect(statuses(res.results)).toEqual(['stored', 'stored', 'unknown_problem']);
    const after = await problemRow(poor.id);
    expect(after!.status).toBe('assigned');
    expect(after!.state.precheck).toBe('valid');
  });
});
