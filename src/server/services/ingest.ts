/**
 * The one write path of the event log: every event from a device, a citizen's phone or the
 * console passes through {@link ingestEvent} inside the writer's transaction. It either stores
 * the event (with a hall_seq, and projects it) or records it as rejected with a reason code —
 * never half of each.
 */
import type { Db } from '../db/db';
import { mayWrite, type WriterKind } from '../../domain/device';
import { isRefType, validateEvent, type EventEnvelope, type ValidEvent } from '../../domain/events';
import { hashValue } from '../../domain/hash';
import { clampHlc } from '../../domain/hlc';
import type { EventOutcome } from '../../sync/protocol';
import { eventExists, insertEvent, insertRejected } from '../repos/events';
import { nextHallSeq } from '../repos/halls';
import { insertRating, phoneRatedWithin, ticketRated } from '../repos/ratings';
import { getDepartment, getSettings, getWindow, getWindowByCode } from '../repos/reference';
import { isoAt } from '../repos/util';
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
  /** The previous event's hash on this device's log; checked unless null is allowed (phones). */
  lastHash: string | null;
  /** Phones may lose their storage, so their chain is recorded but not enforced. */
  checkChain: boolean;
  /** Phones: the window the card's signature authorises. */
  cardWindowId?: string;
}

/** The first lines of an event, already checked by the route. */
export interface EventHead {
  id: string;
  deviceId: string;
  deviceSeq: number;
  [key: string]: unknown;
}

type Verdict = { ok: true; event: ValidEvent } | { ok: false; reason: string; message: string };

const refuse = (reason: string, message: string): Verdict => ({ ok: false, reason, message });

async function checkRating(
  tx: Db,
  writer: Writer,
  e: EventEnvelope<'rating.submitted'>,
  ctx: IngestContext,
): Promise<Verdict | null> {
  const p = e.payload;
  const window = await getWindow(tx, p.windowId);
  if (!window || window.hallId !== e.hallId || !window.active) {
    return refuse('unknown_window', 'the rated window does not exist or is closed');
  }
  if (window.departmentId !== p.departmentId) {
    return refuse('wrong_department', 'departmentId is not the department of the rated window');
  }
  if (writer.role === 'evaluator' && p.windowId !== writer.windowId) {
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
  if (p.ticket !== null && (await ticketRated(tx, e.hallId, p.ticket))) {
    return refuse('duplicate_ticket', 'this ticket has already been rated');
  }
  if (p.phoneId !== null) {
    const { settings } = await getSettings(tx, e.hallId);
    const minutes = settings.phoneRatingIntervalMinutes;
    if (minutes > 0 && (await phoneRatedWithin(tx, p.phoneId, p.windowId, e.at, minutes))) {
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
  if (e.type === 'ref.leaderSaved') {
    const p = (e as EventEnvelope<'ref.leaderSaved'>).payload;
    if (!(await inHall(p.departmentId)))
      return refuse('unknown_department', 'the department does not exist');
  }
  return null;
}

async function check(tx: Db, writer: Writer, raw: EventHead, ctx: IngestContext): Promise<Verdict> {
  const validation = validateEvent(raw);
  if (!validation.ok) {
    const first = validation.issues[0];
    return refuse(first?.code ?? 'invalid', validation.issues.map((i) => i.message).join('; '));
  }
  const e = validation.value;
  if (!mayWrite(writer.role, e.type))
    return refuse('not_allowed', `a ${writer.role} may not write ${e.type}`);
  if (e.hallId !== writer.hallId) return refuse('wrong_hall', 'the event belongs to another hall');
  if (ctx.checkChain && e.prevHash !== ctx.lastHash) {
    return refuse('invalid_chain', "prevHash is not the hash of the device's previous event");
  }
  if (await eventExists(tx, e.id))
    return refuse('duplicate_id', 'another event already has this id');
  const specific =
    e.type === 'rating.submitted'
      ? await checkRating(tx, writer, e as EventEnvelope<'rating.submitted'>, ctx)
      : isRefType(e.type)
        ? await checkReference(tx, e)
        : null;
  return specific ?? { ok: true, event: e };
}

async function store(
  tx: Db,
  e: ValidEvent,
  raw: EventHead,
  hash: string,
  now: number,
): Promise<void> {
  const { hlc } = clampHlc(e.hlc, now);
  const hallSeq = await nextHallSeq(tx, e.hallId);
  const receivedAt = isoAt(now);
  await insertEvent(tx, {
    id: e.id,
    hallId: e.hallId,
    hallSeq,
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
  });
  const ordered = { ...e, hlc } as EventEnvelope;
  if (ordered.type === 'rating.submitted') {
    const p = (ordered as EventEnvelope<'rating.submitted'>).payload;
    await insertRating(tx, {
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
    });
  } else if (isRefType(ordered.type)) {
    await projectReference(tx, ordered);
  }
}

/**
 * Check and store (or reject) one new event of a writer's log. The caller holds the writer's row
 * lock and the hall lock, and advances the log head to `hash` whatever the outcome.
 */
export async function ingestEvent(
  tx: Db,
  writer: Writer,
  raw: EventHead,
  ctx: IngestContext,
): Promise<{ outcome: EventOutcome; hash: string; event: ValidEvent | null }> {
  // The hash of what the device sent, which its next event chains to, valid or not.
  const hash = hashValue(raw);
  const verdict = await check(tx, writer, raw, ctx);
  const { id, deviceSeq } = raw;
  if (!verdict.ok) {
    await insertRejected(tx, {
      eventId: id,
      hallId: writer.hallId,
      deviceId: writer.id,
      deviceSeq,
      type: typeof raw.type === 'string' ? raw.type.slice(0, 100) : null,
      reason: verdict.reason,
      message: verdict.message,
      envelope: raw,
      receivedAt: isoAt(ctx.now),
    });
    return {
      outcome: {
        id,
        deviceSeq,
        status: 'rejected',
        reason: verdict.reason,
        message: verdict.message,
      },
      hash,
      event: null,
    };
  }
  await store(tx, verdict.event, raw, hash, ctx.now);
  return { outcome: { id, deviceSeq, status: 'stored' }, hash, event: verdict.event };
}
