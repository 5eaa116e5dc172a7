/**
 * 暗访: an unannounced inspection's inspector reaches no other device of the hall until the
 * console publishes the inspection; the recording tablet and the console always see them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type EventEnvelope } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { problemIdOf } from '../../src/domain/links';
import { foldProblem, type Problem } from '../../src/domain/problem';
import {
  CONCEALED_LEADER_ID,
  foldWalks,
  revealLeader,
  walkIdOf,
  type Walk,
} from '../../src/domain/walk';
import { publishWalk } from '../../src/server/services/walks-console';
import type { PulledEvent, PullResponse } from '../../src/sync/protocol';
import type { WalkListResponse, WalkReportResponse } from '../../src/sync/pipeline-protocol';
import { backends } from '../support/databases';
import { recordFigures } from '../support/reliability';
import { PipelineHall } from './console-support';
import { enrollRole } from './duty-support';
import { pushOk, type TestDevice } from './helpers';

const DIRECTOR = '税务局局长';

let pullsChecked = 0;
let eventsChecked = 0;
let leaks = 0;

afterAll(() => {
  recordFigures('privacy--covert', {
    'pulls checked': pullsChecked,
    'events checked': eventsChecked,
    'inspector leaks before publication': leaks,
  });
  // The figure is a finding: a leak fails the suite even if a case forgot to say so.
  expect(leaks).toBe(0);
});

describe.each(backends)('unannounced walks on $name', ({ name }) => {
  let hall: PipelineHall;
  let other: TestDevice;

  beforeAll(async () => {
    hall = await PipelineHall.open(name, Date.parse('2026-05-12T01:00:00Z'));
    await hall.withPins(DIRECTOR);
    other = await enrollRole(hall.server, 'inspection_tablet', () => hall.clock);
  });
  afterAll(() => hall.close());

  async function pullAll(device: TestDevice, after = 0, limit = 500): Promise<PulledEvent[]> {
    const events: PulledEvent[] = [];
    let cursor = after;
    for (;;) {
      const res = await hall.server.app.inject({
        method: 'GET',
        url: `/api/v1/sync/pull?after=${cursor}&limit=${limit}`,
        headers: device.authorization(),
      });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<PullResponse>();
      events.push(...page.events);
      cursor = page.cursor;
      if (!page.more) return events;
    }
  }

  /** The pulled events of a walk and of its findings. */
  function ofWalk(events: PulledEvent[], walkId: string, findings: string[]): PulledEvent[] {
    return events.filter((e) => walkIdOf(e) === walkId || findings.includes(problemIdOf(e) ?? ''));
  }

  /**
   * Count (and answer) the events of a concealed walk that name its inspector anywhere: their id,
   * their title, or the start's PIN proof (an HMAC keyed by their PIN hash, which tablets hold).
   */
  async function leaksIn(
    events: PulledEvent[],
    leader: { id: string; title: string },
    walkId: string,
  ): Promise<number> {
    pullsChecked++;
    eventsChecked += events.length;
    const [stored] = await hall.server.db.query<{ proof: string }>(
      `SELECT payload ->> 'pinProof' AS proof FROM events
       WHERE type = 'walk.started' AND payload ->> 'walkId' = $1`,
      [walkId],
    );
    const secrets = [leader.id, leader.title, stored!.proof];
    const found = events.filter((e) => {
      const json = JSON.stringify(e);
      return secrets.some((secret) => json.includes(secret));
    }).length;
    leaks += found;
    return found;
  }

  async function report(walkId: string): Promise<WalkReportResponse> {
    const res = await hall.admin.get(`/api/v1/admin/walks/${walkId}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<WalkReportResponse>();
  }

  /** An unannounced walk on the hall's tablet: a mark, a finding assigned on the spot, the end. */
  async function covertWalk(mode: 'unannounced' | 'simulate' = 'unannounced') {
    const leader = hall.leader(DIRECTOR);
    const walkId = await hall.startWalk(DIRECTOR, { mode, serviceItem: '个体工商户开业登记' });
    const itemId = await hall.checklistItem(`暗访检查项 ${newId()}`);
    await hall.push(hall.tablet, [
      hall.append(
        hall.tablet,
        'walk.checked',
        { walkId, itemId, result: 'problem', note: '叫号后等候四十分钟' },
        { actorId: leader.id },
      ),
    ]);
    const problemId = await hall.finding(
      { walkId, leaderId: leader.id, departmentId: leader.departmentId },
      { description: '窗口未公示办理时限' },
    );
    await hall.push(hall.tablet, [
      hall.append(
        hall.tablet,
        'problem.assigned',
        {
          problemId,
          from: 'found',
          departmentId: leader.departmentId,
          assignee: '综合窗口负责人',
          note: '',
        },
        { actorId: leader.id },
      ),
      hall.append(hall.tablet, 'walk.ended', { walkId, summary: '' }, { actorId: leader.id }),
    ]);
    return { leader, walkId, problemId };
  }

  it('hands another device the walk and its finding with the placeholder, valid, and no trace of the inspector', async () => {
    hall.at('2026-05-12T02:00:00Z');
    const { leader, walkId, problemId } = await covertWalk();

    // Page by page too: each page is concealed on its own, wherever it is cut.
    for (const [device, limit] of [
      [other, 500],
      [hall.evaluator, 500],
      [other, 1],
      [other, 3],
    ] as const) {
      const pulled = ofWalk(await pullAll(device, 0, limit), walkId, [problemId]);
      expect(pulled.map((e) => e.type).sort()).toEqual([
        'problem.assigned',
        'problem.recorded',
        'walk.checked',
        'walk.ended',
        'walk.started',
      ]);
      expect(await leaksIn(pulled, leader, walkId)).toBe(0);
      for (const e of pulled) {
        expect(e.actorId).toBe(CONCEALED_LEADER_ID);
        const { hallSeq: _, ...envelope } = e;
        expect(validateEvent(envelope).ok, JSON.stringify(e)).toBe(true);
      }
      const started = pulled.find((e) => e.type === 'walk.started')!;
      expect((started as EventEnvelope<'walk.started'>).payload.leaderId).toBe(CONCEALED_LEADER_ID);
    }

    // The tablet that recorded it gets its own events back as written.
    const own = ofWalk(await pullAll(hall.tablet), walkId, [problemId]);
    expect(own).toHaveLength(5);
    expect(own.every((e) => e.actorId === leader.id)).toBe(true);

    // The console always sees the inspector.
    expect((await report(walkId)).leader.id).toBe(leader.id);
    const res = await hall.admin.get('/api/v1/admin/walks');
    const list = res.json<WalkListResponse>();
    expect(list.walks.find((w) => w.id === walkId)).toMatchObject({
      leader: { id: leader.id },
      mode: 'unannounced',
    });
    expect(list.walks.find((w) => w.id === walkId)?.publishedAt).toBeUndefined();
    // And the server keeps the true events.
    const stored = await hall.server.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE payload ->> 'walkId' = $1 AND actor_id = $2`,
      [walkId, leader.id],
    );
    expect(stored[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('after publication a fresh pull carries the inspector, and an earlier puller learns it', async () => {
    hall.at('2026-05-13T02:00:00Z');
    const { leader, walkId, problemId } = await covertWalk();
    const before = await pullAll(other);
    const cursor = before.at(-1)!.hallSeq;
    const earlier = ofWalk(before, walkId, [problemId]);
    expect(await leaksIn(earlier, leader, walkId)).toBe(0);

    hall.at('2026-05-14T02:00:00Z');
    const published = await hall.admin.ok<WalkReportResponse>(
      `/api/v1/admin/walks/${walkId}/publish`,
      {},
    );
    expect(published.walk.publishedAt).toBe('2026-05-14T02:00:00.000Z');
    expect(published.leader.id).toBe(leader.id);
    const [row] = await hall.server.db.query<{ publishedAt: unknown }>(
      'SELECT published_at AS "publishedAt" FROM walks WHERE id = $1',
      [walkId],
    );
    expect(row!.publishedAt).not.toBeNull();
    const listed = (await hall.admin.get('/api/v1/admin/walks')).json<WalkListResponse>();
    expect(listed.walks.find((w) => w.id === walkId)?.publishedAt).toBe('2026-05-14T02:00:00.000Z');

    // A fresh pull (a new tablet) gets the true events.
    const fresh = ofWalk(await pullAll(other), walkId, [problemId]);
    expect(fresh.map((e) => e.type)).toContain('walk.published');
    expect(fresh.every((e) => e.type === 'walk.published' || e.actorId === leader.id)).toBe(true);
    const freshStart = fresh.find(
      (e) => e.type === 'walk.started',
    ) as EventEnvelope<'walk.started'>;
    expect(freshStart.payload.leaderId).toBe(leader.id);

    // The earlier puller gets only what is new: walk.published, and folds the inspector in.
    const later = ofWalk(await pullAll(other, cursor), walkId, [problemId]);
    expect(later.map((e) => e.type)).toEqual(['walk.published']);
    const onDevice = foldWalks([...earlier, ...later])[walkId]!;
    expect(onDevice.leaderId).toBe(leader.id);
    const [walkRow] = await hall.server.db.query<{ state: Walk | string }>(
      'SELECT state FROM walks WHERE id = $1',
      [walkId],
    );
    const onServer = walkRow!.state;
    expect(onDevice).toEqual(typeof onServer === 'string' ? JSON.parse(onServer) : onServer);

    const problem = foldProblem(earlier.filter((e) => problemIdOf(e) === problemId))!;
    expect(problem.recordedBy).toBe(CONCEALED_LEADER_ID);
    const revealed = revealLeader(problem, onDevice.leaderId);
    const [problemRow] = await hall.server.db.query<{ state: Problem | string }>(
      'SELECT state FROM problems WHERE id = $1',
      [problemId],
    );
    const serverProblem = problemRow!.state;
    expect(revealed).toEqual(
      typeof serverProblem === 'string' ? JSON.parse(serverProblem) : serverProblem,
    );
  });

  it('publishing twice writes one event and changes nothing', async () => {
    hall.at('2026-05-15T02:00:00Z');
    const { walkId } = await covertWalk();
    const first = await hall.admin.ok<WalkReportResponse>(
      `/api/v1/admin/walks/${walkId}/publish`,
      {},
    );
    hall.at('2026-05-16T02:00:00Z');
    const second = await hall.admin.ok<WalkReportResponse>(
      `/api/v1/admin/walks/${walkId}/publish`,
      {},
    );
    expect(second.walk.publishedAt).toBe(first.walk.publishedAt);
    const rows = await hall.server.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE type = 'walk.published' AND payload ->> 'walkId' = $1`,
      [walkId],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('leaves an announced walk as it is, and refuses to publish it', async () => {
    hall.at('2026-05-17T02:00:00Z');
    const { leader, walkId, problemId } = await covertWalk('simulate');
    const pulled = ofWalk(await pullAll(other), walkId, [problemId]);
    expect(pulled).toHaveLength(5);
    expect(pulled.every((e) => e.actorId === leader.id)).toBe(true);

    const res = await hall.admin.post(`/api/v1/admin/walks/${walkId}/publish`, {});
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ error: 'not_unannounced' });
  });

  it('refuses a walk of another hall or none, and a tablet cannot publish', async () => {
    hall.at('2026-05-18T02:00:00Z');
    const { leader, walkId, problemId } = await covertWalk();
    const elsewhere = { hallId: newId(), adminId: hall.adminId, username: 'admin' };
    await expect(publishWalk(hall.server.db, elsewhere, walkId, hall.clock)).rejects.toMatchObject({
      status: 404,
      code: 'unknown_walk',
    });
    const none = await hall.admin.post(`/api/v1/admin/walks/${newId()}/publish`, {});
    expect(none.statusCode, none.body).toBe(404);
    expect(none.json()).toMatchObject({ error: 'unknown_walk' });

    // Only the console writes walk.published: a tablet's is refused and publishes nothing.
    const res = await pushOk(hall.server.app, other, [
      hall.append(other, 'walk.published', { walkId, leaderId: leader.id }),
    ]);
    expect(res.results.map((r) => r.status)).toEqual(['rejected']);
    const pulled = ofWalk(await pullAll(other), walkId, [problemId]);
    expect(await leaksIn(pulled, leader, walkId)).toBe(0);
  });
});
