import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { EnrolledDevice } from '../../src/app/device';
import type { Device } from '../../src/app/device-api';
import { newId } from '../../src/domain/ids';
import { LOCKOUT_MS } from '../../src/domain/pin';
import { DutyState } from '../../src/screens/duty/duty-state.svelte';
import { LedgerDraft } from '../../src/screens/duty/ledger-draft.svelte';
import { Later } from '../../src/screens/duty/later.svelte';
import { remainingText } from '../../src/screens/pin-entry.svelte';
import { EvaluatorState } from '../../src/screens/evaluator/evaluator-state.svelte';
import { manualTime } from './manual-time';
import {
  EventSource,
  ManualClock,
  PIN,
  at,
  makeHall,
  openHallDevice,
  type Kiosk,
} from '../storage/duty-fixtures';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function started(
  clock = new ManualClock(at('09:30')),
  parts?: ConstructorParameters<typeof DutyState>[0]['parts'],
) {
  const hall = makeHall();
  const k = await openHallDevice(hall, clock, 'duty_kiosk');
  const timers = manualTime(clock).timers;
  const reopen = () => EnrolledDevice.open(k.credentials, k.settings, k.options);
  const state = new DutyState({
    openDevice: () => Promise.resolve(k.device),
    timers,
    now: clock.now,
    ...(parts ? { parts } : {}),
  });
  cleanup.push(() => state.stop());
  await state.start();
  return { hall, k, clock, timers, state, reopen };
}

async function typePin(state: DutyState, pin: string) {
  for (const d of pin) state.pin!.pressDigit(d);
  await state.submitPin();
}

