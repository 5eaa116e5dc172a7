import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { PhotoError, SignInError, type Inspection } from '../../src/app/device-api';
import { InspectionError } from '../../src/app/inspection';
import type { EventEnvelope } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { LOCKOUT_MS, verifyPinProof } from '../../src/domain/pin';
import { InvalidRecordError } from '../../src/storage/errors';
import {
  EventSource,
  ManualClock,
  PIN,
  at,
  makeInspectionHall,
  openTablet,
  photoBlob,
  rosterPin,
  type InspectionHall,
  type Kiosk,
} from './inspection-fixtures';

const running: Kiosk[] = [];
afterEach(() => {
  for (const k of running.splice(0)) k.device.stop();
});

async function tablet(hall = makeInspectionHall(), clock = new ManualClock(at('09:30'))) {
  const k = await openTablet(hall, clock);
  running.push(k);
  return { k, hall, clock, inspection: () => k.device.inspection! };
}

const failure = <E extends Error>(p: Promise<unknown>, type: new (...a: never[]) => E) =>
  p.then(
    () => null,
    (e: unknown) => {
      if (e instanceof type) return e;
      throw e;
    },
  );

async function startedWalk(inspection: Inspection, hall: InspectionHall) {
  await inspection.signIn(hall.leaderId, PIN);
  return inspection.startWalk({
    mode: 'unannounced',
    departmentId: hall.departmentId,
    windowId: hall.windowId,
    serviceItem: '个体工商户登记',
  });
}

describe('inspector sign-in', () => {
  it('checks the PIN offline, signs the walk with it, and keeps it in memory only', async () => {
    const { k, hall, inspection } = await tablet();
    expect(k.device.duty).toBeNull();
    const tab = inspection();
    expect(tab.inspector()).toBeNull();
    expect(tab.leaders().map((l) => l.id)).toContain(hall.leaderId);
    expect(await tab.hasPin(hall.leaderId)).toBe(true);
    expect(await tab.hasPin(hall.noPinId)).toBe(false);
    expect(await failure(tab.signIn(hall.noPinId, PIN), SignInError)).toMatchObject({
      code: 'no_pin',
    });
    expect(await failure(tab.signIn(hall.leaderId, '0000'), SignInError)).toMatchObject({
      code: 'wrong_pin',
      failuresLeft: 4,
    });

    const inspector = await tab.signIn(hall.leaderId, PIN);
    expect(inspector).toEqual({
      leaderId: hall.leaderId,
      departmentId: hall.departmentId,
      title: '税务局局长',
    });
    expect(await tab.lockout(hall.leaderId)).toMatchObject({ locked: false, failuresLeft: 5 });

    const walk = await tab.startWalk({
      mode: 'simulate',
      departmentId: hall.departmentId,
      windowId: null,
      serviceItem: '  社保卡申领 ',
    });
    expect(walk).toMatchObject({
      mode: 'simulate',
      leaderId: hall.leaderId,
      serviceItem: '社保卡申领',
    });
    const [entry] = await k.device.store.log.all();
    const event = entry!.event as EventEnvelope<'walk.started'>;
    expect(event.actorId).toBe(hall.leaderId);
    const hash = (await rosterPin(hall.leaderId, PIN)).hash;
    expect(await verifyPinProof(hash, event.id, event.payload.pinProof)).toBe(true);
    // Nothing of the PIN or its hash is stored beside the roster's peppered copy.
    const stored = JSON.stringify(await k.device.store.db.meta.toArray());
    expect(stored).not.toContain(hash);

    // A reload forgets the inspector: writing needs the PIN again.
    await k.reopen();
    const again = k.device.inspection!;
    expect(again.inspector()).toBeNull();
    expect(await failure(again.endWalk(walk.id, ''), SignInError)).toMatchObject({
      code: 'session_closed',
    });
    expect(await k.device.store.log.all()).toHaveLength(1);
  });

  it('locks a leader out after five wrong PINs, across a reload, until the lock ends', async () => {
    const { k, hall, clock, inspection } = await tablet();
    for (let i = 0; i < 4; i++)
      await failure(inspection().signIn(hall.leaderId, '1111'), SignInError);
    const locked = await failure(inspection().signIn(hall.leaderId, '1111'), SignInError);
    expect(locked).toMatchObject({ code: 'locked', remainingMs: LOCKOUT_MS });
    await k.reopen();
    // Even the right PIN is refused while locked; another leader is not affected.
    expect(await failure(inspection().signIn(hall.leaderId, PIN), SignInError)).toMatchObject({
      code: 'locked',
    });
    expect((await inspection().signIn(hall.deputyId, '1357')).leaderId).toBe(hall.deputyId);
    clock.ms += LOCKOUT_MS;
    expect((await inspection().signIn(hall.leaderId, PIN)).leaderId).toBe(hall.leaderId);
  });

  it('refuses every write without a signed-in inspector', async () => {
    const { hall, inspection } = await tablet();
    const tab = inspection();
    const walk = await startedWalk(tab, hall);
    tab.signOut();
    expect(tab.inspector()).toBeNull();
    const refusals = await Promise.all([
      failure(
        tab.startWalk({
          mode: 'inspect',
          departmentId: hall.departmentId,
          windowId: null,
          serviceItem: '',
        }),
        SignInError,
      ),
      failure(tab.check(walk.id, hall.items[0], 'fine', ''), SignInError),
      failure(
        tab.addFinding(walk.id, {
          description: '无',
          severity: 'low',
          checklistItemId: null,
          photos: [],
        }),
        SignInError,
      ),
      failure(
        tab.step(walk.id, { type: 'problem.commented', payload: { note: '无' } }),
        SignInError,
      ),
    ]);
    expect(refusals.map((r) => r?.code)).toEqual(Array(4).fill('session_closed'));
  });
});

