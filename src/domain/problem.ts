/**
 * The rectification pipeline (design §1, §4). Every walk finding, every 差评 and every duty item
 * marked for follow-up is a problem; its current state is the fold of its events, ordered by
 * (hlc, id), computed by this one function on every device and on the server. Two devices that
 * changed one problem while apart end with the same events, and so in the same state.
 *
 * A step that moves the status names the status it moved from. When the fold has moved on by the
 * time the step is applied — another device verified the problem first, say — the step is kept in
 * the history and marked superseded with the reason, never silently dropped.
 *
 * A 差评 is a problem by itself: a poor `rating.submitted` records the problem whose id is the
 * rating's event id, so a rating costs no extra write on the tap path.
 */
import { addWorkingDays, workingDaysBetween, type HolidayCalendar } from './calendar';
import type {
  EventEnvelope,
  Photo,
  ProblemSeverity,
  ProblemSource,
  ProblemStatus,
  ProblemStepType,
} from './events';
import { compareByHlc, parseHlc } from './hlc';
import type { Id } from './ids';
import { problemIdOf } from './links';
import { isPoorRating, type PoorRatingReason, type RatingLevel } from './rating';
import type { HallSettings } from './reference';
import { hallDate } from './schedule';

export { problemIdOf };

/** Why a step did not apply where the fold put it. */
export type SupersededReason =
  /** The problem was no longer in the status the step moved from. */
  | 'status_moved'
  /** The move is not one the pipeline allows from that status. */
  | 'not_allowed'
  /** A 差评 is set aside only through an appeal and its review, not by closing it. */
  | 'needs_appeal'
  /** The problem was already closed or verified. */
  | 'finished'
  /** Pre-checks and follow-up ratings belong to 差评 only. */
  | 'not_a_rating'
  /** It happens once: a second pre-check or follow-up rating. */
  | 'already_done';

/** Events that make up a problem's history. */
export type ProblemEventType =
  'problem.recorded' | 'rating.submitted' | 'rating.followedUp' | ProblemStepType;

/** One entry of a problem's history: who, when, what, and whether it applied. */
export interface ProblemStep {
  eventId: Id;
  type: ProblemEventType;
  at: string;
  hlc: string;
  actorId: Id | null;
  deviceId: Id;
  note: string;
  photos: Photo[];
  /** The problem's status just before this step was applied. */
  statusBefore: ProblemStatus;
  /** Its status after (the same as before for a step that does not move it or is superseded). */
  statusAfter: ProblemStatus;
  /** Null when the step applied; otherwise why it was kept without effect. */
  superseded: SupersededReason | null;
  /** What the step says beyond its note, as written (e.g. the status it moved from, a verdict). */
  detail: Record<string, string | boolean | null>;
}

export interface CallBack {
  reached: boolean;
  satisfied: boolean | null;
  at: string;
  eventId: Id;
}

export interface Problem {
  id: Id;
  source: ProblemSource;
  sourceId: Id;
  departmentId: Id;
  windowId: Id | null;
  description: string;
  severity: ProblemSeverity;
  walkId: Id | null;
  checklistItemId: Id | null;
  photos: Photo[];
  /** The recording event's time on its device, and its hlc (whose time deadlines count from). */
  recordedAt: string;
  recordedHlc: string;
  recordedBy: Id | null;
  deviceId: Id;
  /** For a 差评: the rating as given. */
  rating: {
    level: RatingLevel;
    reasons: PoorRatingReason[];
    comment: string;
    ticket: string | null;
    phoneId: Id | null;
  } | null;
  status: ProblemStatus;
  /** The department and role responsible for rectifying it, once assigned. */
  assignee: { departmentId: Id; assignee: string } | null;
  /** A 差评's pre-check (受理): valid, or disputed as mistaken or malicious. */
  precheck: 'valid' | 'mistaken' | 'malicious' | null;
  /** The appeal's review, when a 差评 was disputed. */
  appeal: { upheld: boolean; at: string } | null;
  /** Call-backs to the citizen (回访), oldest first. */
  callBacks: CallBack[];
  /** The citizen's follow-up rating (追评). */
  followUp: { level: RatingLevel; comment: string; at: string } | null;
  /** Why it was closed as not a problem. */
  closedReason: string | null;
  /** When it was rectified, verified or closed (the hlc time of that step), for deadlines. */
  rectifiedAtMs: number | null;
  verifiedAtMs: number | null;
  closedAtMs: number | null;
  /** hlc of the last step folded in, applied or not. */
  updatedHlc: string;
  /** Full history, in fold order: the recording first. */
  steps: ProblemStep[];
}

