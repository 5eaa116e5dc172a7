/**
 * The event log's vocabulary (design §4): every record a device or the console writes is an
 * immutable event in this envelope. Validation lives here so that a record is valid in exactly
 * one sense on every device and on the server.
 */
import * as v from 'valibot';
import { isHlc } from './hlc';
import { isUuidV7, type Id } from './ids';
import {
  COMMENT_MAX,
  POOR_RATING_REASONS,
  RATING_CHANNEL_NAMES,
  RATING_LEVELS,
  TICKET_MAX,
  isPoorRating,
} from './rating';

/** Version of the envelope format on disk and on the wire. */
export const EVENT_FORMAT = 1;

const id = v.custom<Id>(isUuidV7, 'must be a UUIDv7');
const optionalId = v.nullable(id);
const hlc = v.custom<string>(isHlc, 'must be a hybrid logical clock timestamp');
const isoTime = v.pipe(v.string(), v.isoTimestamp('must be an ISO-8601 timestamp'));
const sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex'));
const text = (max: number) =>
  v.pipe(v.string(), v.maxLength(max, `must be at most ${max} characters`));
const name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100));
const code = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, - or _'),
);

export const RatingSubmittedSchema = v.pipe(
  v.strictObject({
    windowId: id,
    departmentId: id,
    level: v.picklist(RATING_LEVELS, 'must be one of the five rating levels'),
    reasons: v.pipe(
      v.array(v.picklist(POOR_RATING_REASONS, 'must be a known reason')),
      v.maxLength(POOR_RATING_REASONS.length),
    ),
    comment: text(COMMENT_MAX),
    ticket: v.nullable(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(TICKET_MAX))),
    channel: v.picklist(RATING_CHANNEL_NAMES, 'must be a known channel'),
    /** Random id of the citizen's phone (QR ratings), used to dedupe; null on hall devices. */
    phoneId: optionalId,
    /** 局长坐班 session the rating happened under, if a leader was on duty. */
    dutySessionId: optionalId,
    /**
     * A press moments after the window's previous one (src/domain/rating-integrity.ts): the
     * counted rating it repeats. Kept for audit, never counted.
     */
    repeatOf: v.optional(id),
  }),
  v.check((r) => r.repeatOf === undefined || !isPoorRating(r.level), 'poor_rating_not_a_repeat'),
  v.check(
    (r) => !isPoorRating(r.level) || r.reasons.length > 0 || r.comment.trim().length > 0,
    'poor_rating_needs_reason',
  ),
  v.check((r) => isPoorRating(r.level) || r.reasons.length === 0, 'reasons_only_for_poor_rating'),
);

export const HallSavedSchema = v.strictObject({
  name,
  nameEn: v.optional(text(100)),
});

export const DepartmentSavedSchema = v.strictObject({
  departmentId: id,
  code,
  name,
  nameEn: v.optional(text(100)),
  sort: v.pipe(v.number(), v.integer()),
  active: v.boolean(),
});

export const WindowSavedSchema = v.strictObject({
  windowId: id,
  departmentId: id,
  code,
  name,
  nameEn: v.optional(text(100)),
  sort: v.pipe(v.number(), v.integer()),
  active: v.boolean(),
});

export const LeaderSavedSchema = v.strictObject({
  leaderId: id,
  departmentId: id,
  /** Role or title, e.g. 税务局局长; leaders are shown by role. */
  title: name,
  titleEn: v.optional(text(100)),
  /** Code printed as a QR on the leader's personal badge, scanned at the duty kiosk. */
  badgeCode: v.optional(code),
  active: v.boolean(),
});

