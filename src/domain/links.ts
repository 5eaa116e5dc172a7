/**
 * Which problem or walk an event belongs to. Every device stores this beside each event (so a
 * problem's events can be found by index), while only inspection tablets fold them: kept apart
 * from the folds so that the other kiosks do not carry the pipeline's code.
 */
import { isProblemStepType, isRefType, type EventEnvelope } from './events';
import type { Id } from './ids';
import { isPoorRating } from './rating';

export const WALK_EVENT_TYPES = [
  'walk.started',
  'walk.checked',
  'walk.ended',
  'walk.published',
] as const;

/** The problem a recording, a step or a follow-up rating belongs to; a 差评 is its own problem. */
export function problemIdOf(e: EventEnvelope): Id | null {
  if (isProblemStepType(e.type)) return (e.payload as { problemId: Id }).problemId;
  if (e.type === 'problem.recorded')
    return (e as EventEnvelope<'problem.recorded'>).payload.problemId;
  if (e.type === 'rating.followedUp')
    return (e as EventEnvelope<'rating.followedUp'>).payload.ratingId;
  if (e.type === 'rating.submitted') {
    const level = (e as EventEnvelope<'rating.submitted'>).payload.level;
    return isPoorRating(level) ? e.id : null;
  }
  return null;
}

/** The walk an event belongs to, if it is a walk event. */
export function walkIdOf(e: EventEnvelope): Id | null {
  return (WALK_EVENT_TYPES as readonly string[]).includes(e.type)
    ? (e.payload as { walkId: Id }).walkId
    : null;
}

/** Event types that make up duty sessions and their ledgers. */
export const DUTY_EVENT_TYPES = ['duty.signedIn', 'duty.ledgerEntry', 'duty.signedOut'] as const;

/** The duty session a duty event belongs to. */
export function sessionIdOf(e: EventEnvelope): Id | null {
  return (DUTY_EVENT_TYPES as readonly string[]).includes(e.type)
    ? ((e.payload as { sessionId?: Id }).sessionId ?? null)
    : null;
}

/**
 * An event a device wrote itself that nothing on that device reads back from the hall's events:
 * not reference data, and of no problem, walk or duty session (whose folds prefer the copy the
 * server stored, with its hlc). A rating, as a rule: the device's own log holds it. The server
 * leaves such events out of the device's pull, and a device passes over any it is sent.
 */
export function isOwnUnlinked(e: EventEnvelope, deviceId: Id): boolean {
  return (
    e.deviceId === deviceId &&
    !isRefType(e.type) &&
    problemIdOf(e) === null &&
    walkIdOf(e) === null &&
    sessionIdOf(e) === null
  );
}
