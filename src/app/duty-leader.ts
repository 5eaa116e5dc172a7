/**
 * What a leader does at the duty kiosk once they have chosen themself: the PIN check and its
 * lockout, signing in, the ledger and signing out. Loaded when a leader first chooses themself
 * (or, earlier, when the page is idle), not with the schedule.
 */
import type { DutySession } from '../domain/duty';
import type { Id } from '../domain/ids';
import { newId } from '../domain/ids';
import { pinProof } from '../domain/pin';
import { hallDate, hallMinutes, clockMinutes } from '../domain/schedule';
import {
  SignInError,
  WriteError,
  type LedgerInput,
  type LedgerLine,
  type SignInOptions,
} from './device-api';
import type { EnrolledDevice } from './device';
import { verifyLeaderPin } from './leader-pin';

export { hasLeaderPin, leaderLockout } from './leader-pin';

/** The writer of this kiosk's events. */
function writer(device: EnrolledDevice) {
  const { hallId, deviceId } = device.credentials;
  return { hallId, deviceId };
}

/** A write that ran out of space tells the status line so. */
async function writing<T>(device: EnrolledDevice, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof WriteError && error.code === 'storage_full')
      device.status.update({ storageFull: true });
    throw error;
  }
}

/**
 * Verify the PIN offline and sign the leader in; signing in twice on this kiosk resumes the open
 * session (`open`, read after the check) rather than starting another.
 */
export async function signIn(
  device: EnrolledDevice,
  leaderId: Id,
  pin: string,
  options: SignInOptions,
  openSessions: () => Promise<DutySession[]>,
): Promise<DutySession> {
  const { store } = device;
  const leader = device.reference.leaders[leaderId];
  if (!leader || !leader.active) throw new SignInError('unknown_leader');
  const check = await verifyLeaderPin(store, leaderId, pin, () => device.now());

  const open = (await openSessions()).find((s) => s.leaderId === leaderId);
  if (open) return open;

  const shift = shiftFor(device, leaderId, options.shiftId);
  const eventId = newId();
  const sessionId = newId();
  const proof = await pinProof(check.hash, eventId);
  await writing(device, () =>
    store.duty.signIn(
      writer(device),
      eventId,
      {
        sessionId,
        leaderId,
        departmentId: shift?.departmentId ?? leader.departmentId,
        windowId: shift ? (shift.windowId ?? null) : null,
        shiftId: shift?.id ?? null,
        method: options.method,
        pinVersion: check.version,
        pinProof: proof,
      },
      leaderId,
    ),
  );
  await device.wroteDuty();
  const session = await store.duty.session(sessionId);
  if (!session) throw new WriteError('storage_unavailable', 'the session was not stored');
  return session;
}

/** The scheduled shift a sign-in attends: the one asked for, else the leader's nearest today. */
function shiftFor(device: EnrolledDevice, leaderId: Id, shiftId: Id | null | undefined) {
  const ref = device.reference;
  const nowMs = device.now();
  const date = hallDate(nowMs);
  // Only the published schedule counts, as the kiosk shows it; drafts are not duty yet.
  const mine = Object.values(ref.shifts ?? {}).filter(
    (s) => s.leaderId === leaderId && s.date === date && s.active && s.published,
  );
  if (shiftId) return mine.find((s) => s.id === shiftId) ?? null;
  if (mine.length === 0) return null;
  const minute = hallMinutes(nowMs);
  const distance = (s: { start: string; end: string }) => {
    const start = clockMinutes(s.start);
    const end = clockMinutes(s.end);
    return minute < start ? start - minute : minute > end ? minute - end : 0;
  };
  return mine.sort((a, b) => distance(a) - distance(b))[0] ?? null;
}

/** A line of the ledger of a session open on this kiosk. */
export async function addLedgerEntry(
  device: EnrolledDevice,
  session: DutySession,
  input: LedgerInput,
): Promise<LedgerLine> {
  const entryId = newId();
  const text = input.text.trim();
  const followUp =
    input.needsFollowUp && (input.kind === 'complaint' || input.kind === 'suggestion');
  const entry = {
    sessionId: session.id,
    entryId,
    kind: input.kind,
    count: input.count,
    text,
    needsFollowUp: followUp,
  };
  const [event] = await writing(device, () =>
    device.store.duty.addLedgerEntry(
      writer(device),
      session.leaderId,
      entry,
      followUp
        ? {
            problemId: newId(),
            source: 'duty',
            sourceId: entryId,
            departmentId: session.departmentId,
            windowId: session.windowId,
            description: text,
            severity: 'medium',
          }
        : undefined,
    ),
  );
  await device.wroteDuty();
  return { ...entry, at: event!.at };
}

/** The leader of a session open on this kiosk signs out. */
export async function signOut(device: EnrolledDevice, session: DutySession): Promise<void> {
  await writing(device, () =>
    device.store.duty.signOut(writer(device), session.leaderId, {
      sessionId: session.id,
      reason: 'manual',
    }),
  );
  await device.wroteDuty();
}