const isoDate = v.pipe(
  v.string(),
  v.isoDate('must be a date YYYY-MM-DD'),
  // isoDate accepts 2026-02-30; a shift needs a day that is on the calendar.
  v.check((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, 'bad_date'),
);
const clockTime = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM'));

/**
 * One scheduled duty shift (坐班排班) of a leader: a date, the department's window or the
 * department as a whole, and a time span in the hall's local time. Weekly rules are expanded to
 * dated shifts before they are written.
 */
export const DutyShiftSavedSchema = v.pipe(
  v.strictObject({
    shiftId: id,
    leaderId: id,
    departmentId: id,
    windowId: optionalId,
    date: isoDate,
    start: clockTime,
    end: clockTime,
    /** Shown on the public schedule (坐班公示). */
    published: v.boolean(),
    /** False when the shift was cancelled. */
    active: v.boolean(),
  }),
  v.check((s) => s.start < s.end, 'shift_ends_before_start'),
);

/** A leader starts a duty session at a hall kiosk (局长坐班 sign-in). */
export const DutySignedInSchema = v.strictObject({
  sessionId: id,
  leaderId: id,
  departmentId: id,
  windowId: optionalId,
  /** The scheduled shift this session attends; null for unscheduled duty. */
  shiftId: optionalId,
  method: v.picklist(['pin', 'badge_pin']),
  /** Which of the leader's PIN versions was used, so the server can re-check it. */
  pinVersion: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** HMAC-SHA256 (hex) of the event id keyed by the leader's PBKDF2 PIN hash: proof of the PIN. */
  pinProof: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits')),
});

export const LEDGER_KINDS = ['served', 'cases', 'solved', 'complaint', 'suggestion'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** One line of the duty ledger (坐班台账). */
export const DutyLedgerEntrySchema = v.pipe(
  v.strictObject({
    sessionId: id,
    entryId: id,
    kind: v.picklist(LEDGER_KINDS, 'must be a known ledger kind'),
    /** People served or cases handled (and optionally problems solved). */
    count: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000)),
    text: text(1000),
    /** A complaint or suggestion to be followed up in the rectification pipeline. */
    needsFollowUp: v.boolean(),
  }),
  v.check(
    (e) => (e.kind !== 'served' && e.kind !== 'cases') || e.count > 0,
    'ledger_count_required',
  ),
  v.check(
    (e) => e.kind === 'served' || e.kind === 'cases' || e.text.trim().length > 0,
    'ledger_text_required',
  ),
  v.check(
    (e) => !e.needsFollowUp || e.kind === 'complaint' || e.kind === 'suggestion',
    'follow_up_only_for_feedback',
  ),
);

/** The end of a duty session: signed out by the leader, or closed at the end of the day. */
export const DutySignedOutSchema = v.strictObject({
  sessionId: id,
  reason: v.picklist(['manual', 'end_of_day']),
});

export const PROBLEM_SOURCES = ['walk', 'rating', 'duty'] as const;
export type ProblemSource = (typeof PROBLEM_SOURCES)[number];
export const PROBLEM_SEVERITIES = ['low', 'medium', 'high'] as const;
export type ProblemSeverity = (typeof PROBLEM_SEVERITIES)[number];

/** Image types a photo may have; the tablet stores JPEG after downscaling. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
/** The largest photo the server takes (bytes); the tablet downscales well below it. */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
/** At most this many photos on one finding or step. */
export const MAX_PHOTOS = 6;

/** A photo referenced from an event: a blob addressed by its SHA-256 (design §4). */
export const PhotoSchema = v.strictObject({
  sha256: sha256Hex,
  type: v.picklist(PHOTO_TYPES, 'must be a JPEG, PNG or WebP image'),
  size: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_PHOTO_BYTES)),
});
export type Photo = v.InferOutput<typeof PhotoSchema>;
const photos = v.pipe(
  v.array(PhotoSchema),
  v.maxLength(MAX_PHOTOS, `at most ${MAX_PHOTOS} photos`),
);

/** Problem status (design §1): found → assigned → rectifying → rectified → verified, or closed. */
export const PROBLEM_STATUSES = [
  'found',
  /** A 差评 pre-checked as mistaken or malicious, waiting for the appeal's review. */
  'appealing',
  'assigned',
  'rectifying',
  'rectified',
  'verified',
  /** Closed as not a problem, with a reason (a 差评 only through an upheld appeal). */
  'closed',
] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];
const problemStatus = v.picklist(PROBLEM_STATUSES, 'must be a known problem status');
const note = text(1000);

