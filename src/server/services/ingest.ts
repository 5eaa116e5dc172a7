/**
 * The one write path of the event log: every event from a device, a citizen's phone or the
 * console passes through {@link ingestEvents} inside the writer's transaction, a batch at a time.
 * Each event is either stored (with a hall_seq, and projected) or recorded as rejected with a
 * reason code — never half of each — and is decided exactly as if the batch were taken one event
 * after another: an event sees those before it in the batch as already stored or refused.
 *
 * A batch costs the same few statements whatever its size. What the checks need is read up front
 * (ids on file, the rated windows, tickets already counted, a phone's nearby ratings), every
 * decision is made in memory, and the outcome is written with one multi-row statement per table
 * and one hall_seq update. Duty, walk and pipeline events are decided the same way: the
 * leaders, PIN versions, sessions, walks, checklist items, problems and rated 差评 a batch names
 * are read once, and what an earlier event of the batch created counts for the later ones (a
 * session signed in, a walk started, a problem recorded, a follow-up given); a sign-in's or a
 * walk's PIN proof is checked against the PIN version it names. A problem step whose status no
 * longer matches is stored all the same: the fold marks it superseded. Reference events (the
 * console's) are the exception: each is checked against the reference tables and folded into them
 * before the next is looked at, since a later write may name what an earlier one created.
 */
import type { Db } from '../db/db';
import { mayWrite, type WriterKind } from '../../domain/device';
import {
  isProblemStepType,
  isRefType,
  validateEvent,
  type EventEnvelope,
  type Validation,
  type ValidEvent,
  isWellFormedText,
  wellFormedCopy,
} from '../../domain/events';
import { MAX_COUNTER, clampHlc, formatHlc, parseHlc } from '../../domain/hlc';
import { verifyPinProof } from '../../domain/pin';
import { isHallDate } from '../../domain/schedule';
import type { EventOutcome } from '../../sync/protocol';
import {
  appendEvents,
  existingEventIds,
  findRejected,
  insertRejected,
  type Refusal,
  type RejectedRow,
} from '../repos/events';
import {
  getPinVersions,
  getSessions,
  getShift,
  insertProblems,
  insertSessions,
  markSignedOut,
  pinKey,
  type NewSession,
  type PinVersion,
  type ProblemRow,
} from '../repos/duty';
import { boundWindowAt, deviceBindings, type Binding } from '../repos/devices';
import {
  followedUpRatings,
  getProblems,
  insertPhotoRefs,
  photosOf,
  problemHalls,
  projectProblems,
  projectWalks,
  ratingsById,
  walkHalls,
  type RatedByPhone,
} from '../repos/problems';
import { isRectified, problemIdOf, type Problem } from '../../domain/problem';
import { isPoorRating } from '../../domain/rating';
import { walkIdOf } from '../../domain/walk';
import { flagBursts, type StoredSpan } from './rating-flags';
import {
  insertRatingExtras,
  phoneRatingsWithin,
  ratedTickets,
  type PhoneRating,
  type RatingRow,
} from '../repos/ratings';
import {
  departmentHalls,
  getChecklistItems,
  getDepartment,
  getLeaders,
  getServiceItem,
  getSettings,
  getWindow,
  getWindowByCode,
  getWindows,
  leaderByBadge,
  serviceItemByCode,
  type LeaderRow,
  type WindowRow,
} from '../repos/reference';
import { isoAt } from '../repos/util';
import { nodeSha256, serverHashValue, wellFormedCanonicalJson } from '../hash';
import { projectReference } from './reference-projection';

/** The device log an event is appended to. */
export interface Writer {
  id: string;
  hallId: string;
  role: WriterKind;
  /** The window an evaluator is bound to. */
  windowId: string | null;
}

export interface IngestContext {
  /** Server time (ms). */
  now: number;
  /** The hash the batch's first event chains to; checked unless the chain is not enforced. */
  lastHash: string | null;
  /** Phones may lose their storage, so their chain is recorded but not enforced. */
  checkChain: boolean;
  /** Phones: the window the card's signature authorises. */
  cardWindowId?: string;
  /**
   * Answer an event whose id is already stored (`duplicate`) or refused (that refusal), on file
   * or earlier in the batch, from that decision instead of deciding it: a phone's log may start
   * again, so its sequence numbers cannot tell what was sent before.
   */
  answerKnown?: boolean;
  /** Throw {@link EventRefused} at the first refusal (the caller writes all or nothing). */
  allOrNothing?: boolean;
  /** Phones: the keyed hash of the address the ratings came from (never the address). */
  addressHash?: string | null;
  /**
   * {@link prepareEvents} of the events, in the same order, worked out before the transaction so
   * that no lock is held while it runs; computed here when absent.
   */
  prepared?: readonly Prepared[];
  /** The writer's stored ratings around the batch's, read before the hall lock was taken. */
  storedSpan?: StoredSpan | null;
}

