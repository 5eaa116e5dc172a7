/**
 * A citizen's call-back number through the console: masked in the 差评's detail, revealed in clear
 * only through its own logged action, and erased when the problem closes, by any road.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids';
import { loadCallbackKey, revealNumber } from '../../src/server/services/callback-numbers';
import type { ProblemDetailResponse } from '../../src/sync/pipeline-protocol';
import { clearTextCopies } from '../support/clear-text';
import { recordFigures } from '../support/reliability';
import { PipelineHall } from './console-support';
import { TestDevice } from './helpers';

const figures = { 'numbers revealed with a log entry': 0, 'numbers erased on close': 0 };

describe('call-back numbers in the console', () => {
  let hall: PipelineHall;
  beforeAll(async () => {
    process.env['CALLBACK_KEY'] = randomBytes(32).toString('base64');
    hall = await PipelineHall.open('pglite', Date.parse('2026-03-16T02:00:00Z'));
  });
  afterAll(async () => {
    await hall.close();
    delete process.env['CALLBACK_KEY'];
    recordFigures('privacy--console', figures);
  });

  /** A phone's 差评 at the first window, with a number left for its call-back. */
  async function poorRatingWithNumber(number: string | null): Promise<string> {
    const w = hall.server.seed.windows[0]!;
    const phone = new TestDevice(newId(), hall.server.seed.hall.id, null, null);
    const rating = hall.append(
      phone,
      'rating.submitted',
      phone.ratingPayload(hall.server, {
        windowId: w.id,
        level: 'very_dissatisfied',
        reasons: ['attitude'],
      }),
    );
    const stored = await hall.server.app.inject({
      method: 'POST',
      url: '/api/v1/public/ratings',
      payload: { windowCode: w.code, sig: w.sig, events: [rating] },
    });
    expect(stored.statusCode, stored.body).toBe(200);
    if (number !== null) {
      const left = await hall.server.app.inject({
        method: 'POST',
        url: '/api/v1/public/callback-number',
        payload: {
          ratingId: rating.id,
          phoneId: phone.deviceId,
          windowCode: w.code,
          sig: w.sig,
          number,
        },
      });
      expect(left.statusCode, left.body).toBe(200);
    }
    return rating.id;
  }

  const reveal = (id: string) =>
    hall.admin.post(`/api/v1/admin/problems/${id}/callback-number/reveal`, {});

  it('shows the number masked, and reveals it only through a logged action', async () => {
    const number = '13912345678';
    const ratingId = await poorRatingWithNumber(number);
    const detail = await hall.problem(ratingId);
    expect(detail.callbackNumber).toEqual({ state: 'kept', masked: '139****5678', reveals: [] });
    expect(JSON.stringify(detail)).not.toContain(number);
    // Nor in the list, nor in exports.
    const list = await hall.admin.get('/api/v1/admin/problems?month=2026-03');
    expect(list.body).not.toContain(number);
    const csv = await hall.admin.get(
      '/api/v1/admin/exports/problems.csv?from=2026-03-01&to=2026-03-31',
    );
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(ratingId);
    expect(csv.body).not.toContain(number);

    hall.at('2026-03-16T03:00:00Z');
    const shown = await reveal(ratingId);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toEqual({ number });
    figures['numbers revealed with a log entry']++;
    const after = await hall.problem(ratingId);
    expect(after.callbackNumber).toEqual({
      state: 'kept',
      masked: '139****5678',
      reveals: [{ by: 'admin', at: '2026-03-16T03:00:00.000Z' }],
    });

    // Another hall's administrator finds nothing to reveal, and nothing is logged for it.
    const key = loadCallbackKey(process.env['CALLBACK_KEY'], 'unused');
    const otherHall = { hallId: newId(), adminId: hall.adminId };
    await expect(
      revealNumber(hall.server.db, key, otherHall, ratingId, new Date()),
    ).rejects.toMatchObject({ status: 404, code: 'unknown_problem' });
    const logged = await hall.server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM callback_reveals WHERE rating_id = $1',
      [ratingId],
    );
    expect(logged[0]!.n).toBe(1);
    expect(await clearTextCopies(hall.server.db, number)).toEqual([]);
  });

  it('has nothing to reveal for a finding or a 差评 without a number', async () => {
    const without = await poorRatingWithNumber(null);
    expect((await hall.problem(without)).callbackNumber).toBeUndefined();
    const res = await reveal(without);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'no_number' });
    expect((await reveal(newId())).json()).toMatchObject({ error: 'unknown_problem' });
  });

  it('erases the number when the 差评 is verified, and says so', async () => {
    const number = '13700001234';
    const ratingId = await poorRatingWithNumber(number);
    const departmentId = hall.server.seed.windows[0]!.departmentId;
    await hall.step(ratingId, {
      type: 'problem.prechecked',
      payload: { from: 'found', verdict: 'valid', note: '' },
    });
    await hall.step(ratingId, {
      type: 'problem.assigned',
      payload: { from: 'found', departmentId, assignee: '窗口负责人', note: '' },
    });
    let detail: ProblemDetailResponse = await hall.step(ratingId, {
      type: 'problem.statusChanged',
      payload: { from: 'assigned', to: 'rectified', note: '已整改', photos: [] },
    });
    expect(detail.callbackNumber?.state).toBe('kept');
    hall.at('2026-03-17T02:00:00Z');
    detail = await hall.step(ratingId, {
      type: 'problem.statusChanged',
      payload: { from: 'rectified', to: 'verified', note: '复核通过', photos: [] },
    });
    expect(detail.problem.status).toBe('verified');
    expect(detail.callbackNumber).toEqual({
      state: 'erased',
      erasedAt: '2026-03-17T02:00:00.000Z',
    });
    figures['numbers erased on close']++;
    const res = await reveal(ratingId);
    expect(res.statusCode).toBe(410);
    expect(res.json()).toMatchObject({ error: 'number_erased' });
    const bytes = await hall.server.db.query<{ n: number }>(
      'SELECT octet_length(ciphertext)::int AS n FROM callback_contacts WHERE rating_id = $1',
      [ratingId],
    );
    expect(bytes[0]!.n).toBe(0);
  });

  it('erases the number when the 差评 is set aside on appeal', async () => {
    const ratingId = await poorRatingWithNumber('15012349876');
    await hall.step(ratingId, {
      type: 'problem.prechecked',
      payload: { from: 'found', verdict: 'mistaken', note: '误触' },
    });
    const detail = await hall.step(ratingId, {
      type: 'problem.reviewed',
      payload: { from: 'appealing', upheld: true, note: '申诉成立' },
    });
    expect(detail.problem.status).toBe('closed');
    expect(detail.callbackNumber?.state).toBe('erased');
    figures['numbers erased on close']++;
  });
});
