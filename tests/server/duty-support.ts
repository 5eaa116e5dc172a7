/** Helpers of the 局长坐班 server suites: the console's session, duty kiosks and their events. */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { EventEnvelope } from '../../src/domain/events';
import { newId } from '../../src/domain/ids';
import { pinHash, pinProof } from '../../src/domain/pin';
import { createEnrollment } from '../../src/server/services/enroll';
import type { EnrollResponse } from '../../src/sync/protocol';
import type { TestServer } from '../support/server';
import { TestDevice } from './helpers';

/** A console session cookie for the demo hall's administrator. */
export async function consoleCookie(server: TestServer): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/admin/login',
    payload: { username: 'admin', password: server.seed.admin.password },
  });
  expect(res.statusCode, res.body).toBe(200);
  return `hk_session=${res.cookies.find((c) => c.name === 'hk_session')!.value}`;
}

export interface Console {
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, payload?: object): Promise<LightMyRequestResponse>;
  /** POST expecting 200, returning the body. */
  ok<T = Record<string, unknown>>(url: string, payload?: object): Promise<T>;
}

export function consoleClient(server: TestServer, cookie: string): Console {
  const get = (url: string) => server.app.inject({ url, headers: { cookie } });
  const post = (url: string, payload: object = {}) =>
    server.app.inject({ method: 'POST', url, headers: { cookie }, payload });
  return {
    get,
    post,
    async ok<T>(url: string, payload: object = {}) {
      const res = await post(url, payload);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<T>();
    },
  };
}

/** Enroll a device of another role than evaluator (duty kiosk, inspection tablet). */
export async function enrollRole(
  server: TestServer,
  role: 'duty_kiosk' | 'inspection_tablet',
  now: () => number = Date.now,
): Promise<TestDevice> {
  const { code } = await createEnrollment(server.db, server.seed.hall.id, { role }, now());
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/devices/enroll',
    payload: { code },
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<EnrollResponse>();
  return new TestDevice(body.deviceId, body.hallId, body.token, body.windowId, now);
}

export interface KioskPin {
  leaderId: string;
  version: number;
  salt: string;
  iterations: number;
  hash: string;
}

/** The PINs a kiosk downloads. */
export async function kioskPins(server: TestServer, kiosk: TestDevice): Promise<KioskPin[]> {
  const res = await server.app.inject({
    url: '/api/v1/roster/pins',
    headers: kiosk.authorization(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ pins: KioskPin[] }>().pins;
}

export interface SignIn {
  sessionId?: string;
  leaderId: string;
  departmentId: string;
  windowId?: string | null;
  shiftId?: string | null;
  /** The PIN typed, checked against this hash record (as the kiosk does offline). */
  pin: string;
  record: Pick<KioskPin, 'version' | 'salt' | 'iterations'>;
  at?: string;
}

/** A duty.signedIn event as a kiosk writes it: the proof is made from the typed PIN. */
export async function signInEvent(kiosk: TestDevice, s: SignIn): Promise<EventEnvelope> {
  const id = newId();
  const hash = await pinHash(s.pin, s.record.salt, s.record.iterations);
  return kiosk.append(
    'duty.signedIn',
    {
      sessionId: s.sessionId ?? newId(),
      leaderId: s.leaderId,
      departmentId: s.departmentId,
      windowId: s.windowId ?? null,
      shiftId: s.shiftId ?? null,
      method: 'pin',
      pinVersion: s.record.version,
      pinProof: await pinProof(hash, id),
    },
    { id, ...(s.at ? { at: s.at } : {}) },
  );
}

export function ledgerEvent(
  kiosk: TestDevice,
  sessionId: string,
  kind: 'served' | 'cases' | 'solved' | 'complaint' | 'suggestion',
  count: number,
  text = '',
  at?: string,
): EventEnvelope {
  return kiosk.append(
    'duty.ledgerEntry',
    { sessionId, entryId: newId(), kind, count, text, needsFollowUp: false },
    at ? { at } : {},
  );
}

export function signOutEvent(
  kiosk: TestDevice,
  sessionId: string,
  at?: string,
  reason: 'manual' | 'end_of_day' = 'manual',
): EventEnvelope {
  return kiosk.append('duty.signedOut', { sessionId, reason }, at ? { at } : {});
}

/** Set a leader's PIN through the console; expects 204. */
export async function setPin(admin: Console, leaderId: string, pin: string): Promise<void> {
  const res = await admin.post(`/api/v1/admin/leaders/${leaderId}/pin`, { pin });
  expect(res.statusCode, res.body).toBe(204);
}
