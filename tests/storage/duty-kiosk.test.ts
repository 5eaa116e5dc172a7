import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { SignInError, WriteError } from '../../src/app/device-api';
import type { EnrolledDevice } from '../../src/app/device';
import { eventHash } from '../../src/domain/device';
import { endOfDayMs } from '../../src/domain/duty';
import type { EventEnvelope } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { LOCKOUT_MS, pinHash, verifyPinProof } from '../../src/domain/pin';
import {
  DAY,
  EventSource,
  ManualClock,
  PIN,
  TEST_ITERATIONS,
  at,
  makeHall,
  openHallDevice,
  rosterPin,
  type Hall,
  type Kiosk,
} from './duty-fixtures';

const running: Kiosk[] = [];
afterEach(() => {
  for (const k of running.splice(0)) k.device.stop();
});

async function kiosk(hall = makeHall(), clock = new ManualClock(at('09:30'))) {
  const k = await openHallDevice(hall, clock, 'duty_kiosk');
  running.push(k);
  return { k, hall, clock, duty: k.device.duty! };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => {
      if (e instanceof SignInError) return e;
      throw e;
    },
  );

function log(device: EnrolledDevice) {
  return device.store.log.all();
}

describe('offline PIN sign-in', () => {
  it('refuses a wrong PIN with the failures left, then signs in with the right one', async () => {
    const { k, hall, duty } = await kiosk();
    const wrong = await refusal(duty.signIn(hall.leaderId, '0000', { method: 'pin' }));
    expect(wrong).toMatchObject({ code: 'wrong_pin', failuresLeft: 4 });
    expect(await log(k.device)).toHaveLength(0);

    const session = await duty.signIn(hall.leaderId, PIN, { method: 'pin' });
    expect(session).toMatchObject({
      leaderId: hall.leaderId,
      departmentId: hall.departmentId,
      windowId: hall.windowId,
      shiftId: hall.shiftId,
      signedOutAt: null,
      deviceId: k.credentials.deviceId,
    });
    // A right PIN clears the count of wrong ones.
    expect(await duty.lockout(hall.leaderId)).toMatchObject({ locked: false, failuresLeft: 5 });

    const [entry] = await log(k.device);
    const event = entry!.event as EventEnvelope<'duty.signedIn'>;
    expect(event.type).toBe('duty.signedIn');
    expect(event.actorId).toBe(hall.leaderId);
    expect(event.payload).toMatchObject({ sessionId: session.id, method: 'pin', pinVersion: 1 });
    // The server can check the proof against its own copy of the hash.
    const hash = (await rosterPin(hall.leaderId, PIN)).hash;
    expect(await verifyPinProof(hash, event.id, event.payload.pinProof)).toBe(true);
    expect(await verifyPinProof(hash, newId(), event.payload.pinProof)).toBe(false);

    // The schedule shows the shift attended; the kiosk lists the open session.
    const today = await duty.today();
    expect(today.date).toBe(DAY);
    expect(today.shifts.map((s) => [s.shift.id, s.sessionId])).toEqual([
      [hall.shiftId, session.id],
    ]);
    expect((await duty.openSessions()).map((s) => s.id)).toEqual([session.id]);
  });

  it('marks a sign-in without a shift today as unscheduled, and knows badges', async () => {
    const { hall, duty } = await kiosk();
    expect(duty.leaderByBadge(' TAX-01 ')?.id).toBe(hall.leaderId);
    expect(duty.leaderByBadge('NOPE')).toBeNull();
    const session = await duty.signIn(hall.deputyId, '1357', { method: 'badge_pin' });
    expect(session).toMatchObject({
      shiftId: null,
      windowId: null,
      departmentId: hall.departmentId,
    });
  });

  it('does not count a draft shift as scheduled duty', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('09:30'));
    const k = await openHallDevice(hall, clock, 'duty_kiosk', (source) => [
      source.make('ref.dutyShiftSaved', {
        shiftId: newId(),
        leaderId: hall.deputyId,
        departmentId: hall.departmentId,
        windowId: hall.otherWindowId,
        date: DAY,
        start: '09:00',
        end: '12:00',
        published: false,
        active: true,
      }),
    ]);
    running.push(k);
    expect((await k.device.duty!.today()).shifts).toHaveLength(1);
    const session = await k.device.duty!.signIn(hall.deputyId, '1357', { method: 'pin' });
    expect(session).toMatchObject({ shiftId: null, windowId: null });
  });

  it('says when no PIN is known for a leader, and counts no failure for it', async () => {
    const { hall, duty } = await kiosk();
    expect(await duty.hasPin(hall.noPinId)).toBe(false);
    expect(await refusal(duty.signIn(hall.noPinId, '1234', { method: 'pin' }))).toMatchObject({
      code: 'no_pin',
    });
    expect(await duty.lockout(hall.noPinId)).toMatchObject({ failuresLeft: 5 });
  });

  it('locks a leader after five wrong PINs for five minutes, across a reload', async () => {
    const { k, hall, clock } = await kiosk();
    let duty = k.device.duty!;
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.ms += 1_000;
      codes.push((await refusal(duty.signIn(hall.leaderId, '9999', { method: 'pin' })))!.code);
    }
    expect(codes).toEqual(['wrong_pin', 'wrong_pin', 'wrong_pin', 'wrong_pin', 'locked']);
    const lockedAt = clock.ms;

    // The right PIN does not help while locked, and the lock survives a reload.
    clock.ms += 60_000;
    duty = (await k.reopen()).duty!;
    const locked = await refusal(duty.signIn(hall.leaderId, PIN, { method: 'pin' }));
    expect(locked).toMatchObject({ code: 'locked', remainingMs: LOCKOUT_MS - 60_000 });
    expect(await duty.lockout(hall.leaderId)).toMatchObject({ locked: true });
    // Another leader on the same kiosk is not locked.
    expect(await duty.lockout(hall.deputyId)).toMatchObject({ locked: false });
    expect(await log(k.device)).toHaveLength(0);

    clock.ms = lockedAt + LOCKOUT_MS;
    const session = await duty.signIn(hall.leaderId, PIN, { method: 'pin' });
    expect(session.leaderId).toBe(hall.leaderId);
  });

  it('keeps the PIN hashes only peppered, under a non-extractable key of the kiosk', async () => {
    const { k, hall } = await kiosk();
    const { db } = k.device.store;
    const row = (await db.pins.get(hall.leaderId))!;
    const hash = await pinHash(PIN, row.salt, TEST_ITERATIONS);
    expect(row).not.toHaveProperty('hash');
    expect(JSON.stringify(await db.pins.toArray())).not.toContain(hash);
    expect(row.peppered).toMatch(/^[0-9a-f]{64}$/);
    const key = await db.getMeta('pinPepper');
    expect(key).toBeInstanceOf(CryptoKey);
    expect(key!.extractable).toBe(false);
    // A new roster replaces the old: a leader dropped from it loses the PIN here.
    await k.device.store.savePins([await rosterPin(hall.deputyId, '1357', 2)]);
    expect(await k.device.duty!.hasPin(hall.leaderId)).toBe(false);
    expect((await db.pins.get(hall.deputyId))!.version).toBe(2);
  });
});

