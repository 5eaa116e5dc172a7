/** Failed console logins are throttled per user name and per address, across server processes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { recordFigures } from '../support/reliability';
import { startTestServer, type TestServer } from '../support/server';

let clock = Date.parse('2026-11-20T02:00:00Z');
let server: TestServer;
let throttled = 0;
beforeAll(async () => {
  server = await startTestServer({ now: () => clock });
});
afterAll(async () => {
  await server.close();
  recordFigures('login-throttle', { 'login attempts throttled': throttled, crashes: 0 });
});

const attempt = (password: string, remoteAddress = '10.1.1.1', app = server.app) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/admin/login',
    payload: { username: server.seed.admin.username, password },
    remoteAddress,
  });

describe('console login throttling', () => {
  it('locks a user name after five failures, without even checking the password, then lets the right one in', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).statusCode).toBe(401);
    const locked = await attempt(server.seed.admin.password);
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: 'login_locked', retryAfterSeconds: 60 });
    expect(locked.headers['retry-after']).toBe('60');
    throttled++;
    // From another address too: the user name itself is locked.
    expect((await attempt(server.seed.admin.password, '10.2.2.2')).statusCode).toBe(429);
    throttled++;

    clock += 61_000;
    expect((await attempt(server.seed.admin.password)).statusCode).toBe(200);
    // The success forgot the failures: one more mistake does not lock again.
    expect((await attempt('wrong-password')).statusCode).toBe(401);
    expect((await attempt(server.seed.admin.password)).statusCode).toBe(200);
  });

  it('doubles the lock with each further failure, up to fifteen minutes', async () => {
    const failUntilLocked = async () => {
      for (;;) {
        const res = await attempt('wrong-password', '10.3.3.3');
        if (res.statusCode === 429)
          return res.json<{ retryAfterSeconds: number }>().retryAfterSeconds;
      }
    };
    let lock = await failUntilLocked();
    expect(lock).toBe(60);
    const locks: number[] = [];
    for (let i = 0; i < 6; i++) {
      // Each failure right after the lock ends locks again, twice as long.
      clock += lock * 1000 + 1000;
      expect((await attempt('wrong-password', '10.3.3.3')).statusCode).toBe(401);
      const res = await attempt('wrong-password', '10.3.3.3');
      lock = res.json<{ retryAfterSeconds: number }>().retryAfterSeconds;
      locks.push(lock);
      throttled++;
    }
    expect(locks).toEqual([120, 240, 480, 900, 900, 900]);
    clock += lock * 1000 + 1000;
    expect((await attempt(server.seed.admin.password, '10.3.3.3')).statusCode).toBe(200);
  });

  it('holds across server processes on one database', async () => {
    const other = await buildApp({
      db: server.db,
      config: loadConfig({}),
      logger: false,
      now: () => clock,
    });
    try {
      for (let i = 0; i < 5; i++)
        expect((await attempt('wrong-password', '10.4.4.4')).statusCode).toBe(401);
      const res = await attempt(server.seed.admin.password, '10.4.4.4', other);
      expect(res.statusCode).toBe(429);
      throttled++;
    } finally {
      await other.close();
      clock += 16 * 60_000;
    }
  });
});
