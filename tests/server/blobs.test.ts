import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';
import { enrollDevice, type TestDevice } from './helpers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(backends)('blobs on $name', ({ name }) => {
  let server: TestServer;
  let device: TestDevice;
  beforeAll(async () => {
    server = await startTestServer({ backend: name });
    device = await enrollDevice(server);
  });
  afterAll(() => server.close());

  const put = (
    hash: string,
    body: Buffer,
    headers: Record<string, string> = device.authorization(),
  ) =>
    server.app.inject({
      method: 'PUT',
      url: `/api/v1/blobs/${hash}`,
      headers: { 'content-type': 'application/octet-stream', ...headers },
      payload: body,
    });

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

  it('refuses a blob over 2 MB with 413', async () => {
    const bytes = Buffer.alloc(2 * 1024 * 1024 + 1, 7);
    const res = await put(sha(bytes), bytes);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('payload_too_large');
  });
});
