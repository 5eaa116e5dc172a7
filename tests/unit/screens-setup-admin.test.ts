import { describe, expect, it, vi } from 'vitest';
import type { DeviceCredentials } from '../../src/app/device-api';
import { newId } from '../../src/domain/ids';
import { cardUrl, createAdminApi, type FetchLike } from '../../src/screens/admin/admin-api';
import { AdminState } from '../../src/screens/admin/admin-state.svelte';
import { SetupState } from '../../src/screens/setup/setup-state.svelte';

const credentials: DeviceCredentials = {
  deviceId: newId(),
  token: 't',
  hallId: newId(),
  role: 'evaluator',
  windowId: newId(),
  enrolledAt: new Date().toISOString(),
};

describe('SetupState', () => {
  it('starts with the code from the link and enrolls with it', async () => {
    const calls: [string, string | undefined][] = [];
    const setup = new SetupState(async (code, name) => {
      calls.push([code, name]);
      return credentials;
    }, 'ABCD-2345');
    expect(setup.code).toBe('ABCD-2345');
    setup.name = '  A01 窗口平板 ';
    await setup.submit();
    expect(calls).toEqual([['ABCD-2345', 'A01 窗口平板']]);
    expect(setup.enrolledAs).toBe('evaluator');
  });

  it('asks for a code before calling the server', async () => {
    let called = false;
    const setup = new SetupState(async () => {
      called = true;
      return credentials;
    }, null);
    await setup.submit();
    expect(setup.missingCode).toBe(true);
    expect(called).toBe(false);
  });

  it.each(['invalid_code', 'expired_code', 'used_code', 'offline', 'server_error'])(
    'reports %s',
    async (code) => {
      const setup = new SetupState(async () => {
        throw Object.assign(new Error(code), { code });
      }, 'X');
      await setup.submit();
      expect(setup.error).toBe(code);
      expect(setup.busy).toBe(false);
    },
  );

  it('counts an unknown failure as a server error', async () => {
    const setup = new SetupState(async () => {
      throw new TypeError('weird');
    }, 'X');
    await setup.submit();
    expect(setup.error).toBe('server_error');
  });
});

/** A scripted console server: answers by method and path. */
function scripted(routes: Record<string, (body: unknown) => [number, unknown]>) {
  const seen: string[] = [];
  const fetchFn: FetchLike = async (input, init) => {
    const key = `${init?.method ?? 'GET'} ${input}`;
    seen.push(key);
    const route = routes[key];
    if (!route)
      return new Response(JSON.stringify({ error: 'not_found', message: key }), { status: 404 });
    const [status, body] = route(init?.body ? JSON.parse(init.body as string) : undefined);
    return new Response(body === undefined ? null : JSON.stringify(body), { status });
  };
  return { fetchFn, seen };
}

const windows = {
  hall: { id: newId(), name: '市民服务中心' },
  windows: [],
};

