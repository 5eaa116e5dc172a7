import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { activeWindows, foldReference } from '../../src/domain/reference';
import {
  listDepartments,
  listLeaders,
  listWindows,
  getSettings,
} from '../../src/server/repos/reference';
import type { PulledEvent } from '../../src/sync/protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { enrollDevice, push, pushOk } from './helpers';

describe.each(backends)('console API on $name', ({ name }) => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
    cookie = await login();
  });
  afterAll(() => server.close());

  async function login(password = server.seed.admin.password): Promise<string> {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { username: 'admin', password },
    });
    expect(res.statusCode, res.body).toBe(200);
    return `hk_session=${res.cookies.find((c) => c.name === 'hk_session')!.value}`;
  }
  const get = (url: string, c = cookie) => server.app.inject({ url, headers: { cookie: c } });
  const post = (url: string, payload: object = {}, c = cookie) =>
    server.app.inject({ method: 'POST', url, headers: { cookie: c }, payload });

  it('logs in with the one-time password and sets a strict, HttpOnly session cookie', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { username: 'admin', password: server.seed.admin.password },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ username: 'admin' });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^hk_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/); // plain http here; https requests get Secure
    const c = `hk_session=${res.cookies[0]!.value}`;
    expect((await get('/api/v1/admin/me', c)).json()).toEqual({ username: 'admin' });
  });

  it('refuses a wrong password or an unknown user with 401 bad_credentials', async () => {
    for (const payload of [
      { username: 'admin', password: 'wrong-password' },
      { username: 'nobody', password: server.seed.admin.password },
      { username: 'admin' },
    ]) {
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('bad_credentials');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(server.seed.admin.password.length).toBeGreaterThanOrEqual(16);
  });

  it('answers 401 to every console route without a session', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/v1/admin/me'],
      ['GET', '/api/v1/admin/windows'],
      ['GET', '/api/v1/admin/devices'],
      ['POST', `/api/v1/admin/devices/${newId()}/revoke`],
      ['POST', '/api/v1/admin/enrollments'],
      ['GET', '/api/v1/admin/ratings'],
      ['GET', '/api/v1/admin/rejected'],
      ['POST', '/api/v1/admin/ref'],
    ];
    for (const [method, url] of routes) {
      for (const headers of [{}, { cookie: 'hk_session=forged' }]) {
        const res = await server.app.inject({
          method: method as 'GET',
          url,
          headers,
          payload: method === 'POST' ? {} : undefined,
        });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.json().error).toBe('unauthorized');
      }
    }
  });

  it('ends the session on logout', async () => {
    const c = await login();
    expect((await post('/api/v1/admin/logout', {}, c)).statusCode).toBe(200);
    expect((await get('/api/v1/admin/me', c)).statusCode).toBe(401);
  });

  it('lists the windows with their rating card paths', async () => {
    const res = await get('/api/v1/admin/windows');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.hall).toEqual({
      id: server.seed.hall.id,
      name: '市民服务中心',
      nameEn: 'Citizen Service Center',
    });
    expect(body.windows).toHaveLength(server.seed.windows.length);
    const first = body.windows[0];
    const seeded = server.seed.windows[0]!;
    expect(first).toMatchObject({
      id: seeded.id,
      code: 'A01',
      name: 'A01 窗口',
      active: true,
      department: { id: seeded.departmentId, code: 'TAX', name: '税务' },
      ratingPath: seeded.ratingPath,
    });
    expect(first.ratingPath).toMatch(/^\/r\/A01\?s=[A-Za-z0-9_-]{22}$/);
    // Without PUBLIC_URL the card links to the address the console was reached at.
    expect(first.ratingUrl).toBe(`http://localhost:80${seeded.ratingPath}`);
  });

  it('creates enrollment codes, lists devices, and revokes one', async () => {
    const noWindow = await post('/api/v1/admin/enrollments', { role: 'evaluator' });
    expect(noWindow.statusCode).toBe(400);
    expect(noWindow.json().error).toBe('window_required');
    const window = server.seed.windows[1]!;
    const created = await post('/api/v1/admin/enrollments', {
      role: 'evaluator',
      windowId: window.id,
      name: '二号评价器',
    });
    expect(created.statusCode).toBe(200);
    const { code, expiresAt, setupPath } = created.json();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(setupPath).toBe(`/setup?code=${code}`);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const enrolled = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      payload: { code },
    });
    const device = enrolled.json();
    const list = (await get('/api/v1/admin/devices')).json().devices;
    const row = list.find((d: { id: string }) => d.id === device.deviceId);
    expect(row).toMatchObject({
      name: '二号评价器',
      role: 'evaluator',
      windowId: window.id,
      windowCode: window.code,
      windowName: window.name,
      lastSeq: 0,
      revokedAt: null,
    });
    expect(list.every((d: { role: string }) => d.role !== 'console' && d.role !== 'phone')).toBe(
      true,
    );

    const revoked = await post(`/api/v1/admin/devices/${device.deviceId}/revoke`);
    expect(revoked.statusCode).toBe(200);
    const after = (await get('/api/v1/admin/devices'))
      .json()
      .devices.find((d: { id: string }) => d.id === device.deviceId);
    expect(after.revokedAt).not.toBeNull();
    const pull = await server.app.inject({
      url: '/api/v1/sync/pull',
      headers: { authorization: `Bearer ${device.token}` },
    });
    expect(pull.statusCode).toBe(403);
    expect((await post(`/api/v1/admin/devices/${newId()}/revoke`)).statusCode).toBe(404);
  });

  it('lists stored ratings newest first with counts, and rejected events', async () => {
    const d = await enrollDevice(server, 'A03');
    const ok1 = d.rating(server, { level: 'satisfied', ticket: 'R-1' });
    const bad = d.rating(server, { level: 'dissatisfied' }); // no reason
    const ok2 = d.rating(server, {
      level: 'very_dissatisfied',
      reasons: ['attitude'],
      comment: '态度差',
    });
    await pushOk(server.app, d, [ok1, bad, ok2]);
    const window = server.seed.windows.find((w) => w.code === 'A03')!;
    const res = await get(`/api/v1/admin/ratings?windowId=${window.id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.counted).toBe(2);
    expect(body.total).toBe(3);
    expect(body.byLevel).toEqual({
      very_satisfied: 0,
      satisfied: 1,
      basically_satisfied: 0,
      dissatisfied: 0,
      very_dissatisfied: 1,
    });
    expect(body.ratings.map((r: { id: string }) => r.id)).toEqual([ok2.id, ok1.id]);
    expect(body.ratings[0]).toMatchObject({
      level: 'very_dissatisfied',
      channel: 'hall_tablet',
      windowId: window.id,
      windowCode: 'A03',
      windowName: 'A03 窗口',
      departmentName: '税务',
      reasons: ['attitude'],
      comment: '态度差',
      ticket: null,
      deviceId: d.deviceId,
      dutySessionId: null,
    });
    expect((await get('/api/v1/admin/ratings?limit=1')).json().ratings).toHaveLength(1);
    expect((await get('/api/v1/admin/ratings?limit=abc')).statusCode).toBe(400);

    const rejected = (await get('/api/v1/admin/rejected')).json().rejected;
    expect(rejected.find((r: { eventId: string }) => r.eventId === bad.id)).toMatchObject({
      deviceId: d.deviceId,
      deviceSeq: 2,
      type: 'rating.submitted',
      reason: 'poor_rating_needs_reason',
    });
  });

  it('writes reference data as console events that fold into the projections', async () => {
    const department = server.seed.departments[1]!;
    const windowId = newId();
    const created = await post('/api/v1/admin/ref', {
      type: 'ref.windowSaved',
      payload: {
        windowId,
        departmentId: department.id,
        code: 'B09',
        name: 'B09 窗口',
        sort: 299,
        active: true,
      },
    });
    expect(created.statusCode, created.body).toBe(200);
    const event = created.json().event;
    expect(event).toMatchObject({
      type: 'ref.windowSaved',
      hallId: server.seed.hall.id,
      payload: { windowId },
    });

    const list = (await get('/api/v1/admin/windows')).json().windows;
    const b09 = list.find((w: { id: string }) => w.id === windowId);
    expect(b09).toMatchObject({ code: 'B09', department: { code: 'HRSS' } });
    const card = await server.app.inject({
      url: `/api/v1/public/windows/B09?s=${b09.ratingPath.split('s=')[1]}`,
    });
    expect(card.statusCode).toBe(200);

    // Close it again: the newer event wins, the window disappears from ratings.
    const closed = await post('/api/v1/admin/ref', {
      type: 'ref.windowSaved',
      payload: {
        windowId,
        departmentId: department.id,
        code: 'B09',
        name: 'B09 窗口',
        sort: 299,
        active: false,
      },
    });
    expect(closed.statusCode).toBe(200);
    const d = await enrollDevice(server);
    const res = await pushOk(server.app, d, [
      d.rating(server, { windowId, departmentId: department.id }),
    ]);
    expect(res.results[0]).toMatchObject({ status: 'rejected', reason: 'unknown_window' });

    await post('/api/v1/admin/ref', {
      type: 'ref.hallSaved',
      payload: { name: '市民服务中心（东区）', nameEn: 'Citizen Service Center East' },
    });
    await post('/api/v1/admin/ref', {
      type: 'ref.settingsSaved',
      payload: { kioskIdleSeconds: 45 },
    });
    await post('/api/v1/admin/ref', {
      type: 'ref.leaderSaved',
      payload: {
        leaderId: newId(),
        departmentId: department.id,
        title: '人力资源和社会保障局副局长',
        active: true,
      },
    });

    // The projection equals the fold a device computes from the pulled events.
    const events: PulledEvent[] = [];
    let cursor = 0;
    for (;;) {
      const page = (
        await server.app.inject({
          url: `/api/v1/sync/pull?after=${cursor}`,
          headers: d.authorization(),
        })
      ).json();
      events.push(...page.events);
      cursor = page.cursor;
      if (!page.more) break;
    }
    const fold = foldReference(events);
    const hall = server.seed.hall.id;
    const strip = <T extends { version: unknown }>(xs: T[]) =>
      xs.map(({ version: _v, ...rest }) => rest);
    const byId = <T extends { id: string }>(xs: T[]) =>
      [...xs].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(strip(await listDepartments(server.db, hall)))).toEqual(
      byId(strip(Object.values(fold.departments))),
    );
    expect(byId((await listWindows(server.db, hall)).map(({ hallId: _h, ...w }) => w))).toEqual(
      byId(Object.values(fold.windows)),
    );
    expect(byId(await listLeaders(server.db, hall))).toEqual(byId(Object.values(fold.leaders)));
    expect((await getSettings(server.db, hall)).settings).toEqual({ ...fold.settings });
    expect(fold.settings.kioskIdleSeconds).toBe(45);
    expect(activeWindows(fold).some((w) => w.id === windowId)).toBe(false);
    expect((await get('/api/v1/admin/windows')).json().hall.name).toBe('市民服务中心（东区）');
  });

  it('refuses invalid reference data with 400 and writes nothing', async () => {
    const count = async () =>
      (
        await server.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM events WHERE type LIKE 'ref.%'",
        )
      )[0]!.n;
    const before = await count();
    const cases: [object, string][] = [
      [{ type: 'ref.windowSaved', payload: { windowId: newId(), code: 'X1' } }, 'missing'],
      [{ type: 'rating.submitted', payload: {} }, 'unknown_event_type'],
      [{ type: 'ref.nothing', payload: {} }, 'unknown_event_type'],
      [
        {
          type: 'ref.windowSaved',
          payload: {
            windowId: newId(),
            departmentId: newId(),
            code: 'Z01',
            name: 'Z01',
            sort: 1,
            active: true,
          },
        },
        'unknown_department',
      ],
      [
        {
          type: 'ref.windowSaved',
          payload: {
            windowId: newId(),
            departmentId: server.seed.departments[0]!.id,
            code: 'a01',
            name: '重复',
            sort: 1,
            active: true,
          },
        },
        'duplicate_code',
      ],
    ];
    for (const [payload, error] of cases) {
      const res = await post('/api/v1/admin/ref', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error).toBe(error);
      expect(res.json().issues.length).toBeGreaterThan(0);
    }
    expect(await count()).toBe(before);
    // The console's own log is still unbroken: a good write after the refusals is stored.
    const ok = await post('/api/v1/admin/ref', {
      type: 'ref.settingsSaved',
      payload: { levelCodeMap: 'ascending' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it("refuses a device's attempt to write reference data", async () => {
    const d = await enrollDevice(server);
    const res = await push(server.app, d, [d.append('ref.hallSaved', { name: '假大厅' })]);
    expect(res.json().results[0]).toMatchObject({ status: 'rejected', reason: 'not_allowed' });
  });
});

describe('console session behind a TLS proxy', () => {
  it('marks the cookie Secure when the request came over https', async () => {
    const { buildApp } = await import('../../src/server/app');
    const { loadConfig } = await import('../../src/server/config');
    const server = await startTestServer();
    const app = await buildApp({
      db: server.db,
      config: loadConfig({ TRUST_PROXY: 'true' }),
      logger: false,
    });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { username: 'admin', password: server.seed.admin.password },
      });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await app.close();
      await server.close();
    }
  });
});
