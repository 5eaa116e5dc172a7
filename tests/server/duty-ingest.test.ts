import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import type { EventOutcome } from '../../src/sync/protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { count, enrollDevice, pushOk, type TestDevice } from './helpers';
import {
  consoleClient,
  consoleCookie,
  enrollRole,
  kioskPins,
  ledgerEvent,
  setPin,
  signInEvent,
  signOutEvent,
  type Console,
  type KioskPin,
} from './duty-support';

describe.each(backends)('duty events from kiosks on $name', ({ name }) => {
  let server: TestServer;
  let admin: Console;
  let kiosk: TestDevice;
  let pins: KioskPin[];
  const leader = () => server.seed.leaders[0]!;
  const pinOf = (leaderId: string) => pins.find((p) => p.leaderId === leaderId)!;

  beforeAll(async () => {
    server = await startTestServer({ backend: name });
    admin = consoleClient(server, await consoleCookie(server));
    for (const l of server.seed.leaders.slice(0, 3)) await setPin(admin, l.id, '2468');
    kiosk = await enrollRole(server, 'duty_kiosk');
    pins = await kioskPins(server, kiosk);
  });
  afterAll(() => server.close());

  const statuses = (results: EventOutcome[]) =>
    results.map((r) => (r.status === 'rejected' ? r.reason : r.status));

  it('stores a sign-in whose proof was made with the right PIN, and projects its session', async () => {
    const l = leader();
    const window = server.seed.windows.find((w) => w.departmentId === l.departmentId)!;
    const e = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      windowId: window.id,
      pin: '2468',
      record: pinOf(l.id),
    });
    const res = await pushOk(server.app, kiosk, [e]);
    expect(statuses(res.results)).toEqual(['stored']);
    const sessionId = (e.payload as { sessionId: string }).sessionId;
    const rows = await server.db.query<Record<string, unknown>>(
      `SELECT leader_id AS "leaderId", window_id AS "windowId", device_id AS "deviceId",
         signed_out_at AS "signedOutAt" FROM duty_sessions WHERE id = $1`,
      [sessionId],
    );
    expect(rows).toEqual([
      { leaderId: l.id, windowId: window.id, deviceId: kiosk.deviceId, signedOutAt: null },
    ]);
  });

  it('rejects a sign-in made with a wrong PIN as pin_proof_invalid', async () => {
    const l = leader();
    const e = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '1357',
      record: pinOf(l.id),
    });
    const res = await pushOk(server.app, kiosk, [e]);
    expect(statuses(res.results)).toEqual(['pin_proof_invalid']);
    expect(
      await count(server, 'duty_sessions', 'id = $1', [
        (e.payload as { sessionId: string }).sessionId,
      ]),
    ).toBe(0);
    expect(
      await count(server, 'rejected_events', "event_id = $1 AND reason = 'pin_proof_invalid'", [
        e.id,
      ]),
    ).toBe(1);
  });

  it('rejects a proof copied from another sign-in (it is bound to the event id)', async () => {
    const l = leader();
    const good = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: pinOf(l.id),
    });
    kiosk.head = { seq: good.deviceSeq - 1, hash: good.prevHash };
    const replay = kiosk.append('duty.signedIn', {
      ...(good.payload as object),
      sessionId: newId(),
    } as never);
    const res = await pushOk(server.app, kiosk, [replay]);
    expect(statuses(res.results)).toEqual(['pin_proof_invalid']);
  });

  it('rejects the sign-in of a deactivated leader, of an unknown leader, and for another department', async () => {
    const l = server.seed.leaders[1]!;
    const record = pinOf(l.id);
    await admin.ok('/api/v1/admin/leaders', {
      leaderId: l.id,
      title: l.title,
      departmentId: l.departmentId,
      active: false,
    });
    const inactive = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record,
    });
    const stranger = await signInEvent(kiosk, {
      leaderId: newId(),
      departmentId: l.departmentId,
      pin: '2468',
      record,
    });
    const other = server.seed.leaders[2]!;
    const elsewhere = server.seed.departments.find((d) => d.id !== other.departmentId)!;
    const wrongDept = await signInEvent(kiosk, {
      leaderId: other.id,
      departmentId: elsewhere.id,
      pin: '2468',
      record: pinOf(other.id),
    });
    const otherWindow = server.seed.windows.find((w) => w.departmentId !== other.departmentId)!;
    const wrongWindow = await signInEvent(kiosk, {
      leaderId: other.id,
      departmentId: other.departmentId,
      windowId: otherWindow.id,
      pin: '2468',
      record: pinOf(other.id),
    });
    const res = await pushOk(server.app, kiosk, [inactive, stranger, wrongDept, wrongWindow]);
    expect(statuses(res.results)).toEqual([
      'inactive_leader',
      'unknown_leader',
      'wrong_department',
      'unknown_window',
    ]);
  });

  it('checks a sign-in against the PIN version it names, so an offline kiosk may use the previous PIN', async () => {
    const l = server.seed.leaders[2]!;
    const old = pinOf(l.id);
    await setPin(admin, l.id, '9753');
    const withOld = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: old,
    });
    const noSuchVersion = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: { ...old, version: 9 },
    });
    const current = (await kioskPins(server, kiosk)).find((p) => p.leaderId === l.id)!;
    expect(current.version).toBe(old.version + 1);
    const withNew = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '9753',
      record: current,
    });
    const oldPinNewVersion = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: current,
    });
    const res = await pushOk(server.app, kiosk, [
      withOld,
      noSuchVersion,
      withNew,
      oldPinNewVersion,
    ]);
    expect(statuses(res.results)).toEqual([
      'stored',
      'unknown_pin_version',
      'stored',
      'pin_proof_invalid',
    ]);
  });

  it('takes ledger entries and the sign-out of a session signed in earlier in the same batch or before', async () => {
    const l = leader();
    const signIn = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: pinOf(l.id),
    });
    const sessionId = (signIn.payload as { sessionId: string }).sessionId;
    const first = await pushOk(server.app, kiosk, [
      signIn,
      ledgerEvent(kiosk, sessionId, 'served', 12),
    ]);
    expect(statuses(first.results)).toEqual(['stored', 'stored']);
    const later = await pushOk(server.app, kiosk, [
      ledgerEvent(kiosk, sessionId, 'cases', 3),
      signOutEvent(kiosk, sessionId),
    ]);
    expect(statuses(later.results)).toEqual(['stored', 'stored']);
    const rows = await server.db.query<{ out: Date | null }>(
      'SELECT signed_out_at AS out FROM duty_sessions WHERE id = $1',
      [sessionId],
    );
    expect(rows[0]!.out).not.toBeNull();
  });

  it('rejects ledger entries and sign-outs of a session nobody signed in (unknown_session)', async () => {
    const l = leader();
    const strayLedger = ledgerEvent(kiosk, newId(), 'served', 1);
    const straySignOut = signOutEvent(kiosk, newId());
    const refused = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '0000',
      record: pinOf(l.id),
    });
    const refusedId = (refused.payload as { sessionId: string }).sessionId;
    const res = await pushOk(server.app, kiosk, [
      strayLedger,
      straySignOut,
      refused,
      ledgerEvent(kiosk, refusedId, 'cases', 2),
      signOutEvent(kiosk, refusedId),
    ]);
    expect(statuses(res.results)).toEqual([
      'unknown_session',
      'unknown_session',
      'pin_proof_invalid',
      'unknown_session',
      'unknown_session',
    ]);
  });

  it('rejects a second sign-in with the same session id', async () => {
    const l = leader();
    const sessionId = newId();
    const a = await signInEvent(kiosk, {
      sessionId,
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: pinOf(l.id),
    });
    const b = await signInEvent(kiosk, {
      sessionId,
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: pinOf(l.id),
    });
    const res = await pushOk(server.app, kiosk, [a, b]);
    expect(statuses(res.results)).toEqual(['stored', 'duplicate_session']);
  });

  it('records a complaint marked for follow-up as a problem to rectify', async () => {
    const l = leader();
    const window = server.seed.windows.find((w) => w.departmentId === l.departmentId)!;
    const signIn = await signInEvent(kiosk, {
      leaderId: l.id,
      departmentId: l.departmentId,
      windowId: window.id,
      pin: '2468',
      record: pinOf(l.id),
    });
    const sessionId = (signIn.payload as { sessionId: string }).sessionId;
    const entryId = newId();
    const problemId = newId();
    const complaint = kiosk.append('duty.ledgerEntry', {
      sessionId,
      entryId,
      kind: 'complaint',
      count: 1,
      text: '等候区座位不足',
      needsFollowUp: true,
    });
    const problem = kiosk.append('problem.recorded', {
      problemId,
      source: 'duty',
      sourceId: entryId,
      departmentId: l.departmentId,
      windowId: window.id,
      description: '等候区座位不足',
      severity: 'medium',
    });
    const again = kiosk.append('problem.recorded', {
      problemId,
      source: 'duty',
      sourceId: entryId,
      departmentId: l.departmentId,
      windowId: null,
      description: '等候区座位不足',
      severity: 'medium',
    });
    const nowhere = kiosk.append('problem.recorded', {
      problemId: newId(),
      source: 'duty',
      sourceId: entryId,
      departmentId: newId(),
      windowId: null,
      description: '无此部门',
      severity: 'low',
    });
    const res = await pushOk(server.app, kiosk, [signIn, complaint, problem, again, nowhere]);
    expect(statuses(res.results)).toEqual([
      'stored',
      'stored',
      'stored',
      'duplicate_problem',
      'unknown_department',
    ]);
    const rows = await server.db.query<Record<string, unknown>>(
      `SELECT hall_id AS "hallId", event_id AS "eventId", source, source_id AS "sourceId",
         department_id AS "departmentId", window_id AS "windowId", description, severity, status
       FROM problems WHERE id = $1`,
      [problemId],
    );
    expect(rows).toEqual([
      {
        hallId: server.seed.hall.id,
        eventId: problem.id,
        source: 'duty',
        sourceId: entryId,
        departmentId: l.departmentId,
        windowId: window.id,
        description: '等候区座位不足',
        severity: 'medium',
        status: 'found',
      },
    ]);
  });

  it('does not let an evaluator write duty events', async () => {
    const evaluator = await enrollDevice(server);
    const l = leader();
    const e = await signInEvent(evaluator, {
      leaderId: l.id,
      departmentId: l.departmentId,
      pin: '2468',
      record: pinOf(l.id),
    });
    const res = await pushOk(server.app, evaluator, [e]);
    expect(statuses(res.results)).toEqual(['not_allowed']);
  });
});
