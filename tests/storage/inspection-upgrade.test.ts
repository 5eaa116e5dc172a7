import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { appendToLog, EMPTY_HEAD } from '../../src/domain/device';
import { newId } from '../../src/domain/ids';
import { openDb } from '../../src/storage/db';
import { UnsyncedRecordsError } from '../../src/storage/errors';
import { foldAllOnce, refoldPipeline } from '../../src/storage/pipeline-repository';
import { LocalStore, countPending } from '../../src/storage/store';
import { EventSource, ManualClock, at, makeHall } from './duty-fixtures';

describe('schema version 3', () => {
  it('links the events held under version 2, and an inspection tablet folds them once', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('10:00'));
    const name = `upgrade-${newId()}`;
    // The database as version 2 of the app left it.
    const old = new Dexie(name);
    old.version(1).stores({
      log: 'deviceSeq, &id, [status+deviceSeq]',
      ratings: 'id, status, ticket, [windowId+atMs]',
      hallEvents: 'hallSeq, &id, type',
      reference: 'key',
      meta: 'key',
    });
    old.version(2).stores({
      log: 'deviceSeq, &id, [status+deviceSeq], type',
      dutySessions: 'id, leaderId',
      dutyLedger: 'entryId, sessionId',
      pins: 'leaderId',
      pinFailures: 'leaderId',
    });
    const evaluator = new EventSource(hall.hallId, newId(), clock.now);
    const poor = evaluator.make('rating.submitted', {
      windowId: hall.windowId,
      departmentId: hall.departmentId,
      level: 'very_dissatisfied',
      reasons: ['waited_too_long'],
      comment: '',
      ticket: null,
      channel: 'hall_tablet',
      phoneId: null,
      dutySessionId: null,
    });
    const fine = evaluator.make('rating.submitted', {
      windowId: hall.windowId,
      departmentId: hall.departmentId,
      level: 'very_satisfied',
      reasons: [],
      comment: '',
      ticket: null,
      channel: 'hall_tablet',
      phoneId: null,
      dutySessionId: null,
    });
    const kiosk = new EventSource(hall.hallId, newId(), clock.now);
    const dutyProblemId = newId();
    const recorded = kiosk.make('problem.recorded', {
      problemId: dutyProblemId,
      source: 'duty',
      sourceId: newId(),
      departmentId: hall.departmentId,
      windowId: null,
      description: '建议增加周末延时服务',
      severity: 'medium',
    });
    const pulled = [poor, fine, recorded];
    await old.table('hallEvents').bulkPut(
      pulled.map((event, i) => ({
        hallSeq: i + 1,
        id: event.id,
        type: event.type,
        valid: true,
        event,
      })),
    );
    // This device's own step on the duty problem, not pulled back yet.
    const deviceId = newId();
    const own = appendToLog(EMPTY_HEAD, {
      type: 'problem.assigned',
      payload: {
        problemId: dutyProblemId,
        from: 'found',
        departmentId: hall.departmentId,
        assignee: '窗口负责人',
        note: '',
      },
      hallId: hall.hallId,
      deviceId,
      at: new Date(clock.ms + 1000).toISOString(),
      hlc: new EventSource(hall.hallId, deviceId, () => clock.ms + 1000).make('ref.hallSaved', {
        name: 'x',
      }).hlc,
    });
    await old.table('log').add({
      deviceSeq: 1,
      id: own.event.id,
      type: own.event.type,
      status: 'pending',
      hash: own.head.hash,
      event: own.event,
    });
    old.close();

    const db = await openDb(name);
    expect(db.verno).toBeGreaterThanOrEqual(3);
    expect(await db.hallEvents.where('problemId').equals(poor.id).count()).toBe(1);
    expect(await db.hallEvents.where('problemId').equals(fine.id).count()).toBe(0);
    expect(await db.log.where('problemId').equals(dutyProblemId).count()).toBe(1);
    // Linking is all the upgrade does: only an inspection tablet folds problems.
    expect(await db.problems.count()).toBe(0);
    db.close();

    // The tablet folds what the store holds once, when it first opens it.
    const store = await LocalStore.open(name, newId(), { foldPipeline: refoldPipeline });
    await foldAllOnce(store.db);
    const problems = await store.db.problems.toArray();
    expect(problems.map((p) => [p.id, p.source, p.status]).sort()).toEqual(
      [
        [poor.id, 'rating', 'found'],
        [dutyProblemId, 'duty', 'assigned'],
      ].sort(),
    );
    expect(await store.db.getMeta('pipelineFolded')).toBe(true);
    store.close();
  });

  it('folds pulled problems only on a store opened with the fold (an inspection tablet)', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('10:00'));
    const evaluator = new EventSource(hall.hallId, newId(), clock.now);
    const poor = evaluator.make('rating.submitted', {
      windowId: hall.windowId,
      departmentId: hall.departmentId,
      level: 'dissatisfied',
      reasons: ['attitude'],
      comment: '',
      ticket: null,
      channel: 'hall_tablet',
      phoneId: null,
      dutySessionId: null,
    });
    poor.hallSeq = 1;
    const kiosk = await LocalStore.open(`kiosk-${newId()}`, newId());
    await kiosk.applyPage([poor], 1);
    expect(await kiosk.db.hallEvents.where('problemId').equals(poor.id).count()).toBe(1);
    expect(await kiosk.db.problems.count()).toBe(0);
    kiosk.close();

    const tablet = await LocalStore.open(`tablet-${newId()}`, newId(), {
      foldPipeline: refoldPipeline,
    });
    await tablet.applyPage([poor], 1);
    expect((await tablet.db.problems.get(poor.id))?.status).toBe('found');
    tablet.close();
  });

  it('refuses a new enrollment while photos of the old one wait for their upload', async () => {
    const name = `photos-${newId()}`;
    const store = await LocalStore.open(name, newId());
    await store.db.photos.add({
      sha256: 'a'.repeat(64),
      bytes: new Uint8Array([1, 2, 3]).buffer,
      type: 'image/jpeg',
      size: 3,
      createdAt: new Date().toISOString(),
      uploaded: 0,
    });
    store.close();
    expect(await countPending(name)).toBe(1);
    await expect(LocalStore.open(name, newId())).rejects.toBeInstanceOf(UnsyncedRecordsError);

    const again = await LocalStore.open(name, (await openOwner(name))!);
    await again.photos.uploaded('a'.repeat(64));
    again.close();
    expect(await countPending(name)).toBe(0);
    const fresh = await LocalStore.open(name, newId());
    expect(await fresh.db.photos.count()).toBe(0);
    fresh.close();
  });
});

async function openOwner(name: string) {
  const db = await openDb(name);
  try {
    return await db.getMeta('deviceId');
  } finally {
    db.close();
  }
}