/** What an event's own content decides, whatever is stored: its hash and its validation. */
export interface Prepared {
  /** The hash of what the device sent, which its next event chains to, valid or not. */
  hash: string;
  validation: Validation<ValidEvent>;
}

/**
 * Hash and validate events: pure work on the events alone, which a writer does before it takes
 * any lock. Text that is not valid Unicode cannot be hashed as sent; such an event is refused
 * (invalid_text), and chains on by the hash of what can be kept of it.
 */
export function prepareEvents(raws: readonly unknown[]): Prepared[] {
  return raws.map((raw) => ({ hash: hashAsKept(raw), validation: validateEvent(raw) }));
}

/** The hash of an event as received, or of what can be kept of it if its text cannot be. */
function hashAsKept(raw: unknown): string {
  // The canonical text shows whether it holds a lone surrogate or NUL: one pass, not two.
  const text = wellFormedCanonicalJson(raw);
  if (text !== null) return nodeSha256(text);
  return serverHashValue(isWellFormedText(raw) ? raw : wellFormedCopy(raw));
}

/** The first lines of an event, already checked by the route. */
export interface EventHead {
  id: string;
  deviceId: string;
  deviceSeq: number;
  [key: string]: unknown;
}

export interface Ingested {
  outcome: EventOutcome;
  /** The hash of what the device sent, which its next event chains to, valid or not. */
  hash: string;
  /** False when the event was answered from an earlier decision ({@link IngestContext.answerKnown}). */
  decided: boolean;
}

/** Thrown by an all-or-nothing batch at its first refused event; nothing of the batch is kept. */
export class EventRefused extends Error {
  override name = 'EventRefused';
  constructor(readonly outcome: Extract<EventOutcome, { status: 'rejected' }>) {
    super(outcome.message);
  }
}

type Verdict = { ok: true; event: ValidEvent } | { ok: false; reason: string; message: string };

const refuse = (reason: string, message: string): Verdict => ({ ok: false, reason, message });

/** `hlc`, or if it does not sort after `floor`, the next hlc after `floor` on hlc's node. */
function hlcAfter(hlc: string, floor: string): string {
  if (hlc > floor) return hlc;
  const own = parseHlc(hlc);
  const last = parseHlc(floor);
  if (!own || !last) return hlc;
  const next =
    last.counter < MAX_COUNTER
      ? { millis: last.millis, counter: last.counter + 1 }
      : { millis: last.millis + 1, counter: 0 };
  return formatHlc({ ...next, node: own.node });
}

/** The checks that need nothing but the event, the writer and the previous event's hash. */
function checkAlone(
  writer: Writer,
  validation: Validation<ValidEvent>,
  prevHash: string | null,
  ctx: IngestContext,
): Verdict {
  if (!validation.ok) {
    const first = validation.issues[0];
    return refuse(first?.code ?? 'invalid', validation.issues.map((i) => i.message).join('; '));
  }
  const e = validation.value;
  if (!mayWrite(writer.role, e.type))
    return refuse('not_allowed', `a ${writer.role} may not write ${e.type}`);
  if (e.hallId !== writer.hallId) return refuse('wrong_hall', 'the event belongs to another hall');
  if (ctx.checkChain && e.prevHash !== prevHash) {
    return refuse('invalid_chain', "prevHash is not the hash of the device's previous event");
  }
  return { ok: true, event: e };
}

const isRating = (e: ValidEvent): e is ValidEvent<'rating.submitted'> =>
  e.type === 'rating.submitted';

/**
 * What the rating checks of a batch read from the database, loaded once before the first
 * decision, and what the decisions so far have added to it.
 */
interface RatingState {
  windows: Map<string, WindowRow>;
  /** Tickets counted in the hall: on file, and stored earlier in this batch. */
  tickets: Set<string>;
  /** The hall's interval between two ratings of one window by one phone (minutes). */
  phoneMinutes: number;
  /** Batch positions of phone ratings too close to a stored rating of that phone and window. */
  nearStored: Set<number>;
  /** Batch position → earlier positions of the same phone and window that close in time. */
  nearEarlier: Map<number, number[]>;
  /** Batch positions of the ratings stored so far. */
  accepted: Set<number>;
  /** An evaluator's earlier windows, read when the batch rates a window it is not bound to now. */
  bindings: Binding[];
}

