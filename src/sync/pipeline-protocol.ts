/**
 * Wire types of the rectification pipeline and walks: the console's API (session cookie, under
 * `/api/v1/admin`) and the citizen's progress of a 差评 (no login, under `/api/v1/public`). The
 * server answers in these shapes; the console and the phone read them.
 */
import type { HolidayYear } from '../domain/calendar';
import type {
  CheckResult,
  Photo,
  ProblemSeverity,
  ProblemSource,
  ProblemStatus,
  ProblemStepType,
  PayloadOf,
  WalkMode,
} from '../domain/events';
import type { Id } from '../domain/ids';
import type { CitizenProgress, NextSteps, Problem, ProblemDeadlines } from '../domain/problem';
import type { RatingLevel } from '../domain/rating';
import type { ChecklistItem, HallSettings } from '../domain/reference';
import type { Walk } from '../domain/walk';

/** A photo as the console shows it: "still on the tablet" until the server holds its bytes. */
export interface PhotoView extends Photo {
  arrived: boolean;
  /** `/api/v1/blobs/<sha256>` — the console's session may read it. */
  url: string;
}

export interface NamedDepartment {
  id: Id;
  name: string;
  nameEn?: string;
}

/** GET /admin/problems?department=&source=&status=&overdue=1&month=YYYY-MM&walk= */
export interface ProblemListQuery {
  department?: Id;
  source?: ProblemSource;
  status?: ProblemStatus;
  /** Only problems overdue (either deadline) as of server time. */
  overdue?: boolean;
  /** Problems recorded in this hall-local month. */
  month?: string;
  walk?: Id;
}

export interface ProblemListItem {
  id: Id;
  source: ProblemSource;
  department: NamedDepartment;
  window: { id: Id; code: string; name: string } | null;
  description: string;
  severity: ProblemSeverity;
  status: ProblemStatus;
  recordedAt: string;
  assignee: { department: NamedDepartment; assignee: string } | null;
  deadlines: ProblemDeadlines;
  overdue: boolean;
  photos: number;
  /** Photos referenced but not yet uploaded from their tablet. */
  photosMissing: number;
  /** Steps kept but superseded (shown so nobody thinks their step was lost). */
  superseded: number;
  /** For a 差评: its level. */
  ratingLevel: RatingLevel | null;
}

/** Per department, for the month asked (or all time): found / rectified / overdue. */
export interface DepartmentProblemCounts {
  department: NamedDepartment;
  found: number;
  /** Rectified or verified. */
  rectified: number;
  overdue: number;
  /** Closed as not a problem (including 差评 set aside on appeal). */
  closed: number;
}

export interface ProblemListResponse {
  problems: ProblemListItem[];
  counts: DepartmentProblemCounts[];
  serverTime: string;
}

/** GET /admin/problems/:id */
export interface ProblemDetailResponse {
  problem: Problem;
  department: NamedDepartment;
  window: { id: Id; code: string; name: string } | null;
  deadlines: ProblemDeadlines;
  overdue: boolean;
  next: NextSteps;
  /** Every photo of the problem and its steps, by sha256. */
  photos: Record<string, PhotoView>;
  /** Names of the actors of its steps: leaders by title, administrators by user name. */
  actors: Record<Id, string>;
  walk: { id: Id; mode: WalkMode; startedAt: string } | null;
  checklistItem: ChecklistItem | null;
  serverTime: string;
  /** A 差评's call-back number, when the citizen left one; absent for other problems. */
  callbackNumber?: CallbackNumberView;
}

/**
 * A citizen's call-back number as the console sees it: masked until an administrator reveals it
 * (POST /admin/problems/:id/callback-number/reveal, each reveal logged), gone once the problem
 * closed.
 */
export type CallbackNumberView =
  | { state: 'kept'; masked: string; reveals: { by: string; at: string }[] }
  | { state: 'erased'; erasedAt: string };

/** POST /admin/problems/:id/callback-number/reveal */
export interface CallbackNumberRevealResponse {
  number: string;
}

/**
 * POST /admin/problems/:id/steps — one step written by the console as the logged-in administrator.
 * Answers the new ProblemDetailResponse; 400 with `{ error, message, issues }` when invalid.
 * Evidence photos are uploaded first with PUT /api/v1/blobs/<sha256> (the session may upload).
 */
export type ProblemStepRequest = {
  [T in ProblemStepType]: { type: T; payload: Omit<PayloadOf<T>, 'problemId'> };
}[ProblemStepType];

export interface WalkListItem {
  id: Id;
  mode: WalkMode;
  leader: { id: Id; title: string; titleEn?: string };
  department: NamedDepartment;
  window: { id: Id; code: string; name: string } | null;
  serviceItem: string;
  startedAt: string;
  endedAt: string | null;
  counts: Record<CheckResult, number>;
  findings: number;
  /** An unannounced inspection the console has published: when. */
  publishedAt?: string;
}

/** GET /admin/walks?month=YYYY-MM */
export interface WalkListResponse {
  walks: WalkListItem[];
}

/** GET /admin/walks/:id — everything the printable walk report shows. */
export interface WalkReportResponse {
  hall: { name: string; nameEn?: string };
  walk: Walk;
  leader: { id: Id; title: string; titleEn?: string };
  department: NamedDepartment;
  window: { id: Id; code: string; name: string } | null;
  /** Every item marked on the walk (retired ones included) and the active ones not marked. */
  checklist: { item: ChecklistItem; result: CheckResult | null; note: string }[];
  findings: (ProblemListItem & { photoViews: PhotoView[]; checklistItemId: Id | null })[];
}

/** GET /admin/checklist — all items, retired ones included, in walk order. */
export interface ChecklistResponse {
  items: ChecklistItem[];
}

/** POST /admin/checklist/order { ids } — sets `sort` to each id's position; answers ChecklistResponse. */
export interface ChecklistOrderRequest {
  ids: Id[];
}

/** GET /admin/calendar — the holiday years in force (shipped, with the hall's own over them). */
export interface CalendarResponse {
  years: (HolidayYear & { source: 'shipped' | 'hall' })[];
  dueDays: Pick<
    HallSettings,
    'ratingCallBackDays' | 'ratingRectifyDays' | 'walkRectifyDays' | 'dutyRectifyDays'
  >;
}

/** GET /admin/photos/missing — photos named by stored events whose bytes never arrived. */
export interface MissingPhotosResponse {
  missing: {
    sha256: string;
    problemId: Id | null;
    eventId: Id;
    device: { id: Id; name: string | null; lastSeenAt: string | null };
  }[];
}

/** POST /api/v1/public/progress — a phone asks how its 差评 are being handled. */
export interface PublicProgressRequest {
  /** The phone's random id, as sent with its ratings: only its own ratings are answered. */
  phoneId: Id;
  ratingIds: Id[];
}

export interface PublicProgressItem {
  ratingId: Id;
  at: string;
  level: RatingLevel;
  window: { code: string; name: string; nameEn?: string };
  department: { name: string; nameEn?: string };
  progress: CitizenProgress;
}

export interface PublicProgressResponse {
  items: PublicProgressItem[];
  serverTime: string;
}

/** At most this many ratings in one progress request. */
export const MAX_PROGRESS_RATINGS = 50;
