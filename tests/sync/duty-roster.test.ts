import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { EnrolledDevice, type DeviceOptions } from '../../src/app/device';
import { SignInError, type DeviceCredentials } from '../../src/app/device-api';
import type { DeviceRole } from '../../src/domain/device';
import { newId } from '../../src/domain/ids';
import { openDb } from '../../src/storage/db';
import { DeviceSettings, memoryStore } from '../../src/storage/settings';
import type {
  PulledEvent,
  PullResponse,
  PushResponse,
  RosterPinsResponse,
} from '../../src/sync/protocol';
import type { FetchLike } from '../../src/sync/transport';
import {
  EventSource,
  ManualClock,
  PIN,
  at,
  makeHall,
  referenceEvents,
  rosterPin,
  type Hall,
} from '../storage/duty-fixtures';

/** A hall server answering push, pull and the roster from what the test put in it. */
function fakeServer(clock: ManualClock) {
  const server = {
    hall: [] as PulledEvent[],
    pins: [] as RosterPinsResponse['pins'],
    rosterFails: false,
    calls: [] as string[],
    fetch: (async (input, init) => {
      const url = new URL(input);
      server.calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
      const json = (status: number, body: unknown) =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        });
      const serverTime = new Date(clock.ms).toISOString();
      if (url.pathname === '/api/v1/sync/push') {
        const body = JSON.parse(String(init?.body)) as {
          events: { id: string; deviceSeq: number }[];
        };
        const answer: PushResponse = {
          serverTime,
          lastSeq: body.events.at(-1)?.deviceSeq ?? 0,
          results: body.events.map((e) => ({ id: e.id, deviceSeq: e.deviceSeq, status: 'stored' })),
        };
        return json(200, answer);
      }
      if (url.pathname === '/api/v1/sync/pull') {
        const after = Number(url.searchParams.get('after'));
        const events = server.hall.filter((e) => e.hallSeq > after);
        const answer: PullResponse = {
          serverTime,
          events,
          cursor: events.at(-1)?.hallSeq ?? after,
          more: false,
        };
        return json(200, answer);
      }
      if (url.pathname === '/api/v1/roster/pins') {
        if (server.rosterFails) return json(503, { error: 'unavailable', message: 'down' });
        return json(200, { pins: server.pins });
      }
      return json(404, { error: 'not_found', message: 'no such route' });
    }) as FetchLike,
  };
  return server;
}

const running: EnrolledDevice[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.stop();
});

async function device(hall: Hall, clock: ManualClock, role: DeviceRole, fetch: FetchLike) {
  const credentials: DeviceCredentials = {
    deviceId: newId(),
    token: 'token',
    hallId: hall.hallId,
    role,
    windowId: role === 'evaluator' ? hall.windowId : null,
    enrolledAt: new Date(clock.ms).toISOString(),
  };
  const options: DeviceOptions = {
    settings: new DeviceSettings(memoryStore()),
    dbName: `duty-sync-${newId()}`,
    triggers: false,
    baseUrl: 'http://127.0.0.1:9',
    fetch,
    now: clock.now,
  };
  const d = await EnrolledDevice.open(credentials, options.settings!, options);
  running.push(d);
  return d;
}

