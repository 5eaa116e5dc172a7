/**
 * 局长坐班终端: today's schedule, a leader signs in by choosing themself (or their badge) and a
 * PIN checked on the kiosk, keeps the duty ledger while signed in, and signs out. Everything runs
 * offline; the device layer syncs in the background.
 */
import {
  WriteError,
  type Device,
  type DutyKiosk,
  type DutySession,
  type LedgerInput,
  type LedgerLine,
  type ScheduledDuty,
  type Unsubscribe,
} from '../../app/device-api';
import type { Id } from '../../domain/ids';
import type { Leader } from '../../domain/reference';
import { KioskState, type KioskDeps, type KioskPhase } from '../kiosk-state.svelte';
import type { PinEntry } from '../pin-entry.svelte';

export type DutyPhase = KioskPhase;
export type DutyView = 'home' | 'pin' | 'session';

/** Why a ledger line or a sign-out was not written. */
export type WriteProblem = 'storage_full' | 'storage';

/** A part of the screen whose code loads when first wanted (see `Later`). */
export interface ScreenPart {
  want(): Promise<unknown>;
}

export interface DutyDeps extends KioskDeps {
  /**
   * The PIN pad and the session view, when their code is not loaded with the schedule: they are
   * wanted when a leader needs them, and one that cannot load takes the kiosk back to the
   * schedule with a message (tried again at the next tap).
   */
  parts?: { pin: ScreenPart; session: ScreenPart };
}

function writeProblem(error: unknown): WriteProblem {
  return error instanceof WriteError && error.code === 'storage_full' ? 'storage_full' : 'storage';
}

export class DutyState extends KioskState {
  /** The PIN pad's state, made when a leader first chooses themself (its code loads then). */
  #pin = $state.raw<PinEntry | null>(null);
  #pinLoad: Promise<PinEntry> | null = null;
  #duty: DutyKiosk | null = null;
  #parts: DutyDeps['parts'];

  #view = $state<DutyView>('home');
  #today = $state.raw<{ date: string; shifts: ScheduledDuty[] }>({ date: '', shifts: [] });
  #open = $state.raw<DutySession[]>([]);

  #leaderId = $state<Id | null>(null);
  #method = $state<'pin' | 'badge_pin'>('pin');
  #shiftId = $state<Id | null>(null);
  #busy = $state(false);
  #badge = $state('');
  #badgeUnknown = $state(false);

  #session = $state.raw<DutySession | null>(null);
  #ledger = $state.raw<LedgerLine[]>([]);
  #signOutProblem = $state<WriteProblem | null>(null);
  #confirmingSignOut = $state(false);
  #cannotOpen = $state(false);

  constructor(deps: DutyDeps) {
    super(deps);
    this.#parts = deps.parts;
  }

  get view(): DutyView {
    return this.#view;
  }
  get date(): string {
    return this.#today.date;
  }
  get schedule(): ScheduledDuty[] {
    return this.#today.shifts;
  }
  /** Sessions open on this kiosk: their leaders are shown as signed in. */
  get openSessions(): DutySession[] {
    return this.#open;
  }
  /** Active leaders, by their department's order, then title. */
  get leaders(): Leader[] {
    const ref = this.reference;
    if (!ref) return [];
    const sort = (l: Leader) => ref.departments[l.departmentId]?.sort ?? 0;
    return Object.values(ref.leaders)
      .filter((l) => l.active)
      .sort((a, b) => sort(a) - sort(b) || a.title.localeCompare(b.title));
  }
  leader(id: Id | null | undefined): Leader | null {
    return (id && this.reference?.leaders[id]) || null;
  }
  department(id: Id | null | undefined) {
    return (id && this.reference?.departments[id]) || null;
  }
  window(id: Id | null | undefined) {
    return (id && this.reference?.windows[id]) || null;
  }
  isSignedIn(leaderId: Id): boolean {
    return this.#open.some((s) => s.leaderId === leaderId);
  }