describe('walks', () => {
  it('an unfinished walk survives re-opening the store, and is resumed and ended', async () => {
    const { k, hall, inspection } = await tablet();
    expect(
      inspection()
        .checklist()
        .map((i) => i.id),
    ).toEqual([hall.items[0], hall.items[1]]);
    expect(inspection().checklistItem(hall.items[2])?.active).toBe(false);

    const walk = await startedWalk(inspection(), hall);
    await inspection().check(walk.id, hall.items[0], 'fine', '');
    await inspection().addFinding(walk.id, {
      description: '办事指南与窗口要求不一致',
      severity: 'medium',
      checklistItemId: hall.items[1],
      photos: [photoBlob('a')],
    });

    // The battery dies: everything comes back from the stored events.
    await k.reopen();
    const tab = inspection();
    const [open] = await tab.openWalks();
    expect(open).toMatchObject({ id: walk.id, endedAt: null, mode: 'unannounced' });
    expect(open!.checks[hall.items[0]]?.result).toBe('fine');
    const findings = await tab.findings(walk.id);
    expect(findings.map((f) => f.problem.description)).toEqual(['办事指南与窗口要求不一致']);
    expect(await tab.localPhotoUrl(findings[0]!.problem.photos[0]!.sha256)).toMatch(/^blob:/);

    await tab.signIn(hall.leaderId, PIN);
    await tab.check(walk.id, hall.items[1], 'problem', '材料重复');
    const ended = await tab.endWalk(walk.id, '两项问题，一项已记录');
    expect(ended.endedAt).not.toBeNull();
    expect(ended.summary).toBe('两项问题，一项已记录');
    expect(await tab.openWalks()).toEqual([]);
    expect((await tab.walks()).map((w) => w.id)).toEqual([walk.id]);
    expect(
      await failure(tab.check(walk.id, hall.items[0], 'na', ''), InspectionError),
    ).toMatchObject({
      code: 'walk_ended',
    });
    expect(
      await failure(tab.check(newId(), hall.items[0], 'na', ''), InspectionError),
    ).toMatchObject({
      code: 'unknown_walk',
    });
  });

  it('a checklist item marked twice keeps the latest mark, here and from another device', async () => {
    const { k, hall, clock, inspection } = await tablet();
    const walk = await startedWalk(inspection(), hall);
    await inspection().check(walk.id, hall.items[0], 'fine', '');
    clock.ms += 1000;
    const second = await inspection().check(walk.id, hall.items[0], 'problem', '等候超过半小时');
    expect(second.checks[hall.items[0]]).toMatchObject({
      result: 'problem',
      note: '等候超过半小时',
    });

    // The same walk's events pulled back, plus a later mark made elsewhere: the latest hlc wins.
    const own = (await k.device.store.log.all()).map((e) => e.event);
    const other = new EventSource(hall.hallId, newId(), () => clock.ms + 60_000);
    const pulled = own.map((event, i) => ({ ...event, hallSeq: 100 + i }));
    const later = other.make('walk.checked', {
      walkId: walk.id,
      itemId: hall.items[0],
      result: 'na',
      note: '',
    });
    later.hallSeq = 200;
    await k.device.store.applyPage([...pulled, later], 200);
    const walkNow = await inspection().walk(walk.id);
    expect(walkNow!.checks[hall.items[0]]).toMatchObject({ result: 'na' });
  });
});

