import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollDevice, openDevice, type EnrolledDevice } from '../../src/app/device';
import { SignInError } from '../../src/app/device-api';
import { hallDate } from '../../src/domain/schedule';
import { createEnrollment } from '../../src/server/services/enroll';
import { signRequest } from '../../src/sync/signing';
import { startTestServer, type TestServer } from '../support/server';
import {
  adminCookie,
  count,
  deviceOptions,
  enrolledEvaluator,
  ratingFor,
  tappedFetch,
} from './helpers';

let server: TestServer;
let cookie: string;
const running: EnrolledDevice[] = [];

beforeAll(async () => {
  server = await startTestServer();
  cookie = await adminCookie(server);
});
afterAll(async () => {
  for (const d of running.splice(0)) d.stop();
  await server.close();
});

async function admin(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await server.app.inject({
    method,
    url,
    headers: { cookie },
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body ? (JSON.parse(res.body) as unknown) : null;
}

async function dutyKiosk() {
  const tap = tappedFetch();
  const { options } = deviceOptions(server, { fetch: tap.fetch });
  const enrollment = await createEnrollment(
    server.db,
    server.seed.hall.id,
    { role: 'duty_kiosk' } as Parameters<typeof createEnrollment>[2],
    Date.now(),
  );
  await enrollDevice(enrollment.code, '坐班终端', options);
  const device = (await openDevice(options))!;
  running.push(device);
  return { device, tap };
}

describe('局长坐班 against the real server', () => {
  it('signs in offline, keeps the ledger, and the hall sees the session and its rating', async () => {
    const leader = server.seed.leaders[0]!;
    const window = server.seed.windows.find((w) => w.departmentId === leader.departmentId)!;
    await admin('POST', `/api/v1/admin/leaders/${leader.id}/pin`, { pin: '482915' });
    const today = hallDate(Date.now());
    await admin('POST', '/api/v1/admin/shifts', {
      leaderId: leader.id,
      departmentId: leader.departmentId,
      windowId: null,
      date: today,
      start: '00:00',
      end: '23:59',
      published: true,
    });

    const { device: kiosk, tap } = await dutyKiosk();
    expect((await kiosk.syncNow()).ok).toBe(true);
    expect(tap.count('/api/v1/roster/pins')).toBe(1);
    const duty = kiosk.duty!;
    const scheduled = (await duty.today()).shifts.find((s) => s.shift.leaderId === leader.id);
    expect(scheduled?.sessionId).toBeNull();

    // The network goes away: sign-in, ledger and PIN checks need none of it.
    tap.hook = () => Promise.reject(new TypeError('network down'));
    const wrong = await duty
      .signIn(leader.id, '000000', { method: 'pin' })
      .catch((e: unknown) => e);
    expect((wrong as SignInError).code).toBe('wrong_pin');
    const session = await duty.signIn(leader.id, '482915', { method: 'pin' });
    expect(session.shiftId).toBe(scheduled!.shift.id);
    await duty.addLedgerEntry(session.id, {
      kind: 'served',
      count: 8,
      text: '',
      needsFollowUp: false,
    });
    await duty.addLedgerEntry(session.id, {
      kind: 'suggestion',
      count: 1,
      text: '建议增加周末延时服务',
      needsFollowUp: true,
    });
    expect((await kiosk.syncNow()).ok).toBe(false);
    expect(
      await count(server, 'SELECT count(*) AS n FROM duty_sessions WHERE id = $1', [session.id]),
    ).toBe(0);

    // Online again: everything arrives, the server accepts the PIN proof.
    tap.hook = null;
    expect((await kiosk.syncNow()).ok).toBe(true);
    expect(kiosk.status.get()).toMatchObject({ pending: 0, rejected: 0 });
    expect(
      await count(server, 'SELECT count(*) AS n FROM duty_sessions WHERE id = $1', [session.id]),
    ).toBe(1);
    expect(
      await count(
        server,
        "SELECT count(*) AS n FROM problems WHERE source = 'duty' AND description = $1",
        ['建议增加周末延时服务'],
      ),
    ).toBe(1);

    // An evaluator of that department learns of the leader on duty and rates under the session.
    const { device: evaluator } = await enrolledEvaluator(server, {}, window.code);
    running.push(evaluator);
    await evaluator.syncNow();
    await evaluator.refreshDuty();
    expect(evaluator.dutyLeader()?.id).toBe(session.id);
    const rating = await evaluator.recordRating(ratingFor(window));
    expect(rating.payload.dutySessionId).toBe(session.id);
    await evaluator.syncNow();
    expect(
      await count(
        server,
        'SELECT count(*) AS n FROM ratings WHERE event_id = $1 AND duty_session_id = $2',
        [rating.id, session.id],
      ),
    ).toBe(1);

    // Sign-out ends the duty on the evaluator too; the console counts the shift attended.
    await duty.signOut(session.id);
    await kiosk.syncNow();
    await evaluator.syncNow();
    await evaluator.refreshDuty();
    expect(evaluator.dutyLeader()).toBeNull();
    const report = (await admin('GET', `/api/v1/admin/attendance?month=${today.slice(0, 7)}`)) as {
      leaders: { leaderId: string; attended: number; served: number; suggestions: number }[];
    };
    expect(report.leaders.find((l) => l.leaderId === leader.id)).toMatchObject({
      attended: 1,
      served: 8,
      suggestions: 1,
    });
  });

  it('an evaluator may not read the PINs', async () => {
    const { device } = await enrolledEvaluator(server);
    running.push(device);
    // Signed with its own key, as the device signs every request: the refusal is for its role.
    const path = '/api/v1/roster/pins';
    const res = await fetch(`${server.url}${path}`, {
      headers: {
        authorization: `Bearer ${device.credentials.token}`,
        ...(await signRequest(
          device.credentials.key!.privateKey,
          { method: 'GET', path, body: '' },
          Date.now(),
        )),
      },
    });
    expect(res.status).toBe(403);
  });
});
