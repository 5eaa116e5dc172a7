import { describe, expect, it } from 'vitest';
import {
  validateEvent,
  type EventEnvelope,
  type EventType,
  type PayloadOf,
  type ProblemStatus,
} from '../../src/domain/events';
import { formatHlc, hlcNode } from '../../src/domain/hlc';
import { newId } from '../../src/domain/ids';
import {
  citizenProgress,
  foldProblem,
  foldProblems,
  isOverdue,
  nextSteps,
  problemDeadlines,
  problemIdOf,
  type Problem,
} from '../../src/domain/problem';
import { holidayCalendar } from '../../src/domain/calendar';
import { DEFAULT_SETTINGS } from '../../src/domain/reference';

const hallId = newId();
const departmentId = newId();
const otherDepartmentId = newId();
const windowId = newId();
const tabletA = newId();
const tabletB = newId();
const consoleId = newId();

/** Hall-local (UTC+8) date and time as an instant. */
const hall = (date: string, time = '10:00') => Date.parse(`${date}T${time}:00+08:00`);

let seq = 0;
function event<T extends EventType>(
  type: T,
  payload: PayloadOf<T>,
  at: number,
  deviceId = tabletA,
  counter = 0,
): EventEnvelope<T> {
  seq++;
  return {
    v: 1,
    id: newId(),
    type,
    hallId,
    deviceId,
    deviceSeq: seq,
    prevHash: seq === 1 ? null : 'a'.repeat(64),
    actorId: null,
    at: new Date(at).toISOString(),
    hlc: formatHlc({ millis: at, counter, node: hlcNode(deviceId) }),
    payload,
  };
}

function recordWalkFinding(at: number, problemId = newId()) {
  return event(
    'problem.recorded',
    {
      problemId,
      source: 'walk',
      sourceId: newId(),
      departmentId,
      windowId,
      description: '办事指南与窗口要求的材料不一致',
      severity: 'high',
      walkId: newId(),
      photos: [{ sha256: 'b'.repeat(64), type: 'image/jpeg', size: 120_000 }],
    },
    at,
  );
}

function poorRating(at: number, level: 'dissatisfied' | 'very_dissatisfied' = 'very_dissatisfied') {
  return event(
    'rating.submitted',
    {
      windowId,
      departmentId,
      level,
      reasons: ['waited_too_long'],
      comment: '等了两个小时',
      ticket: null,
      channel: 'qr',
      phoneId: newId(),
      dutySessionId: null,
    },
    at,
    newId(),
  );
}

const assign = (problemId: string, from: ProblemStatus, at: number, deviceId = tabletA) =>
  event(
    'problem.assigned',
    { problemId, from, departmentId, assignee: '综合窗口负责人', note: '' },
    at,
    deviceId,
  );

const move = (
  problemId: string,
  from: ProblemStatus,
  to: 'rectifying' | 'rectified' | 'verified' | 'closed',
  at: number,
  deviceId = tabletA,
  note = '',
) => event('problem.statusChanged', { problemId, from, to, note, photos: [] }, at, deviceId);

