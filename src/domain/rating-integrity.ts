/**
 * Repeated presses on an evaluator count once. A press within a few seconds of the window's
 * previous press (a finger pressing again, a child drumming on the screen) is still written to
 * the device's log — the record is kept for audit — but names the rating it repeats and is not
 * counted: the server keeps it apart from the ratings every figure reads. A 差评 always counts:
 * a complaint is never discarded as a repeat (its pre-check can still find it mistaken).
 */
import type { Id } from './ids';
import { isPoorRating, type RatingLevel } from './rating';

/** Presses this close together on one window's evaluator count once. */
export const REPEAT_PRESS_MS = 5_000;

/** The earlier press a new one is seen against: the latest rating of the window on this device. */
export interface PreviousPress {
  id: Id;
  atMs: number;
  /** The counted rating it repeats itself, if it was a repeat. */
  repeatOf?: Id | undefined;
}

/** The counted rating a press at `atMs` repeats, or null when it counts on its own. */
export function repeatedRating(
  level: RatingLevel,
  atMs: number,
  previous: PreviousPress | null,
  withinMs = REPEAT_PRESS_MS,
): Id | null {
  if (isPoorRating(level) || previous === null) return null;
  const gap = atMs - previous.atMs;
  if (gap < 0 || gap >= withinMs) return null;
  return previous.repeatOf ?? previous.id;
}