async function loadRatingState(
  tx: Db,
  writer: Writer,
  ratings: { pos: number; event: ValidEvent<'rating.submitted'> }[],
): Promise<RatingState> {
  const hallId = writer.hallId;
  const payloads = ratings.map((r) => r.event.payload);
  const tickets = payloads.flatMap((p) => (p.ticket === null ? [] : [p.ticket]));
  const fromPhones = ratings.filter((r) => r.event.payload.phoneId !== null);
  const state: RatingState = {
    windows: await getWindows(tx, [...new Set(payloads.map((p) => p.windowId))]),
    tickets: await ratedTickets(tx, hallId, [...new Set(tickets)]),
    phoneMinutes: 0,
    nearStored: new Set(),
    nearEarlier: new Map(),
    accepted: new Set(),
    bindings:
      writer.role === 'evaluator' && payloads.some((p) => p.windowId !== writer.windowId)
        ? await deviceBindings(tx, writer.id)
        : [],
  };
  if (fromPhones.length > 0) {
    state.phoneMinutes = (await getSettings(tx, hallId)).settings.phoneRatingIntervalMinutes;
    if (state.phoneMinutes > 0) {
      const near = await phoneRatingsWithin(
        tx,
        fromPhones.map((r): PhoneRating => ({
          phoneId: r.event.payload.phoneId!,
          windowId: r.event.payload.windowId,
          at: r.event.at,
        })),
        state.phoneMinutes,
      );
      const pos = (i: number) => fromPhones[i]!.pos;
      for (const i of near.stored) state.nearStored.add(pos(i));
      for (const [later, earlier] of near.earlier) {
        state.nearEarlier.set(pos(later), earlier.map(pos));
      }
    }
  }
  return state;
}

function checkRating(
  writer: Writer,
  e: ValidEvent<'rating.submitted'>,
  pos: number,
  state: RatingState,
  ctx: IngestContext,
): Verdict | null {
  const p = e.payload;
  const window = state.windows.get(p.windowId);
  if (!window || window.hallId !== e.hallId || !window.active) {
    return refuse('unknown_window', 'the rated window does not exist or is closed');
  }
  if (window.departmentId !== p.departmentId) {
    return refuse('wrong_department', 'departmentId is not the department of the rated window');
  }
  // A rating captured before the console bound the tablet to another window is its old window's.
  if (
    writer.role === 'evaluator' &&
    p.windowId !== writer.windowId &&
    boundWindowAt(state.bindings, e.at) !== p.windowId
  ) {
    return refuse('wrong_window', 'an evaluator may only rate the window it is bound to');
  }
  if (writer.role === 'phone') {
    if (p.windowId !== ctx.cardWindowId) {
      return refuse('wrong_window', 'the rating is not for the window of this card');
    }
    if (p.channel !== 'qr') return refuse('wrong_channel', 'a phone rates through the qr channel');
    if (p.phoneId !== e.deviceId)
      return refuse('wrong_phone', 'payload.phoneId must be the deviceId');
  }
  if (p.ticket !== null && state.tickets.has(p.ticket)) {
    return refuse('duplicate_ticket', 'this ticket has already been rated');
  }
  if (p.phoneId !== null) {
    const minutes = state.phoneMinutes;
    const tooSoon =
      state.nearStored.has(pos) ||
      (state.nearEarlier.get(pos) ?? []).some((earlier) => state.accepted.has(earlier));
    if (minutes > 0 && tooSoon) {
      return refuse('too_soon', `this phone rated this window less than ${minutes} minutes ago`);
    }
  }
  return null;
}