  get selectedLeader(): Leader | null {
    return this.leader(this.#leaderId);
  }
  /** The PIN pad of the chosen leader. */
  get pin(): PinEntry | null {
    return this.#pin;
  }
  get busy(): boolean {
    return this.#busy || (this.#pin?.busy ?? false);
  }
  get badge(): string {
    return this.#badge;
  }
  set badge(value: string) {
    this.#badge = value;
    this.#badgeUnknown = false;
  }
  get badgeUnknown(): boolean {
    return this.#badgeUnknown;
  }

  get session(): DutySession | null {
    return this.#session;
  }
  get ledger(): LedgerLine[] {
    return this.#ledger;
  }
  /** Why the last sign-out was not written. */
  get signOutProblem(): WriteProblem | null {
    return this.#signOutProblem;
  }
  get confirmingSignOut(): boolean {
    return this.#confirmingSignOut;
  }
  /** What a leader's tap should have opened could not be loaded: the schedule says so. */
  get cannotOpen(): boolean {
    return this.#cannotOpen;
  }

  /** Load, while nobody waits, what a leader's tap will need. */
  prepare(): void {
    this.#pinEntry().catch(() => {});
    this.#duty?.prepare().catch(() => {});
  }
  protected override attach(device: Device): 'wrongRole' | null {
    if (device.credentials.role !== 'duty_kiosk' || !device.duty) return 'wrongRole';
    this.#duty = device.duty;
    return null;
  }
  protected override watch(): Unsubscribe[] {
    return this.#duty ? [this.#duty.onChange(() => void this.refresh())] : [];
  }
  protected override referenceChanged(): void {
    void this.refresh();
  }
  protected override detach(): void {
    this.#pin?.stop();
    this.#duty = null;
  }

  /** Re-read today's schedule, the open sessions and the shown session's ledger. */
  override async refresh(): Promise<void> {
    const duty = this.#duty;
    if (!duty) return;
    const [today, open] = await Promise.all([duty.today(), duty.openSessions()]);
    this.#today = today;
    this.#open = open;
    const shown = this.#session;
    if (shown) {
      const [session, ledger] = await Promise.all([duty.session(shown.id), duty.ledger(shown.id)]);
      this.#session = session;
      this.#ledger = ledger;
      if (!session || session.signedOutAt !== null) this.home();
    }
  }

  /** A leader chose themself (from the schedule or the list): ask for the PIN. */
  async chooseLeader(
    leaderId: Id,
    options: { shiftId?: Id | null; method?: 'pin' | 'badge_pin' } = {},
  ): Promise<void> {
    const duty = this.#duty;
    if (!duty) return;
    this.#leaderId = leaderId;
    this.#shiftId = options.shiftId ?? null;
    this.#method = options.method ?? 'pin';
    this.#pin?.reset();
    this.#cannotOpen = false;
    this.#view = 'pin';
    this.restartIdle();
    // The session view follows the PIN: it loads meanwhile.
    this.#parts?.session.want().catch(() => {});
    let lockout, pin;
    try {
      [lockout, pin] = await Promise.all([
        duty.lockout(leaderId),
        this.#pinEntry(),
        this.#parts?.pin.want(),
      ]);
    } catch {
      // Unless the kiosk has moved on meanwhile (back, or another leader).
      if (this.#view === 'pin' && this.#leaderId === leaderId) this.#notOpened();
      return;
    }
    if (lockout.locked) pin.lock(lockout.remainingMs);
  }

  /** A badge was scanned or typed: find its leader. */
  async useBadge(code = this.#badge): Promise<void> {
    const leader = this.#duty?.leaderByBadge(code) ?? null;
    if (!leader) {
      this.#badgeUnknown = true;
      return;
    }
    this.#badge = '';
    this.#badgeUnknown = false;
    await this.chooseLeader(leader.id, { method: 'badge_pin' });
  }

  /** Sign the chosen leader in with the PIN typed on the pad. */
  async submitPin(): Promise<void> {
    const duty = this.#duty;
    const leaderId = this.#leaderId;
    const pin = this.#pin;
    if (!duty || !leaderId || !pin || this.busy) return;
    const options = { method: this.#method, shiftId: this.#shiftId };
    await pin.submit(async (pin) => this.#show(await duty.signIn(leaderId, pin, options)));
  }

  /** Back to the schedule (a signed-in leader stays signed in). */
  home(): void {
    this.#view = 'home';
    this.#leaderId = null;
    this.#pin?.reset();
    this.#session = null;
    this.#ledger = [];
    this.#confirmingSignOut = false;
    this.#signOutProblem = null;
    this.idle.clear();
  }

  /**
   * Write a line to the shown session's ledger (the form checks it first; see LedgerDraft).
   * Resolves with null once written, or with why it was not.
   */
  async addLine(input: LedgerInput): Promise<WriteProblem | null> {
    const duty = this.#duty;
    const session = this.#session;
    if (!duty || !session) return 'storage';
    this.#busy = true;
    try {
      await duty.addLedgerEntry(session.id, input);
      await this.refresh();
      return null;
    } catch (error) {
      return writeProblem(error);
    } finally {
      this.#busy = false;
      this.restartIdle();
    }
  }

  askSignOut(): void {
    this.#signOutProblem = null;
    this.#confirmingSignOut = true;
    this.restartIdle();
  }
  cancelSignOut(): void {
    this.#confirmingSignOut = false;
    this.restartIdle();
  }
  async confirmSignOut(): Promise<void> {
    const duty = this.#duty;
    const session = this.#session;
    if (!duty || !session || this.busy) return;
    this.#busy = true;
    try {
      await duty.signOut(session.id);
      this.home();
      await this.refresh();
    } catch (error) {
      this.#signOutProblem = writeProblem(error);
      this.#confirmingSignOut = false;
    } finally {
      this.#busy = false;
    }
  }

  async #show(session: DutySession): Promise<void> {
    this.#session = session;
    this.#ledger = (await this.#duty?.ledger(session.id)) ?? [];
    this.#view = 'session';
    this.#leaderId = session.leaderId;
    this.#signOutProblem = null;
    this.#parts?.session.want().catch(() => {
      if (this.#view === 'session' && this.#session?.id === session.id) this.#notOpened();
    });
    await this.refresh();
  }

  /** The PIN pad's state, its code loaded once (a failed load is tried again next time). */
  #pinEntry(): Promise<PinEntry> {
    this.#pinLoad ??= import('../pin-entry.svelte').then(
      ({ PinEntry }) =>
        (this.#pin = new PinEntry({
          accepting: () => this.#view === 'pin' && !this.#busy,
          onActivity: () => this.restartIdle(),
          timers: this.timers,
          now: this.now,
        })),
      (error: unknown) => {
        this.#pinLoad = null;
        throw error;
      },
    );
    return this.#pinLoad;
  }

  /** Back to the schedule, saying that what was tapped could not open (a leader stays signed in). */
  #notOpened(): void {
    this.home();
    this.#cannotOpen = true;
  }

  /** Away from the schedule, an untouched kiosk returns to it (the leader stays signed in). */
  protected override restartIdle(): void {
    this.idle.clear();
    if (this.phase !== 'ready' || this.stopped || this.#view === 'home') return;
    this.idle.set(this.idleMs * (this.#view === 'session' ? 4 : 1), () => this.home());
  }
}