describe('the problem pipeline', () => {
  it('every event it folds is valid under the shared schemas', () => {
    const rec = recordWalkFinding(hall('2026-03-02'));
    const pid = rec.payload.problemId;
    for (const e of [
      rec,
      poorRating(hall('2026-03-02')),
      assign(pid, 'found', hall('2026-03-03')),
      move(pid, 'assigned', 'rectifying', hall('2026-03-04')),
    ]) {
      expect(validateEvent(e).ok).toBe(true);
    }
  });

  it('moves found → assigned → rectifying → rectified → verified, recording each step', () => {
    const rec = recordWalkFinding(hall('2026-03-02'));
    const pid = rec.payload.problemId;
    const p = foldProblem([
      rec,
      assign(pid, 'found', hall('2026-03-02', '11:00')),
      move(pid, 'assigned', 'rectifying', hall('2026-03-03')),
      move(pid, 'rectifying', 'rectified', hall('2026-03-05'), tabletA, '已更新办事指南'),
      move(pid, 'rectified', 'verified', hall('2026-03-06'), consoleId),
    ])!;
    expect(p.status).toBe('verified');
    expect(p.assignee).toEqual({ departmentId, assignee: '综合窗口负责人' });
    expect(p.steps.map((s) => [s.statusBefore, s.statusAfter, s.superseded])).toEqual([
      ['found', 'found', null],
      ['found', 'assigned', null],
      ['assigned', 'rectifying', null],
      ['rectifying', 'rectified', null],
      ['rectified', 'verified', null],
    ]);
    expect(p.steps[3]!.note).toBe('已更新办事指南');
    expect(p.photos).toHaveLength(1);
  });

  it('keeps a step whose status has moved on, marked superseded with the reason', () => {
    const rec = recordWalkFinding(hall('2026-03-02'));
    const pid = rec.payload.problemId;
    const p = foldProblem([
      rec,
      assign(pid, 'found', hall('2026-03-02', '11:00')),
      // Two devices, both still seeing "assigned": the later one is superseded.
      move(pid, 'assigned', 'rectifying', hall('2026-03-03', '09:00'), tabletA),
      move(pid, 'assigned', 'closed', hall('2026-03-03', '09:05'), tabletB, '重复记录'),
    ])!;
    expect(p.status).toBe('rectifying');
    const last = p.steps.at(-1)!;
    expect(last.superseded).toBe('status_moved');
    expect(last.statusBefore).toBe('rectifying');
    expect(last.statusAfter).toBe('rectifying');
    expect(last.note).toBe('重复记录');
  });

  it('refuses moves the pipeline does not allow, and nothing moves a finished problem', () => {
    const rec = recordWalkFinding(hall('2026-03-02'));
    const pid = rec.payload.problemId;
    const p = foldProblem([
      rec,
      move(pid, 'found', 'verified', hall('2026-03-02', '11:00')),
      assign(pid, 'found', hall('2026-03-02', '12:00')),
      move(pid, 'assigned', 'closed', hall('2026-03-03'), tabletA, '非本部门事项，已转办'),
      move(pid, 'closed', 'rectifying', hall('2026-03-04')),
    ])!;
    expect(p.status).toBe('closed');
    expect(p.closedReason).toBe('非本部门事项，已转办');
    expect(p.steps.map((s) => s.superseded)).toEqual([null, 'not_allowed', null, null, 'finished']);
    expect(nextSteps(p)).toMatchObject({ assign: false, moves: [], comment: true });
  });

  it('sends a problem back to rectifying when verification fails', () => {
    const rec = recordWalkFinding(hall('2026-03-02'));
    const pid = rec.payload.problemId;
    const p = foldProblem([
      rec,
      assign(pid, 'found', hall('2026-03-02', '11:00')),
      move(pid, 'assigned', 'rectified', hall('2026-03-03')),
      move(pid, 'rectified', 'rectifying', hall('2026-03-04'), consoleId, '现场复查仍未整改'),
    ])!;
    expect(p.status).toBe('rectifying');
    expect(p.rectifiedAtMs).toBeNull();
  });

  describe('a 差评', () => {
    it('is a problem by itself, with the rating as given', () => {
      const r = poorRating(hall('2026-03-02'));
      expect(problemIdOf(r)).toBe(r.id);
      const p = foldProblems([r])[r.id]!;
      expect(p).toMatchObject({
        source: 'rating',
        sourceId: r.id,
        status: 'found',
        severity: 'high',
        departmentId,
        windowId,
        rating: {
          level: 'very_dissatisfied',
          reasons: ['waited_too_long'],
          comment: '等了两个小时',
        },
      });
      expect(nextSteps(p)).toMatchObject({ precheck: true, moves: [] });
    });

    it('a good rating is no problem', () => {
      const good = event(
        'rating.submitted',
        {
          windowId,
          departmentId,
          level: 'satisfied',
          reasons: [],
          comment: '',
          ticket: null,
          channel: 'hall_tablet',
          phoneId: null,
          dutySessionId: null,
        },
        hall('2026-03-02'),
      );
      expect(problemIdOf(good)).toBeNull();
      expect(foldProblems([good])).toEqual({});
    });

    it('cannot be closed directly: only an upheld appeal sets it aside', () => {
      const r = poorRating(hall('2026-03-02'));
      const close = move(r.id, 'found', 'closed', hall('2026-03-02', '11:00'), consoleId, '误评');
      const dispute = event(
        'problem.prechecked',
        { problemId: r.id, from: 'found', verdict: 'mistaken', note: '群众误点了非常不满意' },
        hall('2026-03-02', '12:00'),
        consoleId,
      );
      const review = event(
        'problem.reviewed',
        { problemId: r.id, from: 'appealing', upheld: true, note: '经调取录像核实为误评' },
        hall('2026-03-03'),
        consoleId,
      );
      const p = foldProblem([r, close, dispute, review])!;
      expect(p.steps.map((s) => s.superseded)).toEqual([null, 'needs_appeal', null, null]);
      expect(p.steps[2]!.statusAfter).toBe('appealing');
      expect(p.status).toBe('closed');
      expect(p.appeal).toMatchObject({ upheld: true });
      expect(citizenProgress(p)).toMatchObject({ setAside: true, accepted: false });
    });

    it('a dismissed appeal leaves a valid 差评 to rectify', () => {
      const r = poorRating(hall('2026-03-02'));
      const p = foldProblem([
        r,
        event(
          'problem.prechecked',
          { problemId: r.id, from: 'found', verdict: 'malicious', note: '疑似恶意差评' },
          hall('2026-03-02', '12:00'),
          consoleId,
        ),
        event(
          'problem.reviewed',
          { problemId: r.id, from: 'appealing', upheld: false, note: '证据不足，驳回申诉' },
          hall('2026-03-03'),
          consoleId,
        ),
      ])!;
      expect(p.status).toBe('found');
      expect(p.precheck).toBe('valid');
      expect(citizenProgress(p)).toMatchObject({ accepted: true, rectification: 'pending' });
    });

    it('follows the citizen through 受理 → 整改 → 回访 and takes one follow-up rating after rectification', () => {
      const r = poorRating(hall('2026-03-02'));
      const phoneId = r.payload.phoneId!;
      const followUp = (at: number) =>
        event(
          'rating.followedUp',
          { ratingId: r.id, phoneId, level: 'satisfied', comment: '已改进' },
          at,
          r.deviceId,
        );
      const early = followUp(hall('2026-03-02', '15:00'));
      const events = [
        r,
        early,
        assign(r.id, 'found', hall('2026-03-03')),
        move(r.id, 'assigned', 'rectified', hall('2026-03-04')),
        event(
          'problem.calledBack',
          { problemId: r.id, reached: true, satisfied: true, note: '电话回访' },
          hall('2026-03-05'),
          consoleId,
        ),
        followUp(hall('2026-03-06')),
        followUp(hall('2026-03-07')),
      ];
      const p = foldProblem(events)!;
      expect(p.precheck).toBe('valid');
      expect(p.steps.map((s) => s.superseded)).toEqual([
        null,
        'not_allowed',
        null,
        null,
        null,
        null,
        'already_done',
      ]);
      expect(p.followUp).toMatchObject({ level: 'satisfied', comment: '已改进' });
      expect(citizenProgress(p)).toEqual({
        accepted: true,
        underReview: false,
        rectification: 'done',
        calledBack: true,
        setAside: false,
        canFollowUp: false,
        followUp: p.followUp,
      });
    });
  });

  it('leaves out steps whose problem has not arrived yet', () => {
    const rec = recordWalkFinding(hall('2026-03-02'));
    const step = assign(rec.payload.problemId, 'found', hall('2026-03-03'));
    expect(foldProblems([step])).toEqual({});
    expect(foldProblems([step, rec])[rec.payload.problemId]!.status).toBe('assigned');
  });
});