async function checkReference(tx: Db, e: EventEnvelope): Promise<Verdict | null> {
  const inHall = async (departmentId: string) => {
    const d = await getDepartment(tx, departmentId);
    return d !== null && d.hallId === e.hallId;
  };
  if (e.type === 'ref.windowSaved') {
    const p = (e as EventEnvelope<'ref.windowSaved'>).payload;
    if (!(await inHall(p.departmentId)))
      return refuse('unknown_department', 'the department does not exist');
    const same = await getWindowByCode(tx, p.code);
    if (same && same.id !== p.windowId) {
      return refuse('duplicate_code', `window code ${p.code} is already used by another window`);
    }
  }
  if (e.type === 'ref.serviceItemSaved') {
    const p = (e as EventEnvelope<'ref.serviceItemSaved'>).payload;
    const current = await getServiceItem(tx, p.serviceItemId);
    if (current && current.hallId !== e.hallId) {
      return refuse('unknown_service_item', 'the service item belongs to another hall');
    }
    if (!(await inHall(p.departmentId)))
      return refuse('unknown_department', 'the department does not exist');
    const same = await serviceItemByCode(tx, e.hallId, p.code);
    if (same && same.id !== p.serviceItemId) {
      return refuse(
        'duplicate_code',
        `service item code ${p.code} is already used by another service item`,
      );
    }
  }
  if (e.type === 'ref.leaderSaved') {
    const p = (e as EventEnvelope<'ref.leaderSaved'>).payload;
    if (!(await inHall(p.departmentId)))
      return refuse('unknown_department', 'the department does not exist');
    if (p.badgeCode !== undefined) {
      const same = await leaderByBadge(tx, e.hallId, p.badgeCode);
      if (same && same.id !== p.leaderId) {
        return refuse('duplicate_badge', `badge code ${p.badgeCode} is already another leader's`);
      }
    }
  }
  if (e.type === 'ref.checklistItemSaved') {
    // Holiday years need nothing beyond their schema (checked with the envelope).
    const { itemId } = (e as EventEnvelope<'ref.checklistItemSaved'>).payload;
    const current = (await getChecklistItems(tx, [itemId])).get(itemId);
    if (current && current.hallId !== e.hallId) {
      return refuse('unknown_checklist_item', 'the checklist item belongs to another hall');
    }
  }
  if (e.type === 'ref.dutyShiftSaved') {
    const p = (e as EventEnvelope<'ref.dutyShiftSaved'>).payload;
    if (!isHallDate(p.date)) return refuse('bad_date', `${p.date} is not a calendar date`);
    const current = await getShift(tx, p.shiftId);
    if (current && current.hallId !== e.hallId) {
      return refuse('unknown_shift', 'the shift belongs to another hall');
    }
    // A cancellation stands whatever became of the leader or the window since.
    if (p.active) {
      const leader = await getLeaders(tx, [p.leaderId]);
      const l = leader.get(p.leaderId);
      if (!l || l.hallId !== e.hallId) return refuse('unknown_leader', 'the leader does not exist');
      if (!(await inHall(p.departmentId)))
        return refuse('unknown_department', 'the department does not exist');
      if (l.departmentId !== p.departmentId) {
        return refuse('wrong_department', "the shift's department is not the leader's");
      }
      if (p.windowId !== null) {
        const w = await getWindow(tx, p.windowId);
        if (!w || w.hallId !== e.hallId || w.departmentId !== p.departmentId) {
          return refuse('unknown_window', 'the window is not one of the department');
        }
      }
    }
  }
  return null;
}

/** Events whose checks read the duty and pipeline state of the batch ({@link FieldState}). */
const isField = (e: ValidEvent): boolean =>
  e.type === 'duty.signedIn' ||
  e.type === 'duty.ledgerEntry' ||
  e.type === 'duty.signedOut' ||
  e.type === 'problem.recorded' ||
  e.type === 'walk.started' ||
  e.type === 'walk.checked' ||
  e.type === 'walk.ended' ||
  e.type === 'rating.followedUp' ||
  isProblemStepType(e.type);

/**
 * What the duty, walk and pipeline checks of a batch read from the database, loaded once, and
 * what the decisions so far have added to it: sessions signed in, walks started, problems
 * recorded (or 差评 given) and follow-up ratings stored earlier in the batch.
 */
interface FieldState {
  leaders: Map<string, LeaderRow>;
  /** PBKDF2 hashes by `leaderId/version`. */
  pins: Map<string, PinVersion>;
  windows: Map<string, WindowRow>;
  /** Department id → its hall. */
  departments: Map<string, string>;
  sessions: Map<string, { hallId: string; leaderId: string }>;
  /** Problem id → its hall: problem rows and 差评, stored or earlier in the batch. */
  problems: Map<string, string>;
  /** Walk id → its hall. */
  walks: Map<string, string>;
  /** Checklist item id → its hall (retired items included). */
  checklist: Map<string, string>;
  /** Ratings a follow-up names, stored or earlier in the batch. */
  ratings: Map<string, RatedByPhone>;
  /** The folded state of the 差评 a follow-up names, as projected before the batch. */
  rated: Map<string, Problem>;
  /** Ratings with a follow-up, stored or earlier in the batch. */
  followedUp: Set<string>;
}

