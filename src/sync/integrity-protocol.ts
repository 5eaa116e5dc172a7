/** The console's view of rating integrity: flags of bursts and limits, and repeated presses. */
import type { RatingLevel } from '../domain/rating';
import type { RatingFlagKind, RatingFlagVerdict } from '../domain/rating-integrity';

export interface RatingFlagRating {
  id: string;
  at: string;
  level: RatingLevel | null;
  windowCode: string | null;
  windowName: string | null;
  /** Counted (in the figures), or kept only as a repeated press. */
  counted: boolean;
}

export interface RatingFlagItem {
  id: string;
  kind: RatingFlagKind;
  /** The phone id or device id; an address only as the start of its hash. */
  subject: string;
  windowId: string | null;
  windowCode: string | null;
  windowName: string | null;
  firstAt: string;
  lastAt: string;
  n: number;
  createdAt: string;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewNote: string | null;
  verdict: RatingFlagVerdict | null;
  rule: { max: number; spanMinutes: number } | null;
  /** For rate_limited: which limit and how many requests were refused. */
  limit: 'perAddress' | 'perWindow' | null;
  ratings: RatingFlagRating[];
}

export interface RatingFlagsResponse {
  flags: RatingFlagItem[];
}

export interface RatingExtraItem {
  id: string;
  at: string;
  receivedAt: string;
  level: RatingLevel;
  windowCode: string | null;
  windowName: string | null;
  deviceId: string;
  repeatOf: string;
  reason: string;
}

export interface RatingExtrasResponse {
  extras: RatingExtraItem[];
}
