/**
 * The duty kiosk (局长坐班) on an enrolled device: today's schedule, offline PIN sign-in with the
 * lockout, the ledger and sign-out, and the end-of-day closing of sessions left open here.
 */
import { openSessionsAt, type DutySession } from '../domain/duty';
import type { Id } from '../domain/ids';
import { newId } from '../domain/ids';
import { pinProof } from '../domain/pin';
import type { Leader } from '../domain/reference';
import { hallDate, hallMinutes, clockMinutes } from '../domain/schedule';
import {
  SignInError,
  WriteError,
  type DutyKiosk,
  type LedgerInput,
  type LedgerLine,
  type PinLockout,
  type ScheduledDuty,
  type SignInOptions,
  type Unsubscribe,
} from './device-api';
import type { EnrolledDevice } from './device';

/** The PIN check, loaded when a leader first chooses themself rather than with the schedule. */
const leaderPin = () => import('./leader-pin');

/** The duty kiosk API of one enrolled device (see DutyKiosk in device-api.ts). */
export class KioskDuty implements DutyKiosk {
  constructor(private readonly device: EnrolledDevice) {}

  get #writer() {
    const { hallId, deviceId } = this.device.credentials;
    return { hallId, deviceId };
  }

  async today(): Promise<{ date: string; shifts: ScheduledDuty[] }> {
    const date = hallDate(this.device.now());
    const sessions = this.device.sessions;
    const shifts = Object.values(this.device.reference.shifts ?? {})
      .filter((s) => s.date === date && s.active && s.published)
      .sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id))
      .map((shift) => ({
        shift,
        sessionId: sessions.find((s) => s.shiftId === shift.id)?.id ?? null,
      }));
    return { date, shifts };
  }

  leaders(): Leader[] {
    return Object.values(this.device.reference.leaders).filter((l) => l.active);
  }

  leaderByBadge(code: string): Leader | null {
    const wanted = code.trim();
    if (!wanted) return null;
    return this.leaders().find((l) => l.badgeCode === wanted) ?? null;
  }

  async hasPin(leaderId: Id): Promise<boolean> {
    const { hasLeaderPin } = await leaderPin();
    return hasLeaderPin(this.device.store, leaderId);
  }

  async lockout(leaderId: Id): Promise<PinLockout> {
    const { leaderLockout } = await leaderPin();
    return leaderLockout(this.device.store, leaderId, this.device.now());
  }

  async signIn(leaderId: Id, pin: string, options: SignInOptions): Promise<DutySession> {
    const { store } = this.device;
    const leader = this.device.reference.leaders[leaderId];
    if (!leader || !leader.active) throw new SignInError('unknown_leader');
    const { verifyLeaderPin } = await leaderPin();
    const check = await verifyLeaderPin(store, leaderId, pin, () => this.device.now());

    // Signing in twice on this kiosk resumes the open session rather than starting another.
    const open = (await this.openSessions()).find((s) => s.leaderId === leaderId);
    if (open) return open;

    const shift = this.#shiftFor(leaderId, options.shiftId);
    const eventId = newId();
    const sessionId = newId();
    const proof = await pinProof(check.hash, eventId);
    try {
      await store.duty.signIn(
        this.#writer,
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
      );
    } catch (error) {
      this.#storageFull(error);
      throw error;
    }
    await this.device.wroteDuty();
    const session = await store.duty.session(sessionId);
    if (!session) throw new WriteError('storage_unavailable', 'the session was not stored');
    return session;
  }

  /** The scheduled shift a sign-in attends: the one asked for, else the leader's nearest today. */
  #shiftFor(leaderId: Id, shiftId: Id | null | undefined) {
    const ref = this.device.reference;
    const nowMs = this.device.now();
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

  async openSessions(): Promise<DutySession[]> {
    const { deviceId } = this.device.credentials;
    const sessions = await this.device.store.duty.sessions();
    return openSessionsAt(sessions, this.device.now())
      .filter((s) => s.deviceId === deviceId)
      .reverse();
  }

  async session(sessionId: Id): Promise<DutySession | null> {
    return (await this.device.store.duty.session(sessionId)) ?? null;
  }

  async ledger(sessionId: Id): Promise<LedgerLine[]> {
    return this.device.store.duty.ledger(sessionId);
  }

  async addLedgerEntry(sessionId: Id, input: LedgerInput): Promise<LedgerLine> {
    const { store } = this.device;
    const session = await this.#openHere(sessionId);
    const entryId = newId();
    const text = input.text.trim();
    const followUp =
      input.needsFollowUp && (input.kind === 'complaint' || input.kind === 'suggestion');
    const entry = {
      sessionId,
      entryId,
      kind: input.kind,
      count: input.count,
      text,
      needsFollowUp: followUp,
    };
    try {
      const [event] = await store.duty.addLedgerEntry(
        this.#writer,
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
      );
      await this.device.wroteDuty();
      return { ...entry, at: event!.at };
    } catch (error) {
      this.#storageFull(error);
      throw error;
    }
  }

  async signOut(sessionId: Id): Promise<void> {
    const session = await this.#openHere(sessionId);
    try {
      await this.device.store.duty.signOut(this.#writer, session.leaderId, {
        sessionId,
        reason: 'manual',
      });
    } catch (error) {
      this.#storageFull(error);
      throw error;
    }
    await this.device.wroteDuty();
  }

  async closeStale(): Promise<number> {
    const { deviceId } = this.device.credentials;
    const today = hallDate(this.device.now());
    const stale = (await this.device.store.duty.sessions()).filter(
      (s) =>
        s.deviceId === deviceId &&
        s.signedOutAt === null &&
        hallDate(Date.parse(s.signedInAt)) < today,
    );
    for (const s of stale) {
      await this.device.store.duty.signOut(this.#writer, null, {
        sessionId: s.id,
        reason: 'end_of_day',
      });
    }
    if (stale.length > 0) await this.device.wroteDuty();
    else await this.device.refreshDuty();
    return stale.length;
  }

  onChange(cb: () => void): Unsubscribe {
    return this.device.onDutyChange(cb);
  }

  async #openHere(sessionId: Id): Promise<DutySession> {
    const session = await this.device.store.duty.session(sessionId);
    if (
      !session ||
      session.signedOutAt !== null ||
      session.deviceId !== this.device.credentials.deviceId
    )
      throw new SignInError('session_closed');
    return session;
  }

  #storageFull(error: unknown): void {
    if (error instanceof WriteError && error.code === 'storage_full')
      this.device.status.update({ storageFull: true });
  }
}