async function loadFieldState(tx: Db, events: readonly ValidEvent[]): Promise<FieldState> {
  const leaderIds = new Set<string>();
  const pins: { leaderId: string; version: number }[] = [];
  const windowIds = new Set<string>();
  const departmentIds = new Set<string>();
  const sessionIds = new Set<string>();
  const problemIds = new Set<string>();
  const walkIds = new Set<string>();
  const itemIds = new Set<string>();
  const ratingIds = new Set<string>();
  const signIn = (p: { leaderId: string; pinVersion: number; windowId: string | null }) => {
    leaderIds.add(p.leaderId);
    pins.push({ leaderId: p.leaderId, version: p.pinVersion });
    if (p.windowId !== null) windowIds.add(p.windowId);
  };
  for (const e of events) {
    if (e.type === 'duty.signedIn') {
      const p = (e as ValidEvent<'duty.signedIn'>).payload;
      signIn(p);
      sessionIds.add(p.sessionId);
    } else if (e.type === 'duty.ledgerEntry' || e.type === 'duty.signedOut') {
      sessionIds.add((e as ValidEvent<'duty.ledgerEntry' | 'duty.signedOut'>).payload.sessionId);
    } else if (e.type === 'problem.recorded') {
      const p = (e as ValidEvent<'problem.recorded'>).payload;
      problemIds.add(p.problemId);
      departmentIds.add(p.departmentId);
      if (p.windowId !== null) windowIds.add(p.windowId);
      if (p.walkId !== undefined) walkIds.add(p.walkId);
      if (p.checklistItemId !== undefined) itemIds.add(p.checklistItemId);
    } else if (e.type === 'walk.started') {
      const p = (e as ValidEvent<'walk.started'>).payload;
      signIn(p);
      departmentIds.add(p.departmentId);
      walkIds.add(p.walkId);
    } else if (e.type === 'walk.checked') {
      const p = (e as ValidEvent<'walk.checked'>).payload;
      walkIds.add(p.walkId);
      itemIds.add(p.itemId);
    } else if (e.type === 'walk.ended') {
      walkIds.add((e as ValidEvent<'walk.ended'>).payload.walkId);
    } else if (e.type === 'rating.followedUp') {
      ratingIds.add((e as ValidEvent<'rating.followedUp'>).payload.ratingId);
    } else if (isProblemStepType(e.type)) {
      const p = e.payload as { problemId: string; departmentId?: string };
      problemIds.add(p.problemId);
      if (e.type === 'problem.assigned') departmentIds.add(p.departmentId!);
    }
  }
  const ids = [...ratingIds];
  return {
    leaders: await getLeaders(tx, [...leaderIds]),
    pins: await getPinVersions(tx, pins),
    windows: await getWindows(tx, [...windowIds]),
    departments: await departmentHalls(tx, [...departmentIds]),
    sessions: await getSessions(tx, [...sessionIds]),
    problems: await problemHalls(tx, [...problemIds]),
    walks: await walkHalls(tx, [...walkIds]),
    checklist: new Map(
      [...(await getChecklistItems(tx, [...itemIds]))].map(([id, item]) => [id, item.hallId]),
    ),
    ratings: await ratingsById(tx, ids),
    rated: await getProblems(tx, ids),
    followedUp: await followedUpRatings(tx, ids),
  };
}

async function checkPin(
  state: FieldState,
  eventId: string,
  p: { leaderId: string; pinVersion: number; pinProof: string },
): Promise<Verdict | null> {
  const pin = state.pins.get(pinKey(p.leaderId, p.pinVersion));
  if (!pin) return refuse('unknown_pin_version', 'the leader has no PIN of that version');
  if (!(await verifyPinProof(pin.hash, eventId, p.pinProof))) {
    return refuse('pin_proof_invalid', 'the PIN proof does not match the PIN');
  }
  return null;
}

/** The leader signing in or starting a walk: on the hall's roster, and active. */
function checkLeader(state: FieldState, e: ValidEvent, leaderId: string): Verdict | null {
  const leader = state.leaders.get(leaderId);
  if (!leader || leader.hallId !== e.hallId) {
    return refuse('unknown_leader', 'the leader does not exist');
  }
  if (!leader.active) return refuse('inactive_leader', 'the leader is no longer on the roster');
  return null;
}

function checkWindowOf(
  state: FieldState,
  e: ValidEvent,
  windowId: string | null,
  departmentId: string,
): Verdict | null {
  if (windowId === null) return null;
  const w = state.windows.get(windowId);
  if (!w || w.hallId !== e.hallId || w.departmentId !== departmentId) {
    return refuse('unknown_window', 'the window is not one of the department');
  }
  return null;
}

