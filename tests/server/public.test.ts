import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { signWindow, verifyWindowSig } from '../../src/server/crypto';
import type { PublicRatingsResponse, PublicWindowResponse } from '../../src/sync/protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { TestDevice, count, enrollDevice } from './helpers';

describe('window card signatures', () => {
  it('are 22 base64url characters that verify only for their code and secret', () => {
    const sig = signWindow('secret-1', 'A01');
    expect(sig).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(verifyWindowSig('secret-1', 'A01', sig)).toBe(true);
    expect(verifyWindowSig('secret-1', 'A02', sig)).toBe(false);
    expect(verifyWindowSig('secret-2', 'A01', sig)).toBe(false);
    expect(verifyWindowSig('secret-1', 'A01', sig.slice(0, 21))).toBe(false);
    expect(verifyWindowSig('secret-1', 'A01', undefined)).toBe(false);
  });
});

describe.each(backends)('public rating endpoints on $name', ({ name }) => {
  let server: TestServer;
  let t = Date.parse('2026-03-02T09:00:00.000Z');
  beforeAll(async () => {
    server = await startTestServer({ backend: name, now: () => t });
  });
  afterAll(() => server.close());

  const card = (i = 0) => server.seed.windows[i]!;
  const phone = () => new TestDevice(newId(), server.seed.hall.id, null, null, () => t);
  const at = (ms: number) => ({ at: new Date(ms).toISOString() });

  async function send(events: unknown[], windowIndex = 0, sig?: string) {
    const w = card(windowIndex);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/public/ratings',
      payload: { windowCode: w.code, sig: sig ?? w.sig, events },
    });
    return res;
  }
  async function sendOk(events: unknown[], windowIndex = 0): Promise<PublicRatingsResponse> {
    const res = await send(events, windowIndex);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<PublicRatingsResponse>();
  }

  it('shows a window for a good signature', async () => {
    const w = card(2);
    const res = await server.app.inject({ url: `/api/v1/public/windows/${w.code}?s=${w.sig}` });
    expect(res.statusCode).toBe(200);
    const body = res.json<PublicWindowResponse>();
    expect(body).toMatchObject({
      hallId: server.seed.hall.id,
      hallName: '市民服务中心',
      hallNameEn: 'Citizen Service Center',
      window: { id: w.id, code: w.code, name: w.name },
      department: { id: w.departmentId, code: w.departmentCode },
      settings: { phoneRatingIntervalMinutes: 10 },
    });
    expect(Date.parse(body.serverTime)).toBe(t);
    // Codes are matched without regard to case.
    const lower = await server.app.inject({
      url: `/api/v1/public/windows/${w.code.toLowerCase()}?s=${w.sig}`,
    });
    expect(lower.json().window.id).toBe(w.id);
  });

  it('refuses a forged or missing signature with 403 and an unknown window with 404', async () => {
    const w = card(0);
    const other = card(1);
    for (const url of [
      `/api/v1/public/windows/${w.code}?s=${other.sig}`,
      `/api/v1/public/windows/${w.code}?s=${'A'.repeat(22)}`,
      `/api/v1/public/windows/${w.code}`,
    ]) {
      const res = await server.app.inject({ url });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('bad_signature');
    }
    const unknown = await server.app.inject({ url: `/api/v1/public/windows/Z99?s=${w.sig}` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('unknown_window');
  });

  it('stores a phone rating once however often it is sent', async () => {
    const p = phone();
    const e = p.rating(server, { windowId: card(0).id }, at(t));
    const first = await sendOk([e]);
    expect(first.results).toEqual([{ id: e.id, deviceSeq: 1, status: 'stored' }]);
    const again = await sendOk([e]);
    expect(again.results).toEqual([{ id: e.id, deviceSeq: 1, status: 'duplicate' }]);
    expect(await count(server, 'ratings', 'event_id = $1', [e.id])).toBe(1);
    const row = await server.db.query<{ role: string; lastSeq: number }>(
      'SELECT role, last_seq AS "lastSeq" FROM devices WHERE id = $1',
      [p.deviceId],
    );
    expect(row).toEqual([{ role: 'phone', lastSeq: 1 }]);
  });

  it('refuses a ratings batch with a forged signature, storing nothing', async () => {
    const p = phone();
    const e = p.rating(server, { windowId: card(0).id });
    const res = await send([e], 0, card(1).sig);
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('bad_signature');
    expect(await count(server, 'events', 'device_id = $1', [p.deviceId])).toBe(0);
    expect(await count(server, 'devices', 'id = $1', [p.deviceId])).toBe(0);
  });

  it('refuses a ticket already rated in the hall, and keeps the refusal for audit', async () => {
    const ticket = `Q-${newId().slice(-6)}`;
    const a = phone();
    const b = phone();
    const first = await sendOk([a.rating(server, { windowId: card(0).id, ticket }, at(t))]);
    expect(first.results[0]!.status).toBe('stored');
    const dup = b.rating(server, { windowId: card(3).id, ticket }, at(t));
    const res = await sendOk([dup], 3);
    expect(res.results[0]).toMatchObject({
      id: dup.id,
      status: 'rejected',
      reason: 'duplicate_ticket',
    });
    expect(await count(server, 'rejected_events', 'event_id = $1', [dup.id])).toBe(1);
    // Sent again, the same refusal comes back and nothing more is written.
    const again = await sendOk([dup], 3);
    expect(again.results[0]).toMatchObject({ status: 'rejected', reason: 'duplicate_ticket' });
    expect(await count(server, 'rejected_events', 'event_id = $1', [dup.id])).toBe(1);
  });

  it('refuses a second rating of the same window by one phone within the interval', async () => {
    const p = phone();
    const w = card(4);
    const base = t;
    const first = p.rating(server, { windowId: w.id }, at(base));
    const soon = p.rating(server, { windowId: w.id }, at(base + 9 * 60_000));
    const otherWindow = p.rating(server, { windowId: card(5).id }, at(base + 60_000));
    const later = p.rating(server, { windowId: w.id }, at(base + 11 * 60_000));
    expect((await sendOk([first], 4)).results[0]!.status).toBe('stored');
    const res = await sendOk([soon], 4);
    expect(res.results[0]).toMatchObject({ status: 'rejected', reason: 'too_soon' });
    expect((await sendOk([otherWindow], 5)).results[0]!.status).toBe('stored');
    expect((await sendOk([later], 4)).results[0]!.status).toBe('stored');
  });

  it('refuses a rating for another window than the card, or not through the qr channel', async () => {
    const p = phone();
    const wrong = p.rating(server, { windowId: card(1).id }, at(t));
    const channel = p.rating(server, { windowId: card(0).id, channel: 'hall_tablet' }, at(t));
    const notMine = p.rating(server, { windowId: card(0).id, phoneId: newId() }, at(t));
    const res = await sendOk([wrong, channel, notMine], 0);
    expect(res.results.map((r) => (r.status === 'rejected' ? r.reason : r.status))).toEqual([
      'wrong_window',
      'wrong_channel',
      'wrong_phone',
    ]);
    expect(await count(server, 'events', 'device_id = $1', [p.deviceId])).toBe(0);
  });

  it('accepts a phone that lost its storage and starts its log again', async () => {
    const p = phone();
    await sendOk([p.rating(server, { windowId: card(6).id }, at(t - 3600_000))], 6);
    const reborn = new TestDevice(p.deviceId, server.seed.hall.id, null, null, () => t);
    const res = await sendOk([reborn.rating(server, { windowId: card(6).id }, at(t))], 6);
    expect(res.results[0]!.status).toBe('stored');
  });

  it('refuses a body that is not a batch of ratings, or mixes phones, with 400', async () => {
    const w = card(0);
    const bad = await server.app.inject({
      method: 'POST',
      url: '/api/v1/public/ratings',
      payload: { windowCode: w.code, sig: w.sig, events: [{ nope: true }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_batch');
    const mixed = await send([phone().rating(server), phone().rating(server)]);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error).toBe('wrong_device');
  });

  it('will not let a phone id stand in for an enrolled device', async () => {
    const d = await enrollDevice(server);
    const impostor = new TestDevice(d.deviceId, server.seed.hall.id, null, null, () => t);
    const res = await send([impostor.rating(server, { windowId: card(0).id })]);
    expect(res.statusCode).toBe(400);
    expect(await count(server, 'events', 'device_id = $1', [d.deviceId])).toBe(0);
  });

  it('honours the hall setting for the interval', async () => {
    t += 24 * 3600_000;
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { username: 'admin', password: server.seed.admin.password },
    });
    const cookie = `hk_session=${login.cookies.find((c) => c.name === 'hk_session')!.value}`;
    const set = await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/ref',
      headers: { cookie },
      payload: { type: 'ref.settingsSaved', payload: { phoneRatingIntervalMinutes: 0 } },
    });
    expect(set.statusCode, set.body).toBe(200);
    const p = phone();
    const w = card(7);
    const first = await sendOk([p.rating(server, { windowId: w.id }, at(t))], 7);
    const second = await sendOk([p.rating(server, { windowId: w.id }, at(t + 1000))], 7);
    expect([first.results[0]!.status, second.results[0]!.status]).toEqual(['stored', 'stored']);
    const shown = await server.app.inject({ url: `/api/v1/public/windows/${w.code}?s=${w.sig}` });
    expect(shown.json().settings.phoneRatingIntervalMinutes).toBe(0);
  });
});

describe('public rating rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers 429 with a JSON message once one address sends too many batches', async () => {
    const w = server.seed.windows[0]!;
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/public/ratings',
        payload: { windowCode: w.code, sig: w.sig, events: [] },
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.json()).toMatchObject({ error: 'rate_limited' });
        expect(res.headers['retry-after']).toBeDefined();
      }
    }
    expect(statuses.slice(0, 60).every((s) => s === 400)).toBe(true);
    expect(statuses[60]).toBe(429);
    // Another client address is not affected.
    const other = await server.app.inject({
      method: 'POST',
      url: '/api/v1/public/ratings',
      remoteAddress: '127.0.0.2',
      payload: { windowCode: w.code, sig: w.sig, events: [] },
    });
    expect(other.statusCode).toBe(400);
  });
});
