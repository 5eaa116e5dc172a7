import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_ALPHABET, newEnrollmentCode, normalizeEnrollmentCode } from '../../src/server/crypto';
import { createEnrollment } from '../../src/server/services/enroll';
import type { EnrollResponse } from '../../src/sync/protocol';
import { backends } from '../support/databases';
import { startTestServer, type TestServer } from '../support/server';

describe('enrollment codes', () => {
  it('are 8 unambiguous characters shown as XXXX-XXXX', () => {
    for (let i = 0; i < 50; i++) {
      const code = newEnrollmentCode();
      expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      for (const c of code.replace('-', '')) expect(CODE_ALPHABET).toContain(c);
    }
    for (const c of '0O1IL') expect(CODE_ALPHABET).not.toContain(c);
  });

  it('are read case-insensitively with or without the dash and spaces', () => {
    expect(normalizeEnrollmentCode('ab3d-ef4g')).toBe('AB3DEF4G');
    expect(normalizeEnrollmentCode(' AB3D EF4G ')).toBe('AB3DEF4G');
    expect(normalizeEnrollmentCode('AB3DEF4G')).toBe('AB3DEF4G');
  });
});

describe.each(backends)('enrollment on $name', ({ name }) => {
  let server: TestServer;
  let t = Date.parse('2026-03-02T09:00:00.000Z');
  beforeAll(async () => {
    server = await startTestServer({ backend: name, now: () => t });
  });
  afterAll(() => server.close());

  const enroll = (payload: unknown) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/devices/enroll',
      payload: payload as object,
    });

  it('trades a valid code for a token bound to the hall, role and window', async () => {
    const code = await server.enroll('evaluator', 'B02');
    const res = await enroll({ code: code.toLowerCase().replace('-', ' '), name: 'B02 评价器' });
    expect(res.statusCode).toBe(200);
    const body = res.json<EnrollResponse>();
    const window = server.seed.windows.find((w) => w.code === 'B02')!;
    expect(body).toMatchObject({
      hallId: server.seed.hall.id,
      role: 'evaluator',
      windowId: window.id,
    });
    expect(body.token.length).toBeGreaterThanOrEqual(40);
    expect(Date.parse(body.serverTime)).toBe(t);
    // Only a hash of the token is kept.
    const rows = await server.db.query<{ tokenHash: string; name: string }>(
      'SELECT token_hash AS "tokenHash", name FROM devices WHERE id = $1',
      [body.deviceId],
    );
    expect(rows[0]!.tokenHash).not.toContain(body.token);
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.name).toBe('B02 评价器');
    const pull = await server.app.inject({
      url: '/api/v1/sync/pull',
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(pull.statusCode).toBe(200);
  });

  it('refuses a used code', async () => {
    const code = await server.enroll('evaluator');
    expect((await enroll({ code })).statusCode).toBe(200);
    const again = await enroll({ code });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ error: 'used_code' });
  });

  it('refuses an expired code', async () => {
    const code = await server.enroll('evaluator');
    t += 24 * 3600_000 + 1;
    const res = await enroll({ code });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'expired_code' });
  });

  it('refuses an unknown or missing code', async () => {
    for (const payload of [{ code: 'AAAA-AAAA' }, {}, { code: 42 }]) {
      const res = await enroll(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_code');
      expect(typeof res.json().message).toBe('string');
    }
  });

  it('lets only one of two simultaneous redemptions of a code succeed', async () => {
    const code = await server.enroll('evaluator');
    const results = await Promise.all([enroll({ code }), enroll({ code })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
  });

  it('binds an evaluator to a window that exists', async () => {
    await expect(
      createEnrollment(server.db, server.seed.hall.id, { role: 'evaluator' }, t),
    ).rejects.toMatchObject({
      code: 'window_required',
    });
    await expect(
      createEnrollment(server.db, server.seed.hall.id, { role: 'evaluator', windowId: 'nope' }, t),
    ).rejects.toMatchObject({ code: 'unknown_window' });
    const kiosk = await createEnrollment(server.db, server.seed.hall.id, { role: 'duty_kiosk' }, t);
    const res = await enroll({ code: kiosk.code });
    expect(res.json()).toMatchObject({ role: 'duty_kiosk', windowId: null });
  });

  it('hands the seeded evaluator code to a device bound to the first window', async () => {
    const seeded = server.seed.enrollments[0]!;
    expect(seeded.setupPath).toBe(`/setup?code=${seeded.code}`);
    t = Date.parse(seeded.expiresAt) - 60_000;
    const res = await enroll({ code: seeded.code });
    expect(res.statusCode).toBe(200);
    expect(res.json().windowId).toBe(server.seed.windows[0]!.id);
  });
});
