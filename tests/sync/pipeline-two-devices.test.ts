import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrolledDevice } from '../../src/app/device';
import type { Problem } from '../../src/domain/problem';
import { startTestServer, type TestServer } from '../support/server';
import { adminCookie } from './helpers';
import { LEADER_PIN, inspectionTablet, setPin } from './photos-fixtures';

let server: TestServer;
const running: EnrolledDevice[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const cookie = await adminCookie(server);
  await setPin(server, cookie, server.seed.leaders[0]!.id, LEADER_PIN);
  await setPin(server, cookie, server.seed.leaders[1]!.id, '975310');
});
afterAll(async () => {
  for (const d of running.splice(0)) d.stop();
  await server.close();
});

async function serverState(problemId: string): Promise<Problem> {
  const [row] = await server.db.query<{ state: Problem | string }>(
    'SELECT state FROM problems WHERE id = $1',
    [problemId],
  );
  const state = row!.state;
  return typeof state === 'string' ? (JSON.parse(state) as Problem) : state;
}

describe('two inspection tablets changing one problem while apart', () => {
  it('end in the same fold as each other and the server, the losing steps superseded', async () => {
    const [leader, deputy] = server.seed.leaders as [
      (typeof server.seed.leaders)[0],
      (typeof server.seed.leaders)[0],
    ];
    const a = await inspectionTablet(server);
    running.push(a.device);
    const b = await inspectionTablet(server);
    running.push(b.device);
    const tabA = a.device.inspection!;
    const tabB = b.device.inspection!;

    await tabA.signIn(leader.id, LEADER_PIN);
    const walk = await tabA.startWalk({
      mode: 'accompany',
      departmentId: leader.departmentId,
      windowId: null,
      serviceItem: '公积金提取',
    });
    const { problem } = await tabA.addFinding(walk.id, {
      description: '提取材料要求重复提交',
      severity: 'high',
      checklistItemId: null,
      photos: [],
    });
    expect((await a.device.syncNow()).ok).toBe(true);
    expect((await b.device.syncNow()).ok).toBe(true);
    expect((await tabB.problem(problem.id))?.problem.status).toBe('found');

    // Apart: B closes it as not a problem; A, a little later, assigns it and starts rectifying.
    await tabB.signIn(deputy.id, '975310');
    await tabB.step(problem.id, {
      type: 'problem.statusChanged',
      payload: { from: 'found', to: 'closed', note: '属于上级部门事项' },
    });
    const assignedOnA = await tabA.step(problem.id, {
      type: 'problem.assigned',
      payload: {
        from: 'found',
        departmentId: leader.departmentId,
        assignee: '综合窗口负责人',
        note: '',
      },
    });
    const rectifyingOnA = await tabA.step(problem.id, {
      type: 'problem.statusChanged',
      payload: { from: 'assigned', to: 'rectifying', note: '' },
    });
    expect(assignedOnA.problem.status).toBe('assigned');
    expect(rectifyingOnA.problem.status).toBe('rectifying');
    expect((await tabB.problem(problem.id))!.problem.status).toBe('closed');

    // Together again, in any order.
    expect((await a.device.syncNow()).ok).toBe(true);
    expect((await b.device.syncNow()).ok).toBe(true);
    expect((await a.device.syncNow()).ok).toBe(true);

    const onA = (await tabA.problem(problem.id))!.problem;
    const onB = (await tabB.problem(problem.id))!.problem;
    expect(onA).toEqual(onB);
    expect(await serverState(problem.id)).toEqual(onA);

    // Whichever step came first in (hlc, id) order wins; the other side's steps are kept and
    // shown superseded, the same way on both tablets.
    const steps = onA.steps.map((s) => [s.type, s.detail.to ?? null, s.superseded]);
    const closeFirst = onA.steps[1]!.type === 'problem.statusChanged';
    if (closeFirst) {
      expect(onA.status).toBe('closed');
      expect(steps).toEqual([
        ['problem.recorded', null, null],
        ['problem.statusChanged', 'closed', null],
        ['problem.assigned', null, 'finished'],
        ['problem.statusChanged', 'rectifying', 'finished'],
      ]);
    } else {
      expect(onA.status).toBe('rectifying');
      expect(steps).toEqual([
        ['problem.recorded', null, null],
        ['problem.assigned', null, null],
        ['problem.statusChanged', 'rectifying', null],
        ['problem.statusChanged', 'closed', 'status_moved'],
      ]);
    }
    expect(onA.steps.filter((s) => s.superseded !== null)).toHaveLength(closeFirst ? 2 : 1);
  });
});
