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

/** A rating as burst detection sees it. */
export interface TimedRating {
  id: Id;
  atMs: number;
}

/** A run of ratings from one source denser than a window can serve citizens: the evidence. */
export interface Burst {
  ids: Id[];
  firstAtMs: number;
  lastAtMs: number;
  n: number;
}

/**
 * The first span of at most `spanMs` holding more than `maxInSpan` ratings from one source (a
 * phone, an address, an evaluator), widened to every rating that still fits the span from its
 * first; null when there is none. The ratings stay counted: a burst is for people to judge. The
 * same ratings give the same burst in any order.
 */
export function findBurst(
  ratings: readonly TimedRating[],
  maxInSpan: number,
  spanMs: number,
): Burst | null {
  const ordered = [...ratings].sort(
    (a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  let start = 0;
  for (let end = 0; end < ordered.length; end++) {
    while (ordered[end]!.atMs - ordered[start]!.atMs > spanMs) start++;
    if (end - start + 1 <= maxInSpan) continue;
    let last = end;
    while (last + 1 < ordered.length && ordered[last + 1]!.atMs - ordered[start]!.atMs <= spanMs)
      last++;
    const run = ordered.slice(start, last + 1);
    return {
      ids: run.map((r) => r.id),
      firstAtMs: run[0]!.atMs,
      lastAtMs: run[run.length - 1]!.atMs,
      n: run.length,
    };
  }
  return null;
}

/** A rule of burst detection: more than `max` ratings from one source within `spanMs`. */
export interface BurstRule {
  max: number;
  spanMs: number;
}

/**
 * An evaluator's window cannot serve more than this many citizens in the span: a counted rating
 * takes a citizen served, and even a quick errand takes about a minute.
 */
export const EVALUATOR_BURST: BurstRule = { max: 10, spanMs: 10 * 60_000 };
/** One phone rating many windows in a short time: a citizen is served at a few windows a visit. */
export const PHONE_BURST: BurstRule = { max: 5, spanMs: 30 * 60_000 };
/** One address (a hall's Wi-Fi serves many phones through one address) sending many ratings. */
export const ADDRESS_BURST: BurstRule = { max: 20, spanMs: 10 * 60_000 };

/**
 * Limits of the public rating endpoint, counted from the ratings the server took (across server
 * processes): a request bringing new ratings is refused with 429 and Retry-After while its
 * address, or the window of its card, already had this many phone ratings within the span. The
 * phone keeps its ratings and sends them again later.
 */
export const PUBLIC_RATING_LIMITS = {
  perAddress: { max: 60, spanMs: 10 * 60_000 },
  // A window serves a few citizens in ten minutes; a phone rates a window once in that time.
  perWindow: { max: 12, spanMs: 10 * 60_000 },
} as const satisfies Record<string, BurstRule>;

export type PublicRatingLimits = { perAddress: BurstRule; perWindow: BurstRule };

/** What a flag says about its ratings. */
export const RATING_FLAG_KINDS = [
  'evaluator_burst',
  'phone_burst',
  'address_burst',
  'rate_limited',
] as const;
export type RatingFlagKind = (typeof RATING_FLAG_KINDS)[number];

/** An administrator's judgement of a flag: the ratings stand, or they were 刷评. */
export const RATING_FLAG_VERDICTS = ['kept', 'fraud'] as const;
export type RatingFlagVerdict = (typeof RATING_FLAG_VERDICTS)[number];
