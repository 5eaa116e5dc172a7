import { describe, expect, it } from 'vitest';
import { EMPTY_HEAD, appendToLog, type LogHead } from '../../src/domain/device';
import {
  validateEvent,
  type DutyLedgerEntry,
  type EventEnvelope,
  type EventType,
  type PayloadOf,
} from '../../src/domain/events';
import {
  dutyLeaderFor,
  endOfDayMs,
  foldDutySessions,
  openSessionsAt,
  sessionEnd,
  type DutySession,
} from '../../src/domain/duty';
import { formatHlc, hlcNode } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';

const hallId = newId();
const kioskId = newId();
const leaderId = newId();
const departmentId = newId();
const windowId = newId();
const otherWindowId = newId();
const shiftId = newId();
const sessionId = newId();

/** Hall-local (UTC+8) date and time as an instant. */
const hall = (date: string, time: string) => Date.parse(`${date}T${time}:00+08:00`);

function logOf(items: { type: EventType; payload: unknown; at: number }[]): EventEnvelope[] {
  let head: LogHead = EMPTY_HEAD;
  return items.map(({ type, payload, at }, i) => {
    const next = appendToLog(head, {
      type,
      payload: payload as PayloadOf<typeof type>,
      hallId,
      deviceId: kioskId,
      at: new Date(at).toISOString(),
      hlc: formatHlc({ millis: at, counter: i, node: hlcNode(kioskId) }),
    });
    head = next.head;
    return next.event;
  });
}

const signIn = (at: number, overrides: Record<string, unknown> = {}) => ({
  type: 'duty.signedIn' as const,
  at,
  payload: {
    sessionId,
    leaderId,
    departmentId,
    windowId,
    shiftId,
    method: 'pin',
    pinVersion: 1,
    pinProof: 'a'.repeat(64),
    ...overrides,
  },
});
const entry = (at: number, kind: DutyLedgerEntry['kind'], count: number, text = '') => ({
  type: 'duty.ledgerEntry' as const,
  at,
  payload: {
    sessionId,
    entryId: newId(),
    kind,
    count,
    text,
    needsFollowUp: false,
  },
});
const signOut = (at: number, reason: 'manual' | 'end_of_day' = 'manual') => ({
  type: 'duty.signedOut' as const,
  at,
  payload: { sessionId, reason },
});