describe('deadlines in working days', () => {
  const cal = holidayCalendar();
  const days = DEFAULT_SETTINGS;

  it('counts a 差评 call-back and rectification across 国庆 and its make-up working days', () => {
    // Recorded Tuesday 2026-09-29. 1 working day → Wednesday 09-30. 15 working days: 09-30,
    // then 10-01..07 are holidays, 10-08 and 10-09, Saturday 10-10 (a make-up working day), and
    // 10-12 … 10-26 on weekdays.
    const r = poorRating(hall('2026-09-29'));
    const p = foldProblem([r])!;
    const d = problemDeadlines(p, hall('2026-09-29'), cal, days);
    expect(d.callBack!.due).toBe('2026-09-30');
    expect(d.rectify.due).toBe('2026-10-26');
    expect(d.rectify.remaining).toBe(15);
    const later = problemDeadlines(p, hall('2026-10-08'), cal, days);
    expect(later.callBack).toMatchObject({ overdue: true, remaining: -1 });
    expect(later.rectify).toMatchObject({ overdue: false, remaining: 13 });
    expect(isOverdue(later)).toBe(true);
  });

  it('a done call-back or rectification is no longer overdue, and late is said so', () => {
    const r = poorRating(hall('2026-09-29'));
    const p = foldProblem([
      r,
      event(
        'problem.calledBack',
        { problemId: r.id, reached: false, satisfied: null, note: '无人接听' },
        hall('2026-09-30'),
        consoleId,
      ),
      event(
        'problem.calledBack',
        { problemId: r.id, reached: true, satisfied: false, note: '' },
        hall('2026-10-08'),
        consoleId,
      ),
    ])!;
    const d = problemDeadlines(p, hall('2026-10-09'), cal, days);
    expect(d.callBack).toMatchObject({ done: true, overdue: false, late: true });
  });

  it('walk findings and duty items use their own due days', () => {
    const rec = recordWalkFinding(hall('2026-02-13')); // Friday before 春节
    const p = foldProblem([rec])!;
    const d = problemDeadlines(p, hall('2026-02-13'), cal, { ...days, walkRectifyDays: 2 });
    // Saturday 02-14 is a make-up working day; 02-15..23 are the holiday.
    expect(d.rectify.due).toBe('2026-02-24');
    expect(d.callBack).toBeNull();
  });
});

