/**
 * Walk-throughs (局长走流程) and unannounced inspections (暗访) as the fold of their events:
 * `walk.started`, a `walk.checked` per checklist item marked (the latest mark of an item wins, by
 * hlc), and `walk.ended`. The findings of a walk are the problems recorded with its walkId.
 */
import type { CheckResult, EventEnvelope, WalkMode } from './events';
import { compareByHlc } from './hlc';
import type { Id } from './ids';
import { WALK_EVENT_TYPES, walkIdOf } from './links';

export { WALK_EVENT_TYPES, walkIdOf };

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
    }
  }
  return walks;
}

/** Counts of a walk's marks. */
export function checkCounts(walk: Walk): Record<CheckResult, number> {
  const counts: Record<CheckResult, number> = { fine: 0, problem: 0, na: 0 };
  for (const c of Object.values(walk.checks)) counts[c.result]++;
  return counts;
}
