import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import type { Timers } from '../../src/screens/timers';
import {
  fetchPublicSchedule,
  type FetchLike,
  type PublicSchedule,
  type PublicShift,
} from '../../src/screens/schedule/schedule-api';
import { scheduleCache } from '../../src/screens/schedule/schedule-cache';
import { REFRESH_MS, ScheduleState } from '../../src/screens/schedule/schedule-state.svelte';
import { memoryStore } from '../../src/storage/settings';

/** Timers that fire only when the test says so. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending.set(next, { fn, ms }), next++),
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    pending,
    fire() {
      const entries = [...pending.entries()];
      pending.clear();
      for (const [, entry] of entries) entry.fn();
    },
  };
}

const tax = { id: newId(), name: '税务局', nameEn: 'Tax Bureau' };
const market = { id: newId(), name: '市场监管局' };
const taxHead = { id: newId(), title: '税务局局长', titleEn: 'Director of Taxation' };
const taxDeputy = { id: newId(), title: '税务局副局长' };
const marketHead = { id: newId(), title: '市场监管局局长' };

const shift = (
  leader: PublicShift['leader'],
  department: PublicShift['department'],
  start: string,
  end: string,
  window: PublicShift['window'] = null,
): PublicShift => ({ shiftId: newId(), start, end, leader, department, window });

const WEEK = [
  '2026-11-16',
  '2026-11-17',
  '2026-11-18',
  '2026-11-19',
  '2026-11-20',
  '2026-11-21',
  '2026-11-22',
];

function schedule(over: Partial<PublicSchedule> = {}): PublicSchedule {
  return {
    hall: { name: '市民服务中心' },
    date: '2026-11-18',
    week: { from: WEEK[0]!, to: WEEK[6]! },
    days: WEEK.map((date) => ({ date, shifts: [] })),
    onDutyNow: [],
    serverTime: '2026-11-18T02:00:00.000Z',
    ...over,
  };
}

/** 2026-11-18 10:00 in the hall (UTC+8). */
const TEN_AM = Date.parse('2026-11-18T02:00:00Z');

function fakeServer(answers: (() => Response)[]) {
  const requests: string[] = [];
  const fetchFn: FetchLike = async (input) => {
    requests.push(input);
    const answer = answers.shift();
    if (!answer) throw new TypeError('Failed to fetch');
    return answer();
  };
  return { fetchFn, requests };
}

const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function makeState(fetchFn: FetchLike, store = memoryStore(), now = TEN_AM) {
  const clock = manualTimers();
  const state = new ScheduleState({
    load: () => fetchPublicSchedule(fetchFn),
    cache: scheduleCache(store),
    timers: clock.timers,
    now: () => now,
  });
  return { state, clock, store };
}

describe('fetchPublicSchedule', () => {
  it('asks for today by default and for a given date', async () => {
    const { fetchFn, requests } = fakeServer([json(schedule()), json(schedule())]);
    await fetchPublicSchedule(fetchFn);
    await fetchPublicSchedule(fetchFn, '2026-11-25');
    expect(requests).toEqual([
      '/api/v1/public/schedule',
      '/api/v1/public/schedule?date=2026-11-25',
    ]);
  });

  it('fails on an error status or a body that is not a schedule', async () => {
    const { fetchFn } = fakeServer([json({ error: 'x' }, 500), json({ nope: 1 })]);
    await expect(fetchPublicSchedule(fetchFn)).rejects.toThrow('http_500');
    await expect(fetchPublicSchedule(fetchFn)).rejects.toThrow('bad_response');
  });
});

describe('ScheduleState', () => {
  const today = [
    shift(marketHead, market, '14:00', '17:00'),
    shift(taxDeputy, tax, '14:00', '17:00'),
    shift(taxHead, tax, '09:00', '12:00', { id: newId(), code: 'A01', name: 'A01 综合窗口' }),
  ];
  const answer = schedule({
    days: WEEK.map((date) => ({
      date,
      shifts:
        date === '2026-11-18'
          ? today
          : date === '2026-11-20'
            ? [shift(taxHead, tax, '09:00', '11:00')]
            : [],
    })),
    onDutyNow: [
      { leaderId: taxHead.id, departmentId: tax.id, windowId: null, since: '2026-11-18T01:05:00Z' },
    ],
  });

  it("groups today's shifts per department, earliest first, marking who is on duty now", async () => {
    const { fetchFn } = fakeServer([json(answer)]);
    const { state } = makeState(fetchFn);
    await state.start();
    expect(state.status).toBe('live');
    expect(state.today.map((b) => b.department.name)).toEqual(['税务局', '市场监管局']);
    const taxBoard = state.today[0]!;
    expect(taxBoard.shifts.map((s) => [s.leader.title, s.onDuty, s.current])).toEqual([
      ['税务局局长', true, true],
      ['税务局副局长', false, false],
    ]);
    expect(state.today[1]!.shifts[0]!.onDuty).toBe(false);
  });

  it('lays the week out as a row per department and a cell per day', async () => {
    const { fetchFn } = fakeServer([json(answer)]);
    const { state } = makeState(fetchFn);
    await state.start();
    const taxRow = state.week.find((r) => r.department.id === tax.id)!;
    expect(taxRow.cells.map((c) => c.length)).toEqual([0, 0, 2, 0, 1, 0, 0]);
    // Signed in today does not mark the same leader's later shifts.
    expect(state.isOnDuty(taxRow.cells[2]![0]!, '2026-11-18')).toBe(true);
    expect(state.isOnDuty(taxRow.cells[4]![0]!, '2026-11-20')).toBe(false);
  });

  it('refreshes every minute and keeps the last good answer when the server is gone', async () => {
    const later = schedule({ ...answer, onDutyNow: [] });
    const { fetchFn, requests } = fakeServer([json(answer), json(later)]);
    const { state, clock } = makeState(fetchFn);
    await state.start();
    expect([...clock.pending.values()].map((p) => p.ms)).toEqual([REFRESH_MS]);

    clock.fire();
    await expect.poll(() => requests.length).toBe(2);
    await expect.poll(() => state.today[0]!.shifts[0]!.onDuty).toBe(false);

    clock.fire();
    await expect.poll(() => requests.length).toBe(3);
    await expect.poll(() => state.status).toBe('stale');
    expect(state.today).toHaveLength(2);
    expect(clock.pending.size).toBe(1);
  });

  it('shows the kept answer offline after a reload, and fails plainly with nothing kept', async () => {
    const store = memoryStore();
    const first = makeState(fakeServer([json(answer)]).fetchFn, store);
    await first.state.start();
    first.state.stop();
    expect(first.clock.pending.size).toBe(0);

    const offline = makeState(fakeServer([]).fetchFn, store);
    await offline.state.start();
    expect(offline.state.status).toBe('stale');
    expect(offline.state.savedAt).toBe(TEN_AM);
    expect(offline.state.today.map((b) => b.department.name)).toEqual(['税务局', '市场监管局']);

    const empty = makeState(fakeServer([]).fetchFn, memoryStore());
    await empty.state.start();
    expect(empty.state.status).toBe('failed');
    expect(empty.state.today).toEqual([]);
  });
});
