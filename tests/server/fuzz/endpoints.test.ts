/**
 * Every endpoint the app serves, given generated bad requests by every kind of caller: each answer
 * is a 2xx (the junk was ignored) or a 4xx with a readable reason, never a 5xx, and a refused
 * request writes nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSession } from '../../../src/server/services/auth';
import { recordFigures } from '../../support/reliability';
import { startTestServer, type TestServer } from '../../support/server';
import { consoleCookie, enrollRole } from '../duty-support';
import { enrollDevice } from '../helpers';
import {
  expectRefusalOrSuccess,
  fillParams,
  fingerprint,
  hostileBody,
  hostileParam,
  hostileQuery,
  listRoutes,
  type Route,
} from './support';

/** Tables whose contents change on any authenticated call (last contact, session use). */
const VOLATILE = new Set(['devices', 'admin_sessions']);
/** Written by refusals by design: failed logins are counted, refused events are kept. */
const REFUSAL_RECORDS = new Set(['login_throttle', 'rejected_events']);
const TOTAL_CASES = 10_000;

let server: TestServer;
let routes: Route[];
const callers: Record<string, () => Record<string, string>> = {};
const figures = { endpoints: 0, cases: 0, refused: 0, accepted: 0, crashes: 0, partial: 0 };

beforeAll(async () => {
  server = await startTestServer();
  routes = listRoutes(server.app);
  let cookie = await consoleCookie(server);
  const evaluator = await enrollDevice(server);
  const kiosk = await enrollRole(server, 'duty_kiosk');
  const tablet = await enrollRole(server, 'inspection_tablet');
  callers.anonymous = () => ({});
  callers.forged = () => ({ authorization: 'Bearer %00junk', cookie: 'hk_session=forged' });
  callers.admin = () => ({ cookie });
  callers.evaluator = () => evaluator.authorization();
  callers.kiosk = () => kiosk.authorization();
  callers.tablet = () => tablet.authorization();
  // Logging out is a success that ends the session: the next admin case logs in again.
  const [admin] = await server.db.query<{ id: string }>(
    "SELECT id FROM admins WHERE username = 'admin'",
  );
  relogin = async () => {
    cookie = `hk_session=${(await createSession(server.db, admin!.id, Date.now())).token}`;
  };
}, 60_000);

let relogin: () => Promise<void> = async () => {};

afterAll(async () => {
  recordFigures('fuzz', {
    'endpoints fuzzed': figures.endpoints,
    'fuzz cases tried': figures.cases,
    'answered 4xx with a reason': figures.refused,
    'ignored junk and answered 2xx': figures.accepted,
    crashes: figures.crashes,
    'partial writes': figures.partial,
  });
  await server?.close();
});

describe('every endpoint, every caller, bad input', () => {
  test('the app serves the endpoints the fuzzer knows about', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContainEqual({ method: 'POST', url: '/api/v1/sync/push' });
    expect(routes).toContainEqual({ method: 'PUT', url: '/api/v1/blobs/:sha256' });
  });

  test('no 5xx, a readable reason for every refusal, nothing written by a refusal', async () => {
    const pairs = routes.flatMap((route) =>
      Object.keys(callers).map((caller) => ({ route, caller })),
    );
    const numRuns = Math.ceil(TOTAL_CASES / pairs.length);
    figures.endpoints = new Set(routes.map((r) => `${r.method} ${r.url}`)).size;
    for (const route of routes) {
      let before = await fingerprint(server.db, VOLATILE);
      let wrote = false;
      for (const caller of Object.keys(callers)) {
        await fc.assert(
          fc.asyncProperty(
            hostileBody,
            hostileQuery,
            fc.array(hostileParam, { minLength: 1, maxLength: 2 }),
            fc.ipV4(),
            async (body, query, params, address) => {
              const url = fillParams(route.url, params) + (query ? `?${query}` : '');
              const sendsBody = route.method !== 'GET';
              const res = await server.app.inject({
                method: route.method as 'GET',
                url,
                remoteAddress: address,
                headers: {
                  ...callers[caller]!(),
                  ...(sendsBody && body.contentType !== undefined
                    ? { 'content-type': body.contentType }
                    : {}),
                },
                ...(sendsBody && body.payload !== undefined ? { payload: body.payload } : {}),
              });
              figures.cases++;
              if (res.statusCode >= 500) figures.crashes++;
              expectRefusalOrSuccess(res, `${caller} ${route.method} ${url.slice(0, 200)}`);
              if (res.statusCode < 400) {
                figures.accepted++;
                if (route.method !== 'GET') wrote = true;
                if (route.url === '/api/v1/admin/logout') await relogin();
              } else figures.refused++;
            },
          ),
          { numRuns, seed: Number(process.env.FUZZ_SEED ?? 20261121) },
        );
      }
      const after = await fingerprint(server.db, VOLATILE);
      if (wrote) before = after;
      const changed = Object.keys(after).filter(
        (t) => !REFUSAL_RECORDS.has(t) && after[t] !== before[t],
      );
      if (changed.length) figures.partial++;
      expect(changed, `${route.method} ${route.url} changed tables`).toEqual([]);
    }
    const alive = await server.app.inject({ url: '/api/v1/time' });
    expect(alive.statusCode).toBe(200);
    expect(figures.cases).toBeGreaterThanOrEqual(TOTAL_CASES);
    expect(figures.crashes).toBe(0);
    expect(figures.partial).toBe(0);
  }, 240_000);
});
