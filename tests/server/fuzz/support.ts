/**
 * The fuzz suites' shared parts: the routes the app serves (read from the app itself, so a new
 * endpoint is fuzzed without being listed here), hostile values, the check that an answer is a
 * readable refusal, and a fingerprint of every table to prove a refused request wrote nothing.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Db } from '../../../src/server/db/db';
import { MAX_PUSH_BYTES } from '../../../src/sync/protocol';

export interface Route {
  method: string;
  /** With `:name` parameters, e.g. `/api/v1/blobs/:sha256`. */
  url: string;
}

/** Every route the app serves, from fastify's route tree (HEAD left out: it is GET's twin). */
export function listRoutes(app: FastifyInstance): Route[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: { depth: number; path: string }[] = [];
  const routes: Route[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    while (stack.length > depth) stack.pop();
    const path = (stack.at(-1)?.path ?? '') + m[2]!;
    stack.push({ depth, path });
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method && method !== 'HEAD') routes.push({ method, url: path });
    }
  }
  return routes;
}

/** SQL, markup and script fragments, formula starts, odd Unicode. */
export const HOSTILE_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE ratings; --",
  '1; SELECT pg_sleep(5)',
  '" UNION SELECT * FROM admins --',
  '$1',
  '%s%s%s%n',
  '<script>window.__pwned=1</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  '${7*7}',
  '=cmd|" /C calc"!A0',
  '+SUM(1)',
  '@HYPERLINK("http://x")',
  '\u0000',
  '\ud800',
  '\udfff',
  'a\ud83dz',
  '\u202e\u202d',
  '\ufeff',
  '../../../../etc/passwd',
  '..%2f..%2f',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-1',
  '9'.repeat(400),
  '0000-00-00T00:00:00Z',
  '1900-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  '2026-02-30',
  '019a0000-0000-7000-8000-000000000000',
  '00000000-0000-0000-0000-000000000000',
  '不存在的窗口',
  '',
  ' ',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => s.repeat(500)) },
);

/** Numbers a schema should refuse somewhere: negative, fractional, huge, not finite as text. */
const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Keys the real request bodies use, so a generated object sometimes reaches deeper checks. */
const KEYS = [
  'code',
  's',
  'username',
  'password',
  'role',
  'windowId',
  'departmentId',
  'name',
  'events',
  'deviceId',
  'ratings',
  'ticket',
  'level',
  'reasons',
  'comment',
  'phoneId',
  'type',
  'payload',
  'hallId',
  'id',
  'at',
  'hlc',
  'deviceSeq',
  'prevHash',
  'format',
  'leaderId',
  'pin',
  'csv',
  'date',
  'start',
  'end',
  'weekday',
  'status',
  'note',
  'to',
  'from',
  'ids',
  'pending',
  'health',
  'problemId',
  'step',
  'reason',
  'items',
  'order',
  'entity',
  'fields',
  'sig',
  'after',
  'limit',
  '__proto__',
  'constructor',
];

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 6 }),
  ),
})).value;

/** A JSON text nested deeper than any parser stack should be asked to go. */
const deepJson = fc
  .tuple(fc.integer({ min: 500, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** Bodies near and over the body limit (the same few sizes: building them is the cost). */
const hugeJson = fc
  .constantFrom(MAX_PUSH_BYTES - 64, MAX_PUSH_BYTES + 1, MAX_PUSH_BYTES * 2)
  .map((size) => JSON.stringify({ code: 'x'.repeat(size) }));

export interface Body {
  contentType?: string;
  payload?: string | Buffer;
}

const JSON_TYPE = 'application/json';

export const hostileBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Body>({}) },
  {
    weight: 8,
    arbitrary: hostileValue.map((v) => ({
      contentType: JSON_TYPE,
      payload: JSON.stringify(v) ?? 'null',
    })),
  },
  { weight: 1, arbitrary: deepJson.map((payload) => ({ contentType: JSON_TYPE, payload })) },
  { weight: 1, arbitrary: hugeJson.map((payload) => ({ contentType: JSON_TYPE, payload })) },
  {
    // Invalid UTF-8 and other raw bytes under a JSON content type.
    weight: 2,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({
      contentType: JSON_TYPE,
      payload: Buffer.concat([
        Buffer.from('{"code":"'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from(b),
        Buffer.from('"}'),
      ]),
    })),
  },
  {
    // Lone surrogates as JSON escapes, and JSON that is not JSON.
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '{"code":"\\ud800","password":"\\udfff"}',
        '{"events":[{"id":"\\udbff\\udfff\\ud800"}]}',
        '{',
        '{"a":1,}',
        'null',
        '"just a string"',
        '12345',
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"admin":true}}}',
      )
      .map((payload) => ({ contentType: JSON_TYPE, payload })),
  },
  {
    // Other content types, with JSON-looking or binary bodies.
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/octet-stream',
          'image/png',
          'application/json; charset=latin1',
          'application/json; charset=utf-16',
          'text/csv',
          '',
          ';;;',
        ),
        fc.oneof(
          hostileValue.map((v) => JSON.stringify(v) ?? ''),
          fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
        ),
      )
      .map(([contentType, payload]) => ({ contentType, payload })),
  },
);