/** Every permutation of a small list, to show the fold does not depend on order. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('duty session fold', () => {
  const day = '2026-11-20';
  const log = logOf([
    signIn(hall(day, '09:02')),
    entry(hall(day, '09:30'), 'served', 12),
    entry(hall(day, '10:00'), 'cases', 5),
    entry(hall(day, '10:10'), 'solved', 0, '叫号机故障当场处理'),
    entry(hall(day, '10:20'), 'complaint', 0, '等候时间长'),
    entry(hall(day, '10:30'), 'suggestion', 0, '增加自助终端'),
    entry(hall(day, '10:40'), 'served', 3),
    signOut(hall(day, '11:31')),
  ]);

  it('builds valid events', () => {
    for (const e of log) expect(validateEvent(e).ok).toBe(true);
  });

  it('gives the same session for every order of its events', () => {
    const expected: DutySession = {
      id: sessionId,
      leaderId,
      departmentId,
      windowId,
      shiftId,
      signedInAt: new Date(hall(day, '09:02')).toISOString(),
      signedOutAt: new Date(hall(day, '11:31')).toISOString(),
      endReason: 'manual',
      deviceId: kioskId,
      served: 15,
      cases: 5,
      solved: 1,
      complaints: 1,
      suggestions: 1,
    };
    // A few orders of the whole log, and every order of a shorter one.
    for (const order of [log, [...log].reverse(), [log[7]!, ...log.slice(1, 7), log[0]!]]) {
      expect(foldDutySessions(order)).toEqual({ [sessionId]: expected });
    }
    const short = [log[0]!, log[1]!, log[3]!, log[7]!];
    for (const order of permutations(short)) {
      expect(foldDutySessions(order)[sessionId]).toMatchObject({
        served: 12,
        solved: 1,
        signedOutAt: expected.signedOutAt,
      });
    }
  });

  it('counts a re-sent event once and ignores unrelated events', () => {
    const rating = { ...log[1]!, id: newId(), type: 'rating.submitted' } as EventEnvelope;
    const sessions = foldDutySessions([...log, log[1]!, log[0]!, log[7]!, rating]);
    expect(sessions[sessionId]?.served).toBe(15);
  });

  it('drops ledger lines and sign-outs of sessions it has not seen begin', () => {
    expect(foldDutySessions(log.slice(1))).toEqual({});
  });

  it.each([
    ['manual sign-out', signOut(hall(day, '12:00')), '12:00', 'manual'],
    [
      'end-of-day sign-out written the next morning',
      signOut(hall('2026-11-21', '08:00'), 'end_of_day'),
      '24:00',
      'end_of_day',
    ],
    [
      'end-of-day sign-out at 23:59',
      signOut(hall(day, '23:59'), 'end_of_day'),
      '23:59',
      'end_of_day',
    ],
  ] as const)('%s', (_name, out, time, reason) => {
    const [s] = Object.values(foldDutySessions(logOf([signIn(hall(day, '09:00')), out])));
    const expectedMs = time === '24:00' ? hall('2026-11-21', '00:00') : hall(day, time);
    expect(s?.signedOutAt).toBe(new Date(expectedMs).toISOString());
    expect(s?.endReason).toBe(reason);
  });

  it('keeps the first of two sign-outs', () => {
    const events = logOf([
      signIn(hall(day, '09:00')),
      signOut(hall(day, '11:00')),
      signOut(hall(day, '12:00'), 'end_of_day'),
    ]);
    for (const order of permutations(events)) {
      const s = foldDutySessions(order)[sessionId];
      expect(s?.signedOutAt).toBe(new Date(hall(day, '11:00')).toISOString());
      expect(s?.endReason).toBe('manual');
    }
  });
});

function session(overrides: Partial<DutySession>): DutySession {
  return {
    id: newId(),
    leaderId,
    departmentId,
    windowId,
    shiftId: null,
    signedInAt: new Date(hall('2026-11-21', '09:00')).toISOString(),
    signedOutAt: null,
    endReason: null,
    deviceId: kioskId,
    served: 0,
    cases: 0,
    solved: 0,
    complaints: 0,
    suggestions: 0,
    ...overrides,
  };
}

describe('sessions open now', () => {
  const now = hall('2026-11-21', '10:00');
  const iso = (date: string, time: string) => new Date(hall(date, time)).toISOString();

  it.each([
    ['open since this morning', {}, true],
    [
      'signed out',
      { signedOutAt: iso('2026-11-21', '09:30'), endReason: 'manual' as const },
      false,
    ],
    ['left open yesterday', { signedInAt: iso('2026-11-20', '15:00') }, false],
    ['begun just after hall midnight', { signedInAt: iso('2026-11-21', '00:00') }, true],
    ['begun just before hall midnight', { signedInAt: iso('2026-11-20', '23:59') }, false],
  ])('%s: open is %s', (_name, overrides, open) => {
    const s = session(overrides);
    expect(openSessionsAt({ [s.id]: s }, now)).toEqual(open ? [s] : []);
    expect(openSessionsAt([s], now)).toEqual(open ? [s] : []);
  });

  it('ends the day at hall midnight', () => {
    expect(endOfDayMs(hall('2026-11-21', '09:00'))).toBe(hall('2026-11-22', '00:00'));
    expect(endOfDayMs(hall('2026-11-21', '23:59'))).toBe(hall('2026-11-22', '00:00'));
    expect(endOfDayMs(hall('2026-11-22', '00:00'))).toBe(hall('2026-11-23', '00:00'));
  });

  it.each([
    [
      'signed out',
      { signedOutAt: iso('2026-11-21', '09:30'), endReason: 'manual' as const },
      now,
      hall('2026-11-21', '09:30'),
      false,
      false,
    ],
    [
      'closed at day end by the kiosk',
      { signedOutAt: iso('2026-11-21', '23:59'), endReason: 'end_of_day' as const },
      now,
      hall('2026-11-21', '23:59'),
      false,
      true,
    ],
    ['still running', {}, now, now, true, false],
    [
      'left open, the next day',
      {},
      hall('2026-11-22', '08:00'),
      hall('2026-11-22', '00:00'),
      false,
      true,
    ],
  ])('session end when %s', (_name, overrides, at, endMs, open, autoClosed) => {
    expect(sessionEnd(session(overrides), at)).toEqual({ endMs, open, autoClosed });
  });
});

describe('leader on duty for a window', () => {
  const now = hall('2026-11-21', '10:00');
  const otherDepartmentId = newId();
  const atWindow = session({
    windowId,
    signedInAt: new Date(hall('2026-11-21', '09:00')).toISOString(),
  });
  const atDepartment = session({
    windowId: null,
    signedInAt: new Date(hall('2026-11-21', '09:30')).toISOString(),
  });
  const atOtherWindow = session({ windowId: otherWindowId });
  const elsewhere = session({ windowId: null, departmentId: otherDepartmentId });
  const yesterday = session({
    windowId,
    signedInAt: new Date(hall('2026-11-20', '09:00')).toISOString(),
  });
  const signedOut = session({
    windowId,
    signedOutAt: new Date(hall('2026-11-21', '09:45')).toISOString(),
    endReason: 'manual',
  });

  it.each([
    ['the window’s own session first', [atDepartment, atWindow, elsewhere], windowId, atWindow],
    ['else the department’s', [atDepartment, atOtherWindow, elsewhere], windowId, atDepartment],
    ['not another window’s', [atOtherWindow, elsewhere], windowId, null],
    ['not yesterday’s or a signed-out one', [yesterday, signedOut], windowId, null],
    ['the department’s for a department-wide screen', [atWindow, atDepartment], null, atDepartment],
    ['nobody', [], windowId, null],
  ])('%s', (_name, sessions, forWindow, expected) => {
    expect(dutyLeaderFor(sessions, forWindow, departmentId, now)).toEqual(expected);
  });

  it('the latest sign-in when two sit at the window', () => {
    const later = session({
      windowId,
      signedInAt: new Date(hall('2026-11-21', '09:40')).toISOString(),
    });
    expect(dutyLeaderFor([atWindow, later], windowId, departmentId, now)).toEqual(later);
  });
});
