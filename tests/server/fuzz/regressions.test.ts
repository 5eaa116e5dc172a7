/** Inputs the fuzzing found to fail the server once, each kept as a named test. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server';
import { enrollDevice, push, pushOk } from '../helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('found by fuzzing', () => {
  it('an event with a lone surrogate is refused on its own, and the queue goes on', async () => {
    // It used to answer 503 for the whole push (the text could not be hashed), forever.
    const device = await enrollDevice(server);
    const bad = device.rating(server);
    const res = await push(server.app, device, [
      { ...bad, payload: { ...bad.payload, comment: '\udfff\ud800' } },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json().results[0]).toMatchObject({ status: 'rejected', reason: 'invalid_text' });
    // The next event is processed too (its chain names the hash of what the device meant to
    // send, so the server flags the break) and the device's log moves on.
    const next = await pushOk(server.app, device, [device.rating(server)]);
    expect(next.lastSeq).toBe(2);
    expect(next.results[0]!.status).not.toBe('duplicate');
  });

  it('an event with a NUL character is refused on its own (PostgreSQL cannot store it)', async () => {
    const device = await enrollDevice(server);
    const bad = device.rating(server);
    const res = await push(server.app, device, [
      { ...bad, payload: { ...bad.payload, comment: 'a\u0000b' } },
    ]);
    expect(res.json().results[0]).toMatchObject({ status: 'rejected', reason: 'invalid_text' });
  });

  it('a NUL in an address or a query is a 400, not a database failure', async () => {
    for (const url of ['/api/v1/public/windows/%00', '/api/v1/sync/pull?after=%00']) {
      const res = await server.app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });

  it('an address that is not UTF-8 answers in the API shape', async () => {
    const res = await server.app.inject({ url: '/api/v1/admin/problems/%ED%A0%80' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'bad_request',
      message: expect.stringMatching(/cannot be read/),
    });
  });

  it('an address with a long run of spaces is named in a readable sentence', async () => {
    // The sentence used to be cut inside the run of spaces and end in blanks.
    const url = `/api/v1/admin/rating-flags/${' '.repeat(300)}/review`;
    const res = await server.app.inject({ method: 'POST', url, payload: {} });
    expect(res.statusCode).toBe(400);
    const { message } = res.json<{ message: string }>();
    expect(message).toMatch(/^The request cannot be read: \S[\s\S]*\S$/);
    expect(message).not.toMatch(/\s{2}/);
  });

  it('deeply nested JSON is refused before anything walks it', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      headers: { 'content-type': 'application/json' },
      payload: '['.repeat(3000) + ']'.repeat(3000),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'too_deep' });
  });
});