/**
 * A problem enters the rectification pipeline (design §1): from a walk finding, a 差评 or a duty
 * ledger item marked for follow-up.
 */
export const ProblemRecordedSchema = v.strictObject({
  problemId: id,
  source: v.picklist(PROBLEM_SOURCES),
  /** The record it came from: a ledger entry id, a rating's event id, a finding id. */
  sourceId: id,
  departmentId: id,
  windowId: optionalId,
  description: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(1000)),
  severity: v.picklist(PROBLEM_SEVERITIES),
  /** Walk findings: the walk and the checklist item the finding is about. */
  walkId: v.optional(id),
  checklistItemId: v.optional(id),
  photos: v.optional(photos),
});

/** A problem is given to a department (and a named role or team in it) to rectify. */
export const ProblemAssignedSchema = v.strictObject({
  problemId: id,
  /** The status the writer saw; if the fold has moved on, the step is superseded. */
  from: problemStatus,
  departmentId: id,
  /** Who in the department is responsible, by role (e.g. 综合窗口负责人). */
  assignee: v.pipe(v.string(), v.trim(), v.maxLength(100)),
  note,
});

/** A move along the pipeline, or closing as not a problem (with the reason in the note). */
export const ProblemStatusChangedSchema = v.pipe(
  v.strictObject({
    problemId: id,
    from: problemStatus,
    to: v.picklist(['rectifying', 'rectified', 'verified', 'closed'] as const),
    note,
    /** Evidence of the rectification or verification. */
    photos,
  }),
  v.check((c) => c.to !== 'closed' || c.note.trim().length > 0, 'close_needs_reason'),
);

export const ProblemCommentedSchema = v.strictObject({
  problemId: id,
  note: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(1000)),
  photos,
});

/** A 差评's pre-check: a valid complaint, or (then only through an appeal) mistaken or malicious. */
export const ProblemPrecheckedSchema = v.pipe(
  v.strictObject({
    problemId: id,
    from: problemStatus,
    verdict: v.picklist(['valid', 'mistaken', 'malicious'] as const),
    note,
  }),
  v.check((c) => c.verdict === 'valid' || c.note.trim().length > 0, 'appeal_needs_reason'),
);

/** The review of an appeal against a 差评: upheld (the rating is set aside) or dismissed. */
export const ProblemReviewedSchema = v.strictObject({
  problemId: id,
  from: problemStatus,
  upheld: v.boolean(),
  note: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(1000)),
});

/** The call-back to the citizen (回访). */
export const ProblemCalledBackSchema = v.pipe(
  v.strictObject({
    problemId: id,
    reached: v.boolean(),
    /** Whether the citizen is satisfied with how it was handled; null when not reached. */
    satisfied: v.nullable(v.boolean()),
    note,
  }),
  v.check((c) => c.reached || c.satisfied === null, 'satisfied_only_when_reached'),
);

/** A citizen's follow-up rating (追评) of a 差评 after rectification, from the same phone. */
export const RatingFollowedUpSchema = v.strictObject({
  ratingId: id,
  phoneId: id,
  level: v.picklist(RATING_LEVELS, 'must be one of the five rating levels'),
  comment: text(COMMENT_MAX),
});

export const CHECKLIST_GROUPS = [
  /** 三体验: service window, online service, process and coordination. */
  'experience',
  /** 八个能否: can the guide be understood, documents cut, time limits shortened … */
  'reform',
  /** Documents, time limit, steps, trips, online handling. */
  'indicators',
  /** Hotline, online lookup, guidance … complaint channel. */
  'service',
  /** Intermediary services and fees. */
  'intermediary',
  /** Absurd, circular or repeated certificates. */
  'certificates',
] as const;
export type ChecklistGroup = (typeof CHECKLIST_GROUPS)[number];

