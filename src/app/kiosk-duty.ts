/**
 * The duty kiosk (局长坐班) on an enrolled device: today's schedule, offline PIN sign-in with the
 * lockout, the ledger and sign-out, and the end-of-day closing of sessions left open here.
 */
import { openSessionsAt, type DutySession } from '../domain/duty';
import type { Id } from '../domain/ids';
import type { Leader } from '../domain/reference';
import { hallDate } from '../domain/schedule';
import {
  SignInError,
  type DutyKiosk,
  type LedgerInput,
  type LedgerLine,
  type PinLockout,
  type ScheduledDuty,
  type SignInOptions,
  type Unsubscribe,
} from './device-api';
import type { EnrolledDevice } from './device';

/**
 * What a leader does once they have chosen themself (the PIN check, signing in, the ledger,
 * signing out): loaded then, or earlier when asked to be ready, rather than with the schedule. A
 * load that failed is tried again next time.
 */
let leaderCode: Promise<typeof import('./duty-leader')> | null = null;
function duty() {
  leaderCode ??= import('./duty-leader').catch((error: unknown) => {
    leaderCode = null;
    throw error;
  });
  return leaderCode;
}

/** The duty kiosk API of one enrolled device (see DutyKiosk in device-api.ts). */
export class KioskDuty implements DutyKiosk {
  constructor(private readonly device: EnrolledDevice) {}

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

  async prepare(): Promise<void> {
    await duty();
  }

  async hasPin(leaderId: Id): Promise<boolean> {
    return (await duty()).hasLeaderPin(this.device.store, leaderId);
  }

  async lockout(leaderId: Id): Promise<PinLockout> {
    return (await duty()).leaderLockout(this.device.store, leaderId, this.device.now());
  }

  async signIn(leaderId: Id, pin: string, options: SignInOptions): Promise<DutySession> {
    return (await duty()).signIn(this.device, leaderId, pin, options, () => this.openSessions());
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
    const session = await this.#openHere(sessionId);
    return (await duty()).addLedgerEntry(this.device, session, input);
  }

  async signOut(sessionId: Id): Promise<void> {
    const session = await this.#openHere(sessionId);
    await (await duty()).signOut(this.device, session);
  }

  async closeStale(): Promise<number> {
    const { hallId, deviceId } = this.device.credentials;
    const today = hallDate(this.device.now());
    const stale = (await this.device.store.duty.sessions()).filter(
      (s) =>
        s.deviceId === deviceId &&
        s.signedOutAt === null &&
        hallDate(Date.parse(s.signedInAt)) < today,
    );
    for (const s of stale) {
      await this.device.store.duty.signOut({ hallId, deviceId }, null, {
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
}
