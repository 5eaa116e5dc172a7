import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/server/config';
import type { EnrollResponse } from '../../src/sync/protocol';
import {
  SIGNATURE_HEADERS,
  SIGNATURE_WINDOW_MS,
  exportPublicKey,
  fromBase64Url,
  generateDeviceKey,
  importPublicKey,
  signRequest,
  toBase64Url,
  verifyRequest,
} from '../../src/sync/signing';
import { TestDevice } from './helpers';
import { recordFigures } from '../support/reliability';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';

const push = {
  method: 'POST',
  path: '/api/sync/push',
  body: JSON.stringify({ events: [{ type: 'rating', score: 1 }] }),
};
const NOW = Date.UTC(2026, 10, 21, 9, 0, 0);

async function enrolledKey(): Promise<{ pair: CryptoKeyPair; stored: CryptoKey }> {
  const pair = await generateDeviceKey();
  const stored = await importPublicKey(await exportPublicKey(pair.publicKey));
  if (!stored) throw new Error('the exported public key does not import');
  return { pair, stored };
}

describe('device request signatures', () => {
  it('keeps the private key inside WebCrypto', async () => {
    const pair = await generateDeviceKey();
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', pair.privateKey)).rejects.toThrow();
  });

  it('accepts a request signed by the enrolled key, with a device clock a day behind', async () => {
    const { pair, stored } = await enrolledKey();
    const headers = await signRequest(pair.privateKey, push, NOW - SIGNATURE_WINDOW_MS + 60_000);
    const verdict = await verifyRequest(stored, push, headers, NOW);
    expect(verdict.ok).toBe(true);
  });

  it('refuses a token copied to another machine: a fresh key signs nothing the server accepts', async () => {
    const { stored } = await enrolledKey();
    const thief = await generateDeviceKey();
    const headers = await signRequest(thief.privateKey, push, NOW);
    expect(await verifyRequest(stored, push, headers, NOW)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses an altered body, path, method or time', async () => {
    const { pair, stored } = await enrolledKey();
    const headers = await signRequest(pair.privateKey, push, NOW);
    const altered = [
      { ...push, body: push.body.replace('"score":1', '"score":3') },
      { ...push, path: '/api/sync/push?hall=2' },
      { ...push, method: 'PUT' },
    ];
    for (const parts of altered) {
      expect((await verifyRequest(stored, parts, headers, NOW)).ok).toBe(false);
    }
    const retimed = { ...headers, [SIGNATURE_HEADERS.time]: String(NOW + 1) };
    expect(await verifyRequest(stored, push, retimed, NOW)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses missing, malformed and out-of-window signatures with a reason', async () => {
    const { pair, stored } = await enrolledKey();
    const headers = await signRequest(pair.privateKey, push, NOW);
    expect(await verifyRequest(stored, push, {}, NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(
      await verifyRequest(
        stored,
        push,
        { ...headers, [SIGNATURE_HEADERS.signature]: 'not base64url!' },
        NOW,
      ),
    ).toEqual({ ok: false, reason: 'malformed' });
    const old = await signRequest(pair.privateKey, push, NOW - SIGNATURE_WINDOW_MS - 1);
    expect(await verifyRequest(stored, push, old, NOW)).toEqual({ ok: false, reason: 'stale' });
  });

  it('imports only P-256 public keys', async () => {
    expect(await importPublicKey('')).toBeNull();
    expect(await importPublicKey('AAAA')).toBeNull();
    const rsa = await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    expect(
      await importPublicKey(toBase64Url(await crypto.subtle.exportKey('spki', rsa.publicKey))),
    ).toBeNull();
  });
});

/** What the server did with requests of enrolled devices, for the reliability table. */
const figures = { forgedRefused: 0, signedAccepted: 0, crashes: 0 };

interface Answer {
  statusCode: number;
  json<T = Record<string, unknown>>(): T;
}

/** Count one answer: a 5xx is a crash; the caller says whether it expected acceptance. */
function tally(res: Answer, expected: 'accepted' | 'refused'): Answer {
  if (res.statusCode >= 500) figures.crashes++;
  else if (expected === 'accepted' && res.statusCode < 300) figures.signedAccepted++;
  else if (expected === 'refused' && res.statusCode >= 400) figures.forgedRefused++;
  return res;
}

/** A device enrolled over the API with a key pair, as the browser client enrolls. */
interface SignedDevice {
  log: TestDevice;
  pair: CryptoKeyPair;
}

async function enrollWithKey(
  server: TestServer,
  app: FastifyInstance = server.app,
): Promise<SignedDevice> {
  const pair = await generateDeviceKey();
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/devices/enroll',
    payload: {
      code: await server.enroll('evaluator'),
      publicKey: await exportPublicKey(pair.publicKey),
    },
  });
  expect(res.statusCode).toBe(200);
  const body = res.json<EnrollResponse>();
  return { log: new TestDevice(body.deviceId, body.hallId, body.token, body.windowId), pair };
}

interface SendOptions {
  /** Sign with this key instead of the device's own (a copied token on another machine). */
  key?: CryptoKey;
  /** Sign this body, but send `body` (altered in transit). */
  signedBody?: string;
  /** Sign this path, but send to `url`. */
  signedPath?: string;
  /** The signing device's idea of the server's time. */
  at?: number;
  /** Send exactly these signature headers (a replay). */
  headers?: Record<string, string>;
  unsigned?: boolean;
}

async function signedInject(
  app: FastifyInstance,
  device: SignedDevice,
  method: 'GET' | 'POST',
  url: string,
  body: string | undefined,
  options: SendOptions = {},
) {
  const signature =
    options.headers ??
    (options.unsigned
      ? {}
      : await signRequest(
          options.key ?? device.pair.privateKey,
          { method, path: options.signedPath ?? url, body: options.signedBody ?? body ?? '' },
          options.at ?? clock.now,
        ));
  const res = await app.inject({
    method,
    url,
    headers: {
      ...device.log.authorization(),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...signature,
    },
    ...(body !== undefined ? { payload: body } : {}),
  });
  return { res, signature };
}

function pushBody(server: TestServer, device: SignedDevice): string {
  return JSON.stringify({ deviceId: device.log.deviceId, events: [device.log.rating(server)] });
}

const clock = { now: Date.UTC(2026, 10, 21, 9, 0, 0) };

afterAll(() => {
  recordFigures('signed-requests', {
    'forged requests refused': figures.forgedRefused,
    'signed requests accepted': figures.signedAccepted,
    crashes: figures.crashes,
  });
  expect(figures.crashes).toBe(0);
});

describe('signed device requests at the server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock.now });
  });
  afterAll(async () => {
    await server.close();
  });

  async function events(deviceId: string): Promise<number> {
    const rows = await server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE device_id = $1',
      [deviceId],
    );
    return rows[0]!.n;
  }

  async function writes(): Promise<number> {
    const rows = await server.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM rejected_events)
            + (SELECT count(*) FROM device_nonces) AS n`,
    );
    return Number(rows[0]!.n);
  }

  it('keeps the public key an enrolling device sends, and refuses one that is not P-256', async () => {
    const rsa = await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
      'sign',
    ]);
    const bad: unknown[] = [
      '',
      'AAAA',
      'not base64url!',
      42,
      null,
      { kty: 'EC' },
      'A'.repeat(5000),
      toBase64Url(await crypto.subtle.exportKey('spki', rsa.publicKey)),
      toBase64Url(await crypto.subtle.exportKey('spki', p384.publicKey)),
    ];
    const code = await server.enroll('evaluator');
    for (const publicKey of bad) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/devices/enroll',
        payload: { code, publicKey },
      });
      tally(res, 'refused');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_public_key' });
    }
    // Refused keys spend no code: the same code still enrolls, with a good key.
    const pair = await generateDeviceKey();
    const publicKey = await exportPublicKey(pair.publicKey);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      payload: { code, publicKey },
    });
    expect(res.statusCode).toBe(200);
    const rows = await server.db.query<{ key: string }>(
      'SELECT public_key AS key FROM devices WHERE id = $1',
      [res.json<EnrollResponse>().deviceId],
    );
    expect(rows[0]!.key).toBe(publicKey);
  });

  it('takes a signed push and pull, and refuses the same token signed by another key', async () => {
    const device = await enrollWithKey(server);
    const ok = await signedInject(
      server.app,
      device,
      'POST',
      '/api/v1/sync/push',
      pushBody(server, device),
    );
    tally(ok.res, 'accepted');
    expect(ok.res.statusCode).toBe(200);
    const pulled = await signedInject(
      server.app,
      device,
      'GET',
      '/api/v1/sync/pull?after=0',
      undefined,
    );
    tally(pulled.res, 'accepted');
    expect(pulled.res.statusCode).toBe(200);
    expect(await events(device.log.deviceId)).toBe(1);

    // The token copied to another machine, which makes its own key: nothing it sends is taken.
    const thief = await generateDeviceKey();
    const before = await writes();
    for (const [method, url, body] of [
      ['POST', '/api/v1/sync/push', pushBody(server, device)],
      ['GET', '/api/v1/sync/pull?after=0', undefined],
      ['GET', '/api/v1/roster/pins', undefined],
    ] as const) {
      const { res } = await signedInject(server.app, device, method, url, body, {
        key: thief.privateKey,
      });
      tally(res, 'refused');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'bad_signature' });
    }
    // Nor the token alone.
    const { res } = await signedInject(
      server.app,
      device,
      'POST',
      '/api/v1/sync/push',
      pushBody(server, device),
      {
        unsigned: true,
      },
    );
    tally(res, 'refused');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'bad_signature' });
    expect(await writes()).toBe(before);
    expect(await events(device.log.deviceId)).toBe(1);
  });

  it('refuses a body altered in transit, another path or query, and a photo upload signed for other bytes', async () => {
    const device = await enrollWithKey(server);
    const before = await writes();
    const body = pushBody(server, device);
    const tampered = body.replace('very_satisfied', 'very_dissatisfied');
    expect(tampered).not.toBe(body);
    const cases: [string, 'GET' | 'POST', string, string | undefined, SendOptions][] = [
      ['tampered body', 'POST', '/api/v1/sync/push', tampered, { signedBody: body }],
      [
        'pull signed, push sent',
        'POST',
        '/api/v1/sync/push',
        body,
        { signedPath: '/api/v1/sync/pull' },
      ],
      [
        'other query',
        'GET',
        '/api/v1/sync/pull?after=0',
        undefined,
        { signedPath: '/api/v1/sync/pull?after=9' },
      ],
      [
        'other route',
        'GET',
        '/api/v1/roster/pins',
        undefined,
        { signedPath: '/api/v1/sync/pull?after=0' },
      ],
    ];
    for (const [name, method, url, sent, options] of cases) {
      const { res } = await signedInject(server.app, device, method, url, sent, options);
      tally(res, 'refused');
      expect(res.statusCode, name).toBe(401);
      expect(res.json(), name).toMatchObject({ error: 'bad_signature' });
    }
    // Photo bytes are signed as bytes.
    const bytes = new TextEncoder().encode('not really a photo');
    const sha = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    const path = `/api/v1/blobs/${sha}`;
    const put = async (signedBytes: Uint8Array<ArrayBuffer>) =>
      server.app.inject({
        method: 'PUT',
        url: path,
        headers: {
          ...device.log.authorization(),
          'content-type': 'application/octet-stream',
          ...(await signRequest(
            device.pair.privateKey,
            { method: 'PUT', path, body: signedBytes },
            clock.now,
          )),
        },
        payload: Buffer.from(bytes),
      });
    const forged = await put(new TextEncoder().encode('other bytes'));
    tally(forged, 'refused');
    expect(forged.statusCode).toBe(401);
    expect(await writes()).toBe(before);
    const stored = await put(bytes);
    tally(stored, 'accepted');
    expect(stored.statusCode).toBe(201);
  });

  it("refuses a replayed request, and a time more than a day from the server's", async () => {
    const device = await enrollWithKey(server);
    const body = pushBody(server, device);
    const first = await signedInject(server.app, device, 'POST', '/api/v1/sync/push', body);
    tally(first.res, 'accepted');
    expect(first.res.statusCode).toBe(200);
    const before = await writes();
    const again = await signedInject(server.app, device, 'POST', '/api/v1/sync/push', body, {
      headers: first.signature,
    });
    tally(again.res, 'refused');
    expect(again.res.statusCode).toBe(401);
    expect(again.res.json()).toMatchObject({ error: 'replayed_request' });
    expect(await writes()).toBe(before);

    for (const skew of [SIGNATURE_WINDOW_MS + 60_000, -SIGNATURE_WINDOW_MS - 60_000]) {
      const { res } = await signedInject(server.app, device, 'POST', '/api/v1/sync/push', body, {
        at: clock.now + skew,
      });
      tally(res, 'refused');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'bad_signature' });
      expect(Date.parse(res.json<{ serverTime: string }>().serverTime)).toBe(clock.now);
    }
    // A device clock off by hours (within the day) is fine; the same push again is a duplicate.
    const late = await signedInject(server.app, device, 'POST', '/api/v1/sync/push', body, {
      at: clock.now - 20 * 3600_000,
    });
    tally(late.res, 'accepted');
    expect(late.res.statusCode).toBe(200);
    expect(await events(device.log.deviceId)).toBe(1);
  });

  it('forgets nonces only once their requests could no longer be accepted', async () => {
    const device = await enrollWithKey(server);
    const body = pushBody(server, device);
    const first = await signedInject(server.app, device, 'POST', '/api/v1/sync/push', body);
    expect(tally(first.res, 'accepted').statusCode).toBe(200);
    const start = clock.now;
    try {
      // Eleven hours on (pruning ran), the nonce is still known.
      clock.now = start + 11 * 3600_000;
      const replay = await signedInject(server.app, device, 'POST', '/api/v1/sync/push', body, {
        headers: first.signature,
      });
      expect(tally(replay.res, 'refused').json()).toMatchObject({ error: 'replayed_request' });
      // A day and more on, the request is refused by its time, and pruning dropped its nonce.
      clock.now = start + SIGNATURE_WINDOW_MS + 3600_000;
      const old = await signedInject(server.app, device, 'POST', '/api/v1/sync/push', body, {
        headers: first.signature,
      });
      expect(tally(old.res, 'refused').json()).toMatchObject({ error: 'bad_signature' });
      // Any request lets the server prune (at most every few minutes).
      const fresh = await signedInject(
        server.app,
        device,
        'GET',
        '/api/v1/sync/pull?after=0',
        undefined,
      );
      expect(tally(fresh.res, 'accepted').statusCode).toBe(200);
      const rows = await server.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM device_nonces WHERE nonce = $1',
        [first.signature[SIGNATURE_HEADERS.nonce]],
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      clock.now = start;
    }
  });

  it('verifies signatures and refuses replays across a server restart (a fresh process state)', async () => {
    const device = await enrollWithKey(server);
    const body = pushBody(server, device);
    const first = await signedInject(server.app, device, 'POST', '/api/v1/sync/push', body);
    expect(tally(first.res, 'accepted').statusCode).toBe(200);
    // Another server on the same database, with none of this one's memory (its modules loaded anew).
    vi.resetModules();
    const { buildApp } = await import('../../src/server/app');
    const restarted = await buildApp({
      db: server.db,
      config: loadConfig({}),
      logger: false,
      now: () => clock.now,
    });
    try {
      const replay = await signedInject(restarted, device, 'POST', '/api/v1/sync/push', body, {
        headers: first.signature,
      });
      expect(tally(replay.res, 'refused').statusCode).toBe(401);
      expect(replay.res.json()).toMatchObject({ error: 'replayed_request' });
      const next = JSON.stringify({
        deviceId: device.log.deviceId,
        events: [device.log.rating(server)],
      });
      const ok = await signedInject(restarted, device, 'POST', '/api/v1/sync/push', next);
      expect(tally(ok.res, 'accepted').statusCode).toBe(200);
      const thief = await generateDeviceKey();
      const forged = await signedInject(restarted, device, 'POST', '/api/v1/sync/push', next, {
        key: thief.privateKey,
      });
      expect(tally(forged.res, 'refused').statusCode).toBe(401);
      expect(await events(device.log.deviceId)).toBe(2);
    } finally {
      await restarted.close();
    }
  });

  it('refuses every way of altering a signed push, and takes the push as signed', async () => {
    const device = await enrollWithKey(server);
    const thief = await generateDeviceKey();
    const url = '/api/v1/sync/push';
    type Tamper =
      | { kind: 'whitespace'; text: string }
      | { kind: 'ticket'; text: string }
      | { kind: 'query'; text: string }
      | { kind: 'time'; delta: number }
      | { kind: 'nonce' }
      | { kind: 'signature'; bit: number }
      | { kind: 'key' }
      | { kind: 'drop'; header: 'time' | 'nonce' | 'signature' };
    const tamper: fc.Arbitrary<Tamper> = fc.oneof(
      fc.record({
        kind: fc.constant('whitespace' as const),
        text: fc.stringMatching(/^[ \t\n\r]{1,4}$/),
      }),
      fc.record({ kind: fc.constant('ticket' as const), text: fc.string({ maxLength: 8 }) }),
      fc.record({
        kind: fc.constant('query' as const),
        text: fc.stringMatching(/^[a-z0-9=&]{1,12}$/),
      }),
      fc.record({
        kind: fc.constant('time' as const),
        delta: fc.integer({ min: -3_600_000, max: 3_600_000 }).filter((n) => n !== 0),
      }),
      fc.constant({ kind: 'nonce' as const }),
      fc.record({ kind: fc.constant('signature' as const), bit: fc.nat({ max: 511 }) }),
      fc.constant({ kind: 'key' as const }),
      fc.record({
        kind: fc.constant('drop' as const),
        header: fc.constantFrom('time' as const, 'nonce' as const, 'signature' as const),
      }),
    );
    let stored = await events(device.log.deviceId);
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        const body = pushBody(server, device);
        let headers = await signRequest(
          t.kind === 'key' ? thief.privateKey : device.pair.privateKey,
          { method: 'POST', path: url, body },
          clock.now,
        );
        let sentBody = body;
        let sentUrl = url;
        if (t.kind === 'whitespace') sentBody = body + t.text;
        if (t.kind === 'ticket') {
          const parsed = JSON.parse(body) as { events: { payload: { ticket: unknown } }[] };
          parsed.events[0]!.payload.ticket = t.text;
          sentBody = JSON.stringify(parsed);
        }
        if (t.kind === 'query') sentUrl = `${url}?${t.text}`;
        if (t.kind === 'time')
          headers = {
            ...headers,
            [SIGNATURE_HEADERS.time]: String(Number(headers[SIGNATURE_HEADERS.time]) + t.delta),
          };
        if (t.kind === 'nonce')
          headers = {
            ...headers,
            [SIGNATURE_HEADERS.nonce]: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
          };
        if (t.kind === 'signature') {
          const bytes = fromBase64Url(headers[SIGNATURE_HEADERS.signature]!)!;
          bytes[(t.bit >> 3) % bytes.length]! ^= 1 << (t.bit & 7);
          headers = { ...headers, [SIGNATURE_HEADERS.signature]: toBase64Url(bytes) };
        }
        if (t.kind === 'drop') {
          headers = { ...headers };
          delete headers[SIGNATURE_HEADERS[t.header]];
        }
        const forged = await server.app.inject({
          method: 'POST',
          url: sentUrl,
          headers: {
            ...device.log.authorization(),
            'content-type': 'application/json',
            ...headers,
          },
          payload: sentBody,
        });
        tally(forged, 'refused');
        expect(forged.statusCode, t.kind).toBe(401);
        expect(forged.json(), t.kind).toMatchObject({ error: 'bad_signature' });
        expect(await events(device.log.deviceId)).toBe(stored);

        // The same push as the device signs it is taken.
        const genuine = await signedInject(server.app, device, 'POST', url, body);
        tally(genuine.res, 'accepted');
        expect(genuine.res.statusCode).toBe(200);
        expect(await events(device.log.deviceId)).toBe(++stored);
      }),
      { numRuns: 120, seed: 20261121 },
    );
  });

  it('takes a device enrolled without a key on its token alone (clients from before signatures)', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      payload: { code: await server.enroll('evaluator') },
    });
    const body = res.json<EnrollResponse>();
    const log = new TestDevice(body.deviceId, body.hallId, body.token, body.windowId);
    const push = await server.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: log.authorization(),
      payload: { deviceId: log.deviceId, events: [log.rating(server)] },
    });
    expect(push.statusCode).toBe(200);
    expect(await events(log.deviceId)).toBe(1);
  });
});

describe.each(backends)('two server processes on one $name database', ({ name }) => {
  let server: TestServer;
  let other: FastifyInstance;

  beforeAll(async () => {
    server = await startTestServer({ backend: name, now: () => clock.now });
    // A second server with its own memory (modules loaded anew), as another process would be.
    vi.resetModules();
    const { buildApp } = await import('../../src/server/app');
    other = await buildApp({
      db: server.db,
      config: loadConfig({}),
      logger: false,
      now: () => clock.now,
    });
  });
  afterAll(async () => {
    await other?.close();
    await server?.close();
  });

  it('take a request sent to both at once only once', async () => {
    const device = await enrollWithKey(server, other);
    for (let round = 0; round < 5; round++) {
      const body = pushBody(server, device);
      const headers = await signRequest(
        device.pair.privateKey,
        { method: 'POST', path: '/api/v1/sync/push', body },
        clock.now,
      );
      const send = (app: FastifyInstance) =>
        signedInject(app, device, 'POST', '/api/v1/sync/push', body, { headers });
      const answers = (await Promise.all([send(server.app), send(other)])).map((a) => a.res);
      const codes = answers.map((r) => r.statusCode).sort();
      expect(codes).toEqual([200, 401]);
      const refused = answers.find((r) => r.statusCode === 401)!;
      expect(refused.json()).toMatchObject({ error: 'replayed_request' });
      tally(
        answers.find((r) => r.statusCode === 200)!,
        'accepted',
      );
      tally(refused, 'refused');
    }
    const rows = await server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE device_id = $1',
      [device.log.deviceId],
    );
    expect(rows[0]!.n).toBe(5);
  });
});