/** One aspect a walk checks; retired items stay readable on old findings. */
export const ChecklistItemSavedSchema = v.strictObject({
  itemId: id,
  group: v.picklist(CHECKLIST_GROUPS, 'must be a known checklist group'),
  text: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200)),
  textEn: v.optional(text(200)),
  sort: v.pipe(v.number(), v.integer()),
  active: v.boolean(),
});

/**
 * A year of the holiday calendar: public holidays and the weekend days that become make-up
 * working days (调休). `confirmed` is false while the year holds only the statutory days and the
 * State Council's arrangement for it is not yet entered.
 */
export const HolidaysSavedSchema = v.pipe(
  v.strictObject({
    year: v.pipe(v.number(), v.integer(), v.minValue(2000), v.maxValue(2100)),
    holidays: v.pipe(v.array(isoDate), v.maxLength(60)),
    workdays: v.pipe(v.array(isoDate), v.maxLength(30)),
    confirmed: v.boolean(),
  }),
  v.check(
    (h) => [...h.holidays, ...h.workdays].every((d) => d.startsWith(`${h.year}-`)),
    'date_outside_year',
  ),
  v.check((h) => !h.holidays.some((d) => h.workdays.includes(d)), 'holiday_and_workday'),
);

export const WALK_MODES = [
  /** 模拟办: walk the service as a citizen would. */
  'simulate',
  /** 陪同办: accompany a citizen. */
  'accompany',
  /** 亲身办: sit as window staff. */
  'in_person',
  /** 检验办: inspect. */
  'inspect',
  /** 暗访: unannounced visit. */
  'unannounced',
] as const;
export type WalkMode = (typeof WALK_MODES)[number];

/** A leader starts a walk-through (局长走流程) or an unannounced inspection (暗访). */
export const WalkStartedSchema = v.strictObject({
  walkId: id,
  mode: v.picklist(WALK_MODES, 'must be a known walk mode'),
  leaderId: id,
  departmentId: id,
  windowId: optionalId,
  /** The service item walked (办事事项), as the leader names it; may be empty. */
  serviceItem: v.pipe(v.string(), v.trim(), v.maxLength(200)),
  /** As on the duty kiosk: the PIN version and HMAC proof of the event id. */
  pinVersion: v.pipe(v.number(), v.integer(), v.minValue(1)),
  pinProof: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits')),
});

export const CHECK_RESULTS = ['fine', 'problem', 'na'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];

/** One checklist item marked during a walk; a later mark of the same item replaces it. */
export const WalkCheckedSchema = v.strictObject({
  walkId: id,
  itemId: id,
  result: v.picklist(CHECK_RESULTS, 'must be fine, problem or not applicable'),
  note: text(500),
});

export const WalkEndedSchema = v.strictObject({
  walkId: id,
  summary: text(2000),
});

/**
 * The console makes an unannounced inspection (暗访) public: until then the other devices of the
 * hall are not told who inspected; from now on they are, and learn it from this event.
 */
export const WalkPublishedSchema = v.strictObject({
  walkId: id,
  leaderId: id,
});

const dueDays = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(120));

/**
 * A service item (办事事项) a department handles, offered when a walk names what it walks and in
 * the console's filters; `active: false` when withdrawn.
 */
export const ServiceItemSavedSchema = v.strictObject({
  serviceItemId: id,
  departmentId: id,
  code,
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200)),
  nameEn: v.optional(text(200)),
  sort: v.pipe(v.number(), v.integer()),
  active: v.boolean(),
});

const weight = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100));

/** Weights of the monthly department ranking's components (src/domain/ranking.ts). */
export const RankingWeightsSchema = v.pipe(
  v.strictObject({
    satisfaction: weight,
    attendance: weight,
    rectification: weight,
    timeliness: weight,
  }),
  v.check(
    (w) => w.satisfaction + w.attendance + w.rectification + w.timeliness > 0,
    'at_least_one_weight',
  ),
);