describe('findings and their photos', () => {
  it('stores a finding and its photos in one transaction', async () => {
    const { k, hall, inspection } = await tablet();
    const walk = await startedWalk(inspection(), hall);
    const view = await inspection().addFinding(walk.id, {
      description: '自助机故障无人处理',
      severity: 'high',
      checklistItemId: hall.items[0],
      photos: [photoBlob('one'), photoBlob('two')],
    });
    expect(view.problem).toMatchObject({
      source: 'walk',
      walkId: walk.id,
      checklistItemId: hall.items[0],
      departmentId: hall.departmentId,
      windowId: hall.windowId,
      severity: 'high',
      status: 'found',
      recordedBy: hall.leaderId,
    });
    expect(view.problem.photos).toHaveLength(2);
    const rows = await k.device.store.db.photos.toArray();
    expect(rows.map((r) => r.sha256).sort()).toEqual(
      view.problem.photos.map((p) => p.sha256).sort(),
    );
    expect(rows.every((r) => r.uploaded === 0 && r.bytes.byteLength === r.size)).toBe(true);
    expect(await inspection().pendingPhotos()).toBe(2);
    expect(k.device.status.get().pendingPhotos).toBe(2);
    const blob = await inspection().photoBlob(view.problem.photos[0]!.sha256);
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(
      new Uint8Array(await photoBlob('one').arrayBuffer()),
    );
  });

  it('a failing write leaves neither the finding nor its photos', async () => {
    const { k, hall, inspection } = await tablet();
    const walk = await startedWalk(inspection(), hall);
    const before = await k.device.store.log.all();
    // An empty description fails the shared validation inside the transaction, after the
    // photos were added to it.
    const error = await failure(
      inspection().addFinding(walk.id, {
        description: '   ',
        severity: 'low',
        checklistItemId: null,
        photos: [photoBlob('lost')],
      }),
      InvalidRecordError,
    );
    expect(error).not.toBeNull();
    expect(await k.device.store.db.photos.count()).toBe(0);
    expect(await k.device.store.log.all()).toEqual(before);
    expect(await inspection().findings(walk.id)).toEqual([]);
    expect(await k.device.store.db.getMeta('head')).toMatchObject({ seq: before.length });
  });

  it('refuses what is not an image, and too many photos', async () => {
    const { hall, inspection } = await tablet();
    const walk = await startedWalk(inspection(), hall);
    const notImage = new Blob(['hello'], { type: 'text/plain' });
    const input = { description: '无', severity: 'low' as const, checklistItemId: null };
    expect(
      await failure(inspection().addFinding(walk.id, { ...input, photos: [notImage] }), PhotoError),
    ).toMatchObject({ code: 'not_an_image' });
    const many = Array.from({ length: 7 }, (_, i) => photoBlob(String(i)));
    expect(
      await failure(inspection().addFinding(walk.id, { ...input, photos: many }), PhotoError),
    ).toMatchObject({ code: 'too_many_photos' });
    expect(await inspection().findings(walk.id)).toEqual([]);
  });
});