/** A status a problem is finished in: nothing more is due. */
export function isFinished(status: ProblemStatus): boolean {
  return status === 'verified' || status === 'closed';
}

/** Rectified (whether or not verified yet): what the hall's 整改率 counts. */
export function isRectified(status: ProblemStatus): boolean {
  return status === 'rectified' || status === 'verified';
}

type MoveTarget = 'rectifying' | 'rectified' | 'verified' | 'closed';

/** The moves a status change may make, by the status it starts from. */
const MOVES: Record<ProblemStatus, readonly MoveTarget[]> = {
  found: ['closed'],
  appealing: [],
  assigned: ['rectifying', 'rectified', 'closed'],
  rectifying: ['rectified', 'closed'],
  // A failed verification sends it back to rectifying.
  rectified: ['verified', 'rectifying'],
  verified: [],
  closed: [],
};

/** What may be done next to a problem in its current state; the screens offer only these. */
export interface NextSteps {
  assign: boolean;
  moves: MoveTarget[];
  precheck: boolean;
  review: boolean;
  callBack: boolean;
  comment: boolean;
}

export function nextSteps(p: Problem): NextSteps {
  const isRating = p.source === 'rating';
  return {
    assign: p.status === 'found' || p.status === 'assigned',
    moves: MOVES[p.status].filter((to) => !(to === 'closed' && isRating)),
    precheck: isRating && p.status === 'found' && p.precheck === null,
    review: p.status === 'appealing',
    // A call-back is pointless while a 差评 is disputed, and the fold would supersede it.
    callBack: p.status !== 'closed' && p.status !== 'appealing',
    comment: true,
  };
}

const SEVERITY_OF_RATING: Partial<Record<RatingLevel, ProblemSeverity>> = {
  dissatisfied: 'medium',
  very_dissatisfied: 'high',
};

function hlcMs(hlc: string): number {
  return parseHlc(hlc)?.millis ?? 0;
}

/** The problem an event records, if it records one. */
function recorded(e: EventEnvelope): Problem | null {
  const base = {
    recordedAt: e.at,
    recordedHlc: e.hlc,
    recordedBy: e.actorId,
    deviceId: e.deviceId,
    status: 'found' as const,
    assignee: null,
    precheck: null,
    appeal: null,
    callBacks: [],
    followUp: null,
    closedReason: null,
    rectifiedAtMs: null,
    verifiedAtMs: null,
    closedAtMs: null,
    updatedHlc: e.hlc,
  };
  if (e.type === 'problem.recorded') {
    const p = (e as EventEnvelope<'problem.recorded'>).payload;
    const problem: Problem = {
      ...base,
      id: p.problemId,
      source: p.source,
      sourceId: p.sourceId,
      departmentId: p.departmentId,
      windowId: p.windowId,
      description: p.description,
      severity: p.severity,
      walkId: p.walkId ?? null,
      checklistItemId: p.checklistItemId ?? null,
      photos: p.photos ?? [],
      rating: null,
      steps: [],
    };
    problem.steps.push(
      step(e, problem, 'found', null, { note: p.description, photos: problem.photos }),
    );
    return problem;
  }
  if (e.type === 'rating.submitted') {
    const r = (e as EventEnvelope<'rating.submitted'>).payload;
    if (!isPoorRating(r.level)) return null;
    const description = [r.reasons.join(', '), r.comment.trim()].filter(Boolean).join(' — ');
    const problem: Problem = {
      ...base,
      id: e.id,
      source: 'rating',
      sourceId: e.id,
      departmentId: r.departmentId,
      windowId: r.windowId,
      description,
      severity: SEVERITY_OF_RATING[r.level] ?? 'medium',
      walkId: null,
      checklistItemId: null,
      photos: [],
      rating: {
        level: r.level,
        reasons: [...r.reasons],
        comment: r.comment,
        ticket: r.ticket,
        phoneId: r.phoneId,
      },
      steps: [],
    };
    problem.steps.push(
      step(e, problem, 'found', null, { note: r.comment, detail: { level: r.level } }),
    );
    return problem;
  }
  return null;
}

