/**
 * Walk-throughs (局长走流程) and unannounced inspections (暗访) as the fold of their events:
 * `walk.started`, a `walk.checked` per checklist item marked (the latest mark of an item wins, by
 * hlc), `walk.ended`, and for an unannounced inspection the console's `walk.published`. The
 * findings of a walk are the problems recorded with its walkId.
 *
 * Until an unannounced inspection is published, the server hands its events (and those of its
 * findings) to the hall's other devices with the inspector replaced by {@link CONCEALED_LEADER_ID};
 * `walk.published` then names the inspector, and the folds put the real id back.
 */
import type { CheckResult, EventEnvelope, WalkMode } from './events';
import { compareByHlc } from './hlc';
import type { Id } from './ids';
import { WALK_EVENT_TYPES, walkIdOf } from './links';
import type { Problem } from './problem';

export { WALK_EVENT_TYPES, walkIdOf };

/**
 * The inspector of an unannounced inspection not yet published, as other devices see it: a
 * reserved id (a valid UUIDv7 in form, never made by newId) that no leader has.
 */
export const CONCEALED_LEADER_ID: Id = '00000000-0000-7000-8000-000000000000';

export interface WalkCheck {
  result: CheckResult;
  note: string;
  at: string;
  /** The event that set it, for last-writer-wins. */
  version: { hlc: string; id: Id };
}

export interface Walk {
  id: Id;
  mode: WalkMode;
  leaderId: Id;
  departmentId: Id;
  windowId: Id | null;
  serviceItem: string;
  deviceId: Id;
  startedAt: string;
  startedHlc: string;
  /** Null while the walk is under way. */
  endedAt: string | null;
  summary: string;
  /** Marks by checklist item id. */
  checks: Record<Id, WalkCheck>;
  /** When the console published an unannounced inspection (its `walk.published` event). */
  publishedAt?: string;
}

/** An unannounced inspection whose inspector is not yet made known to the hall's devices. */
export function isConcealed(walk: Pick<Walk, 'mode' | 'publishedAt'>): boolean {
  return walk.mode === 'unannounced' && walk.publishedAt === undefined;
}

/**
 * Fold walk events (any order, duplicates allowed) into walks. Marks and endings of a walk whose
 * start is not among the events are left out until it arrives.
 */
export function foldWalks(events: Iterable<EventEnvelope>): Record<Id, Walk> {
  const sorted = [...events].filter((e) => walkIdOf(e) !== null).sort(compareByHlc);
  const walks: Record<Id, Walk> = {};
  for (const e of sorted) {
    if (e.type !== 'walk.started') continue;
    const p = (e as EventEnvelope<'walk.started'>).payload;
    if (walks[p.walkId]) continue;
    walks[p.walkId] = {
      id: p.walkId,
      mode: p.mode,
      leaderId: p.leaderId,
      departmentId: p.departmentId,
      windowId: p.windowId,
      serviceItem: p.serviceItem,
      deviceId: e.deviceId,
      startedAt: e.at,
      startedHlc: e.hlc,
      endedAt: null,
      summary: '',
      checks: {},
    };
  }
  for (const e of sorted) {
    const walk = walks[walkIdOf(e)!];
    if (!walk) continue;
    if (e.type === 'walk.checked') {
      const p = (e as EventEnvelope<'walk.checked'>).payload;
      const version = { hlc: e.hlc, id: e.id };
      const current = walk.checks[p.itemId];
      if (!current || compareByHlc(version, current.version) > 0)
        walk.checks[p.itemId] = { result: p.result, note: p.note, at: e.at, version };
    } else if (e.type === 'walk.ended' && walk.endedAt === null) {
      // The first ending counts; a walk is ended once.
      walk.endedAt = e.at;
      walk.summary = (e as EventEnvelope<'walk.ended'>).payload.summary;
    } else if (e.type === 'walk.published' && walk.publishedAt === undefined) {
      walk.publishedAt = e.at;
      // A device that was handed the walk before publication learns its inspector now.
      if (walk.leaderId === CONCEALED_LEADER_ID)
        walk.leaderId = (e as EventEnvelope<'walk.published'>).payload.leaderId;
    }
  }
  return walks;
}

/**
 * The PIN proof a concealed walk's start is handed over with: the real one is an HMAC keyed by
 * the inspector's PIN hash, which every inspection tablet holds to check PINs offline, so it
 * would tell who inspected. Well-formed, and no leader's.
 */
export const CONCEALED_PIN_PROOF = '0'.repeat(64);

/**
 * An event of a concealed walk (or of one of its findings) as the hall's other devices receive
 * it: the inspector's id replaced by {@link CONCEALED_LEADER_ID} in `walk.started`'s leaderId
 * (with its PIN proof and version, which would name them too) and wherever the inspector is the
 * event's actor. Other events are answered unchanged.
 */
export function concealLeader<E extends EventEnvelope>(e: E, leaderId: Id): E {
  const payload = e.payload as { leaderId?: Id };
  const inPayload = e.type === 'walk.started' && payload.leaderId === leaderId;
  const asActor = e.actorId === leaderId;
  if (!inPayload && !asActor) return e;
  const concealed = { leaderId: CONCEALED_LEADER_ID, pinVersion: 1, pinProof: CONCEALED_PIN_PROOF };
  return {
    ...e,
    ...(asActor ? { actorId: CONCEALED_LEADER_ID } : {}),
    ...(inPayload ? { payload: { ...payload, ...concealed } } : {}),
  };
}

/**
 * A finding folded from events handed over before its walk was published, with the published
 * inspector put back where the placeholder stands (who recorded it, who took its steps).
 */
export function revealLeader(problem: Problem, leaderId: Id): Problem {
  const real = (id: Id | null) => (id === CONCEALED_LEADER_ID ? leaderId : id);
  return {
    ...problem,
    recordedBy: real(problem.recordedBy),
    steps: problem.steps.map((s) =>
      s.actorId === CONCEALED_LEADER_ID ? { ...s, actorId: leaderId } : s,
    ),
  };
}

/** Whether a folded problem still names the concealed inspector somewhere. */
export function namesConcealedLeader(problem: Problem): boolean {
  return (
    problem.recordedBy === CONCEALED_LEADER_ID ||
    problem.steps.some((s) => s.actorId === CONCEALED_LEADER_ID)
  );
}

/** Counts of a walk's marks. */
export function checkCounts(walk: Walk): Record<CheckResult, number> {
  const counts: Record<CheckResult, number> = { fine: 0, problem: 0, na: 0 };
  for (const c of Object.values(walk.checks)) counts[c.result]++;
  return counts;
}
