/**
 * What the screens may ask of the device layer (storage + sync). Screens depend on these types
 * only; `src/app/device.ts` wires the real implementation, tests can pass fakes.
 */
import type { DeviceRole } from '../domain/device';
import type { DutySession } from '../domain/duty';
import type {
  CheckResult,
  EventEnvelope,
  LedgerKind,
  PayloadOf,
  ProblemSeverity,
  ProblemStatus,
  ProblemStepType,
  RatingSubmitted,
  WalkMode,
} from '../domain/events';
import type { NextSteps, Problem, ProblemDeadlines } from '../domain/problem';
import type { Walk } from '../domain/walk';
import type { RatingLevel } from '../domain/rating';
import type { Id } from '../domain/ids';
import type { ChecklistItem, DutyShift, Leader, Reference } from '../domain/reference';
import type { PublicProgressItem } from '../sync/pipeline-protocol';
import type { SyncStatus } from '../sync/status';

export interface DeviceCredentials {
  deviceId: Id;
  token: string;
  hallId: Id;
  role: DeviceRole;
  /** The window an evaluator is bound to. */
  windowId: Id | null;
  enrolledAt: string;
  /**
   * The key pair every request with the token is signed with (its private half cannot be
   * exported). Kept with the credentials, so forgetting them drops it; absent only for a device
   * enrolled before signatures.
   */
  key?: CryptoKeyPair;
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
  /**
   * The leader on duty (局长坐班) for this device's window or its department, as this device
   * knows the hall's duty sessions; called now and after each change. Evaluators only.
   */
  onDutyLeader?(cb: (session: DutySession | null) => void): Unsubscribe;
  /** The duty kiosk's API; null unless this device is enrolled as a duty kiosk. */
  readonly duty?: DutyKiosk | null;
  /** The inspection tablet's API; null unless this device is enrolled as an inspection tablet. */
  readonly inspection?: Inspection | null;
  stop(): void;
}

export type { DutySession };

/** Why a sign-in was refused; the screen turns the code into words. */
export type SignInErrorCode =
  'wrong_pin' | 'locked' | 'no_pin' | 'unknown_leader' | 'session_closed';

export class SignInError extends Error {
  constructor(
    readonly code: SignInErrorCode,
    /** wrong_pin: wrong PINs still allowed before the lockout. */
    readonly failuresLeft = 0,
    /** locked: time until the lockout ends (ms). */
    readonly remainingMs = 0,
  ) {
    super(code);
    this.name = 'SignInError';
  }
}

/** One of today's scheduled duty shifts, as the kiosk shows it. */
export interface ScheduledDuty {
  shift: DutyShift;
  /** The session attending it, when its leader has signed in (on any kiosk of the hall). */
  sessionId: Id | null;
}

export interface SignInOptions {
  method: 'pin' | 'badge_pin';
  /** The scheduled shift signed in for; default: the leader's shift of today, if any. */
  shiftId?: Id | null;
}

export interface LedgerInput {
  kind: LedgerKind;
  count: number;
  text: string;
  /** Complaints and suggestions only: also record a problem for follow-up. */
  needsFollowUp: boolean;
}

/** A line of a duty session's ledger. */
export interface LedgerLine extends LedgerInput {
  entryId: Id;
  sessionId: Id;
  at: string;
}

/** Wrong-PIN state of a leader on this kiosk. */
export interface PinLockout {
  locked: boolean;
  remainingMs: number;
  failuresLeft: number;
}