function step(
  e: EventEnvelope,
  p: Problem,
  after: ProblemStatus,
  superseded: SupersededReason | null,
  extra: { note?: string; photos?: Photo[]; detail?: ProblemStep['detail'] } = {},
): ProblemStep {
  return {
    eventId: e.id,
    type: e.type as ProblemEventType,
    at: e.at,
    hlc: e.hlc,
    actorId: e.actorId,
    deviceId: e.deviceId,
    note: extra.note ?? '',
    photos: extra.photos ?? [],
    statusBefore: p.status,
    statusAfter: superseded ? p.status : after,
    superseded,
    detail: extra.detail ?? {},
  };
}

/** Apply one step to a problem (in place), recording it in the history either way. */
function applyStep(p: Problem, e: EventEnvelope): void {
  if (e.hlc > p.updatedHlc) p.updatedHlc = e.hlc;
  const at = hlcMs(e.hlc);
  const record = (after: ProblemStatus, why: SupersededReason | null, extra = {}) => {
    const s = step(e, p, after, why, extra);
    p.steps.push(s);
    if (!why) p.status = after;
    return !why;
  };
  /** Null when the move applies from the status the writer saw. */
  const moveCheck = (from: ProblemStatus): SupersededReason | null =>
    isFinished(p.status) ? 'finished' : from !== p.status ? 'status_moved' : null;

  switch (e.type as ProblemEventType) {
    case 'problem.assigned': {
      const s = (e as EventEnvelope<'problem.assigned'>).payload;
      const why =
        moveCheck(s.from) ??
        (p.status === 'found' || p.status === 'assigned' ? null : 'not_allowed');
      const detail = { from: s.from, departmentId: s.departmentId, assignee: s.assignee };
      if (record('assigned', why, { note: s.note, detail })) {
        p.assignee = { departmentId: s.departmentId, assignee: s.assignee };
        // Assigning a 差评 accepts it (受理) if nobody pre-checked it.
        if (p.source === 'rating') p.precheck ??= 'valid';
      }
      break;
    }
    case 'problem.statusChanged': {
      const s = (e as EventEnvelope<'problem.statusChanged'>).payload;
      let why = moveCheck(s.from) ?? (MOVES[p.status].includes(s.to) ? null : 'not_allowed');
      if (!why && s.to === 'closed' && p.source === 'rating') why = 'needs_appeal';
      const detail = { from: s.from, to: s.to };
      if (record(s.to, why, { note: s.note, photos: s.photos, detail })) {
        if (s.to === 'rectified') p.rectifiedAtMs = at;
        if (s.to === 'rectifying') p.rectifiedAtMs = null;
        if (s.to === 'verified') p.verifiedAtMs = at;
        if (s.to === 'closed') {
          p.closedAtMs = at;
          p.closedReason = s.note.trim();
        }
      }
      break;
    }
    case 'problem.commented': {
      const s = (e as EventEnvelope<'problem.commented'>).payload;
      record(p.status, null, { note: s.note, photos: s.photos });
      break;
    }
    case 'problem.prechecked': {
      const s = (e as EventEnvelope<'problem.prechecked'>).payload;
      const why: SupersededReason | null =
        p.source !== 'rating'
          ? 'not_a_rating'
          : p.precheck !== null && p.status !== 'appealing'
            ? 'already_done'
            : (moveCheck(s.from) ?? (p.status === 'found' ? null : 'not_allowed'));
      const after = s.verdict === 'valid' ? p.status : 'appealing';
      if (record(after, why, { note: s.note, detail: { from: s.from, verdict: s.verdict } }))
        p.precheck = s.verdict;
      break;
    }
    case 'problem.reviewed': {
      const s = (e as EventEnvelope<'problem.reviewed'>).payload;
      const why = moveCheck(s.from) ?? (p.status === 'appealing' ? null : 'not_allowed');
      const after = s.upheld ? 'closed' : 'found';
      if (record(after, why, { note: s.note, detail: { from: s.from, upheld: s.upheld } })) {
        p.appeal = { upheld: s.upheld, at: e.at };
        if (s.upheld) {
          p.closedAtMs = at;
          p.closedReason = s.note.trim();
        } else {
          // A dismissed appeal leaves a valid 差评 to be rectified.
          p.precheck = 'valid';
        }
      }
      break;
    }
    case 'problem.calledBack': {
      const s = (e as EventEnvelope<'problem.calledBack'>).payload;
      const why: SupersededReason | null =
        p.status === 'closed' ? 'finished' : p.status === 'appealing' ? 'not_allowed' : null;
      const detail = { reached: s.reached, satisfied: s.satisfied };
      if (record(p.status, why, { note: s.note, detail }))
        p.callBacks.push({ reached: s.reached, satisfied: s.satisfied, at: e.at, eventId: e.id });
      break;
    }
    case 'rating.followedUp': {
      const s = (e as EventEnvelope<'rating.followedUp'>).payload;
      const why: SupersededReason | null =
        p.source !== 'rating'
          ? 'not_a_rating'
          : p.followUp
            ? 'already_done'
            : isRectified(p.status)
              ? null
              : 'not_allowed';
      if (record(p.status, why, { note: s.comment, detail: { level: s.level } }))
        p.followUp = { level: s.level, comment: s.comment, at: e.at };
      break;
    }
    default:
      break;
  }
}