describe('duty records', () => {
  it('writes the sign-in event and the session in one transaction', async () => {
    const { k, hall, duty } = await kiosk();
    const { db } = k.device.store;
    db.dutySessions.hook('creating', () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const error = await duty.signIn(hall.leaderId, PIN, { method: 'pin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).code).toBe('storage_full');
    expect(await db.log.count()).toBe(0);
    expect(await db.dutySessions.count()).toBe(0);
    expect(await db.getMeta('head')).toBeUndefined();
  });

  it('writes a ledger line, and a follow-up as a problem in the same transaction', async () => {
    const { k, hall, duty } = await kiosk();
    const session = await duty.signIn(hall.leaderId, PIN, { method: 'pin' });
    await duty.addLedgerEntry(session.id, {
      kind: 'served',
      count: 12,
      text: '',
      needsFollowUp: false,
    });
    await duty.addLedgerEntry(session.id, {
      kind: 'solved',
      count: 1,
      text: '当场解决发票打印问题',
      needsFollowUp: false,
    });
    const complaint = await duty.addLedgerEntry(session.id, {
      kind: 'complaint',
      count: 1,
      text: '  等候区座位不足  ',
      needsFollowUp: true,
    });
    expect(complaint).toMatchObject({
      kind: 'complaint',
      text: '等候区座位不足',
      needsFollowUp: true,
    });

    const entries = await log(k.device);
    expect(entries.map((e) => e.type)).toEqual([
      'duty.signedIn',
      'duty.ledgerEntry',
      'duty.ledgerEntry',
      'duty.ledgerEntry',
      'problem.recorded',
    ]);
    // One hash chain without holes.
    entries.forEach((e, i) => {
      expect(e.deviceSeq).toBe(i + 1);
      expect(e.event.prevHash).toBe(i === 0 ? null : eventHash(entries[i - 1]!.event));
    });
    const problem = entries[4]!.event as EventEnvelope<'problem.recorded'>;
    expect(problem.payload).toMatchObject({
      source: 'duty',
      sourceId: complaint.entryId,
      departmentId: hall.departmentId,
      windowId: hall.windowId,
      description: '等候区座位不足',
      severity: 'medium',
    });

    expect(await duty.session(session.id)).toMatchObject({ served: 12, solved: 1, complaints: 1 });
    expect((await duty.ledger(session.id)).map((l) => l.kind)).toEqual([
      'served',
      'solved',
      'complaint',
    ]);
  });

  it('writes nothing when the problem cannot be stored with its ledger line', async () => {
    const { k, hall, duty } = await kiosk();
    const session = await duty.signIn(hall.leaderId, PIN, { method: 'pin' });
    const { db } = k.device.store;
    db.log.hook('creating', (_key, entry) => {
      if (entry.type === 'problem.recorded') throw new Error('disk trouble');
    });
    const error = await duty
      .addLedgerEntry(session.id, {
        kind: 'suggestion',
        count: 1,
        text: '增加自助机',
        needsFollowUp: true,
      })
      .catch((e: unknown) => e);
    expect((error as WriteError).code).toBe('storage_unavailable');
    expect((await log(k.device)).map((e) => e.type)).toEqual(['duty.signedIn']);
    expect(await duty.ledger(session.id)).toEqual([]);
    expect(await duty.session(session.id)).toMatchObject({ suggestions: 0 });
  });

  it('signs out, after which the session takes no more lines', async () => {
    const { k, hall, duty, clock } = await kiosk();
    const session = await duty.signIn(hall.leaderId, PIN, { method: 'pin' });
    clock.ms = at('11:20');
    await duty.signOut(session.id);
    expect(await duty.session(session.id)).toMatchObject({
      signedOutAt: new Date(at('11:20')).toISOString(),
      endReason: 'manual',
    });
    expect(await duty.openSessions()).toEqual([]);
    const late = await refusal(
      duty.addLedgerEntry(session.id, { kind: 'served', count: 1, text: '', needsFollowUp: false }),
    );
    expect(late).toMatchObject({ code: 'session_closed' });
    expect((await log(k.device)).map((e) => e.type)).toEqual(['duty.signedIn', 'duty.signedOut']);
  });
});

describe('end of day', () => {
  it('closes a session left open on an earlier day, on start and on the minute check', async () => {
    const { k, hall, clock } = await kiosk();
    const first = await k.device.duty!.signIn(hall.leaderId, PIN, { method: 'pin' });

    // Next morning the kiosk starts again: the forgotten session is closed with the flag.
    clock.ms = at('08:00', '2026-03-03');
    const device = await k.reopen();
    expect(await device.duty!.session(first.id)).toMatchObject({
      endReason: 'end_of_day',
      signedOutAt: new Date(endOfDayMs(at('09:30'))).toISOString(),
    });
    const out = (await log(device)).at(-1)!.event as EventEnvelope<'duty.signedOut'>;
    expect(out.payload).toEqual({ sessionId: first.id, reason: 'end_of_day' });
    expect(out.actorId).toBeNull();

    // A session of today stays open at the minute check; past midnight it is closed.
    const second = await device.duty!.signIn(hall.deputyId, '1357', { method: 'pin' });
    expect(await device.duty!.closeStale()).toBe(0);
    clock.ms = at('00:01', '2026-03-04');
    expect(await device.duty!.closeStale()).toBe(1);
    expect(await device.duty!.session(second.id)).toMatchObject({ endReason: 'end_of_day' });
    expect(await device.duty!.closeStale()).toBe(0);
  });
});

describe('evaluator under a leader on duty', () => {
  function signInFrom(hall: Hall, sessionId: string, windowId: string | null) {
    return (source: EventSource) => {
      // Signed in on another kiosk of the hall: this evaluator learns it by pulling.
      const kioskSource = new EventSource(hall.hallId, newId(), source.now);
      kioskSource.seq = source.seq;
      const event = kioskSource.make('duty.signedIn', {
        sessionId,
        leaderId: hall.leaderId,
        departmentId: hall.departmentId,
        windowId,
        shiftId: hall.shiftId,
        method: 'pin',
        pinVersion: 1,
        pinProof: 'a'.repeat(64),
      });
      return [event];
    };
  }

  it('shows the leader on duty for its window and rates under that session', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('09:40'));
    const sessionId = newId();
    const k = await openHallDevice(
      hall,
      clock,
      'evaluator',
      signInFrom(hall, sessionId, hall.windowId),
    );
    running.push(k);
    const seen: (string | null)[] = [];
    k.device.onDutyLeader((s) => seen.push(s?.id ?? null));
    expect(seen).toEqual([sessionId]);
    expect(k.device.duty).toBeNull();

    const rating = await k.device.recordRating({
      windowId: hall.windowId,
      departmentId: hall.departmentId,
      level: 'satisfied',
      reasons: [],
      comment: '',
      ticket: null,
    });
    expect(rating.payload.dutySessionId).toBe(sessionId);

    // The next day the session no longer counts; ratings carry none.
    clock.ms = at('09:40', '2026-03-03');
    await k.device.refreshDuty();
    expect(seen).toEqual([sessionId, null]);
    const next = await k.device.recordRating({
      windowId: hall.windowId,
      departmentId: hall.departmentId,
      level: 'satisfied',
      reasons: [],
      comment: '',
      ticket: null,
    });
    expect(next.payload.dutySessionId).toBeNull();
  });

  it('does not rate under a session at another window of the department', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('09:40'));
    const k = await openHallDevice(
      hall,
      clock,
      'evaluator',
      signInFrom(hall, newId(), hall.otherWindowId),
    );
    running.push(k);
    expect(k.device.dutyLeader()).toBeNull();
    const rating = await k.device.recordRating({
      windowId: hall.windowId,
      departmentId: hall.departmentId,
      level: 'satisfied',
      reasons: [],
      comment: '',
      ticket: null,
    });
    expect(rating.payload.dutySessionId).toBeNull();
  });
});