/** What the duty kiosk screen asks of the device layer (all checks run offline). */
export interface DutyKiosk {
  /** Today's date in the hall (YYYY-MM-DD) and its published shifts, earliest first. */
  today(): Promise<{ date: string; shifts: ScheduledDuty[] }>;
  /** Active leaders of the hall, in the reference's order. */
  leaders(): Leader[];
  /** The active leader whose badge carries this code, or null. */
  leaderByBadge(code: string): Leader | null;
  /**
   * Load what a leader needs once they have chosen themself (the PIN check, signing in, the
   * ledger), which the schedule does not carry; the calls below load it too when it is not in.
   */
  prepare(): Promise<void>;
  /** Whether a PIN for this leader is known on this kiosk. */
  hasPin(leaderId: Id): Promise<boolean>;
  lockout(leaderId: Id): Promise<PinLockout>;
  /** Verify the PIN offline and sign in; rejects with SignInError or WriteError. */
  signIn(leaderId: Id, pin: string, options: SignInOptions): Promise<DutySession>;
  /** Sessions still open on this kiosk today, newest first. */
  openSessions(): Promise<DutySession[]>;
  session(sessionId: Id): Promise<DutySession | null>;
  ledger(sessionId: Id): Promise<LedgerLine[]>;
  addLedgerEntry(sessionId: Id, input: LedgerInput): Promise<LedgerLine>;
  signOut(sessionId: Id): Promise<void>;
  /** Close sessions of an earlier hall day left open on this kiosk (reason end_of_day). */
  closeStale(): Promise<number>;
  /** Called after duty data changed (a write here, a pull, a day's end). */
  onChange(cb: () => void): Unsubscribe;
}

/** A citizen's phone rating one window from its card (no enrollment). */
export interface Phone {
  /** Save a rating locally, then sync; refuses locally a ticket or a window rated too recently. */
  recordRating(input: RatingInput): Promise<EventEnvelope<'rating.submitted'>>;
  onStatus(cb: (status: SyncStatus) => void): Unsubscribe;
  /** Outcome of a rating once the server answered: counted, or refused with a reason code. */
  onOutcome(cb: (eventId: Id, outcome: 'stored' | 'refused', reason?: string) => void): Unsubscribe;
  requestSync(): void;
  /**
   * How this phone's 差评 (those the server stored) are being handled, newest first, asked in one
   * request; follow-ups saved here and not yet synced are shown as given. Rejects with an error
   * whose `code` is `offline` when the server cannot be reached.
   */
  progress(): Promise<PublicProgressItem[]>;
  /**
   * Save a follow-up rating (追评) of one of this phone's 差评, then sync it. Resolves once saved
   * here; the server's answer comes through onOutcome (refusals: `not_followable`,
   * `already_followed_up`).
   */
  followUp(ratingId: Id, level: RatingLevel, comment: string): Promise<void>;
  /**
   * Keep a mobile number for the call-back of one of this phone's 差评 (normalised; a RangeError
   * when it is not a mainland mobile number). Resolves once kept on the phone; it is handed to the
   * server, never in the event log, once the rating is there, and then forgotten here.
   */
  leaveCallbackNumber(ratingId: Id, number: string): Promise<void>;
  stop(): void;
}

/** The leader signed in on an inspection tablet (in memory only: a reload asks for the PIN again). */
export interface Inspector {
  leaderId: Id;
  departmentId: Id;
  title: string;
  titleEn?: string;
}

export interface WalkInput {
  mode: WalkMode;
  departmentId: Id;
  windowId: Id | null;
  serviceItem: string;
}

export interface FindingInput {
  description: string;
  severity: ProblemSeverity;
  checklistItemId: Id | null;
  /** Photos as picked or taken (any size): the device downscales and stores them. */
  photos: Blob[];
}

/** A step on a problem as a screen asks for it: the event's payload without the problem id. */
export type ProblemStepInput = {
  [T in ProblemStepType]: {
    type: T;
    payload: Omit<PayloadOf<T>, 'problemId' | 'photos'>;
    /** Evidence photos (any size) for steps that carry photos. */
    photos?: Blob[];
  };
}[ProblemStepType];

/** Which problems a list shows: of a status, of a department (recorded there or assigned to it). */
export interface ProblemQuery {
  status?: ProblemStatus | null;
  departmentId?: Id | null;
  /** At most this many, newest first. */
  limit?: number;
}

