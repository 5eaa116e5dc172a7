import { describe, expect, it } from 'vitest';
import { HttpError, NetworkError } from '../../src/sync/errors';
import { deviceApi, phoneApi, requestJson, type FetchLike } from '../../src/sync/transport';

function answering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const seen: { url: string; init: RequestInit | undefined }[] = [];
  const fetch: FetchLike = async (url, init) => {
    seen.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers,
    });
  };
  return { fetch, seen };
}

describe('requestJson', () => {
  it('sends JSON with the bearer token and returns the body', async () => {
    const { fetch, seen } = answering(200, { ok: 1 });
    const body = await requestJson(
      { fetch, baseUrl: 'http://127.0.0.1:1', token: 't0k' },
      'POST',
      '/x',
      { a: 1 },
    );
    expect(body).toEqual({ ok: 1 });
    const headers = seen[0]!.init!.headers as Record<string, string>;
    expect(seen[0]!.url).toBe('http://127.0.0.1:1/x');
    expect(headers.authorization).toBe('Bearer t0k');
    expect(headers['content-type']).toBe('application/json');
    expect(seen[0]!.init!.body).toBe('{"a":1}');
  });

  it('turns an error answer into an HttpError with the reason code and Retry-After', async () => {
    const { fetch } = answering(
      503,
      { error: 'server_unavailable', message: 'later' },
      { 'retry-after': '7' },
    );
    const error = await requestJson({ fetch }, 'GET', '/x').catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 503,
      retryAfterMs: 7000,
      body: { error: 'server_unavailable' },
    });
  });

  it('keeps extra fields of an error body (the gap’s lastSeq)', async () => {
    const { fetch } = answering(409, { error: 'gap', message: 'gap', lastSeq: 12 });
    const error = (await requestJson({ fetch }, 'POST', '/x', {}).catch((e) => e)) as HttpError;
    expect(error.body?.lastSeq).toBe(12);
  });

  it('reads a non-JSON error page as an error without a body', async () => {
    const { fetch } = answering(502, '<html>Bad gateway</html>');
    const error = (await requestJson({ fetch }, 'GET', '/x').catch((e) => e)) as HttpError;
    expect(error.status).toBe(502);
    expect(error.body).toBeNull();
  });

  it('turns no answer, or no answer in time, into a NetworkError', async () => {
    const refused: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    expect(await requestJson({ fetch: refused }, 'GET', '/x').catch((e) => e)).toBeInstanceOf(
      NetworkError,
    );
    const hanging: FetchLike = (_url, init) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('', 'AbortError'))),
      );
    const error = (await requestJson({ fetch: hanging, timeoutMs: 20 }, 'GET', '/x').catch(
      (e: unknown) => e,
    )) as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/timed out/);
  });
});

describe('the two ways to push', () => {
  const entry = (seq: number, route?: { windowCode: string; sig: string }) => ({
    deviceSeq: seq,
    event: { id: `e${seq}` },
    ...(route ? { route } : {}),
  });

  it('a device pushes its id, the events and how many wait', async () => {
    const { fetch, seen } = answering(200, {
      serverTime: new Date().toISOString(),
      lastSeq: 2,
      results: [],
    });
    const result = await deviceApi({ fetch }, 'dev-1').push([entry(1), entry(2)], 9);
    expect(result.lastSeq).toBe(2);
    expect(seen[0]!.url).toBe('/api/v1/sync/push');
    expect(JSON.parse(seen[0]!.init!.body as string)).toEqual({
      deviceId: 'dev-1',
      events: [{ id: 'e1' }, { id: 'e2' }],
      pending: 9,
    });
  });

  it('a device refuses an answer without lastSeq', async () => {
    const { fetch } = answering(200, { serverTime: new Date().toISOString(), results: [] });
    expect(
      await deviceApi({ fetch }, 'dev-1')
        .push([entry(1)], 1)
        .catch((e) => e),
    ).toBeInstanceOf(HttpError);
  });

  it('a phone pushes under the card of its events and groups by card', async () => {
    const { fetch, seen } = answering(200, { serverTime: new Date().toISOString(), results: [] });
    const api = phoneApi({ fetch });
    const route = { windowCode: 'A01', sig: 's1' };
    const result = await api.push([entry(1, route)], 1);
    expect(result.lastSeq).toBeNull();
    expect(seen[0]!.url).toBe('/api/v1/public/ratings');
    expect(JSON.parse(seen[0]!.init!.body as string)).toEqual({
      windowCode: 'A01',
      sig: 's1',
      events: [{ id: 'e1' }],
    });
    expect(seen[0]!.init!.headers).not.toHaveProperty('authorization');
    expect(api.group!(entry(1, route))).not.toBe(
      api.group!(entry(2, { windowCode: 'A02', sig: 's1' })),
    );
  });
});
