/**
 * Duty sessions (局长坐班): a leader's time at a kiosk from sign-in to sign-out, with the totals of
 * its ledger (坐班台账). A session is the fold of its `duty.*` events, which may arrive in any
 * order and more than once.
 */
import type { EventEnvelope } from './events';
import { compareByHlc } from './hlc';
import type { Id } from './ids';
import { addDays, hallDate, hallDayStartMs } from './schedule';

export interface DutySession {
  /** The session id (the sign-in's sessionId). */
  id: Id;
  leaderId: Id;
  departmentId: Id;
  /** The window sat at, or null for the department as a whole. */
  windowId: Id | null;
  /** The scheduled shift attended; null for unscheduled duty. */
  shiftId: Id | null;
  /** ISO-8601 UTC, from the kiosk that signed the leader in. */
  signedInAt: string;
  signedOutAt: string | null;
  /** `end_of_day`: the leader did not sign out and the kiosk closed the session at day's end. */
  endReason: 'manual' | 'end_of_day' | null;
  deviceId: Id;
  /** Ledger totals: people served, cases handled, problems solved on the spot, feedback received. */
  served: number;
  cases: number;
  solved: number;
  complaints: number;
  suggestions: number;
}

type Sessions = Record<Id, DutySession> | readonly DutySession[];

/** The instant a session begun at `signedInAtMs` is closed if nobody signs out: next hall midnight. */
export function endOfDayMs(signedInAtMs: number): number {
  return hallDayStartMs(addDays(hallDate(signedInAtMs), 1));
}

/**
 * Fold duty events (other types are ignored) into sessions by id. Ledger entries count once per
 * entryId; `served` and `cases` add their count, the other kinds count one item each unless a
 * larger count was given. Of several sign-outs the first (by hlc) wins; an end-of-day sign-out is
 * dated no later than the end of the day the session began.
 */
export function foldDutySessions(events: Iterable<EventEnvelope>): Record<Id, DutySession> {
  const signIns: EventEnvelope<'duty.signedIn'>[] = [];
  const entries = new Map<Id, EventEnvelope<'duty.ledgerEntry'>>();
  const signOuts = new Map<Id, EventEnvelope<'duty.signedOut'>>();
  for (const e of events) {
    if (e.type === 'duty.signedIn') signIns.push(e as EventEnvelope<'duty.signedIn'>);
    else if (e.type === 'duty.ledgerEntry') {
      const entry = e as EventEnvelope<'duty.ledgerEntry'>;
      const seen = entries.get(entry.payload.entryId);
      if (!seen || compareByHlc(entry, seen) < 0) entries.set(entry.payload.entryId, entry);
    } else if (e.type === 'duty.signedOut') {
      const out = e as EventEnvelope<'duty.signedOut'>;
      const seen = signOuts.get(out.payload.sessionId);
      if (!seen || compareByHlc(out, seen) < 0) signOuts.set(out.payload.sessionId, out);
    }
  }

  const sessions: Record<Id, DutySession> = {};
  // The earliest sign-in of a session id wins, so a re-sent copy changes nothing.
  signIns.sort(compareByHlc);
  for (const e of signIns) {
    const p = e.payload;
    if (sessions[p.sessionId]) continue;
    sessions[p.sessionId] = {
      id: p.sessionId,
      leaderId: p.leaderId,
      departmentId: p.departmentId,
      windowId: p.windowId,
      shiftId: p.shiftId,
      signedInAt: e.at,
      signedOutAt: null,
      endReason: null,
      deviceId: e.deviceId,
      served: 0,
      cases: 0,
      solved: 0,
      complaints: 0,
      suggestions: 0,
    };
  }

  for (const { payload: p } of entries.values()) {
    const s = sessions[p.sessionId];
    if (!s) continue;
    const items = Math.max(1, p.count);
    switch (p.kind) {
      case 'served':
        s.served += p.count;
        break;
      case 'cases':
        s.cases += p.count;
        break;
      case 'solved':
        s.solved += items;
        break;
      case 'complaint':
        s.complaints += items;
        break;
      case 'suggestion':
        s.suggestions += items;
        break;
    }
  }

  for (const out of signOuts.values()) {
    const s = sessions[out.payload.sessionId];
    if (!s) continue;
    let at = out.at;
    if (out.payload.reason === 'end_of_day') {
      const dayEnd = endOfDayMs(Date.parse(s.signedInAt));
      if (Date.parse(at) > dayEnd) at = new Date(dayEnd).toISOString();
    }
    s.signedOutAt = at;
    s.endReason = out.payload.reason;
  }
  return sessions;
}

/**
 * Sessions still open at `nowMs`: not signed out and begun on the hall-local day of `nowMs`
 * (a session left open from an earlier day counts as closed at that day's end). Earliest first.
 */
export function openSessionsAt(sessions: Sessions, nowMs: number): DutySession[] {
  const today = hallDate(nowMs);
  return Object.values(sessions)
    .filter((s) => s.signedOutAt === null && hallDate(Date.parse(s.signedInAt)) === today)
    .sort((a, b) => a.signedInAt.localeCompare(b.signedInAt) || a.id.localeCompare(b.id));
}

/**
 * The leader on duty for a window at `nowMs`: a session open at that window, else one open for
 * its department as a whole; the latest sign-in when there are several.
 */
export function dutyLeaderFor(
  sessions: Sessions,
  windowId: Id | null,
  departmentId: Id,
  nowMs: number,
): DutySession | null {
  const open = openSessionsAt(sessions, nowMs).reverse();
  return (
    (windowId !== null ? open.find((s) => s.windowId === windowId) : undefined) ??
    open.find((s) => s.windowId === null && s.departmentId === departmentId) ??
    null
  );
}

/**
 * When a session ends as far as `nowMs` knows: its sign-out, the end of its day if it was left
 * open on an earlier day (`autoClosed`), or still running (`open`, ending now).
 */
export function sessionEnd(
  session: DutySession,
  nowMs: number,
): { endMs: number; open: boolean; autoClosed: boolean } {
  const startMs = Date.parse(session.signedInAt);
  if (session.signedOutAt !== null) {
    return {
      endMs: Date.parse(session.signedOutAt),
      open: false,
      autoClosed: session.endReason === 'end_of_day',
    };
  }
  const dayEnd = endOfDayMs(startMs);
  if (nowMs >= dayEnd) return { endMs: dayEnd, open: false, autoClosed: true };
  return { endMs: Math.max(startMs, nowMs), open: true, autoClosed: false };
}
