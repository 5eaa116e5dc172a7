/**
 * Every endpoint the server has (enumerated from the app, so a new one is fuzzed the day it is
 * added), given generated junk by every kind of caller: wrong types, missing and unknown fields,
 * huge strings, deep nesting, raw bytes that are not UTF-8, lone surrogates, SQL and script
 * fragments, wrong content types, junk queries and path parameters. Each case must get a 4xx with
 * a reason a person can read (or a 2xx where the junk happens to be acceptable), never a 5xx, and
 * the database must be left as it was by every refused request.
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from '../../support/reliability';
import { startTestServer, type TestServer } from '../../support/server';
import { adminCookie } from '../../sync/helpers';
import { TestDevice, enrollDevice, push } from '../helpers';

let server: TestServer;
let cookie: string;
let device: TestDevice;
const figures = {
  'endpoints fuzzed': 0,
  'fuzz cases tried': 0,
  'answered 4xx with a reason': 0,
  'answered 2xx': 0,
  'hostile events pushed': 0,
  crashes: 0,
  'partial writes': 0,
};
const crashes: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  cookie = await adminCookie(server);
  device = await enrollDevice(server);
});
afterAll(async () => {
  await server.close();
  recordFigures('fuzz', figures);
});

/** Strings that have broken servers before. */
const hostileString = fc.oneof(
  fc.constantFrom(
    "' OR 1=1 --",
    "'; DROP TABLE events; --",
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '=cmd|"/c calc"!A1',
    '\u0000',
    '\ud800',
    '\udfff\ud800',
    '../../../../etc/passwd',
    '%00%ff',
    '${jndi:ldap://x}',
    '{{7*7}}',
    '__proto__',
    'constructor',
    '9'.repeat(400),
    '-1',
    'NaN',
    'Infinity',
    '1e309',
    '2026-02-30T25:61:00Z',
    '9999-12-31T23:59:59Z',
    '0001-01-01T00:00:00Z',
    '',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 70_000 }).map((n) => 'x'.repeat(n)),
);

const junkValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.string({ maxLength: 12 })), tie('value'), {
      maxKeys: 5,
    }),
  ),
})).value;

/** Nesting deeper than any parser or validator should walk into. */
const deepNesting = fc.nat({ max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));

type Body =
  | { kind: 'json'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array; type: string }
  | { kind: 'none' };

const body: fc.Arbitrary<Body> = fc.oneof(
  junkValue.map((v) => ({ kind: 'json' as const, text: JSON.stringify(v) ?? 'null' })),
  deepNesting.map((text) => ({ kind: 'json' as const, text })),
  fc.string({ maxLength: 60 }).map((text) => ({ kind: 'json' as const, text })),
  fc
    .tuple(
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'image/png',
        'application/octet-stream',
      ),
    )
    .map(([bytes, type]) => ({ kind: 'bytes' as const, bytes, type })),
  fc.constant({ kind: 'none' as const }),
);

const caller = fc.constantFrom('anonymous', 'admin', 'device', 'stale-token') as fc.Arbitrary<
  'anonymous' | 'admin' | 'device' | 'stale-token'
>;

const queryString = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'after',
        'limit',
        'from',
        'to',
        'departmentId',
        'month',
        'format',
        'q',
        'page',
        'status',
      ),
      hostileString,
    ),
    { maxLength: 4 },
  )
  .map((pairs) =>
    pairs.length ? '?' + pairs.map(([k, v]) => `${k}=${encodeSegment(v)}`).join('&') : '',
  );

/** Percent-encoded; a lone surrogate goes as the bytes of invalid UTF-8 it would be. */
function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value) || 'x';
  } catch {
    return '%ED%A0%80';
  }
}

