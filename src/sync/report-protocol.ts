/**
 * Wire types of the console's figures: the dashboard, leaders on duty against not, the monthly
 * department ranking, fleet health, exports, and the public hall board. The server answers in
 * these shapes (session cookie under `/api/v1/admin`, no login under `/api/v1/public`); the
 * console and the board read them. Dates are hall-local `YYYY-MM-DD`, months `YYYY-MM`, both
 * ends of a period included; times are ISO-8601 UTC.
 */
import type { AttendanceCounts } from '../domain/attendance';
import type { ProblemSource, ProblemStatus, RankingWeights } from '../domain/events';
import type { Id } from '../domain/ids';
import type { ComponentScore, RankingComponent } from '../domain/ranking';
import type { PoorRatingReason, RatingLevel } from '../domain/rating';

export type TrendGrain = 'day' | 'week' | 'month';

/**
 * GET /api/v1/admin/dashboard?from=&to=&department=&grain=
 * `department` omitted: the whole hall. `grain` defaults to day for periods up to 62 days,
 * else week. 400 invalid_query for a bad date, from after to, or a period over 400 days.
 */
export interface DashboardQuery {
  from: string;
  to: string;
  department?: Id;
  grain?: TrendGrain;
}

/** Ratings counted over some span. Shares are 0–1 and null when `total` is 0. */
export interface RatingFigures {
  total: number;
  /** 非常满意 + 满意. */
  good: number;
  /** 不满意 + 非常不满意 (差评). */
  poor: number;
  /** 好评率: good / total. */
  goodRate: number | null;
  /** Mean of 5 (非常满意) … 1 (非常不满意), to two decimals. */
  averageScore: number | null;
}

export interface DashboardResponse {
  period: { from: string; to: string };
  /** The department shown, or null for the whole hall. */
  department: { id: Id; name: string; nameEn?: string } | null;
  grain: TrendGrain;
  ratings: RatingFigures & { byLevel: Record<RatingLevel, number> };
  /**
   * 差评 of the period by where their follow-up stands (the problem a 差评 is, by status), with
   * how many are overdue and how many of the citizens were called back (回访).
   */
  poorFollowUp: {
    byStatus: Record<ProblemStatus, number>;
    overdue: number;
    calledBack: number;
  };
  /** Hours 0–23, hall-local, all 24 present. */
  byHour: ({ hour: number } & RatingFigures)[];
  /** 1 = Monday … 7 = Sunday, all 7 present. */
  byWeekday: ({ weekday: number } & RatingFigures)[];
  /** One bucket per day, ISO week (its Monday) or month in the period, empty ones included. */
  trend: ({ bucket: string } & RatingFigures)[];
  /** Reasons ticked on the period's 差评, most ticked first; all reasons present. */
  reasons: { reason: PoorRatingReason; count: number }[];
  /** 差评 with a written comment. */
  poorWithComment: number;
  /** Attendance over the period (src/domain/attendance.ts), with attended / (scheduled − upcoming). */
  duty: AttendanceCounts & { attendanceRate: number | null };
  /** Problems recorded in the period (all sources) and where they stand now. */
  problems: ProblemFigures & { bySource: Record<ProblemSource, ProblemFigures> };
  /** Per department (the one shown, or every active one), for the hall-wide table. */
  departments: ({ id: Id; name: string; nameEn?: string } & RatingFigures & {
      problems: ProblemFigures;
    })[];
  /**
   * Per window (the shown department's, or the hall's), active ones and any rated in the period,
   * ordered by the hall's order.
   */
  windows: ({
    id: Id;
    code: string;
    name: string;
    nameEn?: string;
    departmentId: Id;
  } & RatingFigures)[];
  /** Leaders on duty against not, per department (the one shown, or every one with ratings). */
  dutyEffect: DutyEffectRow[];
}

export interface ProblemFigures {
  found: number;
  /** Rectified or verified. */
  rectified: number;
  /** Not rectified and past the deadline, by server time. */
  overdue: number;
  /** Closed without rectification (unfounded, appeal upheld …). */
  closed: number;
  /** 整改率: rectified / (found − closed); null when nothing is to rectify. */
  rectificationRate: number | null;
  /** Median calendar days from recorded to rectified, to one decimal; null when none. */
  medianDaysToRectify: number | null;
}