async function checkField(
  writer: Writer,
  e: ValidEvent,
  state: FieldState,
): Promise<Verdict | null> {
  if (e.type === 'duty.signedIn') {
    const p = (e as ValidEvent<'duty.signedIn'>).payload;
    if (state.sessions.has(p.sessionId)) {
      return refuse('duplicate_session', 'another sign-in already started this session');
    }
    const leader = checkLeader(state, e, p.leaderId);
    if (leader) return leader;
    if (state.leaders.get(p.leaderId)!.departmentId !== p.departmentId) {
      return refuse('wrong_department', "departmentId is not the leader's department");
    }
    return checkWindowOf(state, e, p.windowId, p.departmentId) ?? checkPin(state, e.id, p);
  }
  if (e.type === 'duty.ledgerEntry' || e.type === 'duty.signedOut') {
    const { sessionId } = (e as ValidEvent<'duty.ledgerEntry' | 'duty.signedOut'>).payload;
    const session = state.sessions.get(sessionId);
    if (!session || session.hallId !== e.hallId) {
      return refuse('unknown_session', 'no sign-in started this duty session');
    }
    return null;
  }
  if (e.type === 'problem.recorded') {
    const p = (e as ValidEvent<'problem.recorded'>).payload;
    if (state.problems.has(p.problemId)) {
      return refuse('duplicate_problem', 'a problem with this id is already recorded');
    }
    if (state.departments.get(p.departmentId) !== e.hallId) {
      return refuse('unknown_department', 'the department does not exist');
    }
    const window = checkWindowOf(state, e, p.windowId, p.departmentId);
    if (window) return window;
    if (p.walkId !== undefined && state.walks.get(p.walkId) !== e.hallId) {
      return refuse('unknown_walk', 'no walk of the hall has this id');
    }
    if (p.checklistItemId !== undefined && state.checklist.get(p.checklistItemId) !== e.hallId) {
      return refuse('unknown_checklist_item', 'the checklist item does not exist');
    }
    return null;
  }
  if (e.type === 'walk.started') {
    const p = (e as ValidEvent<'walk.started'>).payload;
    if (state.walks.has(p.walkId)) {
      return refuse('duplicate_walk', 'another walk already has this id');
    }
    const leader = checkLeader(state, e, p.leaderId);
    if (leader) return leader;
    // A leader may walk any department's service, not only their own.
    if (state.departments.get(p.departmentId) !== e.hallId) {
      return refuse('unknown_department', 'the department does not exist');
    }
    return checkWindowOf(state, e, p.windowId, p.departmentId) ?? checkPin(state, e.id, p);
  }
  if (e.type === 'walk.checked' || e.type === 'walk.ended') {
    const p = (e as ValidEvent<'walk.checked' | 'walk.ended'>).payload;
    if (state.walks.get(p.walkId) !== e.hallId) {
      return refuse('unknown_walk', 'no walk of the hall has this id');
    }
    if (e.type === 'walk.checked') {
      const { itemId } = (e as ValidEvent<'walk.checked'>).payload;
      if (state.checklist.get(itemId) !== e.hallId) {
        return refuse('unknown_checklist_item', 'the checklist item does not exist');
      }
    }
    return null;
  }
  if (e.type === 'rating.followedUp') {
    const p = (e as ValidEvent<'rating.followedUp'>).payload;
    if (writer.role === 'phone' && p.phoneId !== e.deviceId) {
      return refuse('wrong_phone', 'payload.phoneId must be the deviceId');
    }
    const rating = state.ratings.get(p.ratingId);
    if (!rating || rating.hallId !== e.hallId) {
      return refuse('unknown_rating', 'no rating of the hall has this id');
    }
    if (rating.phoneId === null || rating.phoneId !== p.phoneId) {
      return refuse('not_your_rating', 'the rating was not given from this phone');
    }
    if (state.followedUp.has(p.ratingId)) {
      return refuse('already_followed_up', 'this rating already has a follow-up rating');
    }
    // Statuses move only by steps of other writers, so the projection is the status now.
    const problem = state.rated.get(p.ratingId);
    if (!problem || !isRectified(problem.status)) {
      return refuse('not_followable', 'the complaint has not been rectified yet');
    }
    return null;
  }
  if (isProblemStepType(e.type)) {
    // A status the step no longer matches is not refused: the fold marks it superseded.
    const p = e.payload as { problemId: string; departmentId?: string };
    if (state.problems.get(p.problemId) !== e.hallId) {
      return refuse('unknown_problem', 'no problem of the hall has this id');
    }
    if (e.type === 'problem.assigned' && state.departments.get(p.departmentId!) !== e.hallId) {
      return refuse('unknown_department', 'the department does not exist');
    }
    return null;
  }
  return null;
}

function ratingRow(
  e: ValidEvent<'rating.submitted'>,
  receivedAt: string,
  addressHash: string | null = null,
): RatingRow {
  const p = e.payload;
  return {
    addressHash,
    eventId: e.id,
    hallId: e.hallId,
    deviceId: e.deviceId,
    windowId: p.windowId,
    departmentId: p.departmentId,
    level: p.level,
    channel: p.channel,
    ticket: p.ticket,
    phoneId: p.phoneId,
    dutySessionId: p.dutySessionId,
    reasons: p.reasons,
    comment: p.comment,
    at: e.at,
    receivedAt,
  };
}

/**
 * Check and store (or reject) new events of a writer's log, in the order given. The caller holds
 * the writer's row lock and the hall lock, and advances the log head to the last event's hash
 * whatever the outcomes. Answers one {@link Ingested} per event, in the same order.
 */