/** A small seeded generator (mulberry32): a failing seed can be replayed as a named test. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Two devices work on the same problems while apart: each decides its steps from its own fold
 * (as its screen would offer them), then they exchange everything in a random order, with
 * duplicates. Both must end in the identical state, superseded steps included.
 */
function simulate(seed: number): { a: Record<string, Problem>; b: Record<string, Problem> } {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const base = hall('2026-03-02');
  const shared: EventEnvelope[] = [];
  for (let i = 0; i < 3; i++) {
    shared.push(random() < 0.5 ? recordWalkFinding(base + i) : poorRating(base + i));
  }
  const logs: Record<string, EventEnvelope[]> = { [tabletA]: [...shared], [tabletB]: [...shared] };
  let clock = base + 1_000;
  for (let round = 0; round < 4; round++) {
    for (const device of [tabletA, tabletB]) {
      const known = logs[device]!;
      const steps = 1 + Math.floor(random() * 3);
      for (let s = 0; s < steps; s++) {
        const problems = Object.values(foldProblems(known));
        const p = pick(problems);
        const next = nextSteps(p);
        const options: (() => EventEnvelope)[] = [];
        // Clocks interleave and sometimes tie, so (hlc, id) order decides.
        const at = (clock += Math.floor(random() * 3) * 1000);
        const counter = Math.floor(random() * 2);
        if (next.assign)
          options.push(() =>
            event(
              'problem.assigned',
              {
                problemId: p.id,
                from: p.status,
                departmentId: pick([departmentId, otherDepartmentId]),
                assignee: pick(['窗口负责人', '科室负责人']),
                note: '',
              },
              at,
              device,
              counter,
            ),
          );
        for (const to of next.moves)
          options.push(() =>
            event(
              'problem.statusChanged',
              {
                problemId: p.id,
                from: p.status,
                to,
                note: to === 'closed' ? '不属于问题' : '',
                photos: [],
              },
              at,
              device,
              counter,
            ),
          );
        if (next.precheck)
          options.push(() =>
            event(
              'problem.prechecked',
              {
                problemId: p.id,
                from: p.status,
                verdict: pick(['valid', 'mistaken'] as const),
                note: '核查',
              },
              at,
              device,
              counter,
            ),
          );
        if (next.review)
          options.push(() =>
            event(
              'problem.reviewed',
              { problemId: p.id, from: p.status, upheld: random() < 0.5, note: '复核' },
              at,
              device,
              counter,
            ),
          );
        if (next.callBack)
          options.push(() =>
            event(
              'problem.calledBack',
              { problemId: p.id, reached: true, satisfied: random() < 0.5, note: '' },
              at,
              device,
              counter,
            ),
          );
        options.push(() =>
          event(
            'problem.commented',
            { problemId: p.id, note: `备注 ${s}`, photos: [] },
            at,
            device,
            counter,
          ),
        );
        known.push(pick(options)());
      }
    }
  }
  // Exchange: each device receives the other's events, shuffled and some twice.
  const merged = (mine: EventEnvelope[], theirs: EventEnvelope[]) => {
    const incoming = [...theirs, ...theirs.filter(() => random() < 0.3)];
    for (let i = incoming.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [incoming[i], incoming[j]] = [incoming[j]!, incoming[i]!];
    }
    return [...mine, ...incoming];
  };
  const a = logs[tabletA]!;
  const b = logs[tabletB]!;
  return { a: foldProblems(merged(a, b)), b: foldProblems(merged(b, a)) };
}

describe('convergence of two devices apart', () => {
  it('ends in the identical state for many random interleavings', () => {
    let superseded = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { a, b } = simulate(seed);
      expect(a, `seed ${seed}`).toEqual(b);
      superseded += Object.values(a).reduce(
        (n, p) => n + p.steps.filter((s) => s.superseded).length,
        0,
      );
    }
    // The simulation must actually produce conflicts, or it proves nothing.
    expect(superseded).toBeGreaterThan(50);
  });

  it('shows superseded steps the same way on both sides (seed 7)', () => {
    const { a, b } = simulate(7);
    const shown = (ps: Record<string, Problem>) =>
      Object.values(ps).flatMap((p) =>
        p.steps.filter((s) => s.superseded).map((s) => [p.id, s.eventId, s.superseded]),
      );
    expect(shown(a)).toEqual(shown(b));
  });
});
