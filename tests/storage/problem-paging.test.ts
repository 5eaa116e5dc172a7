import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { newId, type Id } from '../../src/domain/ids';
import { PROBLEM_PAGE, InspectState } from '../../src/screens/inspect/inspect-state.svelte';
import { openDb } from '../../src/storage/db';
import type { PulledEvent } from '../../src/sync/protocol';
import {
  EventSource,
  ManualClock,
  at,
  makeInspectionHall,
  openTablet,
  type Kiosk,
} from './inspection-fixtures';

const running: Kiosk[] = [];
afterEach(() => {
  for (const k of running.splice(0)) k.device.stop();
});

/**
 * A tablet holding 30 差评 of two departments, a minute apart; every third of the first
 * department's assigned to the second.
 */
async function tabletWithProblems(n = 30) {
  const hall = makeInspectionHall();
  const other: Id = newId();
  const clock = new ManualClock(at('09:00'));
  const assignedAway: Id[] = [];
  const k = await openTablet(hall, clock, (source) => {
    const evaluator = new EventSource(hall.hallId, newId(), clock.now);
    const events: PulledEvent[] = [
      source.make('ref.departmentSaved', {
        departmentId: other,
        code: 'SOC',
        name: '社保',
        sort: 2,
        active: true,
      }),
    ];
    for (let i = 0; i < n; i++) {
      clock.ms += 60_000;
      const departmentId = i % 2 === 0 ? hall.departmentId : other;
      const poor = evaluator.make('rating.submitted', {
        windowId: hall.windowId,
        departmentId,
        level: 'dissatisfied',
        reasons: ['attitude'],
        comment: '',
        ticket: null,
        channel: 'hall_tablet',
        phoneId: null,
        dutySessionId: null,
      });
      // In the hall's order, after the console's events (each source numbers its own).
      poor.hallSeq = ++source.seq;
      events.push(poor);
      if (departmentId === hall.departmentId && i % 3 === 0) {
        assignedAway.push(poor.id);
        events.push(
          source.make('problem.assigned', {
            problemId: poor.id,
            from: 'found',
            departmentId: other,
            assignee: '综合窗口负责人',
            note: '',
          }),
        );
      }
    }
    return events;
  });
  running.push(k);
  return { k, hall, other, assignedAway, inspection: k.device.inspection! };
}

describe('the problem list, a page at a time', () => {
  it('reads the newest first, as many as asked, the same as the whole list', async () => {
    const { inspection } = await tabletWithProblems();
    const all = (await inspection.problems()).map((v) => v.problem.id);
    expect(all).toHaveLength(30);
    const page = (await inspection.problems({ limit: 7 })).map((v) => v.problem.id);
    expect(page).toEqual(all.slice(0, 7));
    const recorded = (await inspection.problems({ limit: 30 })).map((v) => v.problem.recordedHlc);
    expect(recorded).toEqual([...recorded].sort().reverse());
  });

  it('filters by status and by department, where recorded or assigned', async () => {
    const { inspection, hall, other, assignedAway } = await tabletWithProblems();
    const assigned = await inspection.problems({ status: 'assigned', limit: 50 });
    expect(assigned.map((v) => v.problem.id).sort()).toEqual([...assignedAway].sort());
    const found = await inspection.problems({ status: 'found', limit: 3 });
    expect(found).toHaveLength(3);
    expect(found.every((v) => v.problem.status === 'found')).toBe(true);

    const mine = await inspection.problems({ departmentId: hall.departmentId, limit: 50 });
    expect(mine).toHaveLength(15);
    const theirs = await inspection.problems({ departmentId: other, limit: 50 });
    // Their own 15 and the five assigned to them.
    expect(theirs).toHaveLength(20);
    expect(theirs.filter((v) => v.problem.departmentId === hall.departmentId)).toHaveLength(5);
    const page = await inspection.problems({ departmentId: other, status: 'found', limit: 4 });
    expect(page.map((v) => v.problem.id)).toEqual(
      (await inspection.problems({ departmentId: other, status: 'found' }))
        .slice(0, 4)
        .map((v) => v.problem.id),
    );
  });

  it('reads the page through the recordedHlc index, which an upgraded database has too', async () => {
    const { k } = await tabletWithProblems();
    const name = k.options.dbName!;
    k.device.stop();
    running.splice(0);
    const db = await openDb(name);
    try {
      expect(db.problems.schema.indexes.map((i) => i.name)).toEqual(
        expect.arrayContaining(['recordedHlc', '[status+recordedHlc]']),
      );
      const newest = await db.problems.orderBy('recordedHlc').reverse().limit(2).toArray();
      expect(newest).toHaveLength(2);
    } finally {
      db.close();
    }
    // A database left by version 3 of the app gets the index on upgrade, over its rows.
    const oldName = `v3-${newId()}`;
    const old = new Dexie(oldName);
    old.version(3).stores({ problems: 'id, walkId' });
    await old.open();
    await old.table('problems').bulkAdd([
      { id: 'a', walkId: null, recordedHlc: '2026-03-02T01:00:00.000Z-0000-0000000000000001' },
      { id: 'b', walkId: null, recordedHlc: '2026-03-02T02:00:00.000Z-0000-0000000000000001' },
    ]);
    old.close();
    const upgraded = await openDb(oldName);
    try {
      const ids = await upgraded.problems.orderBy('recordedHlc').reverse().primaryKeys();
      expect(ids).toEqual(['b', 'a']);
    } finally {
      upgraded.close();
    }
  });
});

describe("the tablet screen's problem list", () => {
  it('shows a page, then another on request, and reads again when a filter changes', async () => {
    const { k, inspection } = await tabletWithProblems(PROBLEM_PAGE + 10);
    const state = new InspectState({ openDevice: () => Promise.resolve(k.device) });
    try {
      await state.start();
      state.scope = 'all';
      await state.refresh();
      const newest = (await inspection.problems()).map((v) => v.problem.id);
      expect(state.problems.map((v) => v.problem.id)).toEqual(newest.slice(0, PROBLEM_PAGE));
      expect(state.hasMoreProblems).toBe(true);
      await state.showMoreProblems();
      expect(state.problems.map((v) => v.problem.id)).toEqual(newest);
      expect(state.hasMoreProblems).toBe(false);

      state.statusFilter = 'assigned';
      await state.refresh();
      expect(state.problems.length).toBeGreaterThan(0);
      expect(state.problems.every((v) => v.problem.status === 'assigned')).toBe(true);
      expect(state.hasMoreProblems).toBe(false);
    } finally {
      state.stop();
    }
  });
});
