/** What an enrolled device and a citizen's phone share when they save a rating. */
import type { RatingSubmitted } from '../domain/events';
import type { Id } from '../domain/ids';
import type { RatingChannel } from '../domain/rating';
import type { Session } from '../sync/session';
import type { StatusStore } from '../sync/status-store';
import { WriteError, type RatingInput } from './device-api';

/** User Timing measure of one rating, from the call to its durable commit. */
export const RATING_COMMIT_MEASURE = 'hk:rating-commit';

export function ratingPayload(
  input: RatingInput,
  channel: RatingChannel,
  phoneId: Id | null,
): RatingSubmitted {
  const ticket = input.ticket?.trim();
  return {
    windowId: input.windowId,
    departmentId: input.departmentId,
    level: input.level,
    reasons: [...input.reasons],
    comment: input.comment,
    ticket: ticket ? ticket : null,
    channel,
    phoneId,
    dutySessionId: null,
  };
}

/**
 * Run one local write, keep the storage-full state in step with it, then let the session sync.
 * Resolves only after the write committed.
 */
export async function captureRating<T>(
  status: StatusStore,
  session: Session,
  write: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let event: T;
  try {
    event = await write();
  } catch (error) {
    if (error instanceof WriteError && error.code === 'storage_full')
      status.update({ storageFull: true });
    throw error;
  }
  // Field diagnostics and the capture benchmark read this. Only the latest is kept, so a kiosk
  // that runs for weeks does not collect them.
  performance.clearMeasures(RATING_COMMIT_MEASURE);
  performance.measure(RATING_COMMIT_MEASURE, { start: started });
  status.update({ storageFull: false });
  await session.wrote();
  return event;
}
