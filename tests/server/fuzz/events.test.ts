/**
 * Well-formed events of a device's chain with one field of their payload replaced by generated
 * junk, pushed as a faulty or hostile client would: each is stored or kept as refused, exactly
 * once, or the request as a whole is refused with a reason — never half.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFigures } from '../../support/reliability';
import { startTestServer, type TestServer } from '../../support/server';
import { TestDevice, push } from '../helpers';

let server: TestServer;
const figures = {
  'hostile events pushed': 0,
  'requests refused whole': 0,
  duplicated: 0,
  crashes: 0,
};

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  recordFigures('fuzz-events', figures);
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

let addresses = 0;

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
        if (res.statusCode >= 500) figures.crashes++;
        if (res.statusCode !== 200) {
          figures['requests refused whole']++;
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