describe('problem steps', () => {
  it('folds assign → rectifying → rectified → verified, with evidence photos', async () => {
    const { k, hall, inspection } = await tablet();
    const walk = await startedWalk(inspection(), hall);
    const { problem } = await inspection().addFinding(walk.id, {
      description: '叫号屏不显示窗口',
      severity: 'medium',
      checklistItemId: null,
      photos: [],
    });
    const tab = inspection();
    let view = await tab.step(problem.id, {
      type: 'problem.assigned',
      payload: {
        from: 'found',
        departmentId: hall.departmentId,
        assignee: '综合窗口负责人',
        note: '',
      },
    });
    expect(view.problem.status).toBe('assigned');
    expect(view.next.moves).toEqual(['rectifying', 'rectified', 'closed']);
    view = await tab.step(problem.id, {
      type: 'problem.statusChanged',
      payload: { from: 'assigned', to: 'rectifying', note: '' },
    });
    expect(view.problem.status).toBe('rectifying');
    view = await tab.step(problem.id, {
      type: 'problem.statusChanged',
      payload: { from: 'rectifying', to: 'rectified', note: '已修复' },
      photos: [photoBlob('fixed')],
    });
    expect(view.problem.status).toBe('rectified');
    expect(view.problem.steps.at(-1)!.photos).toHaveLength(1);
    expect(await tab.pendingPhotos()).toBe(1);
    view = await tab.step(problem.id, {
      type: 'problem.statusChanged',
      payload: { from: 'rectified', to: 'verified', note: '' },
    });
    expect(view.problem.status).toBe('verified');
    expect(view.problem.steps.map((s) => [s.type, s.statusAfter, s.superseded])).toEqual([
      ['problem.recorded', 'found', null],
      ['problem.assigned', 'assigned', null],
      ['problem.statusChanged', 'rectifying', null],
      ['problem.statusChanged', 'rectified', null],
      ['problem.statusChanged', 'verified', null],
    ]);
    const events = (await k.device.store.log.all()).map((e) => e.event);
    expect(events.every((e) => e.actorId === hall.leaderId)).toBe(true);
    expect(
      events
        .filter((e) => e.type.startsWith('problem.'))
        .every((e) => (e.payload as { problemId: string }).problemId === problem.id),
    ).toBe(true);

    // The console's review of an appeal is not the tablet's to write.
    expect(
      await failure(
        tab.step(problem.id, {
          type: 'problem.reviewed',
          payload: { from: 'appealing', upheld: true, note: 'x' },
        }),
        InspectionError,
      ),
    ).toMatchObject({ code: 'not_allowed' });
    expect(
      await failure(
        tab.step(newId(), { type: 'problem.commented', payload: { note: 'x' } }),
        InspectionError,
      ),
    ).toMatchObject({ code: 'unknown_problem' });
  });

  it('shows a step made here superseded when a pulled step moved the problem first', async () => {
    const { k, hall, clock, inspection } = await tablet();
    const walk = await startedWalk(inspection(), hall);
    const { problem } = await inspection().addFinding(walk.id, {
      description: '窗口无人',
      severity: 'low',
      checklistItemId: null,
      photos: [],
    });
    // The console closed it a minute earlier by its clock; this tablet, offline, starts to rectify.
    const console_ = new EventSource(hall.hallId, hall.consoleId, () => clock.ms + 500);
    const closed = console_.make('problem.statusChanged', {
      problemId: problem.id,
      from: 'found',
      to: 'closed',
      note: '非本中心事项',
      photos: [],
    });
    clock.ms += 60_000;
    await inspection().step(problem.id, {
      type: 'problem.assigned',
      payload: { from: 'found', departmentId: hall.departmentId, assignee: '窗口负责人', note: '' },
    });
    expect((await inspection().problem(problem.id))!.problem.status).toBe('assigned');

    closed.hallSeq = 1_000;
    await k.device.store.applyPage([closed], 1_000);
    const view = (await inspection().problem(problem.id))!;
    expect(view.problem.status).toBe('closed');
    const assigned = view.problem.steps.find((s) => s.type === 'problem.assigned')!;
    expect(assigned.superseded).toBe('finished');
    expect(view.next.moves).toEqual([]);
  });

  it('folds a pulled copy of its own event with the hlc the server stored', async () => {
    const { k, hall, clock, inspection } = await tablet();
    const walk = await startedWalk(inspection(), hall);
    const { problem } = await inspection().addFinding(walk.id, {
      description: '指引牌缺失',
      severity: 'low',
      checklistItemId: null,
      photos: [],
    });
    const recording = (await k.device.store.log.all()).find(
      (e) => e.type === 'problem.recorded',
    )!.event;
    // The server clamped this device's hlc (its clock ran ahead): the stored copy is earlier.
    const serverHlc = new EventSource(hall.hallId, hall.consoleId, () => clock.ms - 3_600_000).make(
      'ref.hallSaved',
      { name: 'x' },
    ).hlc;
    await k.device.store.applyPage([{ ...recording, hlc: serverHlc, hallSeq: 500 }], 500);
    const view = (await inspection().problem(problem.id))!;
    expect(view.problem.recordedHlc).toBe(serverHlc);
    expect(view.problem.steps).toHaveLength(1);
  });
});