describe('duty data in a sync round', () => {
  it('a duty kiosk fetches the roster after the pull and then signs leaders in offline', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('09:30'));
    const server = fakeServer(clock);
    const source = new EventSource(hall.hallId, hall.consoleId, clock.now);
    server.hall.push(...referenceEvents(hall, source));
    const kiosk = await device(hall, clock, 'duty_kiosk', server.fetch);

    // Nothing synced yet: no PIN is known here.
    const before = await kiosk.duty!.signIn(hall.leaderId, PIN, { method: 'pin' }).catch((e) => e);
    expect(before).toBeInstanceOf(SignInError);
    expect((before as SignInError).code).toBe('unknown_leader');

    server.pins = [await rosterPin(hall.leaderId, PIN)];
    const round = await kiosk.syncNow();
    expect(round.ok).toBe(true);
    const pull = server.calls.indexOf('GET /api/v1/sync/pull');
    expect(pull).toBeGreaterThanOrEqual(0);
    expect(server.calls.indexOf('GET /api/v1/roster/pins')).toBeGreaterThan(pull);
    expect(await kiosk.duty!.hasPin(hall.leaderId)).toBe(true);

    // Offline from here on: the sign-in needs nothing from the server.
    server.calls.length = 0;
    const session = await kiosk.duty!.signIn(hall.leaderId, PIN, { method: 'pin' });
    expect(session.shiftId).toBe(hall.shiftId);
    expect(server.calls).toEqual([]);
    await kiosk.syncNow();
    expect(server.calls).toContain('POST /api/v1/sync/push');
    expect((await kiosk.store.counts()).pending).toBe(0);
  });

  it('a failing roster fails the round and keeps the PINs already held', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('09:30'));
    const server = fakeServer(clock);
    const source = new EventSource(hall.hallId, hall.consoleId, clock.now);
    server.hall.push(...referenceEvents(hall, source));
    server.pins = [await rosterPin(hall.leaderId, PIN)];
    const kiosk = await device(hall, clock, 'duty_kiosk', server.fetch);
    expect((await kiosk.syncNow()).ok).toBe(true);

    server.rosterFails = true;
    const round = await kiosk.syncNow();
    expect(round).toMatchObject({ ok: false, error: 'server_unavailable' });
    expect(await kiosk.duty!.hasPin(hall.leaderId)).toBe(true);
  });

  it('an evaluator never asks for PINs, and learns who is on duty from the pull', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('09:30'));
    const server = fakeServer(clock);
    const source = new EventSource(hall.hallId, hall.consoleId, clock.now);
    server.hall.push(...referenceEvents(hall, source));
    const evaluator = await device(hall, clock, 'evaluator', server.fetch);
    const seen: (string | null)[] = [];
    evaluator.onDutyLeader((s) => seen.push(s?.id ?? null));

    const kioskSource = new EventSource(hall.hallId, newId(), clock.now);
    kioskSource.seq = source.seq;
    const sessionId = newId();
    server.hall.push(
      kioskSource.make('duty.signedIn', {
        sessionId,
        leaderId: hall.leaderId,
        departmentId: hall.departmentId,
        windowId: hall.windowId,
        shiftId: hall.shiftId,
        method: 'pin',
        pinVersion: 1,
        pinProof: 'c'.repeat(64),
      }),
    );
    await evaluator.syncNow();
    await evaluator.refreshDuty();
    expect(server.calls).not.toContain('GET /api/v1/roster/pins');
    expect(seen).toEqual([null, sessionId]);

    // The leader signs out on the kiosk: the next pull ends the duty here too.
    server.hall.push(kioskSource.make('duty.signedOut', { sessionId, reason: 'manual' }));
    await evaluator.syncNow();
    await evaluator.refreshDuty();
    expect(seen).toEqual([null, sessionId, null]);
  });
});

describe('schema upgrade', () => {
  it('folds duty events pulled under version 1 into the sessions of version 2', async () => {
    const hall = makeHall();
    const clock = new ManualClock(at('09:30'));
    const name = `upgrade-${newId()}`;
    const old = new Dexie(name);
    old.version(1).stores({
      log: 'deviceSeq, &id, [status+deviceSeq]',
      ratings: 'id, status, ticket, [windowId+atMs]',
      hallEvents: 'hallSeq, &id, type',
      reference: 'key',
      meta: 'key',
    });
    const source = new EventSource(hall.hallId, newId(), clock.now);
    const sessionId = newId();
    const signIn = source.make('duty.signedIn', {
      sessionId,
      leaderId: hall.leaderId,
      departmentId: hall.departmentId,
      windowId: null,
      shiftId: null,
      method: 'pin',
      pinVersion: 1,
      pinProof: 'd'.repeat(64),
    });
    const entry = source.make('duty.ledgerEntry', {
      sessionId,
      entryId: newId(),
      kind: 'served',
      count: 3,
      text: '',
      needsFollowUp: false,
    });
    await old.table('hallEvents').bulkPut(
      [signIn, entry].map((event) => ({
        hallSeq: event.hallSeq,
        id: event.id,
        type: event.type,
        valid: true,
        event,
      })),
    );
    old.close();

    const db = await openDb(name);
    expect(db.verno).toBeGreaterThanOrEqual(2);
    expect(await db.dutySessions.get(sessionId)).toMatchObject({ served: 3, signedOutAt: null });
    expect(await db.dutyLedger.where('sessionId').equals(sessionId).count()).toBe(1);
    db.close();
  });
});