describe('AdminState', () => {
  it('signs in, loads the first section, and shows a wrong password in words', async () => {
    const server = scripted({
      'GET /api/v1/admin/me': () => [401, { error: 'unauthorized', message: 'no session' }],
      'POST /api/v1/admin/login': (body) =>
        (body as { password: string }).password === 'right'
          ? [200, { username: 'admin' }]
          : [401, { error: 'bad_credentials', message: 'bad' }],
      'GET /api/v1/admin/windows': () => [200, windows],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn));
    await admin.start();
    expect(admin.session).toBe('signedOut');
    await admin.login('admin', 'wrong');
    expect(admin.loginError?.code).toBe('bad_credentials');
    await admin.login(' admin ', 'right');
    expect(admin.session).toBe('signedIn');
    expect(admin.username).toBe('admin');
    // The first section is the dashboard, for this month so far.
    await vi.waitFor(() =>
      expect(server.seen.some((k) => k.startsWith('GET /api/v1/admin/dashboard?from='))).toBe(true),
    );
    admin.show('windows');
    await vi.waitFor(() => expect(admin.windows.data).toEqual(windows));
  });

  it('returns to the sign-in form when the session expires', async () => {
    const server = scripted({
      'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
      'GET /api/v1/admin/windows': () => [401, { error: 'unauthorized', message: 'expired' }],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn));
    await admin.start();
    await admin.windows.refresh();
    expect(admin.session).toBe('signedOut');
    expect(admin.loginError?.code).toBe('unauthorized');
  });

  it('forgets the figures and reference pages shown when the administrator signs out', async () => {
    const ranking = { month: '2026-11', weights: {}, rows: [] };
    const reference = {
      departments: [],
      windows: [],
      serviceItems: [],
      settings: {},
      setByHall: [],
    };
    const server = scripted({
      'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
      'POST /api/v1/admin/logout': () => [200, { ok: true }],
      'GET /api/v1/admin/reference': () => [200, reference],
    });
    const answered = server.fetchFn;
    const fetchFn: FetchLike = (input, init) =>
      input.startsWith('/api/v1/admin/ranking?')
        ? Promise.resolve(new Response(JSON.stringify(ranking), { status: 200 }))
        : answered(input, init);
    const admin = new AdminState(createAdminApi(fetchFn));
    await admin.start();
    admin.show('ranking');
    await vi.waitFor(() => expect(admin.figures.ranking.data).toEqual(ranking));
    admin.show('departments');
    await vi.waitFor(() => expect(admin.reference.data.data).toEqual(reference));
    await admin.logout();
    expect(admin.session).toBe('signedOut');
    expect(admin.figures.ranking.data).toBeNull();
    expect(admin.reference.data.data).toBeNull();
  });

  it('revokes a device after confirmation and reloads the list', async () => {
    const id = newId();
    const server = scripted({
      'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
      'GET /api/v1/admin/windows': () => [200, windows],
      'GET /api/v1/admin/fleet': () => [200, { devices: [], alerts: [] }],
      [`POST /api/v1/admin/devices/${id}/revoke`]: () => [200, { ok: true }],
    });
    const admin = new AdminState(createAdminApi(server.fetchFn));
    await admin.start();
    admin.askRevoke(id);
    expect(admin.confirming).toBe(id);
    await admin.revoke(id);
    expect(admin.confirming).toBeNull();
    expect(server.seen).toContain(`POST /api/v1/admin/devices/${id}/revoke`);
    expect(server.seen.at(-1)).toBe('GET /api/v1/admin/fleet');
  });

  it('creates an enrollment code for a window', async () => {
    const windowId = newId();
    let sent: unknown;
    const server = scripted({
      'GET /api/v1/admin/me': () => [200, { username: 'admin' }],
      'GET /api/v1/admin/windows': () => [200, windows],
      'POST /api/v1/admin/enrollments': (body) => {
        sent = body;
        return [
          200,
          {
            code: 'ABCD-2345',
            expiresAt: '2026-01-01T00:00:00Z',
            setupPath: '/setup?code=ABCD-2345',
          },
        ];
      },
    });
    const admin = new AdminState(createAdminApi(server.fetchFn));
    await admin.start();
    await admin.enroll('evaluator', windowId, '  ');
    expect(sent).toEqual({ role: 'evaluator', windowId });
    expect(admin.enrollment?.code).toBe('ABCD-2345');

    // A duty kiosk serves the whole hall: no window is sent.
    await admin.enroll('duty_kiosk', null, '大厅坐班终端');
    expect(sent).toEqual({ role: 'duty_kiosk', name: '大厅坐班终端' });
  });

  it('reports an unreachable server as offline', async () => {
    const api = createAdminApi(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.me()).rejects.toMatchObject({ code: 'offline', status: 0 });
  });
});

describe('cardUrl', () => {
  const w = { ratingPath: '/r/A01?s=x', ratingUrl: 'http://localhost:8080/r/A01?s=x' };

  it('prints the server URL when it is a real address', () => {
    expect(
      cardUrl({ ...w, ratingUrl: 'https://hall.example.cn/r/A01?s=x' }, 'http://10.0.0.5:8080'),
    ).toBe('https://hall.example.cn/r/A01?s=x');
  });

  it('uses the console address instead of a loopback URL phones cannot reach', () => {
    expect(cardUrl(w, 'http://10.0.0.5:8080')).toBe('http://10.0.0.5:8080/r/A01?s=x');
    expect(cardUrl(w, 'http://localhost:8080')).toBe('http://localhost:8080/r/A01?s=x');
  });
});
