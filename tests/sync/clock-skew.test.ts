/**
 * An inspection tablet whose clock is wrong still counts deadlines in server time: the offset the
 * sync engine learns (server time minus device time) corrects the countdown, so a problem due
 * today is not shown overdue on a tablet a day ahead, and an overdue one is not shown as due on a
 * tablet a day behind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { holidayCalendar } from '../../src/domain/calendar';
import type { EventEnvelope } from '../../src/domain/events';
import { formatHlc } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import { foldProblems, isOverdue, problemDeadlines, type Problem } from '../../src/domain/problem';
import { DEFAULT_SETTINGS } from '../../src/domain/reference';
import { DeviceClock } from '../../src/storage/store';
import { clockOffsetMs } from '../../src/sync/clock';
import { recordFigures } from '../support/reliability';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
let checked = 0;

afterAll(() => recordFigures('device-clock', { 'clock skews checked': checked }));

/** A problem recorded (in server time) at `recordedMs`. */
function problemAt(recordedMs: number): Problem {
  const problemId = newId();
  const event = {
    v: 1,
    id: newId(),
    type: 'problem.recorded',
    hallId: newId(),
    deviceId: newId(),
    deviceSeq: 1,
    prevHash: null,
    actorId: newId(),
    at: new Date(recordedMs).toISOString(),
    hlc: formatHlc({ millis: recordedMs, counter: 0, node: '1'.repeat(16) }),
    payload: {
      problemId,
      source: 'walk',
      sourceId: newId(),
      departmentId: newId(),
      windowId: null,
      description: '窗口台面杂物未清理',
      severity: 'minor',
      walkId: newId(),
      photos: [],
    },
  } as unknown as EventEnvelope;
  const problem = foldProblems([event])[problemId];
  if (!problem) throw new Error('the problem did not fold');
  return problem;
}

const deadlinesAt = (p: Problem, nowMs: number) =>
  problemDeadlines(p, nowMs, holidayCalendar({}), DEFAULT_SETTINGS);

/** The first server time, a day apart from recording, at which the rectify countdown reads `remaining`. */
function serverTimeWhen(p: Problem, recordedMs: number, remaining: number): number {
  for (let t = recordedMs; t < recordedMs + 60 * DAY; t += DAY)
    if (deadlinesAt(p, t).rectify.remaining === remaining) return t;
  throw new Error(`no day with ${remaining} working days left`);
}

/** A tablet whose clock runs `skewMs` off the server's, after one sync taught it the offset. */
function syncedTablet(serverNowMs: number, skewMs: number): DeviceClock {
  const deviceNow = serverNowMs + skewMs;
  const clock = new DeviceClock(() => deviceNow);
  // One request: sent and answered 40 ms apart, the server read its clock halfway.
  const offset = clockOffsetMs(new Date(serverNowMs).toISOString(), deviceNow - 20, deviceNow + 20);
  expect(offset).not.toBeNull();
  clock.offsetMs = offset!;
  return clock;
}

describe('deadlines on a tablet with a wrong clock', () => {
  // Monday morning, hall time; the problem is recorded on the server's clock.
  const recordedMs = Date.parse('2026-03-02T02:00:00Z');
  const problem = problemAt(recordedMs);

  it('a problem due today is not overdue on a tablet a day ahead', () => {
    const server = serverTimeWhen(problem, recordedMs, 0);
    expect(isOverdue(deadlinesAt(problem, server))).toBe(false);
    const tablet = syncedTablet(server, DAY);
    // Its own clock would call it overdue; the offset the engine learned puts it right.
    expect(isOverdue(deadlinesAt(problem, tablet.now()))).toBe(true);
    expect(deadlinesAt(problem, tablet.serverNow())).toEqual(deadlinesAt(problem, server));
    expect(isOverdue(deadlinesAt(problem, tablet.serverNow()))).toBe(false);
    checked += 1;
  });

  it('a problem a day overdue stays overdue on a tablet a day behind', () => {
    const server = serverTimeWhen(problem, recordedMs, -1);
    expect(isOverdue(deadlinesAt(problem, server))).toBe(true);
    const tablet = syncedTablet(server, -DAY);
    expect(isOverdue(deadlinesAt(problem, tablet.now()))).toBe(false);
    expect(deadlinesAt(problem, tablet.serverNow())).toEqual(deadlinesAt(problem, server));
    checked += 1;
  });

  it('an hour ahead or behind, the countdown is the server’s on every day of the deadline', () => {
    for (const skew of [HOUR, -HOUR, DAY, -DAY]) {
      for (let t = recordedMs; t < recordedMs + 14 * DAY; t += 6 * HOUR) {
        const tablet = syncedTablet(t, skew);
        expect(Math.abs(tablet.serverNow() - t)).toBeLessThan(1000);
        expect(deadlinesAt(problem, tablet.serverNow())).toEqual(deadlinesAt(problem, t));
        checked += 1;
      }
    }
  });
});