/**
 * Fold events, in any order and with duplicates, into the problems they make up. Steps of a
 * problem whose recording is not among the events are left out until it arrives.
 */
export function foldProblems(events: Iterable<EventEnvelope>): Record<Id, Problem> {
  const byProblem = new Map<Id, Map<Id, EventEnvelope>>();
  for (const e of events) {
    const pid = problemIdOf(e);
    if (!pid) continue;
    let list = byProblem.get(pid);
    if (!list) byProblem.set(pid, (list = new Map()));
    list.set(e.id, e);
  }
  const out: Record<Id, Problem> = {};
  for (const [pid, list] of byProblem) {
    const problem = foldProblem([...list.values()]);
    if (problem && problem.id === pid) out[pid] = problem;
  }
  return out;
}

/** Fold the events of one problem (any order); null until its recording is among them. */
export function foldProblem(events: readonly EventEnvelope[]): Problem | null {
  const sorted = [...events].sort(compareByHlc);
  let problem: Problem | null = null;
  for (const e of sorted) {
    if (!problem) problem = recorded(e);
    if (problem) break;
  }
  if (!problem) return null;
  const seen = new Set<Id>([problem.steps[0]!.eventId]);
  for (const e of sorted) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    if (problemIdOf(e) !== problem.id || e.type === 'problem.recorded') continue;
    if (e.type === 'rating.submitted') continue;
    applyStep(problem, e);
  }
  return problem;
}

/** Working days allowed, by what the hall set (HallSettings). */
export type DueDays = Pick<
  HallSettings,
  'ratingCallBackDays' | 'ratingRectifyDays' | 'walkRectifyDays' | 'dutyRectifyDays'
>;

