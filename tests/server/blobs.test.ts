import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { newId } from '../../src/domain/ids';
import { createEnrollment } from '../../src/server/services/enroll';
import { TestDevice, enrollDevice } from './helpers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(backends)('blobs on $name', ({ name }) => {
  let server: TestServer;
  let device: TestDevice;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
    device = await inspectionTablet();
  });
  afterAll(() => server.close());

  /** The device that takes and shows photos. */
  async function inspectionTablet(): Promise<TestDevice> {
    const { code } = await createEnrollment(
      server.db,
      server.seed.hall.id,
      { role: 'inspection_tablet' } as Parameters<typeof createEnrollment>[2],
      Date.now(),
    );
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      payload: { code },
    });
    const body = res.json<{ deviceId: string; hallId: string; token: string }>();
    return new TestDevice(body.deviceId, body.hallId, body.token, null);
  }

  /** An event of this hall names the photo (what lets the hall's readers see it). */
  const refer = (hash: string) =>
    server.db.query(
      `INSERT INTO photo_refs (sha256, hall_id, event_id, device_id) VALUES ($1, $2, $3, $4)`,
      [hash, server.seed.hall.id, newId(), device.deviceId],
    );

  const put = async (
    hash: string,
    body: Buffer,
    headers: Record<string, string> = device.authorization(),
  ) => {
    await refer(hash);
    return server.app.inject({
      method: 'PUT',
      url: `/api/v1/blobs/${hash}`,
      headers: { 'content-type': 'application/octet-stream', ...headers },
      payload: body,
    });
  };

  it('stores a blob once, idempotently, and serves it back', async () => {
    const bytes = randomBytes(3000);
    const hash = sha(bytes);
    const first = await put(hash, bytes);
    expect(first.statusCode).toBe(201);
    const again = await put(hash, bytes);
    expect(again.statusCode).toBe(200);
    const rows = await server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1',
      [hash],
    );
    expect(rows[0]!.n).toBe(1);

    const head = await server.app.inject({
      method: 'HEAD',
      url: `/api/v1/blobs/${hash}`,
      headers: device.authorization(),
    });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe('3000');
    const got = await server.app.inject({
      url: `/api/v1/blobs/${hash}`,
      headers: device.authorization(),
    });
    expect(got.statusCode).toBe(200);
    expect(Buffer.compare(got.rawPayload, bytes)).toBe(0);
  });

  it('serves a photo as the image it is, whether sent as raw bytes or with its type', async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(500)]);
    expect((await put(sha(jpeg), jpeg)).statusCode).toBe(201);
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(500),
    ]);
    expect(
      (await put(sha(png), png, { ...device.authorization(), 'content-type': 'image/png' }))
        .statusCode,
    ).toBe(201);
    const other = randomBytes(500);
    other[0] = 0;
    expect((await put(sha(other), other)).statusCode).toBe(201);
    const typeOf = async (b: Buffer) =>
      (
        await server.app.inject({
          method: 'HEAD',
          url: `/api/v1/blobs/${sha(b)}`,
          headers: device.authorization(),
        })
      ).headers['content-type'];
    expect(await typeOf(jpeg)).toBe('image/jpeg');
    expect(await typeOf(png)).toBe('image/png');
    expect(await typeOf(other)).toBe('application/octet-stream');
  });

  it('refuses bytes that do not match their name', async () => {
    const bytes = randomBytes(100);
    const res = await put(sha(randomBytes(100)), bytes);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('hash_mismatch');
    expect((await put('not-a-hash', bytes)).json().error).toBe('invalid_hash');
    const rows = await server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1',
      [sha(bytes)],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('needs a device token to upload and a token or console session to read', async () => {
    const bytes = randomBytes(10);
    const hash = sha(bytes);
    expect((await put(hash, bytes, {})).statusCode).toBe(401);
    expect((await put(hash, bytes)).statusCode).toBe(201);
    expect((await server.app.inject({ url: `/api/v1/blobs/${hash}` })).statusCode).toBe(401);
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { username: 'admin', password: server.seed.admin.password },
    });
    const cookie = `hk_session=${login.cookies[0]!.value}`;
    const read = await server.app.inject({ url: `/api/v1/blobs/${hash}`, headers: { cookie } });
    expect(read.statusCode).toBe(200);
    const missing = await server.app.inject({
      url: `/api/v1/blobs/${sha(randomBytes(8))}`,
      headers: { cookie },
    });
    expect(missing.statusCode).toBe(404);
  });

  it("serves a photo only to its own hall's readers, never to evaluators or by its hash alone", async () => {
    const bytes = randomBytes(64);
    const hash = sha(bytes);
    const evaluator = await enrollDevice(server);
    const read = (headers: Record<string, string>) =>
      server.app.inject({ url: `/api/v1/blobs/${hash}`, headers });
    // Uploaded, but no event of the hall names it yet: nobody reads it.
    await server.app.inject({
      method: 'PUT',
      url: `/api/v1/blobs/${hash}`,
      headers: { 'content-type': 'application/octet-stream', ...device.authorization() },
      payload: bytes,
    });
    expect((await read(device.authorization())).statusCode).toBe(404);
    await refer(hash);
    expect((await read(device.authorization())).statusCode).toBe(200);
    const refused = await read(evaluator.authorization());
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'forbidden_role' });
  });

  it('refuses a blob over 2 MB with 413', async () => {
    const bytes = Buffer.alloc(2 * 1024 * 1024 + 1, 7);
    const res = await put(sha(bytes), bytes);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('payload_too_large');
  });

  /** A PUT over a real socket, as a tablet sends it; `cutAfter` bytes are sent, then the socket dies. */
  function rawPut(
    hash: string,
    bytes: Buffer,
    cutAfter?: number,
  ): Promise<{ status: number; body: string } | 'cut'> {
    return new Promise((resolve, reject) => {
      const url = new URL(`/api/v1/blobs/${hash}`, server.url);
      const req = http.request(url, {
        method: 'PUT',
        headers: {
          ...device.authorization(),
          'content-type': 'image/jpeg',
          'content-length': String(bytes.length),
        },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      });
      if (cutAfter === undefined) {
        req.on('error', reject);
        req.end(bytes);
        return;
      }
      req.on('error', () => resolve('cut'));
      req.on('close', () => resolve('cut'));
      req.flushHeaders();
      req.write(bytes.subarray(0, cutAfter), () => req.destroy());
    });
  }

  /** Resolves once the server has seen the next request end, completed or cut off. */
  function nextRequestClosed(): Promise<void> {
    return new Promise((resolve) => {
      server.app.server.once('request', (req: IncomingMessage) => {
        req.once('close', () => resolve());
      });
    });
  }

  it('stores nothing of an upload cut off mid-body; the retry stores it once, byte-identical', async () => {
    // A downscaled photo as a tablet sends it: a few hundred KB.
    const bytes = randomBytes(300 * 1024);
    const hash = sha(bytes);
    const rows = async () =>
      (
        await server.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1',
          [hash],
        )
      )[0]!.n;

    await refer(hash);
    const seen = nextRequestClosed();
    expect(await rawPut(hash, bytes, bytes.length / 2)).toBe('cut');
    await seen;
    expect(await rows()).toBe(0);
    const missing = await server.app.inject({
      method: 'HEAD',
      url: `/api/v1/blobs/${hash}`,
      headers: device.authorization(),
    });
    expect(missing.statusCode).toBe(404);

    const retry = await rawPut(hash, bytes);
    expect(retry).toMatchObject({ status: 201 });
    const repeat = await rawPut(hash, bytes);
    expect(repeat).toMatchObject({ status: 200 });
    expect(await rows()).toBe(1);

    const got = await server.app.inject({
      url: `/api/v1/blobs/${hash}`,
      headers: device.authorization(),
    });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.rawPayload.length).toBe(bytes.length);
    expect(sha(got.rawPayload)).toBe(hash);
    expect(Buffer.compare(got.rawPayload, bytes)).toBe(0);
  });

  it('stores nothing when the bytes of a cut-off upload are retried under a wrong name', async () => {
    const bytes = randomBytes(200 * 1024);
    const seen = nextRequestClosed();
    expect(await rawPut(sha(bytes), bytes, 1000)).toBe('cut');
    await seen;
    const wrong = await rawPut(sha(randomBytes(16)), bytes);
    expect(wrong).toMatchObject({ status: 400 });
    expect(JSON.parse((wrong as { body: string }).body).error).toBe('hash_mismatch');
    const rows = await server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1',
      [sha(bytes)],
    );
    expect(rows[0]!.n).toBe(0);
    // The server is still serving after the cut-off connections.
    expect((await rawPut(sha(bytes), bytes)) as { status: number }).toMatchObject({
      status: 201,
    });
  });
});