export const SettingsSavedSchema = v.strictObject({
  /** Minutes before one phone may rate the same window again. */
  phoneRatingIntervalMinutes: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1440)),
  ),
  /** Seconds of inactivity after which a kiosk screen returns to its start. */
  kioskIdleSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(600))),
  /** Export numbering of rating levels for the provincial platform. */
  levelCodeMap: v.optional(v.picklist(['national', 'ascending'])),
  /** Working days to call back a 差评's citizen (回访), and to rectify each kind of problem. */
  ratingCallBackDays: v.optional(dueDays),
  ratingRectifyDays: v.optional(dueDays),
  walkRectifyDays: v.optional(dueDays),
  dutyRectifyDays: v.optional(dueDays),
  /** Weights of the monthly department ranking. */
  rankingWeights: v.optional(RankingWeightsSchema),
  /** Hall-local opening hours on working days, for the silent-evaluator alert. */
  openingHours: v.optional(
    v.pipe(
      v.strictObject({ open: clockTime, close: clockTime }),
      v.check((h) => h.open < h.close, 'open_before_close'),
    ),
  ),
  /** Minutes without a rating, during opening hours, after which an evaluator is called silent. */
  silentEvaluatorMinutes: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(1440)),
  ),
  /**
   * Armed evaluators: seconds an evaluator takes a rating after the window's staff press 请评价;
   * 0 (the default) leaves the buttons always open.
   */
  armedRatingSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600))),
  /**
   * Days a kiosk or tablet keeps records the server already has (its own acknowledged events,
   * pulled hall events of closed matters) before it deletes them to stay fast.
   */
  deviceRetentionDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(7), v.maxValue(3650))),
});

export const PAYLOAD_SCHEMAS = {
  'rating.submitted': RatingSubmittedSchema,
  'ref.hallSaved': HallSavedSchema,
  'ref.departmentSaved': DepartmentSavedSchema,
  'ref.windowSaved': WindowSavedSchema,
  'ref.leaderSaved': LeaderSavedSchema,
  'ref.settingsSaved': SettingsSavedSchema,
  'ref.dutyShiftSaved': DutyShiftSavedSchema,
  'ref.checklistItemSaved': ChecklistItemSavedSchema,
  'ref.holidaysSaved': HolidaysSavedSchema,
  'ref.serviceItemSaved': ServiceItemSavedSchema,
  'duty.signedIn': DutySignedInSchema,
  'duty.ledgerEntry': DutyLedgerEntrySchema,
  'duty.signedOut': DutySignedOutSchema,
  'rating.followedUp': RatingFollowedUpSchema,
  'walk.started': WalkStartedSchema,
  'walk.checked': WalkCheckedSchema,
  'walk.ended': WalkEndedSchema,
  'walk.published': WalkPublishedSchema,
  'problem.recorded': ProblemRecordedSchema,
  'problem.assigned': ProblemAssignedSchema,
  'problem.statusChanged': ProblemStatusChangedSchema,
  'problem.commented': ProblemCommentedSchema,
  'problem.prechecked': ProblemPrecheckedSchema,
  'problem.reviewed': ProblemReviewedSchema,
  'problem.calledBack': ProblemCalledBackSchema,
} as const;

export type EventType = keyof typeof PAYLOAD_SCHEMAS;
export const EVENT_TYPES = Object.keys(PAYLOAD_SCHEMAS) as EventType[];
export type PayloadOf<T extends EventType> = v.InferOutput<(typeof PAYLOAD_SCHEMAS)[T]>;

