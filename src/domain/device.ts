/** Device roles (design §5) and which event types each may write. */
import type { EventEnvelope, EventType, PayloadOf } from './events';
import { EVENT_FORMAT } from './events';
import { hashValue } from './hash';
import type { Id } from './ids';
import { newId } from './ids';
import type { DeviceRole } from './roles';

export { DEVICE_ROLES, type DeviceRole } from './roles';

/** Who writes an event: an enrolled device, a citizen's phone, or the console (server). */
export type WriterKind = DeviceRole | 'phone' | 'console';

const WRITES: Record<WriterKind, readonly EventType[]> = {
  evaluator: ['rating.submitted'],
  duty_kiosk: ['duty.signedIn', 'duty.ledgerEntry', 'duty.signedOut', 'problem.recorded'],
  inspection_tablet: [
    'walk.started',
    'walk.checked',
    'walk.ended',
    'problem.recorded',
    'problem.assigned',
    'problem.statusChanged',
    'problem.commented',
    'problem.prechecked',
    'problem.calledBack',
  ],
  phone: ['rating.submitted', 'rating.followedUp'],
  console: [
    'ref.hallSaved',
    'ref.departmentSaved',
    'ref.windowSaved',
    'ref.leaderSaved',
    'ref.settingsSaved',
    'ref.dutyShiftSaved',
    'ref.checklistItemSaved',
    'ref.holidaysSaved',
    'ref.serviceItemSaved',
    'problem.recorded',
    'problem.assigned',
    'problem.statusChanged',
    'problem.commented',
    'problem.prechecked',
    // An appeal against a 差评 is reviewed by the hall's administrators only.
    'problem.reviewed',
    'problem.calledBack',
    // Only the console makes an unannounced inspection's inspector known.
    'walk.published',
  ],
};

export function mayWrite(writer: WriterKind, type: string): boolean {
  return (WRITES[writer] as readonly string[]).includes(type);
}

/** The head of a device's log: the last event's sequence number and hash. */
export interface LogHead {
  seq: number;
  hash: string | null;
}

export const EMPTY_HEAD: LogHead = { seq: 0, hash: null };

export interface NewEvent<T extends EventType> {
  type: T;
  payload: PayloadOf<T>;
  hallId: Id;
  deviceId: Id;
  actorId?: Id | null;
  at: string;
  hlc: string;
  id?: Id;
}

/** Append an event to a device log: the next sequence number, chained to the previous hash. */
export function appendToLog<T extends EventType>(
  head: LogHead,
  input: NewEvent<T>,
): { event: EventEnvelope<T>; head: LogHead } {
  const event: EventEnvelope<T> = {
    v: EVENT_FORMAT,
    id: input.id ?? newId(),
    type: input.type,
    hallId: input.hallId,
    deviceId: input.deviceId,
    deviceSeq: head.seq + 1,
    prevHash: head.hash,
    actorId: input.actorId ?? null,
    at: input.at,
    hlc: input.hlc,
    payload: input.payload,
  };
  return { event, head: { seq: event.deviceSeq, hash: eventHash(event) } };
}

/** SHA-256 of an event's canonical JSON; the next event's prevHash. */
export function eventHash(event: EventEnvelope): string {
  return hashValue(event);
}
