/**
 * 暗访 on real tablets: the one that records an unannounced inspection keeps its inspector; the
 * other folds the walk and its finding with the placeholder until the console publishes it, then
 * with the inspector — and then folds exactly as the server does.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrolledDevice } from '../../src/app/device';
import type { Problem } from '../../src/domain/problem';
import { CONCEALED_LEADER_ID, revealLeader, type Walk } from '../../src/domain/walk';
import { startTestServer, type TestServer } from '../support/server';
import { adminCookie } from './helpers';
import { LEADER_PIN, inspectionTablet, setPin } from './photos-fixtures';

let server: TestServer;
let cookie: string;
const running: EnrolledDevice[] = [];

beforeAll(async () => {
  server = await startTestServer();
  cookie = await adminCookie(server);
  await setPin(server, cookie, server.seed.leaders[0]!.id, LEADER_PIN);
});
afterAll(async () => {
  for (const d of running.splice(0)) d.stop();
  await server.close();
});

async function stateOf<T>(table: 'problems' | 'walks', id: string): Promise<T> {
  const [row] = await server.db.query<{ state: T | string }>(
    `SELECT state FROM ${table} WHERE id = $1`,
    [id],
  );
  const state = row!.state;
  return typeof state === 'string' ? (JSON.parse(state) as T) : state;
}

describe('an unannounced inspection seen from two tablets', () => {
  it('hides the inspector from the other tablet until published, then shows them there too', async () => {
    const leader = server.seed.leaders[0]!;
    const a = await inspectionTablet(server);
    running.push(a.device);
    const b = await inspectionTablet(server);
    running.push(b.device);
    const tabA = a.device.inspection!;
    const tabB = b.device.inspection!;

    await tabA.signIn(leader.id, LEADER_PIN);
    const walk = await tabA.startWalk({
      mode: 'unannounced',
      departmentId: leader.departmentId,
      windowId: null,
      serviceItem: '不动产登记',
    });
    const { problem } = await tabA.addFinding(walk.id, {
      description: '窗口人员离岗未放置暂停牌',
      severity: 'medium',
      checklistItemId: null,
      photos: [],
    });
    await tabA.step(problem.id, {
      type: 'problem.assigned',
      payload: {
        from: 'found',
        departmentId: leader.departmentId,
        assignee: '窗口科室负责人',
        note: '',
      },
    });
    await tabA.endWalk(walk.id, '');
    expect((await a.device.syncNow()).ok).toBe(true);
    expect((await b.device.syncNow()).ok).toBe(true);
    expect((await a.device.syncNow()).ok).toBe(true);

    // The recording tablet keeps the inspector.
    expect((await tabA.walk(walk.id))!.leaderId).toBe(leader.id);
    expect((await tabA.problem(problem.id))!.problem.recordedBy).toBe(leader.id);

    // The other tablet has the walk and its finding, and nothing of who inspected.
    const hiddenWalk = (await tabB.walk(walk.id))!;
    const hiddenProblem = (await tabB.problem(problem.id))!.problem;
    expect(hiddenWalk.leaderId).toBe(CONCEALED_LEADER_ID);
    expect(hiddenProblem.recordedBy).toBe(CONCEALED_LEADER_ID);
    expect(hiddenProblem.steps.map((s) => s.actorId)).toEqual([
      CONCEALED_LEADER_ID,
      CONCEALED_LEADER_ID,
    ]);
    const seen = JSON.stringify([hiddenWalk, hiddenProblem]);
    expect(seen).not.toContain(leader.id);
    expect(seen).not.toContain(leader.title);
    // Only the inspector differs from the server's fold: where the placeholder stands.
    expect(revealLeader(hiddenProblem, leader.id)).toEqual(await stateOf('problems', problem.id));
    expect({ ...hiddenWalk, leaderId: leader.id }).toEqual(await stateOf('walks', walk.id));

    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/admin/walks/${walk.id}/publish`,
      headers: { cookie },
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);

    expect((await b.device.syncNow()).ok).toBe(true);
    expect((await a.device.syncNow()).ok).toBe(true);
    const serverWalk = await stateOf<Walk>('walks', walk.id);
    const serverProblem = await stateOf<Problem>('problems', problem.id);
    expect(serverWalk.publishedAt).toBeDefined();
    for (const tab of [tabA, tabB]) {
      expect(await tab.walk(walk.id)).toEqual(serverWalk);
      expect((await tab.problem(problem.id))!.problem).toEqual(serverProblem);
    }
  });
});
