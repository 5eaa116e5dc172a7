/**
 * What the screens may ask of the device layer (storage + sync). Screens depend on these types
 * only; `src/app/device.ts` wires the real implementation, tests can pass fakes.
 */
import type { DeviceRole } from '../domain/device';
import type { EventEnvelope, RatingSubmitted } from '../domain/events';
import type { Id } from '../domain/ids';
import type { Reference } from '../domain/reference';
import type { SyncStatus } from '../sync/status';

export interface DeviceCredentials {
  deviceId: Id;
  token: string;
  hallId: Id;
  role: DeviceRole;
  /** The window an evaluator is bound to. */
  windowId: Id | null;
  enrolledAt: string;
}

/** What a screen supplies for a rating; the device adds ids, clock, channel and log fields. */
export type RatingInput = Pick<RatingSubmitted, 'level' | 'reasons' | 'comment' | 'ticket'> & {
  windowId: Id;
  departmentId: Id;
};

/** Reason codes a local write can fail with; the screen turns them into words. */
export type WriteErrorCode =
  'storage_full' | 'storage_unavailable' | 'duplicate_ticket' | 'too_soon';

export class WriteError extends Error {
  constructor(
    readonly code: WriteErrorCode,
    message?: string,
  ) {
    super(message ?? code);
  }
}

export type Unsubscribe = () => void;

/** A running enrolled device (evaluator tablet, duty kiosk, inspection tablet). */
export interface Device {
  readonly credentials: DeviceCredentials;
  /** Save a rating: resolves only after the record and its log entry are durably committed. */
  recordRating(input: RatingInput): Promise<EventEnvelope<'rating.submitted'>>;
  /** Reference data as folded on this device; called now and after each change. */
  onReference(cb: (ref: Reference) => void): Unsubscribe;
  /** Sync status; called now and after each change. */
  onStatus(cb: (status: SyncStatus) => void): Unsubscribe;
  /** Ask for a sync round soon (coalesced; only the syncing tab actually syncs). */
  requestSync(): void;
  stop(): void;
}

/** A citizen's phone rating one window from its card (no enrollment). */
export interface Phone {
  /** Save a rating locally, then sync; refuses locally a ticket or a window rated too recently. */
  recordRating(input: RatingInput): Promise<EventEnvelope<'rating.submitted'>>;
  onStatus(cb: (status: SyncStatus) => void): Unsubscribe;
  /** Outcome of a rating once the server answered: counted, or refused with a reason code. */
  onOutcome(cb: (eventId: Id, outcome: 'stored' | 'refused', reason?: string) => void): Unsubscribe;
  requestSync(): void;
  stop(): void;
}