export type RatingSubmitted = PayloadOf<'rating.submitted'>;
export type DepartmentSaved = PayloadOf<'ref.departmentSaved'>;
export type WindowSaved = PayloadOf<'ref.windowSaved'>;
export type LeaderSaved = PayloadOf<'ref.leaderSaved'>;
export type HallSaved = PayloadOf<'ref.hallSaved'>;
export type SettingsSaved = PayloadOf<'ref.settingsSaved'>;
export type DutyShiftSaved = PayloadOf<'ref.dutyShiftSaved'>;
export type DutySignedIn = PayloadOf<'duty.signedIn'>;
export type DutyLedgerEntry = PayloadOf<'duty.ledgerEntry'>;
export type DutySignedOut = PayloadOf<'duty.signedOut'>;
export type ProblemRecorded = PayloadOf<'problem.recorded'>;
export type ChecklistItemSaved = PayloadOf<'ref.checklistItemSaved'>;
export type HolidaysSaved = PayloadOf<'ref.holidaysSaved'>;
export type ServiceItemSaved = PayloadOf<'ref.serviceItemSaved'>;
export type RankingWeights = v.InferOutput<typeof RankingWeightsSchema>;
export type RatingFollowedUp = PayloadOf<'rating.followedUp'>;
export type WalkStarted = PayloadOf<'walk.started'>;
export type WalkChecked = PayloadOf<'walk.checked'>;
export type WalkEnded = PayloadOf<'walk.ended'>;
export type WalkPublished = PayloadOf<'walk.published'>;

/** Events that move a recorded problem along the pipeline (each names its problemId). */
export const PROBLEM_STEP_TYPES = [
  'problem.assigned',
  'problem.statusChanged',
  'problem.commented',
  'problem.prechecked',
  'problem.reviewed',
  'problem.calledBack',
] as const;
export type ProblemStepType = (typeof PROBLEM_STEP_TYPES)[number];

export function isProblemStepType(type: string): type is ProblemStepType {
  return (PROBLEM_STEP_TYPES as readonly string[]).includes(type);
}

export function isRefType(type: string): boolean {
  return type.startsWith('ref.');
}

/** The envelope every event travels in. */
export interface EventEnvelope<T extends EventType = EventType> {
  /** Format version ({@link EVENT_FORMAT}). */
  v: number;
  id: Id;
  type: T;
  hallId: Id;
  deviceId: Id;
  /** 1, 2, 3 … per device, with no gaps. */
  deviceSeq: number;
  /** SHA-256 (hex) of the device's previous event; null for deviceSeq 1. */
  prevHash: string | null;
  /** Who did it (a leader or administrator), where that is known. */
  actorId: Id | null;
  /** The device's own clock when it happened, ISO-8601 UTC. */
  at: string;
  hlc: string;
  payload: PayloadOf<T>;
}

/** An event that passed {@link validateEvent}: trusted to have the shape its type says. */
export type ValidEvent<T extends EventType = EventType> = EventEnvelope<T> & {
  readonly __valid: true;
};

export type AnyEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

const EnvelopeSchema = v.strictObject({
  v: v.literal(EVENT_FORMAT, `must be format ${EVENT_FORMAT}`),
  id,
  type: v.string(),
  hallId: id,
  deviceId: id,
  deviceSeq: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER)),
  prevHash: v.nullable(sha256Hex),
  actorId: optionalId,
  at: isoTime,
  hlc,
  payload: v.unknown(),
});

/** The first lines of an event: enough to order and acknowledge it even if its payload is bad. */
export const EventHeadSchema = v.looseObject({
  id,
  deviceId: id,
  deviceSeq: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER)),
});