export interface Deadline {
  /** The last day (hall-local YYYY-MM-DD) it may be done on. */
  due: string;
  /** Done (rectified, verified or closed; for a call-back: the citizen reached). */
  done: boolean;
  /** Working days from today to the due day; negative once past it. */
  remaining: number;
  /** Not done and the due day has passed. */
  overdue: boolean;
  /** Done, but after the due day. */
  late: boolean;
}

export interface ProblemDeadlines {
  rectify: Deadline;
  /** 差评 only: the call-back to the citizen (回访). */
  callBack: Deadline | null;
}

function rectifyDays(source: ProblemSource, days: DueDays): number {
  return source === 'rating'
    ? days.ratingRectifyDays
    : source === 'walk'
      ? days.walkRectifyDays
      : days.dutyRectifyDays;
}

function deadline(
  start: string,
  days: number,
  doneAtMs: number | null,
  today: string,
  cal: HolidayCalendar,
): Deadline {
  const due = addWorkingDays(start, days, cal);
  const done = doneAtMs !== null;
  return {
    due,
    done,
    remaining: workingDaysBetween(today, due, cal),
    overdue: !done && today > due,
    late: done && hallDate(doneAtMs) > due,
  };
}

/**
 * A problem's deadlines in working days from the hall-local day it was recorded (by its hlc, which
 * the server clamps, so a device clock set ahead cannot buy time), as of `nowMs` — server time, or
 * the device's clock corrected by the offset learned on its last sync.
 */
export function problemDeadlines(
  p: Problem,
  nowMs: number,
  cal: HolidayCalendar,
  days: DueDays,
): ProblemDeadlines {
  const start = hallDate(hlcMs(p.recordedHlc));
  const today = hallDate(nowMs);
  const doneAt = p.rectifiedAtMs ?? p.verifiedAtMs ?? p.closedAtMs;
  const rectify = deadline(start, rectifyDays(p.source, days), doneAt, today, cal);
  if (p.source !== 'rating') return { rectify, callBack: null };
  const reached = p.callBacks.find((c) => c.reached);
  const reachedAt = reached
    ? (p.steps.find((s) => s.eventId === reached.eventId)?.hlc ?? null)
    : null;
  // A 差评 set aside on appeal needs no call-back.
  const callBackDone = reachedAt !== null ? hlcMs(reachedAt) : p.closedAtMs;
  return {
    rectify,
    callBack: deadline(start, days.ratingCallBackDays, callBackDone, today, cal),
  };
}

/** Overdue on either deadline. */
export function isOverdue(d: ProblemDeadlines): boolean {
  return d.rectify.overdue || (d.callBack?.overdue ?? false);
}

/** Where a citizen's 差评 stands, as their phone shows it (受理 → 整改 → 回访), without names. */
export interface CitizenProgress {
  /** 受理: pre-checked valid or assigned. */
  accepted: boolean;
  /** Being disputed as mistaken or malicious, pending review. */
  underReview: boolean;
  /** 整改: not started, under way, or done (rectified or verified). */
  rectification: 'pending' | 'in_progress' | 'done';
  /** 回访: the citizen was reached. */
  calledBack: boolean;
  /** Set aside after an upheld appeal. */
  setAside: boolean;
  /** The citizen may give a follow-up rating (追评) now. */
  canFollowUp: boolean;
  followUp: Problem['followUp'];
}

export function citizenProgress(p: Problem): CitizenProgress {
  const accepted = p.precheck === 'valid' || (p.status !== 'found' && p.status !== 'appealing');
  return {
    accepted: accepted && p.status !== 'closed',
    underReview: p.status === 'appealing',
    rectification: isRectified(p.status)
      ? 'done'
      : p.status === 'assigned' || p.status === 'rectifying'
        ? 'in_progress'
        : 'pending',
    calledBack: p.callBacks.some((c) => c.reached),
    setAside: p.status === 'closed',
    canFollowUp: p.source === 'rating' && isRectified(p.status) && p.followUp === null,
    followUp: p.followUp,
  };
}