/** A problem as the tablet shows it: the fold, its deadlines as of now, and what may be done. */
export interface ProblemView {
  problem: Problem;
  deadlines: ProblemDeadlines;
  overdue: boolean;
  next: NextSteps;
}

/** Why a photo could not be taken in; the screen turns the code into words. */
export type PhotoErrorCode = 'not_an_image' | 'photo_too_large' | 'too_many_photos';

export class PhotoError extends Error {
  constructor(readonly code: PhotoErrorCode) {
    super(code);
    this.name = 'PhotoError';
  }
}

/** Why the tablet refused an action on a walk or a problem; the screen turns it into words. */
export type InspectionErrorCode =
  /** No such walk or problem on this tablet. */
  | 'unknown_walk'
  | 'unknown_problem'
  /** The walk has ended: it takes no more marks, findings or ending. */
  | 'walk_ended'
  /** This tablet may not write that step (a review of an appeal is the console's). */
  | 'not_allowed';

export class InspectionError extends Error {
  constructor(readonly code: InspectionErrorCode) {
    super(code);
    this.name = 'InspectionError';
  }
}

/** What the inspection tablet screen (/inspect) asks of the device layer; all of it works offline. */
export interface Inspection {
  /** Active leaders of the hall, in the reference's order. */
  leaders(): Leader[];
  hasPin(leaderId: Id): Promise<boolean>;
  lockout(leaderId: Id): Promise<PinLockout>;
  /** Verify the PIN offline (same rules and lockout as the duty kiosk); rejects with SignInError. */
  signIn(leaderId: Id, pin: string): Promise<Inspector>;
  signOut(): void;
  inspector(): Inspector | null;
  /** Active checklist items in walk order (group, then the hall's sort). */
  checklist(): ChecklistItem[];
  /** Any checklist item by id, retired ones included. */
  checklistItem(itemId: Id): ChecklistItem | null;
  /** Start a walk as the signed-in inspector (the PIN proof goes in the event). */
  startWalk(input: WalkInput): Promise<Walk>;
  /** Walks started on this tablet and not ended, newest first (they survive reloads). */
  openWalks(): Promise<Walk[]>;
  /** Walks of this tablet, ended or not, newest first. */
  walks(): Promise<Walk[]>;
  walk(walkId: Id): Promise<Walk | null>;
  check(walkId: Id, itemId: Id, result: CheckResult, note: string): Promise<Walk>;
  /** Record a finding of a walk: a problem with source 'walk', its photos stored with it. */
  addFinding(walkId: Id, input: FindingInput): Promise<ProblemView>;
  findings(walkId: Id): Promise<ProblemView[]>;
  endWalk(walkId: Id, summary: string): Promise<Walk>;
  /**
   * Problems of the hall as this tablet knows them, newest first: all, or a page of those the
   * query matches (a status; a department, where recorded or assigned).
   */
  problems(query?: ProblemQuery): Promise<ProblemView[]>;
  problem(problemId: Id): Promise<ProblemView | null>;
  /** Take a step on a problem as the signed-in inspector; resolves with the new fold. */
  step(problemId: Id, input: ProblemStepInput): Promise<ProblemView>;
  /**
   * An object URL for a photo held on this tablet, or null when it is only on the server (the
   * screen then loads `/api/v1/blobs/<sha256>` with the device token via `photoBlob`).
   */
  localPhotoUrl(sha256: string): Promise<string | null>;
  /** The photo's bytes from this tablet or, failing that, from the server; null if neither has it. */
  photoBlob(sha256: string): Promise<Blob | null>;
  /** Photos taken here and not yet uploaded. */
  pendingPhotos(): Promise<number>;
  /** Called after walks, problems or photos changed (a write here, a pull, an upload). */
  onChange(cb: () => void): Unsubscribe;
}