/** Junk query strings, already encoded (and sometimes badly). */
export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...KEYS, 'month', 'department', 'source', 'overdue', 'period'),
        hostileString,
      ),
      {
        maxLength: 4,
      },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(safe(v))}`).join('&')),
  fc.constantFrom(
    'after=-1&limit=99999999',
    'limit=abc',
    'after=1e400',
    'a=%ZZ&b=%',
    's=%00',
    'code=a&code=b&code=c',
    'from=9999-99-99&to=0000-00-00',
    'from=2026-12-31&to=2026-01-01',
    'month=2026-13',
    'x[y][z]=1',
    '=&&=',
    `q=${'a'.repeat(8000)}`,
  ),
);

/** A path parameter: hostile text, percent-encoded (or a raw bad escape). */
export const hostileParam: fc.Arbitrary<string> = fc.oneof(
  hostileString.map((s) => encodeURIComponent(safe(s)) || 'x'),
  fc.constantFrom(
    '%',
    '%ZZ',
    '%00',
    '..',
    '.',
    '%2e%2e%2f',
    'a'.repeat(3000),
    '0'.repeat(64),
    'f'.repeat(64),
  ),
);

/** encodeURIComponent throws on lone surrogates: keep them as text for paths and queries. */
function safe(s: string): string {
  return Array.from(s, (c) =>
    c.length === 1 && c >= '\ud800' && c <= '\udfff' ? '\ufffd' : c,
  ).join('');
}

export function fillParams(url: string, values: string[]): string {
  let i = 0;
  return url.replace(/:[A-Za-z]+/g, () => values[i++ % values.length] ?? 'x');
}

const SENTENCE = /^\S[\s\S]*\s[\s\S]*\S$/;

/** Fail unless `res` is an answer a bad request may get: any 2xx, or a 4xx with a readable reason. */
export function expectRefusalOrSuccess(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode < 400 || (res.statusCode === 404 && res.body === '')) return;
  const body = res.json<{ error?: unknown; message?: unknown }>();
  expect(typeof body.error, `${what}: error code in ${res.body.slice(0, 300)}`).toBe('string');
  expect(body.error as string, what).toMatch(/^[a-z][a-z0-9_]*$/);
  expect(typeof body.message, `${what}: message in ${res.body.slice(0, 300)}`).toBe('string');
  const message = body.message as string;
  expect(message, what).toMatch(SENTENCE);
  expect(message, what).not.toMatch(/\bat .*\(.*:\d+:\d+\)|\[object Object\]|undefined/);
}

export interface Fingerprint {
  [table: string]: string;
}

/** Row count and content checksum of every table (counts only for `countOnly`). */
export async function fingerprint(db: Db, countOnly: ReadonlySet<string>): Promise<Fingerprint> {
  const tables = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  const parts = tables.map(({ name }) =>
    countOnly.has(name)
      ? `SELECT '${name}' AS name, count(*)::text AS sum FROM "${name}"`
      : `SELECT '${name}' AS name, count(*)::text || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') AS sum FROM "${name}" t`,
  );
  const rows = await db.query<{ name: string; sum: string }>(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.name, r.sum]));
}