/** Why an event (or a field of it) is not valid: a code for programs, a message for people. */
export interface ValidationIssue {
  /** Dotted path of the offending field, '' for the event as a whole. */
  path: string;
  /** Stable reason code, e.g. `poor_rating_needs_reason`, `invalid_type`, `unknown_event_type`. */
  code: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

const CHECK_MESSAGES: Record<string, string> = {
  poor_rating_needs_reason: 'a poor rating needs a ticked reason or a written comment',
  reasons_only_for_poor_rating: 'reasons are given only with a poor rating',
  poor_rating_not_a_repeat: 'a poor rating always counts; it cannot repeat another',
  shift_ends_before_start: 'a shift must end after it starts',
  bad_date: 'must be a date on the calendar',
  ledger_count_required: 'people served and cases handled need a count above zero',
  ledger_text_required: 'this ledger entry needs a description',
  follow_up_only_for_feedback: 'only complaints and suggestions are followed up',
  close_needs_reason: 'closing a problem as not a problem needs the reason',
  appeal_needs_reason:
    'a 差评 pre-checked as mistaken or malicious needs the grounds of the appeal',
  satisfied_only_when_reached: 'satisfaction is recorded only when the citizen was reached',
  date_outside_year: 'every date must fall in the year it is listed under',
  holiday_and_workday: 'a date cannot be both a holiday and a make-up working day',
  at_least_one_weight: 'at least one ranking weight must be above zero',
  open_before_close: 'the hall must open before it closes',
};

function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix: string): ValidationIssue[] {
  return issues.map((issue) => {
    const dot = v.getDotPath(issue);
    const path = [prefix, dot].filter(Boolean).join('.');
    const isCheck = issue.type === 'check' && issue.message in CHECK_MESSAGES;
    const code = isCheck
      ? issue.message
      : issue.input === undefined
        ? 'missing'
        : `invalid_${issue.type}`;
    const message = isCheck ? CHECK_MESSAGES[issue.message]! : issue.message;
    return { path, code, message: `${path || 'event'}: ${message}` };
  });
}

/** Validate a payload of a known type. */
export function validatePayload<T extends EventType>(
  type: T,
  payload: unknown,
): Validation<PayloadOf<T>> {
  const result = v.safeParse(PAYLOAD_SCHEMAS[type], payload);
  if (result.success) return { ok: true, value: result.output as PayloadOf<T> };
  return { ok: false, issues: toIssues(result.issues, 'payload') };
}

/** A lone surrogate cannot be encoded or hashed; NUL cannot be stored in PostgreSQL text. */
const UNSTORABLE_TEXT =
  // eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/;

/**
 * Whether every string in a value (keys too) is text that can be hashed and stored: well-formed
 * UTF-16 with no NUL character.
 */
export function isWellFormedText(value: unknown): boolean {
  if (typeof value === 'string') return !UNSTORABLE_TEXT.test(value);
  if (Array.isArray(value)) return value.every(isWellFormedText);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).every(([k, v]) => !UNSTORABLE_TEXT.test(k) && isWellFormedText(v));
  return true;
}

/** A copy with every lone surrogate and NUL replaced by U+FFFD: what can be kept of such text. */
export function wellFormedCopy(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(new RegExp(UNSTORABLE_TEXT, 'g'), '\ufffd');
  if (Array.isArray(value)) return value.map(wellFormedCopy);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [wellFormedCopy(k) as string, wellFormedCopy(v)]),
    );
  return value;
}

/** Validate anything that claims to be an event: envelope, type, payload. */
export function validateEvent(input: unknown): Validation<ValidEvent> {
  const envelope = v.safeParse(EnvelopeSchema, input);
  if (!envelope.success) return { ok: false, issues: toIssues(envelope.issues, '') };
  const e = envelope.output;
  if (!isWellFormedText(input)) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          code: 'invalid_text',
          message:
            'event: text must be valid Unicode (a lone surrogate cannot be stored or hashed)',
        },
      ],
    };
  }
  if (!(e.type in PAYLOAD_SCHEMAS)) {
    return {
      ok: false,
      issues: [
        {
          path: 'type',
          code: 'unknown_event_type',
          message: `type: unknown event type "${e.type.slice(0, 60)}"`,
        },
      ],
    };
  }
  if ((e.deviceSeq === 1) !== (e.prevHash === null)) {
    return {
      ok: false,
      issues: [
        {
          path: 'prevHash',
          code: 'invalid_chain',
          message: 'prevHash: must be null exactly for the first event',
        },
      ],
    };
  }
  const payload = validatePayload(e.type as EventType, e.payload);
  if (!payload.ok) return payload;
  return { ok: true, value: { ...e, payload: payload.value } as unknown as ValidEvent };
}

export function isEventOfType<T extends EventType>(
  e: EventEnvelope,
  type: T,
): e is EventEnvelope<T> {
  return e.type === type;
}