describe('deadlines on the tablet', () => {
  it('counts working days over the holiday calendar, as of the server time it learned', async () => {
    const hall = makeInspectionHall();
    // Wednesday 2026-03-25: 15 working days run over 清明 (04-04 to 04-06).
    const clock = new ManualClock(at('09:30', '2026-03-25'));
    const { k, inspection } = await tablet(hall, clock);
    const walk = await startedWalk(inspection(), hall);
    const view = await inspection().addFinding(walk.id, {
      description: '材料清单过期',
      severity: 'medium',
      checklistItemId: null,
      photos: [],
    });
    expect(view.deadlines.rectify).toMatchObject({
      due: '2026-04-16',
      remaining: 15,
      overdue: false,
    });
    expect(view.deadlines.callBack).toBeNull();
    expect(view.overdue).toBe(false);

    // The device clock is still on 03-25, but the server said it is 04-17: overdue.
    await k.device.store.setClockOffset(at('09:30', '2026-04-17') - clock.ms);
    const later = (await inspection().problem(view.problem.id))!;
    expect(later.deadlines.rectify).toMatchObject({ overdue: true, remaining: -1 });
    expect(later.overdue).toBe(true);
    expect((await inspection().problems()).map((p) => p.overdue)).toEqual([true]);
  });

  it("uses the hall's due days and its own holiday years", async () => {
    const hall = makeInspectionHall();
    const clock = new ManualClock(at('09:30', '2026-03-25'));
    const k = await openTablet(hall, clock, (source) => [
      source.make('ref.settingsSaved', { walkRectifyDays: 5 }),
      source.make('ref.holidaysSaved', {
        year: 2026,
        holidays: ['2026-03-27'],
        workdays: [],
        confirmed: true,
      }),
    ]);
    running.push(k);
    const walk = await startedWalk(k.device.inspection!, hall);
    const view = await k.device.inspection!.addFinding(walk.id, {
      description: '评价器离线',
      severity: 'low',
      checklistItemId: null,
      photos: [],
    });
    // 03-26, (03-27 a holiday here), 03-30, 03-31, 04-01, 04-02.
    expect(view.deadlines.rectify.due).toBe('2026-04-02');
  });
});