describe('duty kiosk screen state', () => {
  it('tells a browser that is not enrolled, or enrolled for something else', async () => {
    const none = new DutyState({ openDevice: () => Promise.resolve(null) });
    await none.start();
    expect(none.phase).toBe('notEnrolled');

    const hall = makeHall();
    const evaluator: Kiosk = await openHallDevice(hall, new ManualClock(at('09:30')), 'evaluator');
    const wrong = new DutyState({ openDevice: () => Promise.resolve(evaluator.device) });
    cleanup.push(() => wrong.stop());
    await wrong.start();
    expect(wrong.phase).toBe('wrongRole');
    expect(wrong.role).toBe('evaluator');
  });

  it('shows today, signs a leader in after a wrong PIN, and marks the shift signed in', async () => {
    const { hall, state } = await started();
    expect(state.phase).toBe('ready');
    expect(state.date).toBe('2026-03-02');
    expect(state.schedule.map((s) => [s.shift.id, s.sessionId])).toEqual([[hall.shiftId, null]]);
    expect(state.leaders.map((l) => l.title).sort()).toEqual(
      ['医保局局长', '社保局副局长', '税务局局长'].sort(),
    );

    await state.chooseLeader(hall.leaderId, { shiftId: hall.shiftId });
    expect(state.view).toBe('pin');
    expect(state.selectedLeader?.title).toBe('税务局局长');

    state.pin!.pressDigit('1');
    state.pin!.pressDigit('2');
    await state.submitPin();
    expect(state.pin!.problem).toEqual({ code: 'pin_format' });
    state.pin!.clear();

    await typePin(state, '1111');
    expect(state.pin!.problem).toEqual({ code: 'wrong_pin', failuresLeft: 4 });
    expect(state.pin!.length).toBe(0);
    expect(state.view).toBe('pin');

    await typePin(state, PIN);
    expect(state.view).toBe('session');
    expect(state.session).toMatchObject({ leaderId: hall.leaderId, shiftId: hall.shiftId });
    expect(state.schedule[0]!.sessionId).toBe(state.session!.id);
    expect(state.isSignedIn(hall.leaderId)).toBe(true);
  });

  it('keeps the ledger: a number for people served, a text for feedback, follow-up as a problem', async () => {
    const { hall, k, state } = await started();
    await state.chooseLeader(hall.leaderId);
    await typePin(state, PIN);
    const line = new LedgerDraft(state);

    await line.add();
    expect(line.problem).toBe('count_required');
    line.count = '7';
    await line.add();
    expect(line.problem).toBeNull();
    expect(line.saved).toBe(true);
    expect(state.session?.served).toBe(7);

    line.kind = 'complaint';
    line.followUp = true;
    await line.add();
    expect(line.problem).toBe('text_required');
    line.text = '窗口排队时间过长';
    await line.add();
    expect(state.ledger.map((l) => [l.kind, l.needsFollowUp])).toEqual([
      ['served', false],
      ['complaint', true],
    ]);
    expect(state.session?.complaints).toBe(1);
    const types = (await k.device.store.log.all()).map((e) => e.type);
    expect(types).toEqual([
      'duty.signedIn',
      'duty.ledgerEntry',
      'duty.ledgerEntry',
      'problem.recorded',
    ]);

    // Follow-up is offered only for complaints and suggestions.
    line.kind = 'suggestion';
    line.followUp = true;
    line.kind = 'solved';
    expect(line.followUp).toBe(false);
    line.followUp = true;
    expect(line.followUp).toBe(false);
  });

  it('signs out only after confirming, and returns to the schedule', async () => {
    const { hall, state } = await started();
    await state.chooseLeader(hall.deputyId);
    await typePin(state, '1357');
    expect(state.session?.shiftId).toBeNull();
    state.askSignOut();
    expect(state.confirmingSignOut).toBe(true);
    state.cancelSignOut();
    expect(state.view).toBe('session');
    state.askSignOut();
    await state.confirmSignOut();
    expect(state.view).toBe('home');
    expect(state.openSessions).toEqual([]);
  });

  it('counts a lockout down by the second, and still shows it after a reload', async () => {
    const { hall, state, clock, timers, reopen } = await started();
    await state.chooseLeader(hall.leaderId);
    for (let i = 0; i < 4; i++) await typePin(state, '0000');
    expect(state.pin!.problem).toEqual({ code: 'wrong_pin', failuresLeft: 1 });
    await typePin(state, '0000');
    expect(state.pin!.locked).toBe(true);
    expect(state.pin!.remainingMs).toBe(LOCKOUT_MS);
    expect(remainingText(state.pin!.remainingMs)).toBe('5:00');
    // The pad takes no digits while locked.
    state.pin!.pressDigit('1');
    expect(state.pin!.length).toBe(0);

    // Someone keeps looking at the countdown (touches keep the step from going idle).
    for (const step of [20_000, 20_000, 21_000]) {
      timers.advance(step);
      state.touch();
    }
    expect(remainingText(state.pin!.remainingMs)).toBe('3:59');
    // Left alone, the kiosk goes back to the schedule; the lock stays with the leader.
    timers.advance(30_000);
    expect(state.view).toBe('home');
    await state.chooseLeader(hall.leaderId);
    expect(remainingText(state.pin!.remainingMs)).toBe('3:29');

    // Reload: a new screen over the same kiosk storage.
    state.stop();
    const again = new DutyState({ openDevice: reopen, timers, now: clock.now });
    cleanup.push(() => again.stop());
    await again.start();
    await again.chooseLeader(hall.leaderId);
    expect(again.pin!.locked).toBe(true);
    expect(again.pin!.remainingMs).toBe(LOCKOUT_MS - 91_000);
    await typePin(again, PIN);
    expect(again.view).toBe('pin');

    // Watched until the lock ends, the pad takes a PIN again by itself.
    while (again.pin!.locked) {
      timers.advance(20_000);
      again.touch();
    }
    expect(again.view).toBe('pin');
    expect(again.pin!.problem).toBeNull();
    await typePin(again, PIN);
    expect(again.view).toBe('session');
  });

  it('finds a leader by badge code, and says so when no badge matches', async () => {
    const { hall, k, state } = await started();
    state.badge = 'NOPE-9';
    await state.useBadge();
    expect(state.badgeUnknown).toBe(true);
    expect(state.view).toBe('home');
    await state.useBadge('TAX-01');
    expect(state.view).toBe('pin');
    expect(state.selectedLeader?.id).toBe(hall.leaderId);
    await typePin(state, PIN);
    const [entry] = await k.device.store.log.all();
    expect((entry!.event.payload as { method: string }).method).toBe('badge_pin');
  });

  it('returns an untouched PIN step to the schedule after the idle time', async () => {
    const { hall, state, timers } = await started();
    await state.chooseLeader(hall.leaderId);
    state.pin!.pressDigit('1');
    timers.advance(29_000);
    state.touch();
    timers.advance(29_000);
    expect(state.view).toBe('pin');
    timers.advance(2_000);
    expect(state.view).toBe('home');
    expect(state.pin!.length).toBe(0);
  });

  it('keeps the schedule with a message when the PIN pad cannot load, and loads it at the next tap', async () => {
    let pinLoads = 0;
    let offline = true;
    const pin = new Later(() => {
      pinLoads++;
      return offline
        ? Promise.reject(new TypeError('Failed to fetch dynamically imported module'))
        : Promise.resolve({ default: 'PinPad' });
    });
    const session = new Later(() => Promise.resolve({ default: 'SessionView' }));
    const { hall, state } = await started(undefined, { pin, session });

    await state.chooseLeader(hall.leaderId, { shiftId: hall.shiftId });
    expect(pinLoads).toBe(1);
    expect(state.view).toBe('home');
    expect(state.cannotOpen).toBe(true);
    expect(pin.component).toBeNull();
    expect(state.schedule.map((s) => s.sessionId)).toEqual([null]);

    // The next tap tries again; once the code is in, the pad shows and the message is gone.
    offline = false;
    await state.chooseLeader(hall.leaderId, { shiftId: hall.shiftId });
    expect(pinLoads).toBe(2);
    expect(state.view).toBe('pin');
    expect(state.cannotOpen).toBe(false);
    expect(pin.component).toBe('PinPad');
    await typePin(state, PIN);
    expect(state.view).toBe('session');
    expect(session.component).toBe('SessionView');
  });

  it('goes back to the schedule, the leader still signed in, when the session view cannot load', async () => {
    const pin = new Later(() => Promise.resolve({ default: 'PinPad' }));
    let sessionLoads = 0;
    const session = new Later(() => {
      sessionLoads++;
      return Promise.reject(new TypeError('Failed to fetch dynamically imported module'));
    });
    const { hall, state } = await started(undefined, { pin, session });
    await state.chooseLeader(hall.leaderId, { shiftId: hall.shiftId });
    expect(state.view).toBe('pin');
    await typePin(state, PIN);
    await expect.poll(() => state.view).toBe('home');
    expect(state.cannotOpen).toBe(true);
    expect(sessionLoads).toBe(2);
    expect(state.isSignedIn(hall.leaderId)).toBe(true);
  });

  it('tells the evaluator which leader is on duty for its window', async () => {
    const hall = makeHall();
    const sessionId = newId();
    const clock = new ManualClock(at('10:00'));
    const evaluator = await openHallDevice(hall, clock, 'evaluator', (source) => {
      const kiosk = new EventSource(hall.hallId, newId(), source.now);
      kiosk.seq = source.seq;
      return [
        kiosk.make('duty.signedIn', {
          sessionId,
          leaderId: hall.leaderId,
          departmentId: hall.departmentId,
          windowId: null,
          shiftId: null,
          method: 'pin',
          pinVersion: 1,
          pinProof: 'b'.repeat(64),
        }),
      ];
    });
    const state = new EvaluatorState({
      openDevice: () => Promise.resolve(evaluator.device as Device),
      updates: { onWaiting: () => () => {}, apply: () => Promise.resolve() },
      timers: manualTime(clock).timers,
    });
    cleanup.push(() => state.stop());
    await state.start();
    expect(state.dutyLeader?.title).toBe('税务局局长');

    clock.ms = at('10:00', '2026-03-03');
    await evaluator.device.refreshDuty();
    expect(state.dutyLeader).toBeNull();
  });
});
