import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { maskMobile, normalizeMobile } from '../../src/domain/mobile';
import { sealingKey } from '../../src/server/crypto';
import { eraseCallbackNumbers } from '../../src/server/repos/problems';
import {
  loadCallbackKey,
  readNumber,
  storeNumber,
} from '../../src/server/services/callback-numbers';
import { clearTextCopies } from '../support/clear-text';
import { recordFigures } from '../support/reliability';
import { startTestServer, type TestServer } from '../support/server';
import { TestDevice } from './helpers';

const figures = { 'numbers stored': 0, 'clear-text copies found': 0, 'numbers erased': 0 };

describe('call-back numbers', () => {
  let server: TestServer;
  const key = sealingKey(randomBytes(32));
  beforeAll(async () => {
    // The route's key, so the test server does not create a key file in the data folder.
    process.env['CALLBACK_KEY'] = randomBytes(32).toString('base64');
    server = await startTestServer({ backend: 'pglite' });
  });
  afterAll(async () => {
    await server.close();
    delete process.env['CALLBACK_KEY'];
    expect(figures['clear-text copies found']).toBe(0);
    recordFigures('privacy', figures);
  });

  it('accepts mainland mobile numbers only', () => {
    expect(normalizeMobile('138 1234 5678')).toBe('13812345678');
    expect(normalizeMobile('138-1234-5678')).toBe('13812345678');
    for (const bad of ['2381234567', '1381234567', '138123456789', 'abc', '', 13812345678, null])
      expect(normalizeMobile(bad)).toBeNull();
    expect(maskMobile('13812345678')).toBe('138****5678');
  });

  it('are stored sealed, readable with the key only, never in clear text, and erased', async () => {
    const hallId = server.seed.hall.id;
    const ratingId = newId();
    const number = '13912340987';
    const now = new Date('2026-03-02T09:00:00.000Z');
    await storeNumber(server.db, key, hallId, ratingId, number, now);
    await storeNumber(server.db, key, hallId, ratingId, '13700000000', now); // idempotent
    figures['numbers stored']++;

    expect(await readNumber(server.db, key, hallId, ratingId)).toEqual({ state: 'kept', number });
    await expect(
      readNumber(server.db, sealingKey(randomBytes(32)), hallId, ratingId),
    ).rejects.toThrow();
    expect(await readNumber(server.db, key, 'another-hall', ratingId)).toEqual({ state: 'none' });
    // The search finds what is there: the hall's own id is in many columns.
    expect((await clearTextCopies(server.db, hallId)).length).toBeGreaterThan(0);
    const copies = await clearTextCopies(server.db, number);
    figures['clear-text copies found'] += copies.length;
    expect(copies).toEqual([]);

    expect(await eraseCallbackNumbers(server.db, [ratingId], now.toISOString())).toBe(1);
    expect(await eraseCallbackNumbers(server.db, [ratingId], now.toISOString())).toBe(0);
    figures['numbers erased']++;
    const after = await readNumber(server.db, key, hallId, ratingId);
    expect(after.state).toBe('erased');
    const rows = await server.db.query<{ n: number }>(
      'SELECT octet_length(ciphertext)::int AS n FROM callback_contacts WHERE rating_id = $1',
      [ratingId],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('are left by the phone that gave the 差评 only, with a clear reason when refused', async () => {
    const w = server.seed.windows[0]!;
    const phone = new TestDevice(newId(), server.seed.hall.id, null, null);
    const other = new TestDevice(newId(), server.seed.hall.id, null, null);
    const poor = phone.rating(server, {
      windowId: w.id,
      level: 'dissatisfied',
      reasons: ['attitude'],
    });
    const good = other.rating(server, { windowId: w.id, level: 'very_satisfied' });
    for (const e of [poor, good]) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/public/ratings',
        payload: { windowCode: w.code, sig: w.sig, events: [e] },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const number = '15800001111';
    const post = (body: Record<string, unknown>) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/public/callback-number',
        payload: {
          ratingId: poor.id,
          phoneId: phone.deviceId,
          windowCode: w.code,
          sig: w.sig,
          number,
          ...body,
        },
      });
    const bad = await post({ number: '2580000111' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_mobile' });
    expect(bad.body).not.toContain('2580000111');
    expect((await post({ phoneId: other.deviceId })).statusCode).toBe(404);
    expect((await post({ ratingId: good.id, phoneId: other.deviceId })).statusCode).toBe(404);
    expect((await post({ sig: server.seed.windows[1]!.sig })).statusCode).toBe(403);
    for (let i = 0; i < 2; i++) {
      const ok = await post({});
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.body).not.toContain(number);
    }
    figures['numbers stored']++;
    const copies = await clearTextCopies(server.db, number);
    figures['clear-text copies found'] += copies.length;
    expect(copies).toEqual([]);
    const kept = await server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM callback_contacts WHERE rating_id = $1 AND erased_at IS NULL',
      [poor.id],
    );
    expect(kept[0]!.n).toBe(1);
  });

  it('take their key from CALLBACK_KEY or a private key file made on first start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callback-key-'));
    try {
      const first = loadCallbackKey(undefined, dir);
      expect(statSync(join(dir, 'callback.key')).mode & 0o777).toBe(0o600);
      expect(loadCallbackKey(undefined, dir).id).toBe(first.id);
      const env = randomBytes(32).toString('base64');
      expect(loadCallbackKey(env, dir).id).not.toBe(first.id);
      expect(() => loadCallbackKey('c2hvcnQ=', dir)).toThrow(/32 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
