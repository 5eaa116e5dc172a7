/**
 * The inspection tablet's decisions about words, as pure functions: which message a deadline
 * shows, which reason code a failed save has. Kept out of the components so they are unit-tested.
 */
import {
  InspectionError,
  PhotoError,
  SignInError,
  WriteError,
  type InspectionErrorCode,
  type PhotoErrorCode,
} from '../../app/device-api';
import type { WriteErrorCode } from '../../app/device-api';
import type { MessageKey, MessageParams } from '../../i18n';
import type { Deadline, Problem } from '../../domain/problem';
import type { PoorRatingReason } from '../../domain/rating';

/** Why a form could not be saved; each code has words under `inspect.errors`. */
export type SaveProblem =
  | PhotoErrorCode
  | WriteErrorCode
  | InspectionErrorCode
  | 'choose_department'
  | 'description_required'
  | 'reason_required'
  | 'note_required'
  | 'assignee_required'
  | 'answer_required'
  | 'signed_out';

/**
 * The reason code of a failed save: a photo refused, a write refused, a walk or problem the tablet
 * no longer takes it for, or a lapsed sign-in.
 */
export function saveProblemOf(error: unknown): SaveProblem {
  if (error instanceof PhotoError) return error.code;
  if (error instanceof WriteError) return error.code;
  if (error instanceof SignInError) return 'signed_out';
  if (error instanceof InspectionError) return error.code;
  return 'storage_unavailable';
}

/** A countdown in working days, e.g. "还剩 3 个工作日" or "已逾期 2 个工作日". */
export function deadlineWords(d: Deadline): { key: MessageKey; params?: MessageParams } {
  if (d.done) return { key: d.late ? 'inspect.deadline.doneLate' : 'inspect.deadline.done' };
  if (d.overdue) {
    // Past the due day on a weekend or holiday: overdue, but not yet by a working day.
    return d.remaining < 0
      ? { key: 'inspect.deadline.overdue', params: { count: -d.remaining } }
      : { key: 'inspect.deadline.overdueNoDays' };
  }
  if (d.remaining <= 0) return { key: 'inspect.deadline.dueToday' };
  return { key: 'inspect.deadline.left', params: { count: d.remaining } };
}

/** Files picked from the camera or the gallery: images only, at most `max` in all. */
export function checkPicked(
  files: readonly { type: string }[],
  already: number,
  max: number,
): PhotoErrorCode | null {
  if (files.some((f) => !f.type.startsWith('image/'))) return 'not_an_image';
  if (already + files.length > max) return 'too_many_photos';
  return null;
}

/**
 * What a problem is about, in words: a 差评's reasons (the fold keeps their codes) and the
 * citizen's comment, or the description as written.
 */
export function problemText(p: Problem, reason: (code: PoorRatingReason) => string): string {
  if (!p.rating) return p.description;
  return [p.rating.reasons.map(reason).join('、'), p.rating.comment.trim()]
    .filter(Boolean)
    .join(' — ');
}