/**
 * 局长坐班 effect: ratings at a department's windows in the hall-local hours (of a given day) a
 * leader of that department was signed in on duty, against the other hours of the period in
 * which the department received ratings.
 */
export interface DutyEffectRow {
  department: { id: Id; name: string; nameEn?: string };
  onDuty: RatingFigures & { hours: number };
  offDuty: RatingFigures & { hours: number };
}

/**
 * GET /api/v1/admin/ranking?month=YYYY-MM — every active department, ranked; the weights are the
 * hall's setting. `previous` is the same department in the month before (null when unranked or
 * absent), `change` the places moved up (negative: down).
 */
export interface RankingResponse {
  month: string;
  weights: RankingWeights;
  rows: RankingRow[];
}

export interface RankingRow {
  department: { id: Id; code: string; name: string; nameEn?: string };
  rank: number | null;
  score: number | null;
  components: Record<RankingComponent, ComponentScore>;
  previous: { rank: number | null; score: number | null } | null;
  change: number | null;
}

/**
 * Health a device reports with each push (optional; older devices send none): storage from
 * `navigator.storage.estimate()` and `persisted()`, the app version it runs, and its clock.
 */
export interface DeviceHealth {
  storageUsage: number | null;
  storageQuota: number | null;
  persisted: boolean | null;
  appVersion: string;
}

export type FleetAlertKind = 'silent_evaluator' | 'not_synced';

/**
 * GET /api/v1/admin/fleet — every enrolled device (revoked ones last) with what it last reported,
 * and the alerts: an evaluator with no rating for `silentEvaluatorMinutes` of opening hours on a
 * working day, and any device not heard from for 24 hours.
 */
export interface FleetResponse {
  serverTime: string;
  silentEvaluatorMinutes: number;
  openingHours: { open: string; close: string };
  devices: FleetDevice[];
  alerts: FleetAlert[];
}

export interface FleetDevice {
  id: Id;
  name: string | null;
  role: 'evaluator' | 'duty_kiosk' | 'inspection_tablet';
  window: { id: Id; code: string; name: string } | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  /** Records waiting on the device, as it last reported. */
  pending: number | null;
  health: (DeviceHealth & { reportedAt: string }) | null;
  /** Newest rating the device took (evaluators), by its capture time. */
  lastRatingAt: string | null;
  revokedAt: string | null;
}

export interface FleetAlert {
  deviceId: Id;
  kind: FleetAlertKind;
  /** Since when the device has been silent or out of contact. */
  since: string;
}

/**
 * GET /api/v1/admin/exports/<kind>.<format>?from=&to=&department=&window=&level=&status=&source=
 *   &overdue=
 * An attachment (Content-Disposition) named after the kind and the period. CSV is UTF-8 with a
 * BOM; XLSX one sheet (problems: a second sheet with each problem's history).
 * `ratings-exchange` is the 好差评 exchange layout, level codes as the hall's `levelCodeMap`.
 */
export const EXPORT_KINDS = ['ratings', 'ratings-exchange', 'duty', 'problems'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportQuery {
  from: string;
  to: string;
  department?: Id;
  window?: Id;
  level?: RatingLevel;
  status?: ProblemStatus;
  source?: ProblemSource;
  /** Problems past a deadline only (`overdue=1`), as the console's problem list filters them. */
  overdue?: boolean;
}

/**
 * GET /api/v1/public/board — the hall screen (大厅公示屏), no login: today's leaders on duty and
 * this month's satisfaction per active department. Only what a hall shows in public.
 */
export interface BoardResponse {
  hall: { name: string; nameEn?: string };
  serverTime: string;
  today: string;
  month: string;
  onDuty: {
    leader: { title: string; titleEn?: string };
    department: { name: string; nameEn?: string };
    window: { code: string; name: string; nameEn?: string } | null;
    /** Signed in now, or only scheduled for today. */
    signedIn: boolean;
    start: string;
    end: string;
  }[];
  departments: ({ name: string; nameEn?: string } & RatingFigures)[];
}