/** Tables whose rows a refused request must not touch. */
async function snapshot(): Promise<Map<string, number>> {
  const tables = await server.db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const row = (
    await server.db.query<Record<string, string | number>>(
      `SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t.name}) AS "${t.name}"`).join(', ')}`,
    )
  )[0]!;
  return new Map(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

let addresses = 0;

async function send(
  method: string,
  url: string,
  who: 'anonymous' | 'admin' | 'device' | 'stale-token',
  payload: Body,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (who === 'admin') headers.cookie = cookie;
  if (who === 'device') Object.assign(headers, device.authorization());
  if (who === 'stale-token') headers.authorization = 'Bearer ' + 'A'.repeat(43);
  const n = ++addresses;
  const common = {
    method: method as 'POST',
    url,
    headers,
    remoteAddress: `10.9.${(n >> 8) & 255}.${n & 255}`,
  };
  if (payload.kind === 'none' || method === 'GET' || method === 'HEAD')
    return server.app.inject(common);
  if (payload.kind === 'json')
    return server.app.inject({
      ...common,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: payload.text,
    });
  return server.app.inject({
    ...common,
    headers: { ...headers, 'content-type': payload.type },
    payload: Buffer.from(payload.bytes),
  });
}

/** An evaluator of its own for one case (from an address of its own: enrollment is limited). */
async function freshDevice(): Promise<TestDevice> {
  const code = await server.enroll('evaluator');
  const n = ++addresses;
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/devices/enroll',
    payload: { code },
    remoteAddress: `10.8.${(n >> 8) & 255}.${n & 255}`,
  });
  const body = res.json<{ deviceId: string; hallId: string; token: string; windowId: string }>();
  return new TestDevice(body.deviceId, body.hallId, body.token, body.windowId);
}

/** Writes a few routes make by design when given something they accept. */
const ALLOWED_TO_CHANGE = new Set(['devices', 'rejected_events', 'login_throttle', 'rating_flags']);

describe('every endpoint given junk', () => {
  const CASES_PER_ROUTE = 220;

  it('answers 4xx with a reason, never 5xx, and refused requests write nothing', async () => {
    const routes = server.app.routeTable.filter(
      (r) => r.method !== 'HEAD' && r.url !== '/*' && r.url !== '/api/v1/admin/logout',
    );
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) {
      figures['endpoints fuzzed']++;
      const before = await snapshot();
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(
          caller,
          body,
          queryString,
          fc.array(hostileString, { minLength: 3, maxLength: 3 }),
          async (who, payload, query, params) => {
            let i = 0;
            const path = route.url.replace(/:[A-Za-z0-9]+/g, () => encodeSegment(params[i++ % 3]!));
            const res = await send(route.method, path + query, who, payload);
            figures['fuzz cases tried']++;
            if (res.statusCode >= 500) {
              figures.crashes++;
              crashes.push(
                `${route.method} ${route.url}: ${res.statusCode} ${res.body.slice(0, 200)}`,
              );
            }
            expect(res.statusCode, `${route.method} ${path}`).toBeLessThan(500);
            if (res.statusCode >= 400) {
              const answer = res.json<{ error?: unknown; message?: unknown }>();
              expect(typeof answer.error).toBe('string');
              expect(typeof answer.message).toBe('string');
              expect((answer.message as string).length).toBeGreaterThan(8);
              figures['answered 4xx with a reason']++;
            } else {
              figures['answered 2xx']++;
              if (route.method !== 'GET') accepted++;
            }
          },
        ),
        { numRuns: CASES_PER_ROUTE, seed: 20261121 + figures['endpoints fuzzed'] },
      );
      // A route that took nothing must have changed nothing.
      if (accepted === 0) {
        const after = await snapshot();
        for (const [table, n] of after)
          if (!ALLOWED_TO_CHANGE.has(table) && n !== before.get(table)) {
            figures['partial writes']++;
            expect.fail(
              `${route.method} ${route.url} refused everything yet ${table} went ${before.get(table)} → ${n}`,
            );
          }
      }
    }
    expect(crashes).toEqual([]);
  }, 600_000);
});

describe('well-formed events with hostile payloads', () => {
  it('are each stored or refused as an event, once, and never half', async () => {
    const types = [
      'rating.submitted',
      'walk.started',
      'problem.recorded',
      'duty.signedIn',
      'ref.hallSaved',
      'no.suchType',
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...types), junkValue, fc.nat(), async (type, junk, pick) => {
        // A well-formed event of the device's chain, then one field of its payload broken — as a
        // faulty or hostile client would send it, whatever its hash then says.
        const own = await freshDevice();
        const valid = own.rating(server);
        const keys = Object.keys(valid.payload);
        const event = {
          ...valid,
          type,
          payload: { ...valid.payload, [keys[pick % keys.length]!]: junk },
        };
        const res = await push(server.app, own, [event]);
        figures['hostile events pushed']++;
        // Either the request as a whole is refused with a reason (a body that is not even
        // acceptable JSON), or the event is decided: stored or kept as refused, exactly once.
        if (res.statusCode !== 200) {
          expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
          expect(res.json<{ message: string }>().message.length).toBeGreaterThan(8);
        }
        const expected = res.statusCode === 200 ? 1 : 0;
        const [row] = await server.db.query<{ stored: number; refused: number }>(
          `SELECT (SELECT count(*)::int FROM events WHERE id = $1) AS stored,
                  (SELECT count(*)::int FROM rejected_events WHERE event_id = $1) AS refused`,
          [event.id],
        );
        expect(row!.stored + row!.refused).toBe(expected);
      }),
      { numRuns: 400, seed: 611 },
    );
  }, 300_000);
});