export async function ingestEvents(
  tx: Db,
  writer: Writer,
  raws: readonly EventHead[],
  ctx: IngestContext,
): Promise<Ingested[]> {
  const receivedAt = isoAt(ctx.now);
  // In memory: the hash each next event chains to, and every check that needs no database.
  const prepared = ctx.prepared ?? prepareEvents(raws);
  if (prepared.length !== raws.length) throw new Error('prepared events do not match the batch');
  const hashes = prepared.map((p) => p.hash);
  const alone = prepared.map((p, i) =>
    checkAlone(writer, p.validation, i === 0 ? ctx.lastHash : hashes[i - 1]!, ctx),
  );

  // One read per kind of fact the remaining checks need, for the whole batch.
  const ids = [...new Set(raws.map((raw) => raw.id))];
  const storedIds = await existingEventIds(tx, ids);
  const refusals = ctx.answerKnown ? await findRejected(tx, ids) : new Map<string, Refusal>();
  const ratings: { pos: number; event: ValidEvent<'rating.submitted'> }[] = [];
  let references = 0;
  alone.forEach((verdict, pos) => {
    if (!verdict.ok || storedIds.has(verdict.event.id)) return;
    if (isRating(verdict.event)) ratings.push({ pos, event: verdict.event });
    else if (isRefType(verdict.event.type)) references++;
  });
  if (ratings.length > 0 && references > 0) {
    // No writer may write both (domain/device.ts); a rating check reads a snapshot of the
    // reference tables that reference events of the same batch would change under it.
    throw new Error('a batch mixes ratings and reference events');
  }
  const state = ratings.length > 0 ? await loadRatingState(tx, writer, ratings) : null;
  const fieldEvents = alone.flatMap((v) =>
    v.ok && !storedIds.has(v.event.id) && isField(v.event) ? [v.event] : [],
  );
  const field = fieldEvents.length > 0 ? await loadFieldState(tx, fieldEvents) : null;

  // Decide each event in order; what is decided becomes part of what the next one sees.
  const results: Ingested[] = [];
  const toStore: { event: ValidEvent; raw: EventHead; hash: string; hlc: string }[] = [];
  const rejected: RejectedRow[] = [];
  const sessions: NewSession[] = [];
  const signedOut: { id: string; at: string }[] = [];
  const problems: Omit<ProblemRow, 'status'>[] = [];
  for (let pos = 0; pos < raws.length; pos++) {
    const raw = raws[pos]!;
    const hash = hashes[pos]!;
    const { id, deviceSeq } = raw;
    if (ctx.answerKnown) {
      if (storedIds.has(id)) {
        results.push({ outcome: { id, deviceSeq, status: 'duplicate' }, hash, decided: false });
        continue;
      }
      const earlier = refusals.get(id);
      if (earlier) {
        const { reason, message } = earlier;
        const outcome: EventOutcome = { id, deviceSeq, status: 'rejected', reason, message };
        results.push({ outcome, hash, decided: false });
        continue;
      }
    }
    let verdict = alone[pos]!;
    if (verdict.ok && storedIds.has(id)) {
      verdict = refuse('duplicate_id', 'another event already has this id');
    }
    if (verdict.ok) {
      const e = verdict.event;
      const specific = isRating(e)
        ? checkRating(writer, e, pos, state!, ctx)
        : isRefType(e.type)
          ? await checkReference(tx, e)
          : isField(e)
            ? await checkField(writer, e, field!)
            : null;
      if (specific) verdict = specific;
    }
    if (!verdict.ok) {
      const outcome = {
        id,
        deviceSeq,
        status: 'rejected' as const,
        reason: verdict.reason,
        message: verdict.message,
      };
      if (ctx.allOrNothing) throw new EventRefused(outcome);
      // An id already refused (earlier in the batch, or on file) keeps its first refusal.
      if (!refusals.has(id)) {
        refusals.set(id, { deviceId: writer.id, reason: verdict.reason, message: verdict.message });
        rejected.push({
          eventId: id,
          hallId: writer.hallId,
          deviceId: writer.id,
          deviceSeq,
          type: typeof raw.type === 'string' ? raw.type.slice(0, 100) : null,
          reason: verdict.reason,
          message: verdict.message,
          envelope: raw,
          receivedAt,
        });
      }
      results.push({ outcome, hash, decided: true });
      continue;
    }
    const e = verdict.event;
    let { hlc } = clampHlc(e.hlc, ctx.now);
    if (e.type === 'rating.followedUp') {
      // Taken because the 差评 is rectified as stored now, it is ordered after the steps that
      // made it so, or a phone clock running behind would have every device fold it as too early.
      const { ratingId } = (e as ValidEvent<'rating.followedUp'>).payload;
      hlc = hlcAfter(hlc, field!.rated.get(ratingId)!.updatedHlc);
    }
    storedIds.add(id);
    toStore.push({ event: e, raw, hash, hlc });
    if (isRating(e)) {
      const p = e.payload;
      if (p.ticket !== null) state!.tickets.add(p.ticket);
      state!.accepted.add(pos);
      // A 差评 is a problem from now on, and a rating can be followed up (once rectified).
      if (isPoorRating(p.level)) field?.problems.set(e.id, e.hallId);
      field?.ratings.set(e.id, { hallId: e.hallId, phoneId: p.phoneId, level: p.level, at: e.at });
    } else if (isRefType(e.type)) {
      await projectReference(tx, { ...e, hlc } as EventEnvelope);
      if (e.type === 'ref.checklistItemSaved') {
        const { itemId } = (e as ValidEvent<'ref.checklistItemSaved'>).payload;
        field?.checklist.set(itemId, e.hallId);
      }
    } else if (e.type === 'walk.started') {
      field!.walks.set((e as ValidEvent<'walk.started'>).payload.walkId, e.hallId);
    } else if (e.type === 'rating.followedUp') {
      field!.followedUp.add((e as ValidEvent<'rating.followedUp'>).payload.ratingId);
    } else if (e.type === 'duty.signedIn') {
      const p = (e as ValidEvent<'duty.signedIn'>).payload;
      field!.sessions.set(p.sessionId, { hallId: e.hallId, leaderId: p.leaderId });
      sessions.push({
        id: p.sessionId,
        hallId: e.hallId,
        leaderId: p.leaderId,
        departmentId: p.departmentId,
        windowId: p.windowId,
        deviceId: e.deviceId,
        signedInAt: e.at,
      });
    } else if (e.type === 'duty.signedOut') {
      signedOut.push({ id: (e as ValidEvent<'duty.signedOut'>).payload.sessionId, at: e.at });
    } else if (e.type === 'problem.recorded') {
      const p = (e as ValidEvent<'problem.recorded'>).payload;
      field!.problems.set(p.problemId, e.hallId);
      problems.push({
        id: p.problemId,
        hallId: e.hallId,
        eventId: e.id,
        source: p.source,
        sourceId: p.sourceId,
        departmentId: p.departmentId,
        windowId: p.windowId,
        description: p.description,
        severity: p.severity,
        recordedAt: e.at,
      });
    }
    results.push({ outcome: { id, deviceSeq, status: 'stored' }, hash, decided: true });
  }

  // The writes: consecutive hall_seq numbers in batch order, then one statement per table.
  if (toStore.length > 0) {
    const ratings = toStore.flatMap(({ event: e }) => (isRating(e) ? [e] : []));
    const counted = ratings
      .filter((e) => !e.payload.repeatOf)
      .map((e) => ratingRow(e, receivedAt, ctx.addressHash ?? null));
    // Consecutive hall_seq numbers in batch order, the events and the counted ratings together.
    await appendEvents(
      tx,
      writer.hallId,
      toStore.map(({ event: e, raw, hash, hlc }) => ({
        id: e.id,
        deviceId: e.deviceId,
        deviceSeq: e.deviceSeq,
        type: e.type,
        actorId: e.actorId,
        at: e.at,
        hlc,
        hlcOriginal: e.hlc,
        prevHash: e.prevHash,
        hash,
        payload: e.payload,
        envelope: raw,
        receivedAt,
      })),
      counted,
    );
    // Bursts are flagged for the console with their evidence; the ratings stay counted.
    await flagBursts(tx, counted, ctx.now, ctx.storedSpan ?? null);
    // Repeated presses are stored as events and kept apart for audit, never counted.
    await insertRatingExtras(
      tx,
      ratings.flatMap((e) =>
        e.payload.repeatOf
          ? [
              {
                ...ratingRow(e, receivedAt),
                repeatOf: e.payload.repeatOf,
                reason: 'repeat_press' as const,
              },
            ]
          : [],
      ),
    );
    await insertSessions(tx, sessions);
    await markSignedOut(tx, signedOut);
    await insertProblems(tx, problems);
    // The pipeline's projections: every problem and walk the stored events touch is re-folded.
    const stored = toStore.map(({ event: e, hlc }) => ({ ...e, hlc }) as EventEnvelope);
    const problemIds = stored.flatMap((e) => problemIdOf(e) ?? []);
    await projectProblems(tx, problemIds, receivedAt);
    await projectWalks(
      tx,
      stored.flatMap((e) => walkIdOf(e) ?? []),
    );
    await insertPhotoRefs(
      tx,
      stored.flatMap((e) =>
        photosOf(e).map((photo) => ({
          sha256: photo.sha256,
          hallId: e.hallId,
          eventId: e.id,
          deviceId: e.deviceId,
          problemId: problemIdOf(e),
        })),
      ),
    );
  }
  await insertRejected(tx, rejected);
  return results;
}
