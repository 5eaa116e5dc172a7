/**
 * The wire format of `/api/v1` (design §4), shared by the client's sync engine and the server.
 * Every body is JSON; every error body is an {@link ApiError}.
 */
import type { EventEnvelope } from '../domain/events';
import type { DeviceRole } from '../domain/device';
import type { Id } from '../domain/ids';
import type { HallSettings } from '../domain/reference';
import type { DeviceHealth } from './report-protocol';

export const API = '/api/v1';
/** At most this many events in one push. */
export const MAX_PUSH_EVENTS = 500;
/** At most this many bytes in one push body. */
export const MAX_PUSH_BYTES = 512 * 1024;
/** Default and largest page of a pull. */
export const PULL_PAGE = 500;

/** Every non-2xx answer. `error` is a stable reason code; `message` is for people (English). */
export interface ApiError {
  error: string;
  message: string;
  /** Per-field problems, where the request body was at fault. */
  issues?: { path: string; code: string; message: string }[];
}

/** POST /api/v1/sync/push (device token in `Authorization: Bearer`). */
export interface PushRequest {
  deviceId: Id;
  events: unknown[];
  /** Records the device holds that have not yet been acknowledged (reported for fleet health). */
  pending?: number;
  /** Storage and app version, for fleet health; a push without it (or with a bad one) still counts. */
  health?: DeviceHealth;
}

export type EventOutcome =
  | { id: Id; deviceSeq: number; status: 'stored' }
  | { id: Id; deviceSeq: number; status: 'duplicate' }
  | { id: Id; deviceSeq: number; status: 'rejected'; reason: string; message: string };

export interface PushResponse {
  /** Server time, ISO, for the device's clock offset. */
  serverTime: string;
  /** Highest deviceSeq the server has processed for this device (stored or rejected). */
  lastSeq: number;
  results: EventOutcome[];
}

/** 409 answer to a push that skips ahead of lastSeq + 1. */
export interface GapError extends ApiError {
  error: 'gap';
  lastSeq: number;
}

/** An event as pulled: the envelope plus its place in the hall's order. */
export type PulledEvent = EventEnvelope & { hallSeq: number };

/** GET /api/v1/sync/pull?after=<cursor>&limit=<n> */
export interface PullResponse {
  serverTime: string;
  events: PulledEvent[];
  /** Pass as `after` next time; equals the input when nothing new. */
  cursor: number;
  /** True when more events wait beyond this page. */
  more: boolean;
  /** The pulling device as the server has it now: an evaluator learns a new window from this. */
  device?: PulledDevice;
}

/** What a device is told about itself with each pull. */
export interface PulledDevice {
  name: string | null;
  /** The window an evaluator is bound to (null for other devices). */
  windowId: Id | null;
}

/** GET /api/v1/time */
export interface TimeResponse {
  serverTime: string;
}

/** POST /api/v1/devices/enroll */
export interface EnrollRequest {
  code: string;
  name?: string;
  /**
   * The device's ECDSA P-256 public key (SPKI, base64url). A device enrolled with one must sign
   * every request it makes with its token (src/sync/signing.ts); without one, the token alone is
   * accepted (clients from before signatures).
   */
  publicKey?: string;
}
export interface EnrollResponse {
  deviceId: Id;
  token: string;
  hallId: Id;
  role: DeviceRole;
  windowId: Id | null;
  serverTime: string;
}

/** GET /api/v1/public/windows/:code?s=<sig> — what a citizen's phone needs to rate a window. */
export interface PublicWindowResponse {
  hallId: Id;
  hallName: string;
  hallNameEn?: string;
  window: { id: Id; code: string; name: string; nameEn?: string };
  department: { id: Id; code: string; name: string; nameEn?: string };
  settings: Pick<HallSettings, 'phoneRatingIntervalMinutes'>;
  serverTime: string;
}

/**
 * POST /api/v1/public/ratings — a phone's own log of ratings, authorised by the window card's
 * signature instead of a device token. Idempotent by event id.
 */
export interface PublicRatingsRequest {
  windowCode: string;
  sig: string;
  events: unknown[];
}
export interface PublicRatingsResponse {
  serverTime: string;
  results: EventOutcome[];
}

/** Reasons a rating is refused although it is well-formed. */
export const RATING_REFUSALS = ['duplicate_ticket', 'too_soon'] as const;

/** GET /api/v1/roster/pins (duty kiosks and inspection tablets): leaders' PIN hashes. */
export interface RosterPinsResponse {
  pins: { leaderId: Id; version: number; salt: string; iterations: number; hash: string }[];
}
